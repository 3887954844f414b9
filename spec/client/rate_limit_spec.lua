-- luacheck: max line length 160
-- spec/client/rate_limit_spec.lua — the client-side rate limit (`rate = N`, README "Reliability"): one
-- token bucket per client, shared by blocking calls, batch and start/poll; a 429 with
-- Retry-After holds the whole client. The mock counts requests per second and answers 429 past
-- its own limit. What is asserted is counts and lower bounds on time; the client's pace leaves
-- the gateway's limit a wide margin (a loaded machine can bunch arrivals a little, not by a
-- second), and a hold that must not happen is made to cost two minutes.
local helper = require "spec.helper"
local rtc = require "rtc"

local APP = "app-rate"

describe("policy:take and policy:hold (the bucket, pure: time is an argument)", function()
  it("off by default: every take is 0", function()
    local p = rtc.policy{}
    for i = 1, 100 do assert.are.equal(0, p:take(1000 + i * 1e-6)) end
  end)

  it("rate = 10: one attempt now, the next 0.1 s later, never a burst", function()
    local p = rtc.policy{ rate = 10 }
    assert.are.equal(0, p:take(100))
    assert.is_near(0.1, p:take(100), 1e-9)
    assert.is_near(0.05, p:take(100.05), 1e-9)
    assert.are.equal(0, p:take(100.1))
    -- a long pause does not buy a burst: one token at most
    assert.are.equal(0, p:take(200))
    assert.is_true(p:take(200) > 0)
    -- any one second of takes as fast as allowed: at most rate + 1
    local t, n = 300, 0
    while t < 301 do
      local wait = p:take(t)
      if wait == 0 then n = n + 1 else t = t + wait end
    end
    assert.is_true(n <= 11, n)
    assert.is_true(n >= 10, n)
  end)

  it("hold: nothing before the time, whatever the rate; a later hold wins", function()
    local p = rtc.policy{}
    p:hold(50)
    assert.are.equal(10, p:take(40))
    p:hold(45)
    assert.are.equal(10, p:take(40))
    assert.are.equal(0, p:take(50))
  end)

  it("client:policy() carries the client's rate", function()
    local c = rtc.new{ endpoint = "http://127.0.0.1:1", token = "t", rate = 4 }
    local p = c:policy()
    assert.are.equal(0, p:take(1))
    assert.is_near(0.25, p:take(1), 1e-9)
    c:close()
  end)

  it("rate is checked at rtc.new", function()
    for _, bad in ipairs{ -1, 1.5, "10", 1e9 } do
      local ok, err = pcall(rtc.new, { endpoint = "http://127.0.0.1:1", token = "t", rate = bad })
      assert.is_false(ok)
      assert.truthy(tostring(err):find("rate", 1, true), tostring(err))
    end
  end)
end)

