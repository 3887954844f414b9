-- mock/sparkrtc/events.lua — the sending side of the recording event callbacks (EVENTS.md):
-- what SparkRTC POSTs to an app's record callback while its jobs record. No sockets: the events
-- go to api.outbox (a list of deliveries: url, event, headers, body, job_id), which the server
-- (mock/server/deliver.lua) drains in the background. Nothing is queued for an app without a
-- record callback, or for a job without record_param.
--
-- When: RECORD_NEW_FILE_START for each of the rule's formats when a job starts recording (its
-- INIT -> RUNNING, or at its stop when it never ran); at the stop, the recording is cut into
-- files of the format's record_cycle (a mock run with a faster clock, /_mock/config
-- clock_offset, gets several): RECORD_FILE_COMPLETE for each file (a RECORD_NEW_FILE_START
-- before each file after the first), then one CLOUD_RECORD_SERVER_OVER. The subscription
-- (notify_event_subscription) filters RECORD_NEW_FILE_START and RECORD_FILE_COMPLETE, the two
-- values it can hold; CLOUD_RECORD_SERVER_OVER is always sent (the provider does not say it
-- depends on the subscription, and a receiver should learn that a job ended).

local B = require "sparkrtc.base"
local json, present, format, floor = B.json, B.present, string.format, math.floor

local E = {}

E.MAX_FILES = 500   -- files of one format of one job (a clock moved years ahead stays cheap)
E.MAX_OUTBOX = 1000 -- a mock mounted where nothing drains the outbox keeps the newest only

-- the picture of select_stream_type (the mock's choice: the usual 16:9 ladder)
local SIZES = { FHD = { 1920, 1080 }, HD = { 1280, 720 }, SD = { 960, 540 }, LD = { 640, 360 } }
local EXTENSIONS = { HLS = "m3u8", MP4 = "mp4" }
local BYTES_PER_SECOND = { FHD = 375000, HD = 187500, SD = 93750, LD = 46875 } -- 3, 1.5, ... Mbit/s

-- 2026-12-01T08:00:00Z (the callbacks' format: whole seconds)
local function utc(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", floor(t)) end

-- the rule a job records with (nil when the lenient mock let it name none that exists)
local function rule_of(app, job)
  local id = present(job.record_param) and job.record_param.record_rule_id
  return id and app.rules[id] or nil
end

-- the formats, their cycles and the OBS address: the rule's, or the mock's defaults
local function recording(app, job)
  local rule = rule_of(app, job)
  local obs = rule and rule.obs_addr or { location = "cn-north-4", bucket = "rtc-records", object = "recordings" }
  local formats = rule and rule.record_formats or { "HLS" }
  local cycles = {}
  for _, f in ipairs(formats) do
    local cfg = rule and (f == "HLS" and rule.hls_config or rule.mp4_config)
    local cycle = cfg and tonumber(cfg.record_cycle) or 3600
    cycles[f] = cycle > 0 and cycle or math.huge -- HLS record_cycle 0: one file for the whole job
  end
  return formats, cycles, obs, rule
end

local function subscribed(cb, event_type)
  if event_type == "CLOUD_RECORD_SERVER_OVER" then return true end
  local list = cb.notify_event_subscription or { "RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE" }
  for _, e in ipairs(list) do
    if e == event_type then return true end
  end
  return false
end

-- queues one event for the app's callback, signed when the callback has an auth_key
local function post(api, app, job, fields)
  local cb = app.record_callback
  if not subscribed(cb, fields.event_type) then return end
  fields.app_id, fields.room_id, fields.job_id = app.app_id, job.room_id, job.job_id
  fields.stream_name = job.stream_name
  local body = json.encode(json.object(fields))
  local headers = { ["Content-Type"] = "application/json;charset=utf-8" }
  if cb.auth_key and cb.auth_key ~= "" then
    local rand, ts = B.random_hex(16), format("%d", floor(api:now()))
    headers["X-Rtc-Rand"], headers["X-Rtc-Timestamp"] = rand, ts
    headers["X-Rtc-Signature"] = B.hex((api.hmac_sha256 or B.hmac_sha256)(cb.auth_key, rand .. ts .. body))
  end
  local box = api.outbox
  if #box >= E.MAX_OUTBOX then table.remove(box, 1) end
  box[#box + 1] = { url = cb.url, event = fields.event_type, job_id = job.job_id, headers = headers,
    body = body, signed = headers["X-Rtc-Signature"] ~= nil }
end

local function wanted(app, job)
  return app.record_callback and app.record_callback.url and present(job.record_param)
end

local function file_start(api, app, job, f, obs)
  post(api, app, job, { event_type = "RECORD_NEW_FILE_START", record_format = f,
    obs_location = obs.location, obs_bucket = obs.bucket })
end

-- the job started recording (INIT -> RUNNING): one new file per format
function E.started(api, app, job)
  if not wanted(app, job) or job.events_started then return end
  job.events_started = api:now()
  local formats, _, obs = recording(app, job)
  for _, f in ipairs(formats) do file_start(api, app, job, f, obs) end
end

-- "https://<bucket>.obs.<location>.myhuaweicloud.com/<object path>"
local function download_url(obs, object)
  return format("https://%s.obs.%s.myhuaweicloud.com/%s", obs.bucket, obs.location,
    (object:gsub("[^%w%-_%.~/]", function(c) return format("%%%02X", c:byte()) end)))
end

-- the job stopped (any reason): the files of each format, then the end of the job
function E.stopped(api, app, job)
  if not wanted(app, job) then return end
  if not job.events_started then E.started(api, app, job) end
  local formats, cycles, obs = recording(app, job)
  local t0, t1 = job.events_started, api:now()
  local total = floor(t1 - t0)
  if total < 1 then total = 1 end -- a file holds at least a second
  local size = SIZES[job.select_stream_type] or SIZES.FHD
  local rate = BYTES_PER_SECOND[job.select_stream_type] or BYTES_PER_SECOND.FHD
  for _, f in ipairs(formats) do
    local cycle, done, n = cycles[f], 0, 0
    while done < total and n < E.MAX_FILES do
      n = n + 1
      local len = math.min(cycle, total - done)
      if n > 1 then file_start(api, app, job, f, obs) end
      local prefix = present(obs.object) and obs.object ~= "" and (obs.object:gsub("/+$", "") .. "/") or ""
      local object = format("%s%s_%s_%d.%s", prefix, job.stream_name, os.date("!%Y%m%d%H%M%S", floor(t0 + done)),
        n, EXTENSIONS[f] or "dat")
      post(api, app, job, { event_type = "RECORD_FILE_COMPLETE", record_format = f,
        download_url = download_url(obs, object), record_duration = len,
        file_size = len * rate + 1024, width = size[1], height = size[2],
        start_time = utc(t0 + done), end_time = utc(t0 + done + len),
        obs_location = obs.location, obs_bucket = obs.bucket, obs_object = object })
      done = done + len
    end
  end
  post(api, app, job, { event_type = "CLOUD_RECORD_SERVER_OVER", detail_message = job.stop_reason
    or "job stopped" })
end

return E
