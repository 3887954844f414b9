-- examples/openresty/test_app.lua -- the handlers test.sh drives (test only; handler.lua is the
-- example to copy). Every call goes through rtc.ngx and answers JSON that says what came back:
--
--   POST /call/<op>   {"args": [...], "opts": {...}, "via": "pool"|"subrequest"|"subrequest_ca"|<VIA>,
--                      "timer": true}
--   -> {"ok": true, "result": {...}, "mt": "rtc.job", "tostring": "...", "elapsed": s}
--   -> {"ok": false, "err": {kind, status, code, message, request_id, attempts, field, sent},
--       "mt": "rtc.error", "tostring": "...", "elapsed": s}
--   -> {"raised": "message"}                 (misuse, a missing thread pool)
--   batch: {"ok": true, "summary": {...}, "results": [{"mt", "tostring", "kind", "job_id"}...]}
--   each_<item>: {"ok": true, "items": [...]}, or {"ok": false, "items": [...], "err": {...}}
--
-- "timer": true runs the call in an ngx.timer.at(0) callback and waits for it.
-- The base options come from the environment (RTC_ENDPOINT, RTC_AUTH_TOKEN); "opts" adds to them
-- (an "ak" drops the token).

local rtc_ngx = require "rtc.ngx"
local cjson = require "cjson.safe"

local M = {}

local VIA = { subrequest = "/_rtc", subrequest_ca = "/_rtc_ca", short = "/_rtc_short",
              noinc = "/_rtc_noinc", old = "/_rtc_old", reset = "/_rtc_reset" }

local function client_for(body)
  local o = { endpoint = os.getenv("RTC_ENDPOINT"), token = os.getenv("RTC_AUTH_TOKEN") }
  for k, v in pairs(body.opts or {}) do o[k] = v end
  if o.ak then o.token = nil end
  o.subrequest = VIA[body.via]
  return rtc_ngx.new(o)
end

local ERR_FIELDS = { "kind", "status", "code", "message", "request_id", "attempts", "field", "sent" }

local function describe(v)
  local mt = getmetatable(v)
  return mt and mt.__name or nil, tostring(v)
end

local function plain_err(err)
  local t = {}
  for _, k in ipairs(ERR_FIELDS) do t[k] = err[k] end
  return t
end

-- runs the call; -> the answer table
local function run(body, op)
  local ok, client = pcall(client_for, body)
  if not ok then return { raised = tostring(client) } end
  local args = body.args or {}
  -- "progress": true adds batch options with a progress function (which cannot cross VMs)
  if body.progress then args[2] = { progress = function() end } end
  local t0 = ngx.now()
  if op:match("^each_") then -- {"ok": true, "items": [...]} or {"ok": false, "items", "err"}
    local items, out = {}, {}
    local okw, werr = pcall(function() -- a failed page raises its error object out of the loop
      for item in client[op](client, unpack(args, 1, table.maxn(args))) do items[#items + 1] = item end
    end)
    if not okw and type(werr) == "table" then
      out.err, out.mt, out.tostring = plain_err(werr), describe(werr)
    elseif not okw then
      return { raised = tostring(werr) }
    end
    out.ok, out.items = out.err == nil, items
    return out
  end
  local pres = { pcall(client[op], client, unpack(args, 1, table.maxn(args))) }
  ngx.update_time()
  local out = { elapsed = ngx.now() - t0 }
  if not pres[1] then out.raised = tostring(pres[2]); return out end
  local r, err = pres[2], pres[3]
  if op == "batch" then
    out.ok, out.summary, out.results = true, err, {}
    for i, e in ipairs(r) do
      local v = e.result or e.err
      local mt, s = describe(v)
      out.results[i] = { mt = mt, tostring = s, kind = e.err and e.err.kind or nil,
                         status = e.err and e.err.status or nil,
                         job_id = e.result and e.result.job_id or nil }
    end
  elseif r then
    out.ok, out.result = true, r
    out.mt, out.tostring = describe(r)
  else
    out.ok, out.err = false, plain_err(err)
    out.mt, out.tostring = describe(err)
  end
  return out
end

-- content_by_lua of /call/<op>
function M.call(op)
  ngx.req.read_body()
  local body = cjson.decode(ngx.req.get_body_data() or "{}")
  if type(body) ~= "table" then ngx.status = 400; ngx.say('{"raised":"body is not JSON"}'); return end
  local out
  if body.timer then
    local done
    local okt, terr = ngx.timer.at(0, function(premature)
      if premature then return end
      local ok, res = pcall(run, body, op)
      done = ok and res or { raised = "timer: " .. tostring(res) }
      done.in_timer = ngx.get_phase() == "timer"
    end)
    if not okt then out = { raised = "ngx.timer.at: " .. tostring(terr) } end
    while not out and not done do ngx.sleep(0.01) end
    out = out or done
  else
    out = run(body, op)
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(out))
end

