-- examples/embed/update.lua -- run by the C host (examples/embed/rtc-host):
--
--   RTC_ENDPOINT=http://127.0.0.1:8080 RTC_AUTH_TOKEN=... \
--     rtc-host update.lua APP_ID JOB_ID RTMP_URL [RECORD_RULE_ID]
--
-- Updates the job and prints it, one `key=value` line per field (sorted).
-- Errors go to stderr as `error: <tostring(err)>` with exit status 1.

-- The module is linked into the host: make sure nothing can be found on
-- disk, so `require` can only succeed through package.loaded.
package.cpath = ""
local rtc = require "rtc"
assert(package.searchpath("rtc", package.cpath) == nil)

local app_id, job_id, rtmp_url, rule_id = ...
if not (app_id and job_id and (rtmp_url or rule_id)) then
  io.stderr:write("usage: rtc-host update.lua APP_ID JOB_ID RTMP_URL [RECORD_RULE_ID]\n")
  os.exit(2)
end

local endpoint = os.getenv("RTC_ENDPOINT")
local token = os.getenv("RTC_AUTH_TOKEN")
if not endpoint or not token then
  io.stderr:write("set RTC_ENDPOINT and RTC_AUTH_TOKEN\n")
  os.exit(2)
end

local client <close> = rtc.new{ endpoint = endpoint, token = token, timeout = 10 }

local params = {}
if rtmp_url and rtmp_url ~= "" then params.publish_param = { rtmp_urls = { rtmp_url } } end
if rule_id then params.record_param = { record_rule_id = rule_id } end

local job, err = client:update_job(app_id, job_id, params)
if not job then
  io.stderr:write("error: ", tostring(err), "\n")
  -- os.exit(1, true) closes the state, so `client` is closed as well
  os.exit(1, true)
end

-- print the job (nested tables flattened: publish_param.rtmp_urls[1]=...)
local lines = {}
local function dump(prefix, v)
  if type(v) == "table" then
    for k, x in pairs(v) do
      local key = type(k) == "number" and (prefix .. "[" .. k .. "]")
                  or (prefix == "" and k or prefix .. "." .. k)
      dump(key, x)
    end
  else
    lines[#lines + 1] = prefix .. "=" .. tostring(v)
  end
end
dump("", job)
table.sort(lines)
print("rtc " .. rtc._VERSION .. " (linked into the host)")
print(tostring(job))
for _, l in ipairs(lines) do print(l) end
