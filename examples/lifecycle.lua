-- A job's whole life: create -> get -> update -> stop, on a client of its own.
--   RTC_ENDPOINT=... RTC_AUTH_TOKEN=... lua5.4 examples/lifecycle.lua APP_ID
local rtc = require "rtc"

local app_id = arg[1] or "demo-app"
local client = rtc.new() -- no options: from the environment, like the module's own functions

local function check(what, result, err)
  if not result then
    io.stderr:write(what, " failed: ", tostring(err), "\n")
    os.exit(1)
  end
  print(string.format("%-7s %s", what, tostring(result)))
  return result
end

local job = check("create", client:create_job(app_id, {
  room_id = "room-100",
  user_id = "user001",
  video_type = "CAMERASTREAM",
  select_stream_type = "FHD",
  max_idle_time = 30,
  record_param = { record_rule_id = "5f5e172b9016ed5b0961a43" },
}))
check("get", client:get_job(app_id, job.job_id))
check("update", client:update_job(app_id, job.job_id, {
  publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com/live/room-100" } },
}))
check("stop", client:stop_job(app_id, job.job_id))
local stopped = check("get", client:get_job(app_id, job.job_id))
print("final state: " .. stopped.state)

-- A stopped job cannot be updated: the service says so, and the error says which request.
local _, err = client:update_job(app_id, job.job_id, {
  record_param = { record_rule_id = "another-rule" },
})
print("update after stop: " .. tostring(err))
client:close()
