-- mock/sparkrtc.lua — behaviour of a SparkRTC (CloudRTC v2) server, all 28 operations,
-- without sockets, so that it can run in mock/server.lua (LuaSocket) or be mounted in
-- nginx's Lua module. This file: configuration, authentication (SDK-HMAC-SHA256 and tokens),
-- the route table, the app store and the --seed state. The resources are in mock/sparkrtc/
-- (apps, rules, jobs, mix, rooms, obs), the shared pieces in mock/sparkrtc/base.lua.
--
--   local sparkrtc = require "sparkrtc"
--   local api = sparkrtc.new{ tokens = {"test-token"}, aksk = { ["test-ak"] = "test-sk" },
--                             project_id = "test-project", unknown_apps = {"no-such-app"} }
--   local resp = api:handle{ method = "GET", target = "/v2/apps/a/individual-stream-jobs/j",
--                            headers = { ["x-auth-token"] = "test-token" }, body = "" }
--   -- resp = { status = 200, headers = { ["Content-Type"] = …, ["X-request-Id"] = … }, body = "…" }
--
-- Works on Lua 5.1/LuaJIT .. 5.4. SHA-256 and HMAC come from lua-luaossl ("openssl.digest",
-- "openssl.hmac"); config.sha256 / config.hmac_sha256 (binary in, binary out) replace them,
-- e.g. with resty.sha256 under nginx.

local B = require "sparkrtc.base"
local apps = require "sparkrtc.apps"
local rules = require "sparkrtc.rules"
local jobs = require "sparkrtc.jobs"
local mix = require "sparkrtc.mix"
local rooms = require "sparkrtc.rooms"
local obs = require "sparkrtc.obs"
local verify = require "sparkrtc.verify"

local M = { _VERSION = "0.2.0" }

local format = string.format
local json = B.json
local hex, pct_decode, pct_encode, split_target = B.hex, B.pct_decode, B.pct_encode, B.split_target
local default_clock = B.clock

M.json, M.hex, M.iso_time, M.pct_decode, M.pct_encode = json, hex, B.iso_time, pct_decode, pct_encode
M.random_hex, M.split_target, M.segments = B.random_hex, split_target, B.segments
M.sha256, M.hmac_sha256 = B.sha256, B.hmac_sha256
M.response, M.api_error = B.response, B.api_error
M.validate_create, M.validate_update = jobs.validate_create, jobs.validate_update
M.parse_sdk_date, M.canonical_request = verify.parse_sdk_date, verify.canonical_request
M.verify_signature = verify.verify_signature

---------------------------------------------------------------------------------------------
-- the API object: configuration and the store
---------------------------------------------------------------------------------------------
local Api = {}
Api.__index = Api
M.Api = Api

-- config: tokens (list; default {"test-token"}), aksk (map AK->SK; default {["test-ak"]="test-sk"}),
--   project_id (default "test-project"; false: any non-empty X-Project-Id),
--   unknown_apps (list; default {"no-such-app"}), auth (false: no authentication at all),
--   strict (true: apps must be created and job record rules must exist; see mock/README.md),
--   seed (true: the --seed state after every reset), rule_locations (accepted
--   obs_addr.location values; default {"cn-north-4"}), offset_items (true: list offsets count
--   items, not pages),
--   clock (function -> seconds; default real clock), clock_offset (seconds added to the clock),
--   sha256 / hmac_sha256 (binary functions replacing luaossl)
function M.new(config)
  config = config or {}
  local self = setmetatable({}, Api)
  self.config = config
  self.counter = 0
  self:configure(config)
  self:reset()
  return self
end

