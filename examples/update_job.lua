-- UpdateIndividualStreamJob (PUT /v2/apps/{app_id}/individual-stream-jobs/{job_id}), as the
-- provider's page shows it: point a job's stream at an RTMP server and its recording at a rule.
-- Credentials and endpoint come from the environment (RTC_AUTH_TOKEN, or HUAWEICLOUD_SDK_AK,
-- HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID; RTC_ENDPOINT).
--   lua5.4 examples/update_job.lua APP_ID JOB_ID [RECORD_RULE_ID]   (default rule: my-rule)
local rtc = require "rtc"

local app_id, job_id, rule_id = arg[1], arg[2], arg[3] or "my-rule"
if not (app_id and job_id) then
  io.stderr:write("usage: lua5.4 examples/update_job.lua APP_ID JOB_ID [RECORD_RULE_ID]\n")
  os.exit(2)
end

local job, err = rtc.update_job(app_id, job_id, {
  publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } },
  record_param  = { record_rule_id = rule_id },
})
if not job then
  io.stderr:write("update failed: ", tostring(err), "\n")
  os.exit(1)
end

print("updated " .. tostring(job))
print("  rtmp_urls:      " .. table.concat(job.publish_param.rtmp_urls, ", "))
print("  record_rule_id: " .. job.record_param.record_rule_id)
print("  max_idle_time:  " .. job.max_idle_time)
print("  request_id:     " .. tostring(job.request_id))
