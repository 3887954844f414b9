-- mock/sparkrtc.lua — behaviour of a SparkRTC (CloudRTC v2) individual-stream-jobs server,
-- without sockets, so that it can run in mock/server.lua (LuaSocket) or be mounted in
-- nginx's Lua module.
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

local M = { _VERSION = "0.1.0" }

local floor, format, concat = math.floor, string.format, table.concat

---------------------------------------------------------------------------------------------
-- JSON: lua-cjson (a private instance), plus the one thing it cannot say: whether an empty
-- table was [] or {}. The top-level value is tagged from the text; nested empty containers
-- count as both (an empty rtmp_urls or an empty object is refused either way).
---------------------------------------------------------------------------------------------
local cjson = require("cjson").new()
cjson.decode_invalid_numbers(false)
local json = {}
M.json = json

local ARRAY_MT = { __jsontype = "array" }
local OBJECT_MT = { __jsontype = "object" }
json.null = cjson.null

function json.array(t) return setmetatable(t or {}, ARRAY_MT) end
-- order: accepted for the callers' sake; lua-cjson writes keys in its own order
function json.object(t) return setmetatable(t or {}, OBJECT_MT) end

local function jtype(v)
  if type(v) ~= "table" then return nil end
  local mt = getmetatable(v)
  if mt and mt.__jsontype then return mt.__jsontype end
  local n = 0
  for k in pairs(v) do
    if type(k) ~= "number" then return "object" end
    n = n + 1
  end
  if n == 0 then return "empty" end
  return n == #v and "array" or "object"
end
function json.is_array(v) local t = jtype(v) return t == "array" or t == "empty" end
function json.is_object(v) local t = jtype(v) return t == "object" or t == "empty" end
json.type = jtype

-- json.decode(text) -> value | nil, message
function json.decode(s)
  local ok, v = pcall(cjson.decode, s)
  if not ok then return nil, tostring(v) end
  local first = s:match("^%s*(.)")
  if type(v) == "table" then setmetatable(v, first == "[" and ARRAY_MT or OBJECT_MT) end
  return v
end

-- lua-cjson writes "/" as "\/"; the service does not. Safe on cjson's output: it never writes
-- a bare "/" after an escaped backslash, so every "\/" here is one escaped slash.
function json.encode(v) return (cjson.encode(v):gsub("\\/", "/")) end

---------------------------------------------------------------------------------------------
-- helpers: hex, crypto, time, percent-encoding
---------------------------------------------------------------------------------------------
local function hex(bin)
  return (bin:gsub(".", function(c) return format("%02x", c:byte()) end))
end
M.hex = hex

local crypto_digest, crypto_hmac
local function default_sha256(data)
  crypto_digest = crypto_digest or require("openssl.digest")
  return crypto_digest.new("sha256"):final(data)
end
local function default_hmac_sha256(key, data)
  crypto_hmac = crypto_hmac or require("openssl.hmac")
  return crypto_hmac.new(key, "sha256"):final(data)
end
M.sha256 = default_sha256
M.hmac_sha256 = default_hmac_sha256

local function default_clock()
  if ngx and ngx.now then return ngx.now() end
  local ok, socket = pcall(require, "socket")
  if ok and socket.gettime then return socket.gettime() end
  return os.time()
end

-- 2006-01-02T15:04:05.075Z
local function iso_time(t)
  local sec = floor(t)
  local ms = floor((t - sec) * 1000 + 0.5)
  if ms >= 1000 then sec = sec + 1; ms = 0 end
  return os.date("!%Y-%m-%dT%H:%M:%S", sec) .. format(".%03dZ", ms)
end
M.iso_time = iso_time

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

-- "20060102T150405Z" -> seconds since the epoch (UTC), or nil
function M.parse_sdk_date(s)
  local Y, m, d, H, Mi, S = tostring(s):match("^(%d%d%d%d)(%d%d)(%d%d)T(%d%d)(%d%d)(%d%d)Z$")
  if not Y then return nil end
  Y, m, d, H, Mi, S = tonumber(Y), tonumber(m), tonumber(d), tonumber(H), tonumber(Mi), tonumber(S)
  if m < 1 or m > 12 or d < 1 or d > 31 or H > 23 or Mi > 59 or S > 60 then return nil end
  return days_from_civil(Y, m, d) * 86400 + H * 3600 + Mi * 60 + S
end

-- percent-decode; nil when a '%' is not followed by two hex digits
local function pct_decode(s)
  if s:find("%%[^%x]") or s:find("%%%x[^%x]") or s:find("%%%x?$") then return nil end
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
M.pct_decode = pct_decode

