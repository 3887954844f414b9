-- close() from inside a batch (its progress callback, a finalizer while entries are built) ends
-- the batch: what is left is answered "cancelled", nothing more is sent, and every entry of the
-- results is a result or an error (never a hole); then the client is closed, all the way.
local helper = require "spec.helper"

describe("batch and close", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  local function new(opts) return helper.client_once(mock, opts) end

  local gets = helper.get_job_calls

  it("close() in progress stops the batch: the rest is cancelled, nothing more is sent", function()
    local c = new()
    local results, summary = c:batch(gets(50), { concurrency = 1, progress = function(done)
      if done == 1 then c:close() end
    end })
    assert.are.equal(50, #results)
    assert.are.equal(1, summary.ok + summary.failed - 49)
    helper.is_error(results[1].err, "api")
    for i = 2, 50 do
      local err = results[i].err
      helper.is_error(err, "cancelled")
      assert.truthy(tostring(err):find("the client was closed", 1, true), tostring(err))
    end
    assert.are.same({ ok = 0, failed = 50 }, summary)
    assert.are.equal(1, #mock:requests()) -- the one that ran before close(); nothing after
    assert.are.equal("rtc.client(closed)", tostring(c))
  end)

  it("with keep_results = false: progress sees every index once, the rest cancelled", function()
    local c = new()
    local seen, cancelled = {}, 0
    local results, summary = c:batch(gets(40), { concurrency = 2, keep_results = false,
      progress = function(done, _, index, _, err)
        assert.is_nil(seen[index])
        seen[index] = true
        if err.kind == "cancelled" then cancelled = cancelled + 1 end
        if done == 3 then c:close() end
      end })
    assert.is_nil(results)
    assert.are.equal(40, summary.failed)
    for i = 1, 40 do assert.is_true(seen[i]) end
    assert.is_true(cancelled >= 40 - 3 - 2, tostring(cancelled)) -- at most the running ones finish
    assert.are.equal("rtc.client(closed)", tostring(c))
  end)

  it("a malformed entry raises before any entry is built or answered: progress never runs", function()
    local c = new()
    -- entry 1 is invalid (a value), entry 2 a misuse (a Lua type): the types of every entry are
    -- checked before the first is built, so the batch raises with nothing answered or sent
    local ran = 0
    local ok, e = pcall(c.batch, c, { { "get_job", "app", "" }, { "get_job", "app", {} } },
      { progress = function() ran = ran + 1; c:close() end })
    assert.are.equal(0, ran)
    assert.is_false(ok)
    assert.truthy(tostring(e):find("calls[2]: job_id: expected a string, got table", 1, true), tostring(e))
    assert.are.equal(0, c:pending())
    c:close()
  end)

  it("progress that closes on an invalid entry: the entries not yet built end as cancelled", function()
    local c = new()
    local kinds, n0 = {}, #mock:requests()
    local calls = { { "get_job", "app", "" } }
    for i = 2, 50 do calls[i] = { "get_job", "app", "j" .. i } end
    local results, summary = c:batch(calls, { concurrency = 2,
      progress = function(_, _, index, _, err) kinds[index] = err and err.kind; c:close() end })
    assert.are.equal(50, #results)
    assert.are.equal("invalid", kinds[1])
    for i = 2, 50 do assert.are.equal("cancelled", kinds[i], "entry " .. i) end
    assert.are.equal(0, results[50].err.attempts)
    assert.are.same({ ok = 0, failed = 50 }, summary)
    assert.are.equal(n0, #mock:requests()) -- entry 1 was answered before any other was built
    assert.are.equal("rtc.client(closed)", tostring(c))
  end)

  it("opts are read raw: a metamethod on opts never runs", function()
    local c = new()
    local ran = false
    local opts = setmetatable({}, { __index = function() ran = true; c:close() end })
    local results, summary = c:batch(gets(3), opts)
    assert.is_false(ran)
    assert.are.same({ ok = 0, failed = 3 }, summary)
    assert.are.equal(3, #results)
    c:close()
  end)

  it("a finalizer that closes the client during a 2000-entry batch: no hole, nothing lost", function()
    for _ = 1, 3 do
      local c = new()
      local go, mt = false, {}
      mt.__gc = function() if go then pcall(c.close, c) else setmetatable({}, mt) end end
      setmetatable({}, mt)
      local calls = {}
      for i = 1, 2000 do calls[i] = { "get_job", "app", "j" .. i } end
      go = true
      local ok, results, summary = pcall(c.batch, c, calls, { concurrency = 16 })
      go = false
      assert.is_true(ok, tostring(results)) -- never raises: the close waits for the batch
      assert.are.equal(2000, #results)
      assert.are.equal(2000, summary.ok + summary.failed)
      for i = 1, 2000 do
        local r = results[i]
        assert.is_table(r, "entry " .. i)
        if r.err then
          local k = r.err.kind
          assert.truthy(k == "api" or k == "invalid" or k == "cancelled", tostring(r.err))
        else
          assert.is_not_nil(r.result)
        end
      end
      c:close()
      assert.are.equal("rtc.client(closed)", tostring(c))
    end
  end)
end)
