-- A call's deadline counts from its first attempt, not from when it was queued (issue 14 §2):
-- time spent waiting for a concurrency slot is not the call's.
local helper = require "spec.helper"

describe("batch deadlines", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("queued calls do not expire while they wait for a slot", function()
    local c = helper.client(mock, { deadline = 1, timeout = 1, retries = 0 })
    local calls = {}
    for i = 1, 12 do
      mock:seed_job("app", { job_id = "j" .. i })
      calls[i] = { "get_job", "app", "j" .. i }
    end
    mock:config{ delay_all = 0.25 }
    -- 12 calls, 2 at a time, 0.25 s each: the last start about 1.25 s after the batch began,
    -- past a 1 s deadline counted from the queue; each needs only 0.25 s of its own
    local results, summary = c:batch(calls, { concurrency = 2 })
    for i = 1, 12 do
      assert.is_nil(results[i].err, tostring(results[i].err))
      assert.are.equal("j" .. i, results[i].result.job_id)
    end
    assert.are.same({ ok = 12, failed = 0 }, summary)
    c:close()
  end)

  it("opts.deadline bounds the whole batch: what is left ends as timeout", function()
    local c = helper.client(mock, { deadline = 30, timeout = 30, retries = 0 })
    local calls = {}
    for i = 1, 8 do
      mock:seed_job("app", { job_id = "d" .. i })
      calls[i] = { "get_job", "app", "d" .. i }
    end
    mock:config{ delay_all = 0.5 }
    local seen = 0
    local results, summary = c:batch(calls, { concurrency = 1, deadline = 1.2,
      progress = function() seen = seen + 1 end })
    assert.are.equal(8, seen)
    assert.are.equal(8, summary.ok + summary.failed)
    assert.is_true(summary.failed >= 5, "failed " .. summary.failed)
    assert.is_true(summary.ok >= 1, "ok " .. summary.ok)
    for i = 1, 8 do
      local r = results[i]
      assert.is_true(r.result ~= nil or r.err.kind == "timeout", tostring(r.err))
    end
    assert.has_error(function() c:batch(calls, { deadline = 0 }) end)
    c:close()
  end)

  it("start/poll: the same", function()
    local c = helper.client(mock, { deadline = 1, timeout = 1, retries = 0, concurrency = 1 })
    for i = 1, 6 do mock:seed_job("app", { job_id = "s" .. i }) end
    mock:config{ delay_all = 0.25 }
    for i = 1, 6 do c:start("get_job", "app", "s" .. i) end
    local n = 0
    for _ = 1, 100 do
      for _, job, err in c:poll(0.5) do
        assert.is_nil(err, tostring(err))
        assert.truthy(job.job_id)
        n = n + 1
      end
      if n == 6 then break end
    end
    assert.are.equal(6, n)
    c:close()
  end)
end)
