-- A whole recording workflow: an app, an OBS bucket SparkRTC may write to, a recording rule, one
-- user recorded with it, the room mixed, auto-recording on, the callback URL set, then everything
-- stopped, the recording events received (where the files are), and everything removed again.
--   RTC_ENDPOINT=... RTC_AUTH_TOKEN=... lua5.4 examples/recording_workflow.lua [PROJECT_ID]
-- The events go to a tiny receiver of this script on 127.0.0.1 (LuaSocket), which is where the
-- mock (make demo) delivers them; SparkRTC itself needs a public URL: set RTC_CALLBACK_URL
-- (and RTC_EVENTS_AUTH_KEY) to yours, and the script leaves the receiving to it.
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
local receiver, callback_url = nil, os.getenv("RTC_CALLBACK_URL")
-- the key SparkRTC signs the events with (32 to 64 characters): yours, or a fresh one made of
-- two random X-Rtc-Rand values (16 hex digits each, from OpenSSL's RAND_bytes)
local auth_key = os.getenv("RTC_EVENTS_AUTH_KEY")
  or rtc.events.sign("", "-")["X-Rtc-Rand"] .. rtc.events.sign("", "-")["X-Rtc-Rand"]
if not callback_url then
  receiver = assert(require("socket").bind("127.0.0.1", 0)) -- a free port, on loopback only
  local _, port = receiver:getsockname()
  callback_url = "http://127.0.0.1:" .. port .. "/sparkrtc-events"
end
local cb = check("update_record_callback", client:update_record_callback(app_id, {
  url = callback_url, auth_key = auth_key,
}))
print("callback     " .. cb.record_callback.url)

-- 7. stop everything
check("stop_mix_job", client:stop_mix_job(app_id, mix.job_id))
check("stop_job", client:stop_job(app_id, job.job_id))
check("update_auto_record", client:update_auto_record(app_id, { mode = "AUTO_RECORD_OFF" }))
print("stopped      job " .. check("get_job", client:get_job(app_id, job.job_id)).state
  .. ", mix job " .. check("get_mix_job", client:get_mix_job(app_id, mix.job_id)).state)

-- 8. the events of the job: verified, then where each file is (until the job's end is reported)
-- One POST from the receiver's socket: its headers (names lowercase) and body.
local function read_post(c)
  local headers, len = {}, 0
  local line = c:receive("*l")
  while line do
    line = c:receive("*l")
    if line == nil or line == "" then break end
    local k, v = line:match("^([^:]+):%s*(.-)%s*$")
    if k then headers[k:lower()] = v end
    if k and k:lower() == "content-length" then len = tonumber(v) or 0 end
  end
  return headers, len > 0 and c:receive(len) or ""
end

if receiver then
  local socket = require "socket"
  local deadline, over = socket.gettime() + 60, false -- the mock delivers at once; a busy machine may lag
  receiver:settimeout(0.5)
  while not over and socket.gettime() < deadline do
    local c = receiver:accept()
    if c then
      c:settimeout(5)
      local headers, body = read_post(c)
      local event, refused = rtc.events.verify(headers, body, auth_key)
      c:send("HTTP/1.1 " .. (event and "200 OK" or "401 Unauthorized") .. "\r\nContent-Type: application/json\r\n"
        .. "Content-Length: 31\r\nConnection: close\r\n\r\n" .. '{"status":1,"result":"success"}')
      c:close()
      if not event then
        io.stderr:write("an event refused: ", tostring(refused), "\n")
      elseif event.job_id == job.job_id then
        if event.event_type == "RECORD_FILE_COMPLETE" then
          print(("file         %s (%s, %d s, %d bytes, %dx%d)"):format(event.download_url, event.record_format,
            event.record_duration, event.file_size, event.width, event.height))
        end
        over = event.event_type == "CLOUD_RECORD_SERVER_OVER"
      end
    end
  end
  receiver:close()
  check("the job's recording events", over, "no CLOUD_RECORD_SERVER_OVER within 60 s")
  print("events       received up to CLOUD_RECORD_SERVER_OVER")
end

-- 9. and remove what we made
check("delete_record_rule", client:delete_record_rule(app_id, rule.rule_id))
print("rule deleted " .. rule.rule_id)
check("delete_app", client:delete_app(app_id))
print("app deleted  " .. app_id)
client:close()
