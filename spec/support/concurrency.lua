-- spec/support/concurrency.lua — for the specs of calls in flight, spec/client/batch_spec.lua and
-- start_poll_spec.lua: their app, bodies and batch entries, and the helpers of their
-- describe("concurrency") (mock_of: the suite's mock, once started).
local helper = require "spec.helper"
local assert = require("busted").assert

local gettime = helper.gettime
local M = {}

M.APP = "app-conc"
M.CREATE = { room_id = "room1", user_id = "user1", record_param = { record_rule_id = "rule1" } }
M.UPDATE = { publish_param = { rtmp_urls = { "rtmp://live.example.com/app/stream" } } }
local APP = M.APP

-- n get_job calls over ids, in turn (n: #ids by default)
function M.get_calls(ids, n)
  local calls = {}
  for i = 1, n or #ids do calls[i] = { "get_job", APP, ids[(i - 1) % #ids + 1] } end
  return calls
end

function M.new_jobs(c, n)
  local ids = {}
  for i = 1, n do
    local job, err = c:create_job(APP, { room_id = "room" .. i, user_id = "user" .. i,
      record_param = { record_rule_id = "rule1" } })
    assert(job, tostring(err))
    ids[i] = job.job_id
  end
  return ids
end

-- collects every finished call: id -> { res, err }; waits at most `limit` seconds
function M.drain(c, want, limit)
  local got, n = {}, 0
  local t0 = gettime()
  while n < want and gettime() - t0 < (limit or 10) do
    for id, res, err in c:poll(0.5) do
      assert.is_nil(got[id], "id " .. tostring(id) .. " delivered twice")
      got[id] = { res = res, err = err }
      n = n + 1
    end
  end
  return got, n
end

-- before each test: clients a failed test left open collected, the mock reset and idle
function M.settle(mock_of)
  return function()
    local mock = mock_of()
    collectgarbage() -- clients a failed test left open
    collectgarbage()
    mock:reset()
    -- answers still held from an earlier test (a cancelled or closed call) would count in
    -- in_flight / max_in_flight: start from none
    local t0 = gettime()
    while mock:stats().in_flight > 0 and gettime() - t0 < 5 do helper.sleep(0.05) end
    mock:reset()
  end
end

-- eventually(pred, seconds): waits until the mock's stats satisfy pred (the mock notices closed
-- sockets on its own time); 10 s by default, a bound only a broken case reaches
function M.eventually_of(mock_of)
  return function(pred, seconds)
    local t0 = gettime()
    local st
    repeat
      st = mock_of():stats()
      if pred(st) then return true, st end
      helper.sleep(0.05)
    until gettime() - t0 > (seconds or 10)
    return false, st
  end
end

return M