function Api:configure(c)
  local function pick(key, value, default)
    if value ~= nil then self[key] = value elseif self[key] == nil then self[key] = default end
  end
  if c.tokens ~= nil then self.tokens = B.set_of(c.tokens) end
  pick("tokens", nil, B.set_of({ "test-token" }))
  pick("aksk", c.aksk, { ["test-ak"] = "test-sk" })
  pick("project_id", c.project_id, "test-project")
  if c.unknown_apps ~= nil then self.unknown_apps = B.set_of(c.unknown_apps) end
  pick("unknown_apps", nil, B.set_of({ "no-such-app" }))
  pick("auth", c.auth, true)
  pick("strict", c.strict, false)
  pick("seed", c.seed, false)
  pick("rule_locations", c.rule_locations, { "cn-north-4" })
  pick("offset_items", c.offset_items, false)
  pick("clock_offset", c.clock_offset, 0)
  if c.clock then self.clock = c.clock end
  if c.sha256 then self.sha256 = c.sha256 end
  if c.hmac_sha256 then self.hmac_sha256 = c.hmac_sha256 end
end

function Api:now()
  return (self.clock or default_clock)() + (self.clock_offset or 0)
end

-- a fresh id: 32 hex digits, the first 8 a counter (ids sort by creation)
function Api:new_id()
  self.counter = self.counter + 1
  return format("%08x", self.counter % 0x100000000) .. B.random_hex(24)
end

-- the names of the --seed state (mock/README.md documents them)
M.SEED = { app_id = "my-app", rule_id = "my-rule", job_id = "my-job", room_id = "room-100",
  user_id = "user001", bucket = "rtc-records" }

-- forgets every app, rule, job and bucket change; with seed, puts the seed state back
function Api:reset()
  self.apps, self.app_order, self.deleted = {}, {}, {}
  self.outbox = {} -- recording events waiting to be delivered (mock/sparkrtc/events.lua)
  self.buckets = obs.buckets()
  if self.seed then self:apply_seed() end
end

function Api:apply_seed()
  local S, ts = M.SEED, B.iso_time(self:now())
  local app = self.apps[S.app_id] or self:add_app(apps.new(S.app_id, S.app_id, ts))
  if not app.rules[S.rule_id] then
    rules.put(app, S.rule_id, {
      obs_addr = { location = "cn-north-4", project_id = self.project_id or "test-project",
        bucket = S.bucket, object = "recordings" },
      record_formats = { "HLS", "MP4" },
      hls_config = { record_cycle = 3600 }, mp4_config = { record_cycle = 3600 },
    }, ts)
  end
  self:seed_job(S.app_id, { job_id = S.job_id, room_id = S.room_id, user_id = S.user_id,
    state = "RUNNING", record_param = { record_rule_id = S.rule_id } })
end

-- the recording events queued since the last call (each {url, event, job_id, headers, body,
-- signed}), oldest first; the caller delivers them
function Api:take_outbox()
  local box = self.outbox
  self.outbox = {}
  return box
end

