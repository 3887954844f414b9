-- mock/sparkrtc/jobs.lua — individual stream jobs: create, get, update, stop (API.md), and
-- the checks of their bodies. Jobs are INIT when created, RUNNING from their first GET,
-- STOPPED after DELETE (or when their room is dismissed / their user removed).

local B = require "sparkrtc.base"
local events = require "sparkrtc.events"
local json, present, format = B.json, B.present, string.format
local INVALID, MISSING = B.INVALID, B.MISSING

local J = {}

J.ORDER = { "job_id", "stream_name", "app_id", "room_id", "user_id", "is_record_audio",
  "video_type", "select_stream_type", "max_idle_time", "record_param", "publish_param",
  "create_time", "update_time", "start_time", "stop_time", "state", "stop_reason", "description" }

local function check_record_param(p, prefix)
  if not json.is_object(p) then return INVALID, prefix end
  local u = B.unknown_key(p, { record_rule_id = true })
  if u then return INVALID, prefix .. "." .. u end
  local id = p.record_rule_id
  if not present(id) then return MISSING, prefix .. ".record_rule_id" end
  if type(id) ~= "string" or id == "" then return INVALID, prefix .. ".record_rule_id" end
end
J.check_record_param = check_record_param

local function check_publish_param(p, prefix)
  if not json.is_object(p) then return INVALID, prefix end
  local u = B.unknown_key(p, { rtmp_urls = true })
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

local CREATE_FIELDS = B.set_of({ "room_id", "user_id", "is_record_audio", "video_type",
  "select_stream_type", "max_idle_time", "record_param", "publish_param" })
local VIDEO_TYPES = B.set_of({ "CAMERASTREAM", "SCREENSTREAM" })
local STREAM_TYPES = B.set_of({ "LD", "SD", "HD", "FHD" })

-- -> nil | code, field
function J.validate_create(b)
  local u = B.unknown_key(b, CREATE_FIELDS)
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
  if present(t) and (not B.is_int(t) or t < 5 or t > 43200) then
    return INVALID, "max_idle_time"
  end
  return check_params(b)
end

local UPDATE_FIELDS = B.set_of({ "record_param", "publish_param" })

function J.validate_update(b)
  local u = B.unknown_key(b, UPDATE_FIELDS)
  if u then return INVALID, u end
  if not present(b.record_param) and not present(b.publish_param) then
    return MISSING, "record_param/publish_param"
  end
  return check_params(b)
end

function J.body(job)
  return json.encode(B.copy(job))
end

-- a new INIT job in app (fields b as validated)
function J.new(api, app, b)
  local id = api:new_id()
  local ts = B.iso_time(api:now())
  local job = {
    job_id = id,
    stream_name = format("s_%s_%s_%s", id, b.room_id, b.user_id),
    app_id = app.app_id,
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
  app.jobs[id] = job
  return job
end

-- INIT or RUNNING -> STOPPED with reason; false when already STOPPED
function J.stop(job, now, reason, description)
  if job.state == "STOPPED" then return false end
  job.state = "STOPPED"
  job.stop_time = now
  job.update_time = now
  job.stop_reason = reason or "TENANT_STOP"
  job.description = description or "job stopped by the tenant"
  return true
end

function J.create(api, c)
  local b, err = B.parse_body(c.req.body)
  if not b then return err end
  local code = J.validate_create(b)
  if code then return B.api_error(400, code) end
  if present(b.record_param) and not api:rule_usable(c.app, b.record_param.record_rule_id) then
    return B.field_error(INVALID, "record_param.record_rule_id")
  end
  return B.response(201, J.body(J.new(api, c.app, b)))
end

local function find(c)
  return c.app.jobs[c.p.job]
end

function J.get(api, c)
  local job = find(c)
  if not job then return B.not_found() end
  if job.state == "INIT" then
    job.state = "RUNNING"
    job.start_time = c.now
    job.update_time = c.now
    job.description = "job is running"
    events.started(api, c.app, job) -- the recording starts: RECORD_NEW_FILE_START
  end
  return B.response(200, J.body(job))
end

function J.update(api, c)
  local job = find(c)
  if not job then return B.not_found() end
  local b, err = B.parse_body(c.req.body)
  if not b then return err end
  local code = J.validate_update(b)
  if code then return B.api_error(400, code) end
  if job.state == "STOPPED" then return B.api_error(400, "RTC.00001009") end
  if present(b.record_param) and not api:rule_usable(c.app, b.record_param.record_rule_id) then
    return B.field_error(INVALID, "record_param.record_rule_id")
  end
  if present(b.publish_param) then job.publish_param = b.publish_param end
  if present(b.record_param) then job.record_param = b.record_param end
  job.update_time = c.now
  return B.response(200, J.body(job))
end

function J.delete(api, c)
  local job = find(c)
  if not job then return B.not_found() end
  if not J.stop(job, c.now) then return B.api_error(400, "RTC.00001009") end
  events.stopped(api, c.app, job) -- RECORD_FILE_COMPLETE, CLOUD_RECORD_SERVER_OVER
  return B.response(204)
end

return J
