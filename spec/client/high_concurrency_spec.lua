-- Many calls at once through the engine's wide paths: more than 32 sockets (epoll instead of
-- poll()) and more than 64 running transfers (several multi handles). Counts only, no timing
-- (the mock gathers the requests before it answers, so the counts need no race against a delay).
local helper = require "spec.helper"

describe("high concurrency", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("a batch of 300 calls at concurrency 150 answers every call, in order", function()
    local c = helper.client(mock, { retries = 0, concurrency = 150, deadline = 120, timeout = 60 })
    local ids = {}
    for i = 1, 300 do
      ids[i] = "hc" .. i
      mock:seed_job("app-hc", { job_id = ids[i], room_id = "r", user_id = "u" .. i, state = "RUNNING" })
    end
    -- no answer before 65 are held at once (gather: however slowly a loaded machine sends them),
    -- then each 0.05 s, so many transfers overlap
    mock:config{ gather = 65, delay_all = 0.05 }
    local calls = {}
    for i = 1, 300 do calls[i] = { "get_job", "app-hc", ids[i] } end
    local results, summary = c:batch(calls)
    mock:config{ delay_all = 0 }
    assert.are.equal(300, summary.ok, tostring(summary.failed))
    for i = 1, 300 do
      assert.is_nil(results[i].err, i)
      assert.are.equal(ids[i], results[i].result.job_id)
    end
    assert.is_true(mock:stats().max_in_flight > 64, "expected more than 64 requests held at once")
    c:close()
  end)

  it("start/poll with 120 calls outstanding, fds() over all of them, cancel half", function()
    local c = helper.client(mock, { retries = 0, concurrency = 120, deadline = 120, timeout = 60 })
    mock:seed_job("app-hc", { job_id = "one", room_id = "r", user_id = "u", state = "RUNNING" })
    -- no answer before 33 are held at once, then 0.5 s: the calls are up (more than 32 sockets)
    -- and still running when half are cancelled, however slowly they were sent
    mock:config{ gather = 33, delay_all = 0.5 }
    local ids = {}
    for i = 1, 120 do ids[i] = c:start("get_job", "app-hc", "one") end
    local seen, most = 0, 0
    for _ = 1, 200 do -- until the sockets are all up: the count of fds, not a time
      for _ in c:poll(0.01) do seen = seen + 1 end
      local r, w = c:fds()
      most = math.max(most, #r + #w)
      if most > 32 then break end
    end
    assert.is_true(most > 32, "expected more than 32 sockets at once, saw " .. most)
    for i = 1, 120, 2 do c:cancel(ids[i]) end
    local ok, cancelled = 0, 0
    while c:pending() > 0 do
      for _, job, err in c:poll(1) do
        if job then ok = ok + 1 elseif err.kind == "cancelled" then cancelled = cancelled + 1 end
      end
    end
    mock:config{ delay_all = 0 }
    assert.are.equal(120, ok + cancelled + seen)
    assert.is_true(cancelled >= 1)
    c:close()
  end)
end)
