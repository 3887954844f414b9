-- spec/client/retries_spec.lua — retries: backoff, Retry-After, what is retried and what is not.
-- Deadlines, several endpoints, header injection: reliability_spec.lua.
local helper = require "spec.helper"
local rtc = require "rtc"
local sparkrtc = require "sparkrtc"
local R = require "spec.support.reliability"

local timed, is_error = helper.timed, helper.is_error
local closed_port = helper.free_port -- a loopback port nothing listens on
local APP, CREATE, UPDATE, assert_near = R.APP, R.CREATE, R.UPDATE, R.assert_near

describe("reliability", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)
  local S = R.on(function() return mock end)
  local requests_since, count, new_job, get_scripted = S.requests_since, S.count, S.new_job, S.get_scripted

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
      local got, err, _, reqs, job = get_scripted({ timeout = 0.3, backoff_base = 0.01, backoff_max = 0.02 },
        { stall_before_headers = 3 })
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
        mock:script{ stall_before_headers = 2 }
        local got, err = c:create_job(APP, CREATE)
        assert.is_nil(got)
        is_error(err, "timeout")
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #mock:requests())
        c:close()
      end)

      it("is not retried after a timeout once the request was sent (reused connection)", function()
        local c = helper.client(mock, { timeout = 0.3, backoff_base = 0.01, backoff_max = 0.02 })
        new_job(c) -- the connection is now open and kept alive
        local n = count()
        mock:script{ stall_before_headers = 2 }
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
      it("is full jitter: delays spread between 0 and backoff_base", function()
        local c = helper.client(mock, { backoff_base = 0.3, backoff_max = 0.3 })
        local job = new_job(c)
        local times = {}
        for i = 1, 10 do
          mock:script{ status = 503 }
          local elapsed, got, err = timed(c.get_job, c, APP, job.job_id)
          assert.is_nil(err)
          assert.is_table(got)
          times[i] = elapsed
        end
        table.sort(times)
        assert.is_true(times[#times] <= 0.3 + 0.15, "a delay beyond backoff_base: " .. times[#times])
        -- with full jitter a draw below 0.15 s in 10 tries fails with probability 2^-10
        assert.is_true(times[1] < 0.15, "no short delay among 10: min " .. times[1])
        assert.is_true(times[#times] - times[1] > 0.03, "delays do not vary: " .. times[1] .. ".." .. times[#times])
        c:close()
      end)

      it("grows exponentially but stays within backoff_base * (1 + 2 + 4)", function()
        local got, err, elapsed = get_scripted({ retries = 3, backoff_base = 0.1, backoff_max = 5 },
          { status = 503, times = 3 })
        assert.is_nil(err)
        assert.is_table(got)
        assert.is_true(elapsed <= 0.7 + 0.2, string.format("%.3f s", elapsed))
      end)

      it("grows: later delays go beyond backoff_base (exponential, not constant)", function()
        -- 7 retries with base 0.01: caps 0.01, 0.02, ..., 0.64 (sum 1.27); a constant backoff
        -- would total at most 0.07 s. Full jitter totals below 0.2 s in ~10% of runs: the
        -- largest of 4 runs stays below with probability ~1e-4.
        local c = helper.client(mock, { retries = 7, backoff_base = 0.01, backoff_max = 5 })
        local job = new_job(c)
        local longest = 0
        for _ = 1, 4 do
          mock:script{ status = 503, times = 7 }
          local elapsed, got, err = timed(c.get_job, c, APP, job.job_id)
          assert.is_nil(err)
          assert.is_table(got)
          assert.is_true(elapsed <= 1.27 + 0.3, string.format("%.3f s: beyond the caps", elapsed))
          if elapsed > longest then longest = elapsed end
        end
        assert.is_true(longest > 0.2, string.format("longest %.3f s: the backoff does not grow", longest))
        c:close()
      end)

      it("is capped by backoff_max", function()
        -- sanity: backoff_max below backoff_base is refused
        local ok, e = pcall(rtc.new, { endpoint = mock.url, token = "t", backoff_base = 1, backoff_max = 0.5 })
        assert.is_false(ok)
        is_error(e, "invalid")
        local got, err, elapsed = get_scripted({ retries = 4, backoff_base = 0.05, backoff_max = 0.05 },
          { status = 503, times = 4 })
        assert.is_nil(err)
        assert.is_table(got)
        -- without the cap: up to 0.05 * (1 + 2 + 4 + 8) = 0.75 s
        assert.is_true(elapsed <= 4 * 0.05 + 0.2, string.format("%.3f s", elapsed))
      end)
    end)

    describe("Retry-After", function()
      it("seconds: a 503 with Retry-After: 1 waits about 1 s before the retry", function()
        local got, err, elapsed, reqs, job = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = "1" } })
        assert.is_nil(err)
        assert.are.equal(job.job_id, got.job_id)
        assert.are.equal(2, #reqs)
        assert_near(1, elapsed, "Retry-After: 1")
      end)

      it("seconds on a 429 too", function()
        local got, err, elapsed = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
          { status = 429, headers = { ["retry-after"] = "1" } })
        assert.is_nil(err)
        assert.is_table(got)
        assert_near(1, elapsed, "Retry-After: 1 on 429")
      end)

      it("is honoured beyond backoff_max (only the deadline caps it)", function()
        local got, err, elapsed = get_scripted({ backoff_base = 0.01, backoff_max = 0.05 },
          { status = 503, headers = { ["Retry-After"] = "1" } })
        assert.is_nil(err)
        assert.is_table(got)
        assert_near(1, elapsed, "Retry-After: 1 with backoff_max 0.05")
      end)

      it("an HTTP date is honoured", function()
        local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
        local job = new_job(c)
        local when = os.date("!%a, %d %b %Y %H:%M:%S GMT", os.time() + 2)
        mock:script{ status = 503, headers = { ["Retry-After"] = when } }
        local n = count()
        local elapsed, got, err = timed(c.get_job, c, APP, job.job_id)
        assert.is_nil(err)
        assert.is_table(got)
        assert.are.equal(2, #requests_since(n))
        -- the date has a resolution of one second: 1 to 2 s from now
        assert.is_true(elapsed >= 0.95 and elapsed <= 2 * 1.1 + 0.2, string.format("%.3f s", elapsed))
        c:close()
      end)

      it("beyond the deadline: gives up at once with the 503", function()
        local got, err, elapsed, reqs = get_scripted({ deadline = 1, backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = "10" },
            body = { error_code = "RTC.00002000", error_msg = "come back later" } })
        assert.is_nil(got)
        is_error(err, "api")
        assert.are.equal(503, err.status)
        assert.are.equal("RTC.00002000", err.code)
        assert.are.equal(1, err.attempts)
        assert.are.equal(1, #reqs)
        assert.is_true(elapsed < 0.5, string.format("waited %.3f s for nothing", elapsed))
      end)

      it("an HTTP date beyond the deadline: gives up at once", function()
        local when = os.date("!%a, %d %b %Y %H:%M:%S GMT", os.time() + 30)
        local got, err, elapsed = get_scripted({ deadline = 1, backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = when } })
        assert.is_nil(got)
        is_error(err, "api")
        assert.are.equal(503, err.status)
        assert.is_true(elapsed < 0.5, string.format("waited %.3f s for nothing", elapsed))
      end)

      it("a garbage Retry-After falls back to the backoff", function()
        local got, err, elapsed = get_scripted({ backoff_base = 0.01, backoff_max = 0.02 },
          { status = 503, headers = { ["Retry-After"] = "soon-ish" } })
        assert.is_nil(err)
        assert.is_table(got)
        assert.is_true(elapsed < 0.5, string.format("%.3f s", elapsed))
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
