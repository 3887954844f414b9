-- A call's deadline counts from its first attempt, not from when it was queued (issue 14 §2):
-- time spent waiting for a concurrency slot is not the call's.
-- Timing: one call holds the only slot until its 1.5 s deadline (its answer is held 60 s) while
-- the others wait in the queue; each of those needs milliseconds of its own, so a loaded
-- machine cannot make one miss its deadline, and a deadline counted from the queue would have
-- passed for every one of them when its turn came.
local helper = require "spec.helper"

local function is_error_timeout(err) helper.is_error(err, "timeout") end

describe("batch deadlines", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("queued calls do not expire while they wait for a slot", function()
    local c = helper.client(mock, { deadline = 1.5, timeout = 30, retries = 0 })
    local calls = {}
    for i = 1, 6 do
      mock:seed_job("app", { job_id = "j" .. i })
      calls[i] = { "get_job", "app", "j" .. i }
    end
    mock:script{ delay = 60 } -- the first request: held past its call's deadline
    local results, summary = c:batch(calls, { concurrency = 1 })
    is_error_timeout(results[1].err)
    for i = 2, 6 do
      assert.is_nil(results[i].err, tostring(results[i].err))
      assert.are.equal("j" .. i, results[i].result.job_id)
    end
    assert.are.same({ ok = 5, failed = 1 }, summary)
    c:close()
  end)

  it("opts.deadline bounds the whole batch: what is left ends as timeout", function()
    local c = helper.client(mock, { deadline = 30, timeout = 30, retries = 0 })
    local calls = {}
    for i = 1, 8 do
      mock:seed_job("app", { job_id = "d" .. i })
      calls[i] = { "get_job", "app", "d" .. i }
    end
    -- the first answered at once, every later one held 60 s: one done in the batch's 1.5 s
    mock:config{ delay_all = 60 }
    mock:script{ delay = 0 }
    local seen = 0
    local results, summary = c:batch(calls, { concurrency = 1, deadline = 1.5,
      progress = function() seen = seen + 1 end })
    assert.are.equal(8, seen)
    assert.are.same({ ok = 1, failed = 7 }, summary)
    assert.are.equal("d1", results[1].result.job_id)
    for i = 2, 8 do
      local r = results[i]
      assert.is_true(r.result == nil and r.err.kind == "timeout", tostring(r.err))
    end
    assert.has_error(function() c:batch(calls, { deadline = 0 }) end)
    c:close()
  end)

  it("start/poll: the same", function()
    local c = helper.client(mock, { deadline = 1.5, timeout = 30, retries = 0, concurrency = 1 })
    for i = 1, 6 do mock:seed_job("app", { job_id = "s" .. i }) end
    mock:script{ delay = 60 }
    local first
    for i = 1, 6 do
      local id = c:start("get_job", "app", "s" .. i)
      first = first or id
    end
    local n, t0 = 0, helper.gettime()
    while n < 6 and helper.gettime() - t0 < 20 do
      for id, job, err in c:poll(0.5) do
        if id == first then
          is_error_timeout(err)
        else
          assert.is_nil(err, tostring(err))
          assert.truthy(job.job_id)
        end
        n = n + 1
      end
    end
    assert.are.equal(6, n)
    c:close()
  end)
end)
