-- luacheck: max line length 160
-- spec/mock/api_auth_spec.lua — the mock's API (mock/sparkrtc.lua called directly): authentication on
-- every route, with a token or a request signed by the specs' own signer.
require "spec.helper" -- the module paths: ./mock/?.lua (sparkrtc), the build
local sparkrtc = require "sparkrtc"
local cjson = require "cjson"
local signer = require "spec.support.signer"
local M = require "spec.support.mock_api"
local T0, new_api, create_app, RULE, job_body, MIX = M.T0, M.new_api, M.create_app, M.RULE, M.job_body, M.MIX

-- the specs' own SDK-HMAC-SHA256 signer (spec/support/signer.lua), T: unix seconds
local function sign(req, ak, sk, t) return (signer.sign(req, ak, sk, signer.sdk_date(t))) end

-- a request the official SDK would send for each route, made concrete
local BODIES = {
  create_app = { app_name = "n" }, create_record_rule = RULE, update_record_rule = RULE,
  update_auto_record = { mode = "AUTO_RECORD_OFF" }, update_record_callback = { url = "https://h/x" },
  create_mix_job = MIX, update_mix_job = { mix_param = { max_idle_time = 60 } },
  remove_users = { user_ids = { "u" } },
  update_obs_bucket_authority = { bucket = "rtc-records", operation = 1, location = "cn-north-4" },
  create_job = job_body(), update_job = { record_param = { record_rule_id = "x" } },
}
local QUERIES = { list_apps = "?offset=0&limit=10&state=ACTIVATION", list_record_rules = "?offset=0&limit=10",
  list_obs_bucket_objects = "?bucket=rtc-records&prefix=recordings%2F&type=objects&location=cn-north-4" }

local function sdk_request(route, app, bodies)
  bodies = bodies or BODIES
  local path = "/" .. route[3]:gsub(":app", app):gsub(":rule", "r1"):gsub(":job", "j1"):gsub(":room", "room%%201")
  local body = bodies[route[1]] and cjson.encode(bodies[route[1]]) or ""
  local ct = (body ~= "" and not route.ops) and "application/json;charset=utf-8" or "application/json"
  return { method = route[2], path = path, query = (QUERIES[route[1]] or ""):sub(2), target = path .. (QUERIES[route[1]] or ""),
    headers = { host = "rtc-api.myhuaweicloud.com", ["content-type"] = ct }, body = body }
end

describe("mock API: authentication on every route", function()
  local api, app
  before_each(function()
    api = new_api()
    app = create_app(api, "a")
  end)
  local function why(r)
    assert.are.equal(401, r.status, r.body)
    local b = cjson.decode(r.body)
    assert.are.equal("APIGW.0301", b.error_code)
    return b.error_msg:match(": (.*)$")
  end

  for _, route in ipairs(sparkrtc.ROUTES) do
    it(route[1] .. ": 401 without or with wrong credentials, answered with a token or an AK/SK signature", function()
      assert.are.equal("no credentials", why(api:handle(sdk_request(route, app))))
      local req = sdk_request(route, app)
      req.headers["x-auth-token"] = "wrong"
      assert.are.equal("invalid token", why(api:handle(req)))
      req = sdk_request(route, app)
      req.headers["x-project-id"] = "test-project"
      sign(req, "test-ak", "wrong-sk", T0)
      assert.are.equal("signature mismatch", why(api:handle(req)))
      req = sdk_request(route, app)
      req.headers["x-project-id"] = "test-project"
      sign(req, "test-ak", "test-sk", T0)
      req.body = req.body .. " "
      assert.are.equal("signature mismatch", why(api:handle(req)))
      req = sdk_request(route, app)
      req.headers["x-auth-token"] = "test-token"
      local by_token = api:handle(req)
      assert.are_not.equal(401, by_token.status)
      req = sdk_request(route, app)
      req.headers["x-project-id"] = "test-project"
      sign(req, "test-ak", "test-sk", T0)
      local by_aksk = api:handle(req)
      assert.are_not.equal(401, by_aksk.status, by_aksk.body)
      assert.is_true(by_aksk.status < 500, by_aksk.body)
      -- the rtc-ops models declare no X-Project-Id: a signature without one is fine there
      req = sdk_request(route, app)
      sign(req, "test-ak", "test-sk", T0)
      if route.ops then
        assert.are_not.equal(401, api:handle(req).status)
      else
        assert.are.equal("missing X-Project-Id header", why(api:handle(req)))
      end
    end)
  end

  it("the SDK-shaped request of every operation succeeds on a prepared store", function()
    local ids = {}
    local bodies = setmetatable({}, { __index = BODIES }) -- rule ids filled in below
    local function add(route_name, want)
      for _, route in ipairs(sparkrtc.ROUTES) do
        if route[1] == route_name then
          local req = sdk_request(route, app, bodies)
          req.path = req.path:gsub("/r1$", "/" .. (ids.rule or "")):gsub("individual%-stream%-jobs/j1", "individual-stream-jobs/" .. (ids.job or ""))
            :gsub("mix%-stream%-jobs/j1", "mix-stream-jobs/" .. (ids.mix or "")):gsub("^/v2/apps/" .. app .. "$", "/v2/apps/" .. (ids.app or app))
          req.target = req.path .. (QUERIES[route_name] or "")
          req.headers["x-project-id"] = "test-project"
          sign(req, "test-ak", "test-sk", T0)
          local r = api:handle(req)
          assert.are.equal(want, r.status, route_name .. ": " .. r.body)
          return r.body ~= "" and cjson.decode(r.body) or nil
        end
      end
      error("no route " .. route_name)
    end
    ids.app = add("create_app", 201).app_id
    add("list_apps", 200)
    add("get_app", 200)
    add("stop_app", 200)
    add("start_app", 200)
    ids.rule = add("create_record_rule", 201).rule_id
    add("list_record_rules", 200)
    add("get_record_rule", 200)
    add("update_record_rule", 200)
    add("get_auto_record", 200)
    add("update_auto_record", 200)
    add("get_record_callback", 200)
    add("update_record_callback", 200)
    bodies.create_job = job_body(ids.rule)
    bodies.update_job = { record_param = { record_rule_id = ids.rule } }
    bodies.create_mix_job = { mix_param = MIX.mix_param, record_param = { record_rule_id = ids.rule } }
    ids.job = add("create_job", 201).job_id
    add("get_job", 200)
    add("update_job", 200)
    add("stop_job", 204)
    ids.mix = add("create_mix_job", 201).job_id
    add("get_mix_job", 200)
    add("update_mix_job", 200)
    add("stop_mix_job", 204)
    add("remove_room", 202)
    add("remove_users", 202)
    add("list_obs_buckets", 200)
    add("list_obs_bucket_objects", 200)
    add("update_obs_bucket_authority", 200)
    add("delete_record_rule", 204)
    add("delete_app", 204)
  end)
end)
