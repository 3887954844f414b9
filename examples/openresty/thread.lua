-- examples/openresty/thread.lua
--
-- The BLOCKING libcurl API, made harmless with ngx.run_worker_thread
-- (lua-nginx-module >= 0.10.21, nginx built --with-threads, `thread_pool rtc threads=N;`
-- in the main section of nginx.conf).  Each pool thread has its own Lua VM, kept between
-- tasks: it loads this module once and keeps one client, so libcurl's connection cache and
-- everything the libcurl path offers (retries with backoff, endpoint failover, batch) apply.
-- The worker's event loop only waits for the task's completion event.
--
-- Costs: one pool thread per call in flight (threads=N bounds the concurrency; more calls
-- queue), and only the small ngx API subset of worker threads is available here (no
-- ngx.socket, ngx.var, ngx.req ...).  Arguments and results cross VMs by copy: strings and
-- numbers here.
--
--   local ok, status, body = ngx.run_worker_thread("rtc", "thread", "update_job", app, job, json)

local rtc = require "rtc"
local cjson = require "cjson.safe"

local M = {}

local client

local function new_client()
  local o = {}
  local function pick(key, envname)   -- nginx.conf must declare these with `env NAME;`
    local v = os.getenv(envname)
    if v and v ~= "" then o[key] = v end
  end
  pick("endpoint", "RTC_ENDPOINT")
  pick("token", "RTC_AUTH_TOKEN")
  if not o.token then
    pick("ak", "HUAWEICLOUD_SDK_AK")
    pick("sk", "HUAWEICLOUD_SDK_SK")
    pick("project_id", "HUAWEICLOUD_SDK_PROJECT_ID")
    pick("security_token", "HUAWEICLOUD_SDK_SECURITY_TOKEN")
  end
  return rtc.new(o)
end

local ERR_FIELDS = { "kind", "status", "code", "message", "request_id", "attempts", "field" }

local function err_json(err)
  local t = {}
  for _, k in ipairs(ERR_FIELDS) do t[k] = err[k] end
  t.error = tostring(err)
  return cjson.encode(t)
end

-- -> HTTP status for the caller, JSON text (job, or error fields)
function M.update_job(app_id, job_id, params_json)
  local params = cjson.decode(params_json)
  if type(params) ~= "table" then
    return 400, cjson.encode({ kind = "invalid", message = "request body is not a JSON object" })
  end
  if not client then
    local ok, c = pcall(new_client)
    if not ok then return 500, cjson.encode({ kind = "internal", message = tostring(c) }) end
    client = c
  end
  local job, err = client:update_job(app_id, job_id, params)   -- blocks this pool thread only
  if not job then return err.kind == "invalid" and 400 or 502, err_json(err) end
  return 200, cjson.encode(job)
end

return M