-- every byte but A-Z a-z 0-9 - _ . ~, hex uppercase
local function pct_encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return format("%%%02X", c:byte()) end))
end
M.pct_encode = pct_encode

local random_seeded = false
local function random_hex(n)
  if not random_seeded then
    random_seeded = true
    if not _VERSION:find("5%.4") then
      math.randomseed(os.time() + floor(os.clock() * 1e6) + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
    end
  end
  local t = {}
  for i = 1, n do t[i] = format("%x", math.random(0, 15)) end
  return concat(t)
end
M.random_hex = random_hex

local function trim(s) return (tostring(s):gsub("^%s+", ""):gsub("%s+$", "")) end

-- split a request target into raw path and raw query
local function split_target(target)
  target = target or "/"
  local path, query = target:match("^([^?#]*)%??([^#]*)")
  return path or target, query or ""
end
M.split_target = split_target

---------------------------------------------------------------------------------------------
-- SDK-HMAC-SHA256 verification (API.md algorithm, implemented here independently)
---------------------------------------------------------------------------------------------
local function canonical_uri(path)
  local decoded = pct_decode(path) or path
  local segs = {}
  for seg in (decoded .. "/"):gmatch("([^/]*)/") do segs[#segs + 1] = pct_encode(seg) end
  local uri = concat(segs, "/")
  if uri:sub(-1) ~= "/" then uri = uri .. "/" end
  return uri
end

local function canonical_query(query)
  if not query or query == "" then return "" end
  local pairs_ = {}
  for piece in query:gmatch("[^&]+") do
    local k, v = piece:match("^([^=]*)=(.*)$")
    if not k then k, v = piece, "" end
    pairs_[#pairs_ + 1] = { pct_decode(k) or k, pct_decode(v) or v }
  end
  table.sort(pairs_, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local out = {}
  for i, p in ipairs(pairs_) do out[i] = pct_encode(p[1]) .. "=" .. pct_encode(p[2]) end
  return concat(out, "&")
end

-- canonical request of req = {method, path|target, query, headers (lowercase), body} for the
-- given list of (lowercase) signed header names
function M.canonical_request(req, signed, sha256)
  sha256 = sha256 or M.sha256
  local h = req.headers or {}
  local path, query = req.path, req.query
  if not path then path, query = split_target(req.target) end
  local lines = {}
  for _, name in ipairs(signed) do
    lines[#lines + 1] = name .. ":" .. trim(h[name] or "") .. "\n"
  end
  local body = req.body or ""
  local payload
  if h["x-sdk-content-sha256"] and body ~= "" then
    payload = h["x-sdk-content-sha256"]
  else
    payload = hex(sha256(body))
  end
  return concat({ tostring(req.method):upper(), canonical_uri(path), canonical_query(query),
    concat(lines), concat(signed, ";"), payload }, "\n")
end

-- M.verify_signature(req, keys, opts) -> true, canonical_request | nil, why
--   keys: map AK -> SK, or function(ak) -> sk
--   opts.now: the verifier's clock in seconds (default: the real clock); false: no clock check
--   opts.max_skew: seconds (default 900)
function M.verify_signature(req, keys, opts)
  opts = opts or {}
  local sha256, hmac = opts.sha256 or M.sha256, opts.hmac_sha256 or M.hmac_sha256
  local h = req.headers or {}
  local authz = h["authorization"]
  if not authz or authz == "" then return nil, "missing Authorization header" end
  local alg, rest = authz:match("^%s*(%S+)%s+(.-)%s*$")
  if alg ~= "SDK-HMAC-SHA256" then return nil, "unsupported authorization scheme" end
  local params = {}
  for piece in (rest .. ","):gmatch("([^,]*),") do
    local k, v = piece:match("^%s*([%w%-_]+)%s*=%s*(.-)%s*$")
    if k then params[k:lower()] = v end
  end
  local ak, sh, sig = params.access, params.signedheaders, params.signature
  if not ak or ak == "" or not sh or sh == "" or not sig or sig == "" then
    return nil, "malformed Authorization header"
  end
  local sk
  if type(keys) == "function" then sk = keys(ak) else sk = keys and keys[ak] end
  if not sk then return nil, "unknown access key" end
  local signed, has_date = {}, false
  for name in sh:gmatch("[^;]+") do
    name = trim(name):lower()
    signed[#signed + 1] = name
    if name == "x-sdk-date" then has_date = true end
  end
  local date = h["x-sdk-date"]
  if not date then return nil, "missing X-Sdk-Date header" end
  if not has_date then return nil, "x-sdk-date is not among the signed headers" end
  local t = M.parse_sdk_date(date)
  if not t then return nil, "malformed X-Sdk-Date" end
  if opts.now ~= false then
    local now = opts.now or default_clock()
    if math.abs(t - now) > (opts.max_skew or 900) then
      return nil, "X-Sdk-Date is more than 15 minutes off"
    end
  end
  for _, name in ipairs(signed) do
    if h[name] == nil then return nil, "signed header " .. name .. " is missing" end
  end
  local creq = M.canonical_request(req, signed, sha256)
  local sts = "SDK-HMAC-SHA256\n" .. date .. "\n" .. hex(sha256(creq))
  local expected = hex(hmac(sk, sts))
  if expected ~= sig then return nil, "signature mismatch", creq end
  return true, creq
end

---------------------------------------------------------------------------------------------
-- the API
---------------------------------------------------------------------------------------------
local Api = {}
Api.__index = Api
M.Api = Api

local JOB_ORDER = { "job_id", "stream_name", "app_id", "room_id", "user_id", "is_record_audio",
  "video_type", "select_stream_type", "max_idle_time", "record_param", "publish_param",
  "create_time", "update_time", "start_time", "stop_time", "state", "stop_reason", "description" }

local MSG = {
  ["RTC.00001002"] = "MalformedRequestBody",
  ["RTC.00001003"] = "InvalidParameterValue",
  ["RTC.00001005"] = "MissingParameter",
  ["RTC.00001009"] = "JobDone: task canceled or completed",
}

local function set_of(list)
  local s = {}
  for _, v in ipairs(list or {}) do s[v] = true end
  return s
end

-- config: tokens (list; default {"test-token"}), aksk (map AK->SK; default {["test-ak"]="test-sk"}),
--   project_id (default "test-project"; false: any non-empty X-Project-Id),
--   unknown_apps (list; default {"no-such-app"}), auth (false: no authentication at all),
--   clock (function -> seconds; default real clock), clock_offset (seconds added to the clock),
--   sha256 / hmac_sha256 (binary functions replacing luaossl)
function M.new(config)
  config = config or {}
  local self = setmetatable({}, Api)
  self.config = config
  self:configure(config)
  self.apps = {}
  self.counter = 0
  return self
end

function Api:configure(c)
  local function pick(key, value, default)
    if value ~= nil then self[key] = value elseif self[key] == nil then self[key] = default end
  end
  if c.tokens ~= nil then self.tokens = set_of(c.tokens) end
  pick("tokens", nil, set_of({ "test-token" }))
  pick("aksk", c.aksk, { ["test-ak"] = "test-sk" })
  pick("project_id", c.project_id, "test-project")
  if c.unknown_apps ~= nil then self.unknown_apps = set_of(c.unknown_apps) end
  pick("unknown_apps", nil, set_of({ "no-such-app" }))
  pick("auth", c.auth, true)
  pick("clock_offset", c.clock_offset, 0)
  if c.clock then self.clock = c.clock end
  if c.sha256 then self.sha256 = c.sha256 end
  if c.hmac_sha256 then self.hmac_sha256 = c.hmac_sha256 end
end

function Api:now()
  return (self.clock or default_clock)() + (self.clock_offset or 0)
end

function Api:reset()
  self.apps = {}
end

-- all jobs: { [app_id] = { [job_id] = job } }
function Api:jobs()
  local out = json.object({})
  for app, jobs in pairs(self.apps) do
    local a = json.object({})
    for id, job in pairs(jobs) do a[id] = job end
    out[app] = a
  end
  return out
end

local function response(status, body)
  local headers = { ["X-request-Id"] = random_hex(32) }
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/json;charset=utf-8"
  else
    body = ""
  end
  return { status = status, headers = headers, body = body }
end
M.response = response

local function api_error(status, code, msg)
  return response(status, json.encode(json.object(
    { error_code = code, error_msg = msg or MSG[code] }, { "error_code", "error_msg" })))
end
M.api_error = api_error

local function not_found() return api_error(404, "RTC.00001003") end

-- authentication -> true | nil, why
function Api:authenticate(req)
  if not self.auth then return true end
  local h = req.headers or {}
  if h["authorization"] then
    local ok, why = M.verify_signature(req, self.aksk, { now = self:now(),
      sha256 = self.sha256, hmac_sha256 = self.hmac_sha256 })
    if not ok then return nil, why end
    local pid = h["x-project-id"]
    if not pid or pid == "" then return nil, "missing X-Project-Id header" end
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
-- validation -> nil | code, field
---------------------------------------------------------------------------------------------
local INVALID, MISSING = "RTC.00001003", "RTC.00001005"

local function present(v) return v ~= nil and v ~= json.null end

local function unknown_key(obj, allowed)
  for k in pairs(obj) do if not allowed[k] then return k end end
end

local function check_record_param(p, prefix)
  if not json.is_object(p) then return INVALID, prefix end
  local u = unknown_key(p, { record_rule_id = true })
  if u then return INVALID, prefix .. "." .. u end
  local id = p.record_rule_id
  if not present(id) then return MISSING, prefix .. ".record_rule_id" end
  if type(id) ~= "string" or id == "" then return INVALID, prefix .. ".record_rule_id" end
end

local function check_publish_param(p, prefix)
  if not json.is_object(p) then return INVALID, prefix end
  local u = unknown_key(p, { rtmp_urls = true })
  if u then return INVALID, prefix .. "." .. u end
  local urls = p.rtmp_urls
  if not present(urls) then return MISSING, prefix .. ".rtmp_urls" end
  if not json.is_array(urls) or #urls == 0 then return INVALID, prefix .. ".rtmp_urls" end
  for i, url in ipairs(urls) do
    local f = format("%s.rtmp_urls[%d]", prefix, i)
    if type(url) ~= "string" then return INVALID, f end
    local scheme, rest = url:match("^(%a+)://(.*)$")
    scheme = scheme and scheme:lower()
    if (scheme ~= "rtmp" and scheme ~= "rtmps") or rest == "" or rest:find("[%s%c]") then
      return INVALID, f
    end
  end
end

-- record_param and publish_param of a create or update body, where present
local function check_params(b)
  if present(b.record_param) then
    local code, field = check_record_param(b.record_param, "record_param")
    if code then return code, field end
  end
  if present(b.publish_param) then
    return check_publish_param(b.publish_param, "publish_param")
  end
end

local CREATE_FIELDS = set_of({ "room_id", "user_id", "is_record_audio", "video_type",
  "select_stream_type", "max_idle_time", "record_param", "publish_param" })
local VIDEO_TYPES = set_of({ "CAMERASTREAM", "SCREENSTREAM" })
local STREAM_TYPES = set_of({ "LD", "SD", "HD", "FHD" })

-- exported so a spec can call it directly
function M.validate_create(b)
  local u = unknown_key(b, CREATE_FIELDS)
  if u then return INVALID, u end
  if not present(b.room_id) then return MISSING, "room_id" end
  if not present(b.user_id) then return MISSING, "user_id" end
  if not present(b.record_param) and not present(b.publish_param) then
    return MISSING, "record_param/publish_param"
  end
  if type(b.room_id) ~= "string" or b.room_id == "" then return INVALID, "room_id" end
  if type(b.user_id) ~= "string" or b.user_id == "" then return INVALID, "user_id" end
  if present(b.is_record_audio) and type(b.is_record_audio) ~= "boolean" then
    return INVALID, "is_record_audio"
  end
  if present(b.video_type) and not VIDEO_TYPES[b.video_type] then return INVALID, "video_type" end
  if present(b.select_stream_type) and not STREAM_TYPES[b.select_stream_type] then
    return INVALID, "select_stream_type"
  end
  local t = b.max_idle_time
  if present(t) and (type(t) ~= "number" or t ~= floor(t) or t < 5 or t > 43200) then
    return INVALID, "max_idle_time"
  end
  return check_params(b)
end

local UPDATE_FIELDS = set_of({ "record_param", "publish_param" })

function M.validate_update(b)
  local u = unknown_key(b, UPDATE_FIELDS)
  if u then return INVALID, u end
  if not present(b.record_param) and not present(b.publish_param) then
    return MISSING, "record_param/publish_param"
  end
  return check_params(b)
end

-- body -> object | nil, error response
local function parse_body(body)
  if body == nil or body == "" then return nil, api_error(400, "RTC.00001002") end
  local v = json.decode(body)
  if not json.is_object(v) then return nil, api_error(400, "RTC.00001002") end
  return v
end

---------------------------------------------------------------------------------------------
-- routes
---------------------------------------------------------------------------------------------
-- raw path -> list of percent-decoded segments (nil if some segment cannot be decoded)
local function segments(path)
  if path:sub(1, 1) ~= "/" then return nil end
  local segs = {}
  for seg in (path:sub(2) .. "/"):gmatch("([^/]*)/") do
    local d = pct_decode(seg)
    if not d then return nil end
    segs[#segs + 1] = d
  end
  return segs
end
M.segments = segments

local function job_body(job)
  local out = json.object({}, JOB_ORDER)
  for k, v in pairs(job) do out[k] = v end
  return json.encode(out)
end

function Api:new_job(app_id, b)
  self.counter = self.counter + 1
  local id = format("%08x", self.counter % 0x100000000) .. random_hex(24)
  local ts = iso_time(self:now())
  local job = {
    job_id = id,
    stream_name = format("s_%s_%s_%s", id, b.room_id, b.user_id),
    app_id = app_id,
    room_id = b.room_id,
    user_id = b.user_id,
    is_record_audio = (b.is_record_audio == nil or b.is_record_audio == json.null) and true or b.is_record_audio,
    video_type = present(b.video_type) and b.video_type or "CAMERASTREAM",
    select_stream_type = present(b.select_stream_type) and b.select_stream_type or "FHD",
    max_idle_time = present(b.max_idle_time) and b.max_idle_time or 30,
    record_param = present(b.record_param) and b.record_param or nil,
    publish_param = present(b.publish_param) and b.publish_param or nil,
    create_time = ts,
    update_time = ts,
    state = "INIT",
    description = "job created",
  }
  local jobs = self.apps[app_id]
  if not jobs then jobs = {}; self.apps[app_id] = jobs end
  jobs[id] = job
  return job
end

-- put a job straight into the store (tests): fields as given, the rest filled like a create;
-- state defaults to INIT; RUNNING/STOPPED get start/stop times and stop_reason when missing
function Api:seed_job(app_id, fields)
  fields = fields or {}
  local job = self:new_job(app_id, {
    room_id = fields.room_id or "room", user_id = fields.user_id or "user",
  })
  local jobs = self.apps[app_id]
  if fields.job_id ~= nil then
    jobs[job.job_id] = nil
    job.job_id = tostring(fields.job_id)
    jobs[job.job_id] = job
  end
  job.stream_name = format("s_%s_%s_%s", job.job_id, tostring(job.room_id), tostring(job.user_id))
  for k, v in pairs(fields) do
    if k ~= "job_id" then job[k] = v end
  end
  local ts = iso_time(self:now())
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
function Api.job_json(_, job) return job_body(job) end

function Api:handle(req)
  local ok, resp = pcall(self.dispatch, self, req)
  if ok then return resp end
  local r = api_error(500, "RTC.00002000", "InternalError")
  r.mock_error = tostring(resp)
  return r
end

function Api:dispatch(req)
  local method = tostring(req.method or "GET"):upper()
  local path = req.path
  if not path then path = split_target(req.target) end
  local segs = segments(path)
  if path == "/_mock/reset" and method == "POST" then
    self:reset()
    return response(200, '{"ok":true}')
  end
  if not segs or segs[1] ~= "v2" or segs[2] ~= "apps" or not segs[3] or segs[3] == ""
      or segs[4] ~= "individual-stream-jobs" or #segs > 5 then
    return not_found()
  end
  local app_id, job_id = segs[3], segs[5]
  if job_id == "" then return not_found() end
  if job_id == nil and method ~= "POST" then return not_found() end
  if job_id ~= nil and method ~= "GET" and method ~= "PUT" and method ~= "DELETE" then
    return not_found()
  end

  local ok, why = self:authenticate(req)
  if not ok then
    return api_error(401, "APIGW.0301", "Incorrect IAM authentication information: " .. why)
  end
  if self.unknown_apps[app_id] then return not_found() end

  if job_id == nil then -- POST create
    local b, err = parse_body(req.body)
    if not b then return err end
    local code = M.validate_create(b)
    if code then return api_error(400, code) end
    return response(201, job_body(self:new_job(app_id, b)))
  end

  local job = self.apps[app_id] and self.apps[app_id][job_id]
  if not job then return not_found() end
  local now = iso_time(self:now())

  if method == "GET" then
    if job.state == "INIT" then
      job.state = "RUNNING"
      job.start_time = now
      job.update_time = now
      job.description = "job is running"
    end
    return response(200, job_body(job))
  elseif method == "PUT" then
    local b, err = parse_body(req.body)
    if not b then return err end
    local code = M.validate_update(b)
    if code then return api_error(400, code) end
    if job.state == "STOPPED" then return api_error(400, "RTC.00001009") end
    if present(b.publish_param) then job.publish_param = b.publish_param end
    if present(b.record_param) then job.record_param = b.record_param end
    job.update_time = now
    return response(200, job_body(job))
  else -- DELETE
    if job.state == "STOPPED" then return api_error(400, "RTC.00001009") end
    job.state = "STOPPED"
    job.stop_time = now
    job.update_time = now
    job.stop_reason = "TENANT_STOP"
    job.description = "job stopped by the tenant"
    return response(204)
  end
end

return M
