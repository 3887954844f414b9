-- memcheck/sections/in_flight.lua: batch, start/poll/cancel, close and __gc with calls in
-- flight, the default client. memcheck/driver.lua runs the sections; memcheck/kit.lua holds
-- what they share.
local kit = require "memcheck.kit"
local helper, rtc, clock, check, eq, ok = kit.helper, kit.rtc, kit.clock, kit.check, kit.eq, kit.ok
local failed, raises, gc, section, mock = kit.failed, kit.raises, kit.gc, kit.section, kit.mock
local APP, GOOD_CREATE, GOOD_UPDATE, opts = kit.APP, kit.GOOD_CREATE, kit.GOOD_UPDATE, kit.opts
local requests_count = kit.requests_count

section("batch", function()
  local c = helper.aksk_client(mock, opts({ retries = 0 }))
  local job = ok("create for batch", c:create_job(APP, GOOD_CREATE))
  -- the stop goes to another job: calls in flight together may reach the server in any order
  local job2 = ok("create another for batch", c:create_job(APP, GOOD_CREATE))
  local progress = {}
  local results, summary = c:batch({
    { "get_job", APP, job.job_id },
    { "update_job", APP, job.job_id, GOOD_UPDATE },
    { "get_job", APP, "no-such-job" },                                           -- 404
    { "update_job", APP, job.job_id, { publish_param = { rtmp_urls = { "x" } } } }, -- invalid
    { "create_job", APP, GOOD_CREATE },
    { "get_job", "no-such-app", "j" },                                           -- 404
    { "stop_job", APP, job2.job_id },
  }, { concurrency = 2, progress = function(done, total, index, res, err)
    progress[#progress + 1] = { done, total, index, res ~= nil, err ~= nil }
    -- the client is busy inside a callback: calls raise, the batch goes on
    c:get_job(APP, job.job_id)
  end })
  eq(#results, 7, "one result per call")
  local why = {}
  for i = 1, 7 do if results[i].err then why[#why + 1] = i .. ": " .. tostring(results[i].err) end end
  eq(summary.ok, 4, "batch ok (failed: " .. table.concat(why, "; ") .. ")")
  eq(summary.failed, 3, "batch failed")
  eq(#progress, 7, "progress called for each call")
  eq(progress[#progress][1], 7, "progress done count reaches total")
  check(results[1].result and results[1].result.job_id == job.job_id, "batch[1] result")
  check(results[3].err and results[3].err.kind == "api" and results[3].err.status == 404, "batch[3] 404")
  check(results[4].err and results[4].err.kind == "invalid", "batch[4] invalid")
  check(results[5].result and results[5].result.job_id, "batch[5] created")
  -- a progress callback that raises, an empty batch, the default concurrency
  local r2, s2 = c:batch({ { "get_job", APP, job.job_id }, { "get_job", APP, "nope" } },
    { progress = function() error("progress broke") end })
  eq(s2.ok, 1, "raising progress: ok")
  eq(s2.failed, 1, "raising progress: failed")
  check(r2[2].err.status == 404, "raising progress: 404 kept")
  local r3, s3 = c:batch({})
  check(#r3 == 0 and s3.ok == 0 and s3.failed == 0, "empty batch")
  -- misuse raises before anything is sent
  raises(function() c:batch({ { "get_job", APP, "j" }, "not a table" }) end, "batch misuse", "calls%[2%]")
  raises(function() c:batch({ { "no_op" } }) end, "batch unknown op", "operation name")
  raises(function() c:batch({}, { concurrency = 0 }) end, "batch concurrency 0", "concurrency")
  raises(function() c:batch({}, { progress = 1 }) end, "batch progress not a function", "progress")
  eq(c:pending(), 0, "nothing pending after the batches")
  c:close()
  -- misuse found while building (a table as app id, after a good call was queued): raises;
  -- the queued call stays with the client until it is closed (see the memcheck report)
  local c2 = helper.client(mock, opts())
  local before = requests_count()
  raises(function() c2:batch({ { "get_job", APP, "j" }, { "get_job", {}, "j" } },
    { progress = function() end }) end, "batch misuse while building", "calls%[2%]")
  eq(c2:pending(), 0, "batch misuse: nothing pending")
  failed("api", 404, "a call after a batch that raised", c2:get_job(APP, "after-misuse"))
  eq(requests_count() - before, 1, "batch misuse: the queued call was dropped, not sent later")
  c2:close()
end)

section("start_poll_cancel", function()
  local c = helper.client(mock, opts({ concurrency = 2 }))
  local job = ok("create for start/poll", c:create_job(APP, GOOD_CREATE))
  eq(c:timeout(), nil, "idle client: no timeout")
  local r0, w0 = c:fds()
  check(#r0 == 0 and #w0 == 0, "idle client: no sockets to wait on")
  local bad, berr = c:start("update_job", APP, job.job_id, { publish_param = {} })
  failed("invalid", nil, "start with invalid params", bad, berr)
  -- the first two requests to arrive (ids 1 and 2: concurrency 2) are answered after 8 s, so
  -- they hold both places while the test runs (valgrind on a loaded machine takes a few
  -- seconds): 3, 4 and 5 stay queued until one is cancelled
  mock:script{ delay = 8, times = 2 }
  local t = clock()
  local ids = {}
  ids[1] = assert(c:start("get_job", APP, job.job_id))
  ids[2] = assert(c:start("update_job", APP, job.job_id, GOOD_UPDATE))
  ids[3] = assert(c:start("get_job", APP, "no-such-job"))
  ids[4] = assert(c:start("get_job", APP, job.job_id))
  ids[5] = assert(c:start("get_job", "a", "queued-then-cancelled"))
  eq(c:pending(), 5, "five pending")
  check(type(c:timeout()) == "number", "a timeout while calls run")
  -- the sockets an external event loop would wait on (ids 1 and 2 are on the wire)
  local readable, writable = c:fds()
  check(type(readable) == "table" and type(writable) == "table", "fds gives two arrays")
  check(#readable + #writable >= 1, "fds: the running calls' sockets")
  for _, fd in ipairs(readable) do check(math.type(fd) == "integer" and fd >= 0, "fds: integers") end
  local seen = {}
  local tp = clock()
  for id, res, err in c:poll(0) do seen[id] = { res = res, err = err } end -- never blocks
  check(clock() - tp < 4, "poll(0) did not block") -- blocking, it would wait for the 8 s answers
  check(next(seen) == nil, "nothing finished yet")
  eq(c:cancel(ids[5]), true, "cancel a queued call")
  eq(c:cancel(ids[5]), false, "cancel twice")
  eq(c:cancel(99999), false, "cancel an unknown id")
  eq(c:cancel(ids[1]), true, "cancel a running call")  -- frees a place: 3 and 4 go out
  while c:pending() > 0 and clock() - t < 30 do
    for id, res, err in c:poll(0.5) do seen[id] = { res = res, err = err } end
  end
  eq(c:pending(), 0, "all collected")
  failed("cancelled", nil, "cancelled running call", seen[ids[1]].res, seen[ids[1]].err)
  ok("delayed update", seen[ids[2]].res, seen[ids[2]].err)
  failed("api", 404, "started get 404", seen[ids[3]].res, seen[ids[3]].err)
  ok("started get", seen[ids[4]].res, seen[ids[4]].err)
  failed("cancelled", nil, "cancelled queued call", seen[ids[5]].res, seen[ids[5]].err)
  c:close()
end)

section("close_in_flight", function()
  local c = helper.client(mock, opts())
  mock:script{ delay = 60, times = 3 } -- held until the client goes away
  local t = clock()
  for i = 1, 4 do assert(c:start("get_job", APP, "slow-" .. i)) end
  for _ in c:poll(0.3) do end -- on the wire
  check(c:pending() >= 3, "calls in flight")
  local iterator = c:poll(0)
  c:close()
  eq(iterator(), nil, "a poll iterator of a closed client ends")
  check(clock() - t < 30, "close did not wait for the calls") -- they are held a minute
  raises(function() c:pending() end, "pending on a closed client", "closed")
  raises(function() c:poll(0) end, "poll on a closed client", "closed")
  raises(function() c:start("get_job", "a", "b") end, "start on a closed client", "closed")
  -- __close
  do
    local cc <close> = helper.client(mock, opts())
    assert(cc:start("get_job", APP, "x"))
  end
  mock:reset()
end)

section("reentry", function()
  -- the issue-10 reproducer: finalizers close the client while its calls run (close is
  -- deferred until the running method returns; later calls raise "closed")
  local function new(o)
    local t = { retries = 0 }
    for k, v in pairs(o or {}) do t[k] = v end
    return helper.client(mock, t)
  end
  local c = new()
  local Owner = { __gc = function(o) pcall(o.client.close, o.client) end }
  for i = 1, 300 do
    if not pcall(c.get_job, c, "app", "job" .. i) then c = new() end
    setmetatable({ client = c }, Owner)
  end
  gc()
  c:close()
  -- a finalizer closes the client while a call is being built (validation and JSON encoding
  -- allocate): "the client is closed", never a read of its freed configuration
  c = new()
  local go, Closer = false, {}
  Closer.__gc = function() if go then pcall(c.close, c) else setmetatable({}, Closer) end end
  setmetatable({}, Closer)
  go = true
  local params = { publish_param = { rtmp_urls = { "rtmp://x/y" } } }
  for i = 1, 400 do
    local okc, _, e = pcall(c.update_job, c, "app", "u" .. i, params)
    if okc then eq(e and e.kind, "api", "built call answered")
    else go = false; c = new(); setmetatable({}, Closer); go = true end
    if i % 25 == 0 then collectgarbage("step") end
  end
  go = false
  c:close()
  -- a large answer: decode allocates a lot while finalizers close the client
  local big = '{"job_id":"big","description":"' .. string.rep("d", 100000) .. '"}'
  c = new()
  for _ = 1, 10 do
    for _ = 1, 20 do setmetatable({ client = c }, Owner) end
    mock:script{ status = 200, body = big }
    local okc, job = pcall(c.get_job, c, "app", "big")
    if okc then eq(#job.description, 100000, "big answer decoded whole") else c = new() end
  end
  c:close()
  -- start/poll with finalizers closing the client while poll decodes
  c = new()
  for round = 1, 10 do
    local okc = pcall(function()
      for i = 1, 3 do c:start("get_job", "app", "p" .. round .. i) end
      local n = 0
      while n < 3 do
        for _ in c:poll(5) do n = n + 1; setmetatable({ client = c }, Owner) end
      end
    end)
    if not okc then c = new() end
  end
  c:close()
  -- batch: progress calls back in (busy), runs collectgarbage, closes the client midway
  c = new()
  local calls = {}
  for i = 1, 12 do calls[i] = { "get_job", "app", "b" .. i } end
  local refused = 0
  local _, summary = c:batch(calls, { concurrency = 3, progress = function(done)
    gc()
    if not pcall(c.get_job, c, "app", "x") then refused = refused + 1 end
    if done == 6 then c:close() end
  end })
  eq(summary.failed, 12, "batch with closing progress: every call answered")
  eq(refused, 12, "calls from progress refused")
  eq(tostring(c), "rtc.client(closed)", "closed once the batch returned")
  -- keep_results = false
  c = new()
  local seen = 0
  local r, s2 = c:batch(calls, { keep_results = false, progress = function() seen = seen + 1 end })
  eq(r, nil, "keep_results = false: no results table")
  eq(s2.failed, 12, "keep_results = false: summary")
  eq(seen, 12, "keep_results = false: progress for each")
  -- a debug callback that closes the client and calls back in
  c = new{ debug = function() pcall(c.get_job, c, "app", "x"); c:close() end }
  failed("api", 404, "get_job with a closing debug callback", c:get_job("app", "j"))
  eq(tostring(c), "rtc.client(closed)", "debug close deferred")
  gc()
end)

section("gc_unclosed", function()
  mock:script{ delay = 5, times = 6 }
  for i = 1, 3 do
    local c = helper.aksk_client(mock, opts({ debug = function() end }))
    assert(c:start("get_job", APP, "gc-" .. i))
    assert(c:start("update_job", APP, "gc-" .. i, GOOD_UPDATE))
    for _ in c:poll(0.1) do end
    -- a finished, uncollected call too
    local d = helper.client(mock, opts())
    local id = assert(d:start("get_job", APP, "x"))
    d:cancel(id)
  end
  -- clients that were never used, and one built from failing options
  for _ = 1, 3 do rtc.new({ endpoint = mock.url, token = "t" }) end
  pcall(rtc.new, { endpoint = { mock.url, mock.url }, token = "t", retries = -1 })
  gc()
  mock:reset()
end)

section("default_client", function()
  rtc.configure()                     -- from the environment: run.sh clears RTC_* and HUAWEICLOUD_*
  local e = failed("invalid", nil, "default client without credentials", rtc.get_job("a", "j"))
  eq(e.field, "credentials", "default client: credentials field")
  rtc.configure(opts({ endpoint = mock.url, token = "test-token" }))
  local job = ok("rtc.create_job", rtc.create_job(APP, GOOD_CREATE))
  ok("rtc.get_job", rtc.get_job(APP, job.job_id))
  ok("rtc.update_job", rtc.update_job(APP, job.job_id, GOOD_UPDATE))
  local e2 = raises(function() rtc.configure({ endpoint = mock.url, token = "t", timeout = -1 }) end,
    "configure with a bad option", "timeout")
  check(e2.kind == "invalid", "configure raises an invalid error object")
  ok("old default kept after a bad configure", rtc.stop_job(APP, job.job_id))
  rtc.configure(opts({ endpoint = mock.url, ak = "test-ak", sk = "test-sk", project_id = "test-project" }))
  local stopped = ok("default client with AK/SK", rtc.get_job(APP, job.job_id))
  eq(stopped.state, "STOPPED", "default client: the stopped job")
  rtc.configure()
  raises(function() rtc.get_job({}, "j") end, "module call misuse", "bad argument")
  rtc.configure(opts({ endpoint = mock.url, token = "test-token" })) -- closed at lua_close by __gc
  gc()
end)

-- wait_<x>: the getter called as Lua would, the pauses, the timeout error, the getter's error,
-- misuse, and a collector that runs at every step of the wait (no C pointer outlives a call)
section("wait", function()
  local c = helper.client(mock, opts({ retries = 0 }))
  local job = ok("wait: create_job", c:create_job(APP, GOOD_CREATE))
  eq(ok("wait_job RUNNING", c:wait_job(APP, job.job_id, "RUNNING", { timeout = 60 })).state,
     "RUNNING", "wait_job reaches RUNNING")
  local e = failed("timeout", nil, "wait_job times out",
    c:wait_job(APP, job.job_id, "STOPPED", { timeout = 3, interval = 0.05 }))
  check(tostring(e):find("RUNNING", 1, true), "the timeout names the last state")
  failed("api", 404, "wait_job on an unknown job", c:wait_job(APP, "nope", "RUNNING"))
  ok("wait: stop_job", c:stop_job(APP, job.job_id))
  collectgarbage("incremental", 1, 1000, 30)
  collectgarbage("collect")
  for i = 1, 5 do
    eq(ok("wait_job STOPPED", c:wait_job(APP, job.job_id, i % 2 == 0 and "RUNNING" or "INIT")).state,
       "STOPPED", "a STOPPED job ends the wait")
  end
  collectgarbage("incremental", 200, 100, 13)
  raises(function() c:wait_job(APP, job.job_id, 7) end, "wait_job state not a string", "state")
  raises(function() c:wait_job(APP, job.job_id, "RUNNING", { timeout = "x" }) end,
    "wait_job bad timeout", "opts.timeout")
  c:close()
end)
