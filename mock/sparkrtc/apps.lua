-- mock/sparkrtc/apps.lua — apps (create, list, get, delete, enable, disable) and their
-- settings (auto-record mode, record callback). The app records live in api.apps; this file
-- makes and shows them.

local B = require "sparkrtc.base"
local json, present = B.json, B.present
local INVALID = B.INVALID

local A = {}

A.QUOTA = 20
local STATES = { "ACTIVATION", "DEACTIVATION", "ARREARS" }

-- a new app record (not yet stored)
function A.new(app_id, name, now)
  return {
    app_id = app_id, app_name = name, create_time = now,
    state = { state = "ACTIVATION", update_time = now },
    app_key = B.random_hex(32),
    auto_record_mode = { mode = "AUTO_RECORD_OFF", update_time = now },
    record_callback = nil,
    jobs = {}, mix = {}, rules = {}, rule_order = {},
  }
end

local function callback_view(cb)
  if not cb then return json.object({}) end
  return json.object({ url = cb.url, auth_key = cb.auth_key, update_time = cb.update_time,
    notify_event_subscription = json.array({ "RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE" }) })
end

local function state_view(app) return B.copy(app.state) end
local function mode_view(app) return B.copy(app.auto_record_mode) end

function A.view(app)
  return json.object({
    app_name = app.app_name, app_id = app.app_id, state = state_view(app),
    scope = "DOMESTIC", tenant_name = "mock-tenant", domain = "rtc.mock.invalid",
    create_time = app.create_time,
    authentication = json.object({ enable = false, expire = 300, app_key = app.app_key,
      update_time = app.create_time }),
    callbacks = json.object({ record_callback = callback_view(app.record_callback) }),
    auto_record_mode = mode_view(app),
  })
end

local NAME_ROWS = { { "app_name", "nonempty", true, function(v, p)
  if #v > 64 or v:find("[^%w%-_]") then return INVALID, p end
end } }

function A.create(api, c)
  local b, err = B.checked_body(c, NAME_ROWS)
  if not b then return err end
  local list = api:app_list()
  for _, app in ipairs(list) do
    if app.app_name == b.app_name then return B.api_error(400, "RTC.00001020") end
  end
  if #list >= A.QUOTA then return B.api_error(400, "RTC.00001017") end
  local app = api:add_app(A.new(api:new_id(), b.app_name, c.now))
  return B.response(201, json.object({ app_id = app.app_id }))
end

function A.list(api, c)
  local state = c.q.state
  if state ~= nil and not B.set_of(STATES)[state] then return B.field_error(INVALID, "state") end
  local offset, limit = B.page_params(c.q)
  if not offset then return limit end
  local all = {}
  for _, app in ipairs(api:app_list()) do
    if state == nil or app.state.state == state then all[#all + 1] = app end
  end
  local page = B.page(all, offset, limit, api.offset_items)
  for i, app in ipairs(page) do page[i] = A.view(app) end
  return B.response(200, json.object({ count = #all, apps = page }))
end

function A.get(_, c) return B.response(200, A.view(c.app)) end

local function running_job(app)
  for _, set in ipairs({ app.jobs, app.mix }) do
    for id, job in pairs(set) do
      if job.state ~= "STOPPED" then return id end
    end
  end
end

function A.delete(api, c)
  local id = running_job(c.app)
  if id then
    return B.api_error(400, "RTC.00001006", "JobRunning: job " .. id .. " of this app is not over")
  end
  api:remove_app(c.app.app_id)
  return B.response(204)
end

local function set_state(c, state)
  if c.app.state.state ~= state then c.app.state = { state = state, update_time = c.now } end
  return B.response(200, json.object({ app_id = c.app.app_id, state = state_view(c.app) }))
end
function A.enable(_, c) return set_state(c, "ACTIVATION") end
function A.disable(_, c) return set_state(c, "DEACTIVATION") end

local function mode_response(app)
  return B.response(200, json.object({ app_id = app.app_id, auto_record_mode = mode_view(app) }))
end

function A.get_auto_record(_, c) return mode_response(c.app) end

local MODE_ROWS = {
  { "mode", "nonempty", true, B.one_of({ "AUTO_RECORD_OFF", "AUTO_INDIVIDUAL_RECORD" }) },
  { "record_rule_id", "string" },
}

function A.update_auto_record(api, c)
  local b, err = B.checked_body(c, MODE_ROWS)
  if not b then return err end
  local rule = present(b.record_rule_id) and b.record_rule_id or nil
  if b.mode == "AUTO_INDIVIDUAL_RECORD" then
    if not rule then return B.field_error(B.MISSING, "record_rule_id") end
    if rule == "" or not api:rule_usable(c.app, rule) then
      return B.field_error(INVALID, "record_rule_id")
    end
  end
  c.app.auto_record_mode = { mode = b.mode, record_rule_id = rule, update_time = c.now }
  return mode_response(c.app)
end

local function callback_response(app)
  return B.response(200, json.object({ app_id = app.app_id, record_callback = callback_view(app.record_callback) }))
end

function A.get_record_callback(_, c) return callback_response(c.app) end

local CALLBACK_ROWS = {
  { "url", "nonempty", true, function(v, p)
    local scheme, rest = v:match("^(%a+)://(.*)$")
    scheme = scheme and scheme:lower()
    if (scheme ~= "http" and scheme ~= "https") or rest == "" or rest:find("[%s%c]") then
      return INVALID, p
    end
  end },
  { "auth_key", "string" },
}

function A.update_record_callback(_, c)
  local b, err = B.checked_body(c, CALLBACK_ROWS)
  if not b then return err end
  c.app.record_callback = { url = b.url, auth_key = present(b.auth_key) and b.auth_key or nil,
    update_time = c.now }
  return callback_response(c.app)
end

return A
