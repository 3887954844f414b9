-- A whole recording workflow: an app, an OBS bucket SparkRTC may write to, a recording rule, one
-- user recorded with it, the room mixed, auto-recording on, the callback URL set, then everything
-- stopped and removed again.
--   RTC_ENDPOINT=... RTC_AUTH_TOKEN=... lua5.4 examples/recording_workflow.lua [PROJECT_ID]
local rtc = require "rtc"

local project_id = arg[1] or "test-project" -- the project of the bucket's region (the mock's)
local client = rtc.new() -- no options: from the environment, like the module's own functions

local function check(what, result, err)
  if not result then
    io.stderr:write(what, " failed: ", tostring(err), "\n")
    os.exit(1)
  end
  return result
end

-- 1. an app of our own
local app_id = check("create_app", client:create_app({ app_name = "workflow-" .. os.time() })).app_id
print("app          " .. app_id)

-- 2. a bucket for the files: the first one of the rule's region, authorized for SparkRTC
local bucket
-- a page that fails raises its error (a failed walk is never a short list): pcall catches it
local walked, err = pcall(function()
  for b in client:each_obs_bucket() do
    if b.location == "cn-north-4" then bucket = bucket or b end
  end
end)
check("list_obs_buckets", walked, err)
check("a cn-north-4 bucket", bucket, "none in this account")
if not bucket.is_authorized then
  check("update_obs_bucket_authority", client:update_obs_bucket_authority({
    bucket = bucket.bucket, operation = 1, location = bucket.location,
  }))
end
print("bucket       " .. bucket.bucket .. " (" .. bucket.location .. ")")

-- 3. the rule: HLS in one file per stream, MP4 in half-hour pieces
local rule = check("create_record_rule", client:create_record_rule(app_id, {
  obs_addr = { location = "cn-north-4", project_id = project_id, bucket = bucket.bucket, object = "recordings" },
  record_formats = { "HLS", "MP4" },
  hls_config = { record_cycle = 0 },
  mp4_config = { record_cycle = 1800 },
}))
print("rule         " .. rule.rule_id .. " (" .. table.concat(rule.record_formats, ", ") .. ")")

-- 4. record one user of a room with that rule
local record = { record_rule_id = rule.rule_id }
local job = check("create_job", client:create_job(app_id, {
  room_id = "room-42", user_id = "alice", video_type = "CAMERASTREAM", select_stream_type = "HD",
  record_param = record,
}))
print("job          " .. job.job_id .. " " .. check("get_job", client:get_job(app_id, job.job_id)).state)

-- 5. mix the room into one recording
local mix = check("create_mix_job", client:create_mix_job(app_id, {
  mix_param = { room_id = "room-42", encode_template = "1280*720_30_1710", layout_template = "nine_grids_view" },
  record_param = record,
}))
print("mix job      " .. mix.job_id .. " " .. check("get_mix_job", client:get_mix_job(app_id, mix.job_id)).state)

-- 6. auto-recording for the rooms created from now on, and where the events go
local auto = check("update_auto_record", client:update_auto_record(app_id, {
  mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = rule.rule_id,
}))
print("auto record  " .. auto.auto_record_mode.mode)
local cb = check("update_record_callback", client:update_record_callback(app_id, {
  url = "https://hooks.example.com/sparkrtc", auth_key = "change-me",
}))
print("callback     " .. cb.record_callback.url)

-- 7. stop everything
check("stop_mix_job", client:stop_mix_job(app_id, mix.job_id))
check("stop_job", client:stop_job(app_id, job.job_id))
check("update_auto_record", client:update_auto_record(app_id, { mode = "AUTO_RECORD_OFF" }))
print("stopped      job " .. check("get_job", client:get_job(app_id, job.job_id)).state
  .. ", mix job " .. check("get_mix_job", client:get_mix_job(app_id, mix.job_id)).state)

-- 8. and remove what we made
check("delete_record_rule", client:delete_record_rule(app_id, rule.rule_id))
print("rule deleted " .. rule.rule_id)
check("delete_app", client:delete_app(app_id))
print("app deleted  " .. app_id)
client:close()