-- /exit_wait?job=J: a light thread calls get_job in pool "tiny" (deadline 1 s, or &deadline=S)
-- while the mock holds its answer; the request ends (ngx.exit) while the thread waits. &wait=S:
-- wait_job for a state that never comes, for S seconds, instead
function M.exit_wait(app_id, job_id, wait, deadline)
  local c = rtc_ngx.new{ endpoint = os.getenv("RTC_ENDPOINT"), token = os.getenv("RTC_AUTH_TOKEN"),
                         pool = "tiny", deadline = tonumber(deadline) or 1, retries = 0 }
  ngx.thread.spawn(function()
    if wait then return c:wait_job(app_id, job_id, "NEVER", { timeout = tonumber(wait) }) end
    return c:get_job(app_id, job_id)
  end)
  ngx.sleep(0.2)
  ngx.say("pending ", rtc_ngx.pending("tiny"))
  ngx.exit(200)
end

-- header_filter_by_lua of /hf: a pool call where worker threads are refused -> X-Raised, and the
-- pool's pending count afterwards -> X-Pending
function M.header_filter(app_id, job_id)
  local c = rtc_ngx.new{ endpoint = os.getenv("RTC_ENDPOINT"), token = os.getenv("RTC_AUTH_TOKEN"),
                         pool = "tiny" }
  local ok, err = pcall(c.get_job, c, app_id, job_id)
  ngx.header["X-Raised"] = ok and "no" or tostring(err):sub(1, 200):gsub("[\r\n]", " ")
  ngx.header["X-Pending"] = rtc_ngx.pending("tiny")
end

-- TEST ONLY, the anti-pattern the control check measures: rtc's blocking call in a handler
function M.blocking(app_id, job_id)
  local rtc = require "rtc"
  local c = rtc.new{ endpoint = os.getenv("RTC_ENDPOINT"), token = os.getenv("RTC_AUTH_TOKEN") }
  local job, err = c:get_job(app_id, job_id)
  c:close()
  ngx.say(job and "ok" or tostring(err))
end

-- The recording events' receiver (rtc.ngx.events) of the /events* locations. The handler keeps
-- in lua_shared_dict rtc_events_seen, per job_id: how many times it ran ("n:<job>") and the last
-- event as JSON ("e:<job>"); GET /events_seen?job=JOB reads them back.
--   mode "signed": auth_key EVENTS_KEY, dedup rtc_events_dedup; "unsigned": auth_key false;
--   "raise": a handler that raises
M.EVENTS_KEY = "0123456789abcdef0123456789abcdef"

function M.events(mode)
  local seen = ngx.shared.rtc_events_seen
  rtc_ngx.events{
    auth_key = mode ~= "unsigned" and M.EVENTS_KEY or false,
    dedup = mode == "signed" and "rtc_events_dedup" or nil,
    max_age = false, -- the test signs with fixed timestamps
    handler = function(event)
      if mode == "raise" then error("the handler failed on purpose") end
      local job = event.job_id or "-"
      seen:incr("n:" .. job, 1, 0)
      seen:set("e:" .. job, cjson.encode(event))
    end,
  }
end

function M.events_seen(job)
  local seen = ngx.shared.rtc_events_seen
  ngx.say(cjson.encode({ n = seen:get("n:" .. job) or 0, event = cjson.decode(seen:get("e:" .. job) or "null") }))
end

return M
