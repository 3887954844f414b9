-- spec/client/batch_lazy_spec.lua — client:batch builds its entries as it goes (twice the concurrency
-- ahead): every entry is answered exactly once, in progress order done = 1, 2, ..., whatever the
-- entries, the callbacks or the deadline do meanwhile; nothing is left behind after the batch.
local helper = require "spec.helper"

local is_error = helper.is_error

describe("batch built as it goes", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  local function new(opts) return helper.client_once(mock, opts) end

  local gets = helper.get_job_calls

  -- progress that checks done counts 1, 2, ... and that every index comes once
  local function tracker(total)
    local t = { seen = {}, n = 0, kinds = {} }
    function t.progress(done, tot, index, result, err)
      t.n = t.n + 1
      assert.are.equal(t.n, done)
      assert.are.equal(total, tot)
      assert.is_nil(t.seen[index], "index " .. index .. " answered twice")
      assert.is_true(index >= 1 and index <= total)
      t.seen[index] = true
      assert.is_true((result == nil) ~= (err == nil))
      t.kinds[index] = err and err.kind or "ok"
    end
    return t
  end

  local function no_holes(results, n)
    for i = 1, n do
      local r = results[i]
      assert.is_table(r, "hole at " .. i)
      assert.is_true((r.result == nil) ~= (r.err == nil), "entry " .. i)
    end
    assert.is_nil(results[n + 1])
  end

  it("every entry invalid, concurrency 1: all answered in order, nothing sent", function()
    local c = new()
    local n0 = #mock:requests()
    local calls = {}
    for i = 1, 500 do calls[i] = { "get_job", "app", "" } end
    local t = tracker(500)
    local results, summary = c:batch(calls, { concurrency = 1, progress = t.progress })
    assert.are.same({ ok = 0, failed = 500 }, summary)
    assert.are.equal(500, t.n)
    no_holes(results, 500)
    for i = 1, 500 do is_error(results[i].err, "invalid") end
    assert.are.equal(n0, #mock:requests())
    assert.are.equal(0, c:pending())
    c:close()
  end)

  it("invalid and valid entries interleaved: each answered once, in done order", function()
    local c = new()
    mock:seed_job("app", { job_id = "j2", room_id = "r", user_id = "u", state = "RUNNING" })
    local calls = {}
    for i = 1, 60 do
      calls[i] = (i % 3 == 0) and { "get_job", "app", "" } or { "get_job", "app", "j2" }
    end
    for _, conc in ipairs({ 1, 2, 7 }) do
      local t = tracker(60)
      local results, summary = c:batch(calls, { concurrency = conc, progress = t.progress })
      assert.are.same({ ok = 40, failed = 20 }, summary)
      no_holes(results, 60)
      for i = 1, 60 do
        if i % 3 == 0 then is_error(results[i].err, "invalid")
        else assert.are.equal("j2", results[i].result.job_id) end
      end
    end
    c:close()
  end)

  it("progress that raises every time does not stop the batch", function()
    local c = new()
    local n = 0
    local results, summary = c:batch(gets(30), { concurrency = 3,
      progress = function() n = n + 1; error("boom") end })
    assert.are.equal(30, n)
    assert.are.equal(30, summary.ok + summary.failed)
    no_holes(results, 30)
    c:close()
  end)

  it("progress that changes calls and the params of entries not built yet", function()
    local c = new()
    local calls = gets(40)
    calls[20] = { "update_job", "app", "j20", { publish_param = {} } }
    local t = tracker(40)
    local results, summary = c:batch(calls, { concurrency = 1, progress = function(done, ...)
      t.progress(done, ...)
      if done == 1 then
        calls[10] = nil
        calls[11] = { "no_such_operation" }
        calls[12] = "not a table"
        calls[13] = { "get_job", {}, "x" }           -- a Lua type the up-front check did not see
        calls[14][3] = 42                             -- a number path argument: allowed
        calls[20][4] = "not a table"                  -- params replaced by a string
        for i = 41, 80 do calls[i] = { "get_job", "app", "extra" } end -- not part of the batch
      elseif done == 2 then
        calls[15] = setmetatable({}, { __index = function() error("never read") end })
      end
    end })
    assert.are.equal(40, summary.ok + summary.failed)
    assert.are.equal(40, t.n)
    no_holes(results, 40)
    for _, i in ipairs({ 10, 11, 12, 13, 15, 20 }) do
      is_error(results[i].err, "invalid")
    end
    assert.truthy(tostring(results[10].err):find("calls[10]: changed while the batch ran", 1, true))
    assert.truthy(tostring(results[13].err):find("app_id", 1, true), tostring(results[13].err))
    assert.truthy(tostring(results[20].err):find("params", 1, true), tostring(results[20].err))
    is_error(results[14].err, "api") -- sent: the mock has no job "42"
    c:close()
  end)

  it("a batch, or any method, from progress: 'busy' inside, the outer batch goes on", function()
    local c = new()
    local errs = {}
    local results, summary = c:batch(gets(8), { concurrency = 2, progress = function()
      local ok, e = pcall(c.batch, c, gets(2))
      errs[#errs + 1] = not ok and tostring(e) or "ran"
      ok, e = pcall(c.start, c, "get_job", "app", "x")
      errs[#errs + 1] = not ok and tostring(e) or "ran"
    end })
    assert.are.equal(8, summary.ok + summary.failed)
    no_holes(results, 8)
    assert.are.equal(16, #errs)
    for _, e in ipairs(errs) do assert.truthy(e:find("busy", 1, true), e) end
    -- the client works afterwards
    local _, err = c:get_job("app", "nope")
    is_error(err, "api")
    assert.are.equal(0, c:pending())
    c:close()
  end)

  it("progress that yields (inside a coroutine): an error caught, the batch goes on", function()
    local c = new()
    local co = coroutine.wrap(function()
      return c:batch(gets(5), { concurrency = 1, progress = function() coroutine.yield("x") end })
    end)
    local results, summary = co()
    assert.is_table(results)
    assert.are.equal(5, summary.ok + summary.failed)
    no_holes(results, 5)
    c:close()
  end)

  it("a tiny deadline over slow answers: the running end as timeout, the unbuilt too", function()
    local c = new()
    mock:config{ delay_all = 60 }
    local n0 = #mock:requests()
    local t = tracker(300)
    local elapsed, results, summary = helper.timed(c.batch, c, gets(300),
      { concurrency = 2, deadline = 0.05, progress = t.progress })
    mock:config{ delay_all = 0 }
    assert.is_true(elapsed < 10, "took " .. elapsed) -- never waited for an answer (held 60 s)
    assert.are.same({ ok = 0, failed = 300 }, summary)
    assert.are.equal(300, t.n)
    no_holes(results, 300)
    for i = 1, 300 do is_error(results[i].err, "timeout") end
    assert.are.equal(0, results[300].err.attempts)
    assert.is_true(#mock:requests() - n0 <= 4)
    assert.are.equal(0, c:pending())
    c:close()
  end)

  it("deadline over invalid entries only: all answered invalid (nothing to time out)", function()
    local c = new()
    local calls = {}
    for i = 1, 50 do calls[i] = { "get_job", "app", "" } end
    local results, summary = c:batch(calls, { concurrency = 1, deadline = 0.001 })
    assert.are.same({ ok = 0, failed = 50 }, summary)
    no_holes(results, 50)
    c:close()
  end)

  it("keep_results = false over 100k invalid entries: the Lua stack and memory stay flat", function()
    local c = new()
    local calls, entry = {}, { "get_job", "app", "" }
    for i = 1, 100000 do calls[i] = entry end
    local at1k, at99k
    local results, summary = c:batch(calls, { concurrency = 1, keep_results = false,
      progress = function(done)
        if done == 1000 then collectgarbage(); collectgarbage(); at1k = collectgarbage("count")
        elseif done == 99000 then collectgarbage(); collectgarbage(); at99k = collectgarbage("count") end
      end })
    assert.is_nil(results)
    assert.are.same({ ok = 0, failed = 100000 }, summary)
    -- a slot left on the stack per entry would be ~1.5 MB here
    assert.is_true(at99k - at1k < 500, string.format("grew %.0f KB", at99k - at1k))
    c:close()
  end)

  it("keep_results = false over 3000 sent calls: memory flat, the client reusable", function()
    local c = new()
    local at500, at2900
    local _, summary = c:batch(gets(3000), { concurrency = 4, keep_results = false,
      progress = function(done)
        if done == 500 then collectgarbage(); collectgarbage(); at500 = collectgarbage("count")
        elseif done == 2900 then collectgarbage(); collectgarbage(); at2900 = collectgarbage("count") end
      end })
    assert.are.equal(3000, summary.ok + summary.failed)
    assert.is_true(at2900 - at500 < 300, string.format("grew %.0f KB", at2900 - at500))
    assert.are.equal(0, c:pending())
    local _, err = c:get_job("app", "nope")
    is_error(err, "api")
    c:close()
  end)

  it("started calls pending across a batch come out of poll afterwards, once each", function()
    local c = new()
    local ids = {}
    for i = 1, 3 do ids[c:start("get_job", "app", "s" .. i)] = true end
    local results, summary = c:batch(gets(10), { concurrency = 2 })
    assert.are.equal(10, summary.ok + summary.failed)
    no_holes(results, 10)
    local got, t0 = 0, helper.gettime()
    while got < 3 and helper.gettime() - t0 < 20 do
      for id, _, err in c:poll(1) do
        assert.is_true(ids[id])
        ids[id] = nil
        is_error(err, "api")
        got = got + 1
      end
    end
    assert.are.equal(3, got)
    c:close()
  end)

  it("a finalizer that closes the client as the batch starts: every entry answered, no crash", function()
    -- Lua 5.4's collector only: table finalizers and collectgarbage("incremental", ...)
    if _VERSION ~= "Lua 5.4" then return pending("needs Lua 5.4's collector") end
    for _ = 1, 5 do
      local c = new()
      local phase, ran = "idle", 0
      local mt = { __gc = function()
        ran = ran + 1
        if phase == "armed" then phase = "fired"; c:close() end
      end }
      local calls = gets(4)
      local opts = { concurrency = 1, deadline = 5 }
      local co = coroutine.wrap(function() return pcall(c.batch, c, calls, opts) end)
      collectgarbage("incremental", 1, 100, 1)
      do for _ = 1, 40 do setmetatable({}, mt) end end
      -- a GC cycle half way through its finalizers: the next allocation step runs more
      while ran == 0 do collectgarbage("step", 0) end
      phase = "armed"
      local ok, results, summary = co()
      local fired = phase == "fired"
      phase = "after"
      collectgarbage("incremental", 200, 100, 13)
      assert.is_true(ok, tostring(results))
      assert.are.equal(4, summary.ok + summary.failed)
      no_holes(results, 4)
      if fired then
        assert.are.equal("rtc.client(closed)", tostring(c))
        for i = 1, 4 do
          local k = results[i].err and results[i].err.kind
          assert.truthy(k == "cancelled" or k == "api", tostring(results[i].err))
        end
      end
      pcall(c.close, c)
    end
  end)
end)
