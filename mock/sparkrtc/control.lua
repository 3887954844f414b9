-- mock/sparkrtc/control.lua — the /_mock/ control routes of mock/server.lua (never
-- authenticated; JSON bodies): reset, stats, requests, jobs, seed, scripts, config, join,
-- health, shutdown. mock/README.md lists them.

local sparkrtc = require "sparkrtc"
local json = sparkrtc.json

local C = {}

C.SCRIPT_KEYS = { times = "number", delay = "number", status = "number", body = "any",
  headers = "table", raw = "string", close_before_response = "boolean", reset_mid_body = "boolean",
  stall_before_headers = "number", stall_mid_body = "number", drip = "number",
  content_length = "number", close = "boolean" }

local SCRIPT_KEYS = C.SCRIPT_KEYS

local function simple(status, obj)
  return sparkrtc.response(status, obj ~= nil and json.encode(obj) or nil)
end

-- one control request -> response; srv = {api, state, stats, limiter, open(), reset(), stop()}
function C.handle(srv, req)
  local api, state, stats, limiter = srv.api, srv.state, srv.stats, srv.limiter
  local m, p = req.method, req.path
  local function body_obj()
    local v = json.decode(req.body ~= "" and req.body or "{}")
    return v
  end
  if p == "/_mock/reset" and m == "POST" then
    srv.reset()
    return simple(200, { ok = true })
  elseif p == "/_mock/stats" and m == "GET" then
    local r = limiter:stats()
    for i, s in ipairs(r.per_second) do r.per_second[i] = json.object(s) end
    return simple(200, json.object({ connections = stats.connections, requests = stats.requests,
      in_flight = stats.in_flight, max_in_flight = stats.max_in_flight, accepted = stats.accepted,
      open = srv.open(), scripts_pending = #state.scripts, rate = r.rate, limited = r.limited,
      max_per_second = r.max_per_second, max_window = r.max_window,
      per_second = json.array(r.per_second) }))
  elseif p == "/_mock/requests" and m == "GET" then
    return simple(200, json.array(state.log))
  elseif p == "/_mock/jobs" and m == "GET" then
    return simple(200, api:jobs())
  elseif p == "/_mock/jobs" and m == "POST" then
    local v = body_obj()
    if not json.is_object(v) or type(v.app_id) ~= "string" or (v.job ~= nil and not json.is_object(v.job)) then
      return simple(400, { error = 'seed body must be {"app_id": "...", "job": {...}}' })
    end
    local job = api:seed_job(v.app_id, v.job)
    return sparkrtc.response(201, api:job_json(job))
  elseif p == "/_mock/seed" and m == "POST" then
    api:apply_seed()
    return simple(200, json.object({ app_id = sparkrtc.SEED.app_id, rule_id = sparkrtc.SEED.rule_id,
      job_id = sparkrtc.SEED.job_id }))
  elseif p == "/_mock/join" and m == "POST" then
    local v = body_obj()
    if not json.is_object(v) then return simple(400, { error = "join body must be a JSON object" }) end
    local ok, why = require("sparkrtc.join").check(v, api:now())
    return simple(ok and 200 or 401, json.object({ ok = ok, error = why }))
  elseif p == "/_mock/deliveries" and m == "GET" then
    -- the recording events sent (mock/server/deliver.lua), oldest first
    local out = {}
    for i, d in ipairs(srv.deliveries or {}) do
      local h = json.object({})
      for k, v in pairs(d.headers or {}) do h[k] = v end
      out[i] = json.object({ url = d.url, event = d.event, job_id = d.job_id, state = d.state,
        status = d.status, attempts = d.attempts, error = d.error, signed = d.signed,
        headers = h, body = d.body })
    end
    return simple(200, json.array(out))
  elseif p == "/_mock/health" and m == "GET" then
    return simple(200, { ok = true })
  elseif p == "/_mock/script" and m == "DELETE" then
    state.scripts = {}
    return simple(200, { ok = true })
  elseif p == "/_mock/script" and m == "POST" then
    local v = body_obj()
    local list
    if json.is_object(v) then list = { v } elseif json.is_array(v) then list = v end
    if not list then return simple(400, { error = "script body must be a JSON object or array" }) end
    local queued = {}
    for _, s in ipairs(list) do
      if not json.is_object(s) then return simple(400, { error = "each script must be an object" }) end
      for k, val in pairs(s) do
        local want = SCRIPT_KEYS[k]
        if not want then return simple(400, { error = "unknown script key " .. tostring(k) }) end
        if want ~= "any" and type(val) ~= want then
          return simple(400, { error = "script key " .. k .. " wants a " .. want })
        end
      end
      if s.body ~= nil and type(s.body) ~= "string" then s.body = json.encode(s.body) end
      local times = s.times or 1
      s.times = nil
      if times >= 1 then queued[#queued + 1] = { remaining = math.floor(times), behaviour = s } end
    end
    for _, q in ipairs(queued) do state.scripts[#state.scripts + 1] = q end
    return simple(200, { ok = true, pending = #state.scripts })
  elseif p == "/_mock/config" and m == "POST" then
    local v = body_obj()
    if not json.is_object(v) then return simple(400, { error = "config body must be a JSON object" }) end
    for k, val in pairs(v) do
      if k == "delay_all" and type(val) == "number" then state.delay_all = val
      elseif k == "gather" and type(val) == "number" and val >= 0 then state.gather, state.gathered = val, nil
      elseif k == "clock_offset" and type(val) == "number" then api:configure({ clock_offset = val })
      elseif k == "rate" and type(val) == "number" and val >= 0 then limiter:set_rate(val)
      elseif k == "strict" and type(val) == "boolean" then api:configure({ strict = val })
      elseif k == "offset_items" and type(val) == "boolean" then api:configure({ offset_items = val })
      elseif k == "rule_locations" and json.is_array(val) and #val > 0 then
        for _, l in ipairs(val) do
          if type(l) ~= "string" then return simple(400, { error = "rule_locations wants strings" }) end
        end
        api:configure({ rule_locations = val })
      else return simple(400, { error = "bad config key " .. tostring(k) }) end
    end
    return simple(200, { ok = true })
  elseif p == "/_mock/shutdown" and m == "POST" then
    srv.stop()
    return simple(200, { ok = true })
  end
  return simple(404, { error = "unknown control route " .. m .. " " .. p })
end

return C
