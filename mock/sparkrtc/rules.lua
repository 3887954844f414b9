-- mock/sparkrtc/rules.lua — record rules of an app: create (an upsert keyed by
-- obs_addr.location: 201 new, 200 replaced), list (paged), get, update, delete (refused while
-- a running job or the auto-record mode uses the rule).

local B = require "sparkrtc.base"
local json, present = B.json, B.present
local INVALID, MISSING = B.INVALID, B.MISSING
local unpack = table.unpack or unpack

local R = {}

local FORMATS = { "HLS", "MP4" }

local HLS_ROWS = {
  { "record_cycle", "integer", true, B.range(60, 43200, 0) },
  { "record_prefix", "string" },
  { "record_slice_duration", "integer", false, B.range(2, 60) },
  { "record_max_duration_to_merge_file", "integer", false, B.range(-1, 300) },
}
local MP4_ROWS = {
  { "record_cycle", "integer", true, B.range(60, 10800) },
  { "record_prefix", "string" },
  { "record_max_duration_to_merge_file", "integer", false, B.range(0, 300) },
}

-- RecordRuleReq -> nil | code, field; locations: the accepted obs_addr.location values
function R.validate(b, locations)
  local obs_rows = {
    { "location", "nonempty", true, B.one_of(locations) },
    { "project_id", "nonempty", true },
    { "bucket", "nonempty", true },
    { "object", "string" },
  }
  local rows = {
    { "obs_addr", "object", true, function(v, p) return B.check_fields(v, obs_rows, p) end },
    { "record_formats", "array", true, function(v, p)
      if #v == 0 then return INVALID, p end
      local seen = {}
      for i, f in ipairs(v) do
        if not B.set_of(FORMATS)[f] or seen[f] then return INVALID, p .. "[" .. i .. "]" end
        seen[f] = true
      end
    end },
    { "hls_config", "object", false, function(v, p) return B.check_fields(v, HLS_ROWS, p) end },
    { "mp4_config", "object", false, function(v, p) return B.check_fields(v, MP4_ROWS, p) end },
  }
  local code, field = B.check_fields(b, rows)
  if code then return code, field end
  for _, f in ipairs(b.record_formats) do
    if f == "HLS" and not present(b.hls_config) then return MISSING, "hls_config" end
    if f == "MP4" and not present(b.mp4_config) then return MISSING, "mp4_config" end
  end
end

local ORDER = { "rule_id", "app_id", "obs_addr", "record_formats", "hls_config", "mp4_config",
  "create_time", "update_time" }
R.ORDER = ORDER

local function view(rule)
  local out = json.object({})
  for _, k in ipairs(ORDER) do out[k] = rule[k] end
  out.record_formats = json.array({ unpack(rule.record_formats) })
  return out
end
R.view = view

-- the app's rules in creation order
function R.list_of(app)
  local out = {}
  for _, id in ipairs(app.rule_order) do
    if app.rules[id] then out[#out + 1] = app.rules[id] end
  end
  return out
end

local function fill(rule, b, now)
  rule.obs_addr = B.copy(b.obs_addr)
  rule.record_formats = b.record_formats
  rule.hls_config = present(b.hls_config) and B.copy(b.hls_config) or nil
  rule.mp4_config = present(b.mp4_config) and B.copy(b.mp4_config) or nil
  local h = rule.hls_config
  if h then
    if h.record_slice_duration == nil then h.record_slice_duration = 10 end
    if h.record_max_duration_to_merge_file == nil then h.record_max_duration_to_merge_file = 0 end
  end
  if rule.mp4_config and rule.mp4_config.record_max_duration_to_merge_file == nil then
    rule.mp4_config.record_max_duration_to_merge_file = 0
  end
  rule.update_time = now
end

-- a rule straight into app (used by create and by the --seed state)
function R.put(app, rule_id, b, now)
  local rule = { rule_id = rule_id, app_id = app.app_id, create_time = now }
  fill(rule, b, now)
  app.rules[rule_id] = rule
  app.rule_order[#app.rule_order + 1] = rule_id
  return rule
end

local function parse(api, c)
  local b, err = B.parse_body(c.req.body)
  if not b then return nil, err end
  local code, field = R.validate(b, api.rule_locations)
  if code then return nil, B.field_error(code, field) end
  return b
end

function R.create(api, c)
  local b, err = parse(api, c)
  if not b then return err end
  for _, rule in ipairs(R.list_of(c.app)) do
    if rule.obs_addr.location == b.obs_addr.location then
      fill(rule, b, c.now)
      return B.response(200, view(rule))
    end
  end
  return B.response(201, view(R.put(c.app, api:new_id(), b, c.now)))
end

function R.list(api, c)
  local offset, limit = B.page_params(c.q)
  if not offset then return limit end
  local page = B.page(R.list_of(c.app), offset, limit, api.offset_items)
  for i, rule in ipairs(page) do page[i] = view(rule) end
  return B.response(200, json.object({ rules = page }))
end

function R.get(_, c)
  local rule = c.app.rules[c.p.rule]
  if not rule then return B.not_found() end
  return B.response(200, view(rule))
end

function R.update(api, c)
  local rule = c.app.rules[c.p.rule]
  if not rule then return B.not_found() end
  local b, err = parse(api, c)
  if not b then return err end
  for _, other in ipairs(R.list_of(c.app)) do
    if other ~= rule and other.obs_addr.location == b.obs_addr.location then
      return B.api_error(400, "RTC.00001019", "RecordRuleExist: another rule has obs_addr.location "
        .. b.obs_addr.location)
    end
  end
  fill(rule, b, c.now)
  return B.response(200, view(rule))
end

-- who uses the rule: "job <id>", "mix job <id>", "auto-record mode" or nil
function R.user(app, rule_id)
  for id, job in pairs(app.jobs) do
    if job.state ~= "STOPPED" and job.record_param and job.record_param.record_rule_id == rule_id then
      return "job " .. id
    end
  end
  for id, job in pairs(app.mix) do
    if job.state ~= "STOPPED" and job.record_param and job.record_param.record_rule_id == rule_id then
      return "mix job " .. id
    end
  end
  local mode = app.auto_record_mode
  if mode.mode == "AUTO_INDIVIDUAL_RECORD" and mode.record_rule_id == rule_id then
    return "auto-record mode"
  end
end

function R.delete(_, c)
  local rule = c.app.rules[c.p.rule]
  if not rule then return B.not_found() end
  local user = R.user(c.app, rule.rule_id)
  if user then
    return B.api_error(400, "RTC.00001013", "RuleForbidenDelete: record rule is in use by " .. user)
  end
  c.app.rules[rule.rule_id] = nil
  return B.response(204)
end

return R
