#!/usr/bin/env luajit
-- examples/openresty/cli_style.lua
--
-- The BLOCKING libcurl path, where blocking is harmless: a one-shot script
-- (cron job, deploy hook, `resty` CLI script) that has nothing else to serve.
-- Runs under LuaJIT with the LuaJIT build of the module, or under lua5.4.
--
--   RTC_ENDPOINT=http://127.0.0.1:8080 RTC_AUTH_TOKEN=... \
--   luajit examples/openresty/cli_style.lua APP_ID JOB_ID rtmp://host/live/s [RECORD_RULE_ID]
--
-- (AK/SK: set HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID
-- instead of RTC_AUTH_TOKEN.)  Prints the updated job as JSON; on error prints
-- the error to stderr and exits 1 (2 for bad usage).
--
-- Inside nginx, never do this in a request handler: see handler.lua.

local function die(code, msg)
  io.stderr:write(msg, "\n")
  os.exit(code)
end

local app_id, job_id, rtmp_url, rule_id = arg[1], arg[2], arg[3], arg[4]
if not (app_id and job_id and (rtmp_url or rule_id)) then
  die(2, "usage: cli_style.lua APP_ID JOB_ID RTMP_URL [RECORD_RULE_ID]")
end

local rtc = require "rtc"
local ok_json, cjson = pcall(require, "cjson")

local opts = {
  endpoint = os.getenv("RTC_ENDPOINT"),
  timeout = 10, retries = 2,
}
local token = os.getenv("RTC_AUTH_TOKEN")
if token and token ~= "" then
  opts.token = token
else
  opts.ak = os.getenv("HUAWEICLOUD_SDK_AK")
  opts.sk = os.getenv("HUAWEICLOUD_SDK_SK")
  opts.project_id = os.getenv("HUAWEICLOUD_SDK_PROJECT_ID")
  opts.security_token = os.getenv("HUAWEICLOUD_SDK_SECURITY_TOKEN")
end

local ok, client = pcall(rtc.new, opts)
if not ok then die(2, "bad options: " .. tostring(client)) end

local params = {}
if rtmp_url and rtmp_url ~= "" then params.publish_param = { rtmp_urls = { rtmp_url } } end
if rule_id then params.record_param = { record_rule_id = rule_id } end

local job, err = client:update_job(app_id, job_id, params)   -- blocks until done
client:close()
if not job then die(1, tostring(err)) end

if ok_json then
  print(cjson.encode(job))
else
  print(tostring(job))
end
