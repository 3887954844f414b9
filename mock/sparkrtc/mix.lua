-- mock/sparkrtc/mix.lua — mix-stream jobs: create, get, update (the layout), stop. Their own
-- state machine, like individual jobs: INIT when created, RUNNING from the first GET, STOPPED
-- after DELETE or when their room is dismissed. Stream name m_{job_id}_{room_id}.

local B = require "sparkrtc.base"
local present = B.present
local INVALID, MISSING = B.INVALID, B.MISSING

local X = {}

-- the SDK's 13 templates (W*H_fps_kbps); the docs' W x H spelling and audio_only too
local TEMPLATES = {}
for _, t in ipairs({ "1920*1080_30_4620", "1920*1080_30_3150", "1920*1080_15_3460",
  "1920*1080_15_2080", "1280*720_30_3420", "1280*720_30_1710", "1280*720_15_2260",
  "1280*720_15_1130", "640*480_30_1000", "640*480_30_1500", "640*480_15_500", "480*360_30_490",
  "480*360_15_320" }) do
  TEMPLATES[#TEMPLATES + 1] = t
  TEMPLATES[#TEMPLATES + 1] = (t:gsub("%*", "x"))
end
TEMPLATES[#TEMPLATES + 1] = "audio_only"
X.TEMPLATES = TEMPLATES

local function each(rows)
  return function(v, p)
    for i, item in ipairs(v) do
      local code, f = B.check_fields(item, rows, p .. "[" .. i .. "]")
      if code then return code, f end
    end
  end
end

local PANE_ROWS = {
  { "id", "integer", false, B.range(1, 1e9) },
  { "user_id", "string" },
  { "video_type", "string", false, B.one_of({ "CAMERASTREAM", "SCREENSTREAM" }) },
  { "x", "number", false, B.range(0, 1) },
  { "y", "number", false, B.range(0, 1) },
  { "width", "number", false, B.range(0, 1) },
  { "height", "number", false, B.range(0, 1) },
  { "zorder", "integer", false, B.range(0, 25) },
  { "crop_mode", "string", false, B.one_of({ "KEEP_RATIO_PADDING", "KEEP_RATIO_CROP" }) },
  { "filling_policy", "string", false, B.one_of({ "FIXED_USER", "SHARED_SCREEN" }) },
}
local IMAGE_ROWS = {
  { "user_id", "nonempty", true },
  { "image_uri", "nonempty", true, B.s3_uri },
}

-- rows shared by MixParam and UpdateMixParam
local LAYOUT_ROWS = {
  { "layout_template", "nonempty" },
  { "default_user_background_image", "nonempty", false, B.s3_uri },
  { "screen_background_image", "nonempty", false, B.s3_uri },
  { "background_image", "nonempty", false, B.s3_uri },
  { "max_idle_time", "integer", false, B.range(5, 43200) },
  { "layout_panes", "array", false, each(PANE_ROWS) },
  { "user_background_images", "array", false, each(IMAGE_ROWS) },
}

local function with(rows, more)
  local out = {}
  for _, r in ipairs(more) do out[#out + 1] = r end
  for _, r in ipairs(rows) do out[#out + 1] = r end
  return out
end

local MIX_PARAM_ROWS = with(LAYOUT_ROWS, {
  { "room_id", "nonempty", true },
  { "encode_template", "nonempty", true, B.one_of(TEMPLATES) },
})

local function record_param(v, p)
  return B.check_fields(v, { { "record_rule_id", "nonempty", true } }, p)
end

local CREATE_ROWS = {
  { "mix_param", "object", true, function(v, p) return B.check_fields(v, MIX_PARAM_ROWS, p) end },
  { "record_param", "object", false, record_param },
}
local UPDATE_ROWS = {
  { "mix_param", "object", true, function(v, p) return B.check_fields(v, LAYOUT_ROWS, p) end },
}

-- MixJobReq -> nil | code, field. Video templates need a layout_template; the custom layout
-- needs panes (nine_grids_view and the screen_share ones place users themselves).
function X.validate_create(b)
  local code, field = B.check_fields(b, CREATE_ROWS)
  if code then return code, field end
  local m = b.mix_param
  if m.encode_template ~= "audio_only" then
    if not present(m.layout_template) then return MISSING, "mix_param.layout_template" end
    if m.layout_template == "custom" then
      if not present(m.layout_panes) then return MISSING, "mix_param.layout_panes" end
      if #m.layout_panes == 0 then return INVALID, "mix_param.layout_panes" end
    end
  end
end

function X.validate_update(b)
  return B.check_fields(b, UPDATE_ROWS)
end

X.ORDER = { "job_id", "stream_name", "app_id", "room_id", "mix_param", "record_param",
  "create_time", "update_time", "state", "stop_reason", "description", "start_time", "stop_time" }

local function body(job) return B.response(200, B.copy(job)) end

function X.create(api, c)
  local b, err = B.parse_body(c.req.body)
  if not b then return err end
  local code, field = X.validate_create(b)
  if code then return B.field_error(code, field) end
  if present(b.record_param) and not api:rule_usable(c.app, b.record_param.record_rule_id) then
    return B.field_error(INVALID, "record_param.record_rule_id")
  end
  local id = api:new_id()
  local m = B.copy(b.mix_param)
  if not present(m.max_idle_time) then m.max_idle_time = 30 end
  local job = {
    job_id = id, stream_name = "m_" .. id .. "_" .. m.room_id, app_id = c.app.app_id,
    room_id = m.room_id, mix_param = m,
    record_param = present(b.record_param) and B.copy(b.record_param) or nil,
    create_time = c.now, update_time = c.now, state = "INIT", description = "job created",
  }
  c.app.mix[id] = job
  local r = body(job)
  r.status = 201
  return r
end

function X.get(_, c)
  local job = c.app.mix[c.p.job]
  if not job then return B.not_found() end
  if job.state == "INIT" then
    job.state = "RUNNING"
    job.start_time = c.now
    job.description = "job is running"
  end
  return body(job)
end

function X.update(_, c)
  local job = c.app.mix[c.p.job]
  if not job then return B.not_found() end
  local b, err = B.parse_body(c.req.body)
  if not b then return err end
  local code, field = X.validate_update(b)
  if code then return B.field_error(code, field) end
  if job.state == "STOPPED" then return B.api_error(400, "RTC.00001009") end
  local m, old = b.mix_param, job.mix_param
  local lt = m.layout_template
  if present(lt) and lt ~= old.layout_template and (lt ~= "custom" or old.layout_template ~= "custom") then
    return B.api_error(400, INVALID,
      "InvalidParameterValue: mix_param.layout_template: only custom-to-custom changes are allowed")
  end
  for k, v in pairs(m) do
    if present(v) then old[k] = v end
  end
  job.update_time = c.now
  return body(job)
end

function X.delete(_, c)
  local job = c.app.mix[c.p.job]
  if not job then return B.not_found() end
  if job.state == "STOPPED" then return B.api_error(400, "RTC.00001009") end
  job.state, job.stop_time, job.stop_reason = "STOPPED", c.now, "TENANT_STOP"
  job.description = "job stopped by the tenant"
  return B.response(204)
end

return X