describe("rate over HTTP", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  local function seed(n)
    local c = helper.client(mock)
    local ids = {}
    for i = 1, n do ids[i] = assert(c:create_job(APP, { room_id = "r" .. i, user_id = "u", record_param = { record_rule_id = "rule1" } })).job_id end
    c:close()
    return ids
  end

  it("a batch of 20 at concurrency 16 with rate = 5 against a gateway limiting at 15/s: no 429, at most 15 a second", function()
    -- jobs that do not exist: every answer is a 404 unless the gateway limits it (a 429). The
    -- client starts at most 6 in any second; 16 arrivals in one would need requests of two
    -- seconds bunched into one by a stall of a second
    mock:config{ rate = 15 }
    local c = helper.client(mock, { rate = 5, concurrency = 16, retries = 0 })
    local calls = {}
    for i = 1, 20 do calls[i] = { "get_job", APP, "job-" .. i } end
    local elapsed, results = helper.timed(c.batch, c, calls)
    local s = mock:stats()
    for i = 1, 20 do assert.are.equal(404, results[i].err.status, tostring(results[i].err)) end
    assert.are.equal(20, s.requests)
    assert.are.equal(0, s.limited)
    assert.is_true(s.max_window <= 15, "max_window " .. tostring(s.max_window))
    -- 20 at 5/s need at least 3.8 s (a lower bound)
    assert.is_true(elapsed >= 3.5, elapsed)
    c:close()
    mock:config{ rate = 0 }
  end)

  it("without rate a batch meets the gateway's 429s (the spec above can fail)", function()
    -- 60 at once: none limited only if they spread over 4 s
    mock:config{ rate = 15 }
    local c = helper.client(mock, { concurrency = 16, retries = 0 })
    local calls = {}
    for i = 1, 60 do calls[i] = { "get_job", APP, "job-" .. i } end
    local results = c:batch(calls)
    local limited = 0
    for i = 1, 60 do if results[i].err.status == 429 then limited = limited + 1 end end
    assert.is_true(limited > 0)
    assert.are.equal(limited, mock:stats().limited)
    c:close()
    mock:config{ rate = 0 }
  end)

  it("one bucket for blocking calls and start/poll of the same client", function()
    local c = helper.client(mock, { rate = 5, retries = 0 })
    local elapsed = helper.timed(function()
      local started = {}
      for i = 4, 6 do started[#started + 1] = c:start("get_job", APP, "job-" .. i) end
      for i = 1, 3 do
        local _, err = c:get_job(APP, "job-" .. i)
        assert.are.equal(404, err.status)
      end
      local left = #started
      while left > 0 do
        for _ in c:poll(1) do left = left - 1 end
      end
    end)
    -- 6 requests at 5/s: the 6th starts 1 s after the first at the earliest (a lower bound)
    assert.is_true(elapsed >= 0.9, elapsed)
    c:close()
  end)

  local THROTTLED = '{"error_code":"APIGW.0308","error_msg":"throttled"}'

  it("a 429 with Retry-After holds the whole client, not only the call that got it", function()
    local ids = seed(2)
    local c = helper.client(mock, { retries = 0 })
    mock:script{ status = 429, headers = { ["Retry-After"] = "2" }, body = THROTTLED }
    local t0 = helper.gettime()
    local _, err = c:get_job(APP, ids[1])
    helper.is_error(err, "api")
    assert.are.equal(429, err.status)
    assert.are.equal(2, err.retry_after) -- for whoever paces above the client (rtc.ngx)
    -- another call, right after: its attempt starts 2 s after the 429 came, so at least 2 s
    -- after t0 (a lower bound, counted from before the first call)
    local job = c:get_job(APP, ids[2])
    assert(job)
    local elapsed = helper.gettime() - t0
    assert.is_true(elapsed >= 1.95, elapsed)
    c:close()
  end)

  it("a 429 with Retry-After: 120 holds the client's next call (timeout() says so), not a new client", function()
    local ids = seed(2)
    local c = helper.client(mock, { retries = 0, deadline = 300 })
    mock:script{ status = 429, headers = { ["Retry-After"] = "120" }, body = THROTTLED }
    local _, err = c:get_job(APP, ids[1])
    assert.are.equal(429, err.status)
    local n = #mock:requests()
    local id = c:start("get_job", APP, ids[2])
    for done in c:poll(0.1) do error("call " .. tostring(done) .. " ended") end
    local t = c:timeout()
    assert.is_true(t > 60 and t <= 120, "timeout() " .. tostring(t)) -- counts down from 120 s
    assert.are.equal(n, #mock:requests(), "the held call was sent")
    -- a new client is not held: it would wait two minutes
    local c2 = helper.client(mock, { retries = 0 })
    local elapsed, job = helper.timed(c2.get_job, c2, APP, ids[2])
    assert(job)
    assert.is_true(elapsed < 10, elapsed)
    c2:close()
    assert.is_true(c:cancel(id))
    c:close()
  end)
end)

describe("batch: no registry reference left behind", function()
  local function registry_size()
    collectgarbage()
    collectgarbage()
    local n = 0
    for _ in pairs(debug.getregistry()) do n = n + 1 end
    return n
  end

  it("a batch raising on a malformed entry keeps no reference to progress", function()
    local c = rtc.new{ endpoint = "http://127.0.0.1:1", token = "t" }
    local function misuse(calls)
      local ok = pcall(c.batch, c, calls, { progress = function() end })
      assert.is_false(ok)
    end
    misuse{ { "get_job", "a", "j" }, { "get_job", {}, "j" } } -- warm up
    local before = registry_size()
    for _ = 1, 200 do
      misuse{ { "get_job", "a", "j" }, { "get_job", {}, "j" } }   -- misuse found while building
      misuse{ { "get_job", "a", "j" }, "not a table" }             -- found by the first check
      misuse{ { "no_such_operation" } }
    end
    assert.is_true(registry_size() - before < 5, "registry grew by " .. (registry_size() - before))
    -- the client still works: a batch of invalid calls answers at once
    local results = c:batch({ { "get_job", "", "j" } }, { progress = function() end })
    helper.is_error(results[1].err, "invalid")
    c:close()
  end)
end)