function Api:add_app(app)
  self.apps[app.app_id] = app
  self.deleted[app.app_id] = nil
  self.app_order[#self.app_order + 1] = app.app_id
  return app
end

function Api:remove_app(app_id)
  self.apps[app_id] = nil
  self.deleted[app_id] = true
  for i, id in ipairs(self.app_order) do
    if id == app_id then table.remove(self.app_order, i); break end
  end
end

-- the apps in creation order
function Api:app_list()
  local out = {}
  for _, id in ipairs(self.app_order) do out[#out + 1] = self.apps[id] end
  return out
end

-- the app a job call names, made on the spot unless strict, unknown or deleted
function Api:implicit_app(app_id)
  local app = self.apps[app_id]
  if app then return app end
  if self.strict or self.unknown_apps[app_id] or self.deleted[app_id] then return nil end
  return self:add_app(apps.new(app_id, app_id, B.iso_time(self:now())))
end

-- may a job of app record with rule_id? Always when the rule is the app's; otherwise only
-- when the app has no rules at all and the mock is not strict (the lenient default)
function Api:rule_usable(app, rule_id)
  if app.rules[rule_id] then return true end
  return not self.strict and next(app.rules) == nil
end

-- all individual jobs: { [app_id] = { [job_id] = job } } (apps with jobs only)
function Api:jobs()
  local out = json.object({})
  for id, app in pairs(self.apps) do
    if next(app.jobs) then out[id] = B.copy(app.jobs) end
  end
  return out
end

-- put a job straight into the store (tests): fields as given, the rest filled like a create;
-- state defaults to INIT; RUNNING/STOPPED get start/stop times and stop_reason when missing.
-- The app is made when missing (even when strict).
function Api:seed_job(app_id, fields)
  fields = fields or {}
  local app = self.apps[app_id] or self:add_app(apps.new(app_id, app_id, B.iso_time(self:now())))
  local job = jobs.new(self, app, { room_id = fields.room_id or "room", user_id = fields.user_id or "user" })
  if fields.job_id ~= nil then
    app.jobs[job.job_id] = nil
    job.job_id = tostring(fields.job_id)
    app.jobs[job.job_id] = job
  end
  job.stream_name = format("s_%s_%s_%s", job.job_id, tostring(job.room_id), tostring(job.user_id))
  for k, v in pairs(fields) do
    if k ~= "job_id" then job[k] = v end
  end
  local ts = B.iso_time(self:now())
  if job.state == "RUNNING" or job.state == "STOPPED" then
    job.start_time = job.start_time or ts
    job.description = fields.description or (job.state == "RUNNING" and "job is running" or job.description)
  end
  if job.state == "STOPPED" then
    job.stop_time = job.stop_time or ts
    job.stop_reason = job.stop_reason or "TENANT_STOP"
    job.description = fields.description or "job stopped by the tenant"
  end
  return job
end

-- the job as the API would answer it (a JSON string)
function Api.job_json(_, job) return jobs.body(job) end

---------------------------------------------------------------------------------------------
-- authentication -> true | nil, why
---------------------------------------------------------------------------------------------
-- project_optional: the rtc-ops routes, whose SDK models declare no X-Project-Id
function Api:authenticate(req, project_optional)
  if not self.auth then return true end
  local h = req.headers or {}
  if h["authorization"] then
    local ok, why = M.verify_signature(req, self.aksk, { now = self:now(),
      sha256 = self.sha256, hmac_sha256 = self.hmac_sha256 })
    if not ok then return nil, why end
    local pid = h["x-project-id"]
    if not pid or pid == "" then
      if project_optional and pid == nil then return true end
      return nil, "missing X-Project-Id header"
    end
    if self.project_id and pid ~= self.project_id then return nil, "unknown project id" end
    return true
  end
  local token = h["x-auth-token"]
  if token then
    if self.tokens[token] then return true end
    return nil, "invalid token"
  end
  return nil, "no credentials"
end

---------------------------------------------------------------------------------------------
-- routes: method, path pattern (":name" = one non-empty segment), handler, how the app is found
-- ("app": must exist; "implicit": made on the spot unless strict), job = refused for a
-- disabled app, ops = an rtc-ops route
---------------------------------------------------------------------------------------------
local APP, RULES = "v2/apps/:app", "v2/apps/:app/record-rules"
local JOBS, MIX = "v2/apps/:app/individual-stream-jobs", "v2/apps/:app/mix-stream-jobs"
local ROUTES = {
  { "create_app", "POST", "v2/apps", apps.create },
  { "list_apps", "GET", "v2/apps", apps.list },
  { "get_app", "GET", APP, apps.get, app = "app" },
  { "delete_app", "DELETE", APP, apps.delete, app = "app" },
  { "start_app", "POST", APP .. "/enable", apps.enable, app = "app" },
  { "stop_app", "POST", APP .. "/disable", apps.disable, app = "app" },
  { "create_record_rule", "POST", RULES, rules.create, app = "implicit" },
  { "list_record_rules", "GET", RULES, rules.list, app = "implicit" },
  { "get_record_rule", "GET", RULES .. "/:rule", rules.get, app = "implicit" },
  { "update_record_rule", "PUT", RULES .. "/:rule", rules.update, app = "implicit" },
  { "delete_record_rule", "DELETE", RULES .. "/:rule", rules.delete, app = "implicit" },
  { "get_auto_record", "GET", APP .. "/auto-record-mode", apps.get_auto_record, app = "implicit" },
  { "update_auto_record", "PUT", APP .. "/auto-record-mode", apps.update_auto_record, app = "implicit" },
  { "get_record_callback", "GET", APP .. "/record-callback", apps.get_record_callback, app = "implicit" },
  { "update_record_callback", "PUT", APP .. "/record-callback", apps.update_record_callback, app = "implicit" },
  { "create_mix_job", "POST", MIX, mix.create, app = "implicit", job = true },
  { "get_mix_job", "GET", MIX .. "/:job", mix.get, app = "implicit", job = true },
  { "update_mix_job", "PUT", MIX .. "/:job", mix.update, app = "implicit", job = true },
  { "stop_mix_job", "DELETE", MIX .. "/:job", mix.delete, app = "implicit", job = true },
  { "remove_room", "POST", APP .. "/rooms/:room/dismiss", rooms.dismiss, app = "implicit" },
  { "remove_users", "POST", APP .. "/rooms/:room/batch-remove-users", rooms.remove_users, app = "implicit" },
  { "list_obs_buckets", "GET", "v2/rtc-ops/buckets", obs.list_buckets, ops = true },
  { "list_obs_bucket_objects", "GET", "v2/rtc-ops/buckets/objects", obs.list_objects, ops = true },
  { "update_obs_bucket_authority", "PUT", "v2/rtc-ops/buckets/authentication", obs.update_authority, ops = true },
  { "create_job", "POST", JOBS, jobs.create, app = "implicit", job = true },
  { "get_job", "GET", JOBS .. "/:job", jobs.get, app = "implicit", job = true },
  { "update_job", "PUT", JOBS .. "/:job", jobs.update, app = "implicit", job = true },
  { "stop_job", "DELETE", JOBS .. "/:job", jobs.delete, app = "implicit", job = true },
}
for _, r in ipairs(ROUTES) do
  local segs = {}
  for seg in r[3]:gmatch("[^/]+") do segs[#segs + 1] = seg end
  r.segs = segs
end
M.ROUTES = ROUTES

-- segments -> route, path params | nil
local function match(method, segs)
  for _, r in ipairs(ROUTES) do
    if r[2] == method and #r.segs == #segs then
      local p, ok = {}, true
      for i, want in ipairs(r.segs) do
        if want:sub(1, 1) == ":" then
          if segs[i] == "" then ok = false; break end
          p[want:sub(2)] = segs[i]
        elseif want ~= segs[i] then
          ok = false; break
        end
      end
      if ok then return r, p end
    end
  end
end

-- the operation a request names ("get_job", …) or nil
function M.operation(method, path)
  local segs = B.segments(path)
  local r = segs and match(tostring(method):upper(), segs)
  return r and r[1]
end

function Api:handle(req)
  local ok, resp = pcall(self.dispatch, self, req)
  if ok then return resp end
  local r = B.api_error(500, "RTC.00002000", "InternalError")
  r.mock_error = tostring(resp)
  return r
end

function Api:dispatch(req)
  local method = tostring(req.method or "GET"):upper()
  local path, query = req.path, req.query
  if not path then path, query = split_target(req.target) end
  if path == "/_mock/reset" and method == "POST" then
    self:reset()
    return B.response(200, '{"ok":true}')
  end
  local segs = B.segments(path)
  local route, p = nil, nil
  if segs then route, p = match(method, segs) end
  if not route then return B.not_found() end

  local ok, why = self:authenticate(req, route.ops)
  if not ok then
    return B.api_error(401, "APIGW.0301", "Incorrect IAM authentication information: " .. why)
  end
  local c = { req = req, p = p, now = B.iso_time(self:now()) }
  c.q = B.parse_query(query)
  if not c.q then return B.api_error(400, B.INVALID, "InvalidParameterValue: query") end
  if route.app then
    local app_id = p.app
    if self.unknown_apps[app_id] then return B.not_found() end
    if route.app == "implicit" then c.app = self:implicit_app(app_id) else c.app = self.apps[app_id] end
    if not c.app then return B.not_found() end
    if route.job and c.app.state.state ~= "ACTIVATION" then return B.api_error(400, "RTC.00001016") end
  end
  return route[4](self, c)
end

return M
