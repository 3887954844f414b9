-- examples/openresty/test_workers.lua -- test.sh's handlers for nginx-workers.conf (test only):
-- one rate for all workers (rtc.ngx's shared_rate). Every worker polls a command from a shared
-- dict in a timer (so each worker surely takes part, whatever worker accepts test.sh's
-- requests) and runs it through the pool way:
--   POST /go {"cmd": "rate", "n": 5}   each worker: n get_job calls at once (light threads)
--   POST /go {"cmd": "hold"}           worker 0: one call (the mock answers 429 Retry-After);
--                                      then each other worker: one call, timed from before
--                                      worker 0's call
--   GET /result -> {"<worker id>": {"ok": n, "failed": n, "start": t, "stop": t,
--                                    "status": s, "elapsed": s}, ...}

local cjson = require "cjson.safe"

local M = {}

local function client(extra)
  local o = { endpoint = os.getenv("RTC_ENDPOINT"), token = os.getenv("RTC_AUTH_TOKEN"),
              rate = 5, shared_rate = "rtc_rate" }
  for k, v in pairs(extra or {}) do o[k] = v end
  return require("rtc.ngx").new(o)
end

local function record(id, t)
  ngx.shared.rtc_test:set("result:" .. id, cjson.encode(t))
end

local function run(cmd, id)
  local app, job = os.getenv("RTC_TEST_APP"), os.getenv("RTC_TEST_JOB")
  local d = ngx.shared.rtc_test
  if cmd.cmd == "rate" then
    local c = client()
    local out = { ok = 0, failed = 0 }
    ngx.update_time()
    out.start = ngx.now()
    local threads = {}
    for i = 1, cmd.n do
      threads[i] = ngx.thread.spawn(function()
        local j = c:get_job(app, job)
        if j then out.ok = out.ok + 1 else out.failed = out.failed + 1 end
      end)
    end
    for i = 1, cmd.n do ngx.thread.wait(threads[i]) end
    ngx.update_time()
    out.stop = ngx.now()
    record(id, out)
  elseif cmd.cmd == "hold" then
    local c = client{ retries = 0 }
    if id == 0 then
      -- the other workers' times count from before this call (the hold ends 2 s after its 429
      -- came, so at least 2 s after this): a lower bound, however late they see "held"
      ngx.update_time()
      d:set("t0", ngx.now())
      local _, err = c:get_job(app, job)
      record(id, { status = err and err.status, retry_after = err and err.retry_after })
      d:set("held", true)
    else
      for _ = 1, 1000 do
        if d:get("held") then break end
        ngx.sleep(0.02)
      end
      local t0 = d:get("t0") or 0
      local j, err = c:get_job(app, job)
      ngx.update_time()
      record(id, { ok = j and 1 or 0, elapsed = ngx.now() - t0, err = err and tostring(err) })
    end
  end
end

function M.init_worker()
  local id, seen, busy = ngx.worker.id(), 0, false
  ngx.timer.every(0.05, function(premature)
    if premature or busy then return end
    local gen = ngx.shared.rtc_test:get("gen") or 0
    if gen == seen then return end
    seen, busy = gen, true
    local ok, err = pcall(run, cjson.decode(ngx.shared.rtc_test:get("cmd") or "{}") or {}, id)
    if not ok then record(id, { raised = tostring(err) }) end
    busy = false
  end)
end

function M.go()
  ngx.req.read_body()
  local d = ngx.shared.rtc_test
  d:flush_all()
  d:set("cmd", ngx.req.get_body_data() or "{}")
  d:set("gen", ngx.now())
  ngx.say("ok")
end

function M.result()
  local out = {}
  for id = 0, ngx.worker.count() - 1 do
    out["w" .. id] = cjson.decode(ngx.shared.rtc_test:get("result:" .. id) or "null")
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(out))
end

return M
