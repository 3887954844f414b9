-- luacheck: max line length 160
-- spec/support/mock_api.lua — the mock's API module (mock/sparkrtc.lua) called directly, for
-- spec/mock/api*_spec.lua and server_flags_spec.lua: a fixed clock, calls, the checks of a
-- success and of an error answer, and request bodies.
require "spec.helper" -- the module paths: ./mock/?.lua (sparkrtc)
local sparkrtc = require "sparkrtc"
local cjson = require "cjson"
local assert = require("busted").assert

local T0 = 1767225600.25 -- 2026-01-01T00:00:00.250Z
local TS = "2026-01-01T00:00:00.250Z"
local TOKEN = { ["x-auth-token"] = "test-token", ["content-type"] = "application/json;charset=utf-8" }

local function new_api(cfg)
  cfg = cfg or {}
  cfg.clock = cfg.clock or function() return T0 end
  return sparkrtc.new(cfg)
end

-- body: a string, or a table sent as JSON
local function call(api, method, path, body, headers)
  if type(body) == "table" then body = cjson.encode(body) end
  local p, q = sparkrtc.split_target(path)
  return api:handle{ method = method, target = path, path = p, query = q, headers = headers or TOKEN, body = body or "" }
end

local function ok(r, status)
  assert.are.equal(status or 200, r.status, r.body)
  assert.are.equal(32, #r.headers["X-request-Id"])
  if r.body == "" then
    assert.is_nil(r.headers["Content-Type"])
    return nil
  end
  assert.are.equal("application/json;charset=utf-8", r.headers["Content-Type"])
  return cjson.decode(r.body)
end

local function fails(r, status, code, msg_part)
  assert.are.equal(status, r.status, r.body)
  local b = cjson.decode(r.body)
  assert.are.equal(code, b.error_code, r.body)
  assert.is_string(b.error_msg)
  if msg_part then assert.truthy(b.error_msg:find(msg_part, 1, true), b.error_msg) end
  return b
end

local function create_app(api, name) return ok(call(api, "POST", "/v2/apps", { app_name = name }), 201).app_id end

local RULE = { obs_addr = { location = "cn-north-4", project_id = "p1", bucket = "rtc-records", object = "rec" },
  record_formats = { "HLS", "MP4" }, hls_config = { record_cycle = 3600 }, mp4_config = { record_cycle = 600 } }

local function copy(t)
  if type(t) ~= "table" then return t end
  local o = {}
  for k, v in pairs(t) do o[k] = copy(v) end
  return o
end

-- RULE with changes: path "a.b" = value (cjson.null removes)
local function rule_with(changes)
  local r = copy(RULE)
  for path, v in pairs(changes) do
    local t, last = r, nil
    for key in path:gmatch("[^.]+") do
      if last then t[last] = t[last] or {}; t = t[last] end
      last = key
    end
    if v == cjson.null then t[last] = nil else t[last] = v end
  end
  return r
end

local function job_body(rule_id, room, user)
  return { room_id = room or "room1", user_id = user or "user1", record_param = { record_rule_id = rule_id or "any" } }
end

local MIX = { mix_param = { room_id = "room1", encode_template = "1280*720_30_1710", layout_template = "nine_grids_view" } }

return {
  T0 = T0, TS = TS, TOKEN = TOKEN, new_api = new_api, call = call, ok = ok, fails = fails,
  create_app = create_app, RULE = RULE, copy = copy, rule_with = rule_with, job_body = job_body,
  MIX = MIX,
}
