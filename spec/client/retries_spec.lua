-- spec/client/retries_spec.lua — retries: backoff, Retry-After, what is retried and what is not.
-- Deadlines, several endpoints, header injection: reliability_spec.lua.
local helper = require "spec.helper"
local rtc = require "rtc"
local sparkrtc = require "sparkrtc"
local R = require "spec.support.reliability"

local timed, is_error = helper.timed, helper.is_error
local closed_port = helper.dead_port -- a loopback port connections to are refused
local APP, CREATE, UPDATE, retries_in = R.APP, R.CREATE, R.UPDATE, R.retries_in

-- no clock in these checks but lower bounds: what the client waits is read from the policy's
-- decisions (its debug lines, c:timeout()); a wait that must not happen is made to cost minutes

describe("reliability", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)
  local S = R.on(function() return mock end)
  local requests_since, count, new_job, get_scripted = S.requests_since, S.count, S.new_job, S.get_scripted
  local delay_client = S.delay_client

  -- the retries a blocking get_job of a new job made against script, from the debug lines of a
  -- delay_client(opts) -> got, err, elapsed, the retries ({attempt, endpoint, delay}), requests
  -- a new job (made by a client of its own) and a delay_client(opts) facing script
  local function job_and_client(opts, script)
    local maker = helper.client(mock)
    local job = new_job(maker)
    maker:close()
    local c, lines = delay_client(opts)
    mock:script(script)
    return job, c, lines
  end

  local function get_with_delays(opts, script)
    local job, c, lines = job_and_client(opts, script)
    local n = count()
    local elapsed, got, err = timed(c.get_job, c, APP, job.job_id)
    local reqs = requests_since(n)
    c:close()
    for _, r in ipairs(retries_in(lines)) do
      assert.are.equal(1, r.endpoint, "a retry left the endpoint that answered")
    end
    return got, err, elapsed, retries_in(lines), reqs
  end

  -- start get_job of a new job against script on a delay_client(opts), drive it until its first
  -- retry is decided (no clock: until the debug line says so), then -> c, the call's id, that retry
  local function until_retry_decided(opts, script)
    local job, c, lines = job_and_client(opts, script)
    local id = c:start("get_job", APP, job.job_id)
    local t0 = helper.gettime()
    while #retries_in(lines) == 0 and c:pending() > 0 and helper.gettime() - t0 < 20 do
      for _ in c:poll(0.05) do end
    end
    local decided = retries_in(lines)[1]
    assert.is_table(decided, "no retry decided: " .. table.concat(lines, "\n"))
    return c, id, decided
  end

  -------------------------------------------------------------------------------------------
  describe("retries", function()
    for _, status in ipairs{ 429, 500, 502, 503, 504 } do
      it("retries HTTP " .. status .. " and then succeeds", function()
        local got, err, _, reqs, job = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
          { status = status, body = { error_code = "RTC.00002000", error_msg = "busy" } })
        assert.is_nil(err)
        assert.are.equal(job.job_id, got.job_id)
        assert.are.equal(2, #reqs)
        assert.are.equal("GET", reqs[1].method)
        assert.are.equal("GET", reqs[2].method)
      end)
    end

    for _, status in ipairs{ 400, 401, 403, 404, 409 } do
      it("does not retry HTTP " .. status, function()
        local got, err, _, reqs = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
          { status = status, body = { error_code = "RTC.00001003", error_msg = "nope" }, times = 3 })
        assert.is_nil(got)
        is_error(err, "api")
        assert.are.equal(status, err.status)
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #reqs)
      end)
    end

    it("gives up after 1 + retries attempts with the last error and err.attempts", function()
      local got, err, _, reqs = get_scripted({ retries = 2, backoff_base = 0.01, backoff_max = 0.02 },
        { status = 503, body = { error_code = "RTC.00002001", error_msg = "busy" }, times = 10 })
      assert.is_nil(got)
      is_error(err, "api")
      assert.are.equal(503, err.status)
      assert.are.equal("RTC.00002001", err.code)
      assert.are.equal(3, err.attempts)
      assert.are.equal(3, #reqs)
      assert.truthy(tostring(err):find("3 attempts", 1, true), tostring(err))
    end)

    it("retries = 0 makes exactly one attempt", function()
      local got, err, _, reqs = get_scripted({ retries = 0 }, { status = 503, times = 5 })
      assert.is_nil(got)
      is_error(err, "api")
      assert.are.equal(1, err.attempts)
      assert.are.equal(1, #reqs)
    end)

    it("retries = 5 makes six attempts", function()
      local _, err, _, reqs = get_scripted({ retries = 5, backoff_base = 0.001, backoff_max = 0.01 },
        { status = 500, times = 10 })
      is_error(err, "api")
      assert.are.equal(6, err.attempts)
      assert.are.equal(6, #reqs)
    end)

    it("retries a timeout (GET) and then succeeds", function()
      -- 1 s per attempt: the retry's ordinary answer comes well within it on a loaded machine
      local got, err, _, reqs, job = get_scripted({ timeout = 1, backoff_base = 0.01, backoff_max = 0.02 },
        { stall_before_headers = 60 })
      assert.is_nil(err)
      assert.are.equal(job.job_id, got.job_id)
      assert.are.equal(2, #reqs)
    end)

    it("retries a connection closed without an answer (GET)", function()
      local got, err, _, reqs, job = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
        { close_before_response = true })
      assert.is_nil(err)
      assert.are.equal(job.job_id, got.job_id)
      assert.are.equal(2, #reqs)
    end)

    it("retries a connection reset in the middle of a body (GET)", function()
      local got, err, _, reqs, job = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
        { reset_mid_body = true })
      assert.is_nil(err)
      assert.are.equal(job.job_id, got.job_id)
      assert.are.equal(2, #reqs)
    end)

    it("retries connection refused: 1 + retries attempts, kind transport", function()
      local port = closed_port()
      local c = rtc.new{ endpoint = "http://127.0.0.1:" .. port, token = "t", retries = 2,
        backoff_base = 0.01, backoff_max = 0.02 }
      local got, err = c:get_job(APP, "j1")
      assert.is_nil(got)
      is_error(err, "transport")
      assert.are.equal(3, err.attempts)
      assert.truthy(tostring(err):find("3 attempts", 1, true), tostring(err))
      c:close()
    end)

    it("retries PUT (update_job)", function()
      local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
      local job = new_job(c)
      mock:script{ status = 502 }
      local n = count()
      local got, err = c:update_job(APP, job.job_id, UPDATE)
      assert.is_nil(err)
      assert.are.equal("rule2", got.record_param.record_rule_id)
      local reqs = requests_since(n)
      assert.are.equal(2, #reqs)
      assert.are.equal("PUT", reqs[1].method)
      assert.are.equal("PUT", reqs[2].method)
      assert.are.equal(reqs[1].body, reqs[2].body)
      c:close()
    end)

    it("retries DELETE (stop_job)", function()
      local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
      local job = new_job(c)
      mock:script{ status = 504 }
      local n = count()
      local res, err = c:stop_job(APP, job.job_id)
      assert.is_nil(err)
      assert.is_table(res)
      assert.is_string(res.request_id)
      local reqs = requests_since(n)
      assert.are.equal(2, #reqs)
      assert.are.equal("DELETE", reqs[2].method)
      c:close()
    end)

    describe("POST (create_job)", function()
      it("is not retried after a 503", function()
        local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
        mock:script{ status = 503, body = { error_code = "RTC.00002000", error_msg = "busy" }, times = 3 }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "api")
        assert.are.equal(503, err.status)
        assert.are.equal(1, err.attempts)
        local reqs = mock:requests()
        assert.are.equal(1, #reqs)
        assert.are.equal("POST", reqs[1].method)
        c:close()
      end)

      it("is not retried after a 429", function()
        local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
        mock:script{ status = 429, times = 3 }
        local _, err = c:create_job(APP, CREATE)
        is_error(err, "api")
        assert.are.equal(429, err.status)
        assert.are.equal(1, #mock:requests())
        c:close()
      end)

      it("is not retried after a reset in the middle of the answer (the job may exist)", function()
        local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
        mock:script{ reset_mid_body = true }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "transport")
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #mock:requests())
        local n = 0
        for _ in pairs(mock:jobs()[APP] or {}) do n = n + 1 end
        assert.are.equal(1, n, "the server did create the job: a retry would have made a second")
        c:close()
      end)

      it("is not retried after a connection closed without an answer", function()
        local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
        mock:script{ close_before_response = true }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "transport")
        assert.are.equal(1, #mock:requests())
        c:close()
      end)

      it("is not retried after a timeout once the request was sent (fresh connection)", function()
        local c = helper.client(mock, { timeout = 0.3, backoff_base = 0.01, backoff_max = 0.02 })
        mock:script{ stall_before_headers = 60 }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "timeout")
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #mock:requests())
        c:close()
      end)

      it("is not retried after a timeout once the request was sent (reused connection)", function()
        -- 1 s per attempt: new_job's ordinary answer comes well within it on a loaded machine
        local c = helper.client(mock, { timeout = 1, backoff_base = 0.01, backoff_max = 0.02 })
        new_job(c) -- the connection is now open and kept alive
        local n = count()
        mock:script{ stall_before_headers = 60 }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "timeout")
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #requests_since(n))
        c:close()
      end)

      it("is retried when the connection was refused (next endpoint)", function()
        local c = rtc.new{ endpoint = { "http://127.0.0.1:" .. closed_port(), mock.url }, token = mock.token,
          backoff_base = 0.01, backoff_max = 0.02 }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(err)
        assert.is_string(got.job_id)
        local reqs = mock:requests()
        assert.are.equal(1, #reqs)
        assert.are.equal("POST", reqs[1].method)
        c:close()
      end)

      it("is retried when the connection was refused (single endpoint): attempts counted", function()
        local c = rtc.new{ endpoint = "http://127.0.0.1:" .. closed_port(), token = "t",
          retries = 2, backoff_base = 0.01, backoff_max = 0.02 }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "transport")
        assert.are.equal(3, err.attempts)
        c:close()
      end)
    end)

    describe("backoff", function()
      it("is full jitter: each delay drawn between 0 and the cap, spread over it", function()
        -- 60 decisions at once: every attempt of 60 started calls answered 503, each retry
        -- decided (and seen in the debug lines), none waited for: the calls are cancelled. With
        -- base = max = 30 s every cap is 30 s; a draw from [0, 1) puts no 60 of them all above
        -- 10 s or all below 20 s but with probability 2 * (2/3)^60 (5e-11)
        local c, lines = delay_client{ retries = 10, backoff_base = 30, backoff_max = 30, concurrency = 60,
                                       deadline = 300 }
        local job = new_job(c)
        mock:script{ status = 503, times = 1000 }
        local ids = {}
        for i = 1, 60 do ids[i] = c:start("get_job", APP, job.job_id) end
        local t0 = helper.gettime()
        while #retries_in(lines) < 60 and helper.gettime() - t0 < 20 do
          for id, _, err in c:poll(0.05) do error("call " .. id .. " ended: " .. tostring(err)) end
        end
        local retries = retries_in(lines) -- 60, or a few more: a retry may have gone out and met a 503
        assert.is_true(#retries >= 60, "retries decided: " .. #retries)
        local lo, hi = math.huge, -math.huge
        for _, r in ipairs(retries) do
          assert.are.equal(1, r.endpoint)
          assert.is_true(r.delay >= 0 and r.delay <= 30, "a delay beyond the cap: " .. r.delay)
          lo, hi = math.min(lo, r.delay), math.max(hi, r.delay)
        end
        assert.is_true(lo < 10, "no delay below 10 s among 60: min " .. lo)
        assert.is_true(hi > 20, "no delay above 20 s among 60: max " .. hi)
        for _, id in ipairs(ids) do c:cancel(id) end
        c:close()
      end)

      it("grows exponentially: retry k waits at most backoff_base * 2^(k-1), later ones past backoff_base", function()
        -- 7 retries with base 0.01 s: caps 0.01, 0.02, ..., 0.64 s. A constant backoff (every
        -- cap 0.01 s) keeps all 7 within 0.01 s; with the growing caps that has probability
        -- 1/2 * 1/4 * ... * 1/64 = 2^-21
        local got, err, elapsed, retries = get_with_delays({ retries = 7, backoff_base = 0.01, backoff_max = 5 },
          { status = 503, times = 7 })
        assert.is_nil(err)
        assert.is_table(got)
        assert.are.equal(7, #retries)
        local total, beyond = 0, false
        for k, r in ipairs(retries) do
          assert.are.equal(k + 1, r.attempt)
          local cap = 0.01 * 2 ^ (k - 1)
          assert.is_true(r.delay <= cap + 0.0005, string.format("retry %d: %.3f s, cap %.3f s", k, r.delay, cap))
          if r.delay > 0.01 + 0.0005 then beyond = true end
          total = total + r.delay
        end
        assert.is_true(beyond, "no delay beyond backoff_base: the backoff does not grow")
        -- and the client waited them (a lower bound; each delay is printed to the millisecond)
        assert.is_true(elapsed >= total - 0.01, string.format("%.3f s for delays of %.3f s", elapsed, total))
      end)

      it("is capped by backoff_max", function()
        -- sanity: backoff_max below backoff_base is refused
        local ok, e = pcall(rtc.new, { endpoint = mock.url, token = "t", backoff_base = 1, backoff_max = 0.5 })
        assert.is_false(ok)
        is_error(e, "invalid")
        -- 8 retries, base = max = 0.01 s: without the cap retry k could wait 0.01 * 2^(k-1) s,
        -- and all 8 would stay within 0.01 s with probability 2^-28
        local got, err, _, retries = get_with_delays({ retries = 8, backoff_base = 0.01, backoff_max = 0.01 },
          { status = 503, times = 8 })
        assert.is_nil(err)
        assert.is_table(got)
        assert.are.equal(8, #retries)
        for k, r in ipairs(retries) do
          assert.is_true(r.delay <= 0.01 + 0.0005, string.format("retry %d waits %.3f s, past backoff_max", k, r.delay))
        end
      end)
    end)

    describe("Retry-After", function()
      -- each: the delay the policy decided (a debug line), and the wait itself as a lower bound
      for _, case in ipairs{
        { "seconds: a 503 with Retry-After: 1 waits 1 s before the retry", 503, "Retry-After", 0.02 },
        { "seconds on a 429 too", 429, "retry-after", 0.02 },
        { "is honoured beyond backoff_max (only the deadline caps it)", 503, "Retry-After", 0.05 },
      } do
        it(case[1], function()
          local got, err, elapsed, retries, reqs = get_with_delays({ backoff_base = 0.01, backoff_max = case[4] },
            { status = case[2], headers = { [case[3]] = "1" } })
          assert.is_nil(err)
          assert.is_table(got)
          assert.are.equal(2, #reqs)
          assert.are.equal(1, #retries)
          assert.are.equal(1, retries[1].delay)
          assert.is_true(elapsed >= 0.95, string.format("%.3f s: the retry did not wait for Retry-After", elapsed))
        end)
      end

      it("seconds: the retry is scheduled that far ahead (Retry-After: 120 -> c:timeout() above 60 s)", function()
        local c, id, decided = until_retry_decided({ backoff_base = 0.01, backoff_max = 0.02, deadline = 300 },
          { status = 503, headers = { ["Retry-After"] = "120" } })
        assert.are.equal(120, decided.delay)
        -- timeout() counts down from 120 s: a loaded machine does not take 60 of them
        local t = c:timeout()
        assert.is_true(t > 60 and t <= 120, "timeout() " .. tostring(t))
        assert.are.equal(1, #mock:api_requests() - 1, "one attempt so far (after new_job's create)")
        assert.is_true(c:cancel(id))
        c:close()
      end)

      it("an HTTP date is honoured", function()
        -- a date 120 s ahead (1 s resolution): the retry is decided 119 to 120 s ahead, less
        -- the seconds between os.time() here and the answer (a loaded machine: a few at most)
        local when = os.date("!%a, %d %b %Y %H:%M:%S GMT", os.time() + 120)
        local c, id, decided = until_retry_decided({ backoff_base = 0.01, backoff_max = 0.02, deadline = 300 },
          { status = 503, headers = { ["Retry-After"] = when } })
        assert.is_true(decided.delay > 60 and decided.delay <= 120, "decided " .. decided.delay .. " s")
        local t = c:timeout()
        assert.is_true(t > 50 and t <= 120, "timeout() " .. tostring(t))
        assert.is_true(c:cancel(id))
        c:close()
      end)

      it("beyond the deadline: gives up at once with the 503", function()
        -- waiting would cost 30 s (until the deadline) or 120 s (Retry-After): far above 10 s
        local got, err, elapsed, reqs = get_scripted({ deadline = 30, backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = "120" },
            body = { error_code = "RTC.00002000", error_msg = "come back later" } })
        assert.is_nil(got)
        is_error(err, "api")
        assert.are.equal(503, err.status)
        assert.are.equal("RTC.00002000", err.code)
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #reqs)
        assert.is_true(elapsed < 10, string.format("waited %.3f s for nothing", elapsed))
      end)

      it("an HTTP date beyond the deadline: gives up at once", function()
        local when = os.date("!%a, %d %b %Y %H:%M:%S GMT", os.time() + 300)
        local got, err, elapsed = get_scripted({ deadline = 30, backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = when } })
        assert.is_nil(got)
        is_error(err, "api")
        assert.are.equal(503, err.status)
        assert.are.equal(1, err.attempts)
        assert.is_true(elapsed < 10, string.format("waited %.3f s for nothing", elapsed))
      end)

      it("a garbage Retry-After falls back to the backoff", function()
        local got, err, _, retries = get_with_delays({ backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = "soon-ish" } })
        assert.is_nil(err)
        assert.is_table(got)
        assert.are.equal(1, #retries)
        assert.is_true(retries[1].delay <= 0.02 + 0.0005, "waited " .. retries[1].delay .. " s, past the backoff")
      end)
    end)

    it("signs every attempt afresh (AK/SK): each logged attempt verifies, dates differ", function()
      local c = helper.aksk_client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
      local job = new_job(c)
      mock:script{ status = 503, headers = { ["Retry-After"] = "1" } }
      local n = count()
      local got, err = c:update_job(APP, job.job_id, UPDATE)
      assert.is_nil(err)
      assert.is_table(got)
      local reqs = requests_since(n)
      assert.are.equal(2, #reqs)
      for i, r in ipairs(reqs) do
        assert.is_string(r.headers["x-sdk-date"], "attempt " .. i)
        assert.is_string(r.headers["authorization"], "attempt " .. i)
        local ok, why = sparkrtc.verify_signature(r, mock.aksk)
        assert(ok, "attempt " .. i .. ": " .. tostring(why))
      end
      assert.are_not.equal(reqs[1].headers["x-sdk-date"], reqs[2].headers["x-sdk-date"])
      assert.are_not.equal(reqs[1].headers["authorization"], reqs[2].headers["authorization"])
      c:close()
    end)
  end)
end)
