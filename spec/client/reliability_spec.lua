-- spec/client/reliability_spec.lua — deadlines, several endpoints, header injection through client
-- options. Retries (backoff, Retry-After, what is retried and what is not): retries_spec.lua.
local helper = require "spec.helper"
local rtc = require "rtc"
local socket = require "socket"
local sparkrtc = require "sparkrtc"
local R = require "spec.support.reliability"

local timed, is_error = helper.timed, helper.is_error
local closed_port = helper.dead_port -- a loopback port connections to are refused
local APP, CREATE, assert_cut_off = R.APP, R.CREATE, R.assert_cut_off

-- Timing: lower bounds (a timeout cannot fire early), and upper bounds 10 s or more below what
-- the scripted misbehaviour costs without the bound (stalls of 60 s, backoffs of 30 s): a loaded
-- machine adds tenths of a second, never tens.

describe("reliability", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)
  local S = R.on(function() return mock end)
  local new_job, get_scripted, debug_client, attempts_in = S.new_job, S.get_scripted, S.debug_client, S.attempts_in

  -------------------------------------------------------------------------------------------
  describe("deadlines", function()
    it("a server that accepts and stalls before the headers: timeout after opts.timeout", function()
      local res, err, elapsed, reqs = get_scripted({ timeout = 0.5, retries = 0 }, { stall_before_headers = 60 })
      assert.is_nil(res)
      is_error(err, "timeout")
      assert.are.equal(1, err.attempts)
      assert_cut_off(0.5, elapsed, "per-attempt timeout")
      assert.are.equal(1, #reqs)
    end)

    it("a listener that never accepts (the kernel completes the connection): timeout, not a hang", function()
      local srv = assert(socket.bind("127.0.0.1", 0))
      local _, port = srv:getsockname()
      local c = rtc.new{ endpoint = "http://127.0.0.1:" .. port, token = "t", timeout = 0.4, retries = 0 }
      local elapsed, res, err = timed(c.get_job, c, APP, "j1")
      assert.is_nil(res)
      is_error(err, "timeout")
      assert_cut_off(0.4, elapsed, "per-attempt timeout (never accepted)")
      -- a POST that went out to such a listener is not sent again
      c:close()
      c = rtc.new{ endpoint = "http://127.0.0.1:" .. port, token = "t", timeout = 0.3, retries = 2,
        backoff_base = 0.01, backoff_max = 0.02 }
      elapsed, res, err = timed(c.create_job, c, APP, CREATE)
      assert.is_nil(res)
      is_error(err, "timeout")
      assert.are.equal(1, err.attempts) -- sent again, it would be 3
      assert_cut_off(0.3, elapsed, "per-attempt timeout (POST, never accepted)")
      c:close()
      srv:close()
    end)

    it("a stall in the middle of a body: timeout after opts.timeout", function()
      local res, err, elapsed = get_scripted({ timeout = 0.5, retries = 0 }, { stall_mid_body = 60 })
      assert.is_nil(res)
      is_error(err, "timeout")
      assert_cut_off(0.5, elapsed, "per-attempt timeout (mid-body)")
    end)

    it("the timeout is per attempt: retries each get their own", function()
      local res, err, elapsed, reqs = get_scripted(
        { timeout = 0.3, retries = 2, backoff_base = 0.01, backoff_max = 0.01 },
        { stall_before_headers = 60, times = 3 })
      assert.is_nil(res)
      is_error(err, "timeout")
      assert.are.equal(3, err.attempts)
      assert.are.equal(3, #reqs)
      -- at least 0.9 s: one shared 0.3 s would end all three at 0.3 s
      assert_cut_off(0.9, elapsed, "three attempts of 0.3 s")
    end)

    it("the deadline bounds the whole call, retries included", function()
      -- attempts of 0.4 s in a 1.5 s deadline: at most 4 start (10 retries would make 11), and a
      -- second one starts unless the first's end is late by more than a second
      local res, err, elapsed = get_scripted({ timeout = 0.4, deadline = 1.5, retries = 10,
        backoff_base = 0.05, backoff_max = 0.05 }, { stall_before_headers = 60, times = 20 })
      assert.is_nil(res)
      is_error(err, "timeout")
      assert.is_true(err.attempts >= 2 and err.attempts <= 4, "attempts: " .. tostring(err.attempts))
      assert_cut_off(1.5, elapsed, "deadline")
    end)

    it("a deadline shorter than the timeout wins", function()
      local res, err, elapsed = get_scripted({ timeout = 60, deadline = 0.4, retries = 2 },
        { stall_before_headers = 60, times = 5 })
      assert.is_nil(res)
      is_error(err, "timeout")
      assert_cut_off(0.4, elapsed, "deadline")
    end)

    it("a connection-refused loop never outlives the deadline", function()
      -- backoffs of up to 30 s: 10 retries past the deadline would take minutes
      local c = rtc.new{ endpoint = "http://127.0.0.1:" .. closed_port(), token = "t",
        retries = 10, backoff_base = 30, backoff_max = 30, deadline = 0.5 }
      local elapsed, res, err = timed(c.get_job, c, APP, "j")
      assert.is_nil(res)
      is_error(err)
      assert.truthy(err.kind == "transport" or err.kind == "timeout", tostring(err))
      assert.is_true(elapsed < 10, string.format("took %.3f s", elapsed))
      c:close()
    end)

    it("the same client works normally after a timeout", function()
      -- 1 s per attempt: the ordinary answers come well within it on a loaded machine
      local c = helper.client(mock, { timeout = 1, retries = 0 })
      local job = new_job(c)
      mock:script{ stall_before_headers = 60 }
      local _, err = c:get_job(APP, job.job_id)
      is_error(err, "timeout")
      local again, err2 = c:get_job(APP, job.job_id)
      assert.is_nil(err2)
      assert.are.equal(job.job_id, again.job_id)
      c:close()
    end)
  end)

  -------------------------------------------------------------------------------------------
  describe("several endpoints", function()
    it("fails over from a closed port to the working endpoint, and stays there", function()
      local dead = "http://127.0.0.1:" .. closed_port()
      local c, lines = debug_client{ endpoint = { dead, mock.url }, backoff_base = 0.01, backoff_max = 0.02 }
      local job, err = c:create_job(APP, CREATE)
      assert.is_nil(err)
      assert.is_string(job.job_id)
      assert.are.equal(1, #mock:requests())
      local tries = attempts_in(lines)
      assert.are.equal(2, #tries, table.concat(lines, "\n"))
      assert.are.equal(dead, tries[1].url:sub(1, #dead))
      assert.are.equal(mock.url, tries[2].url:sub(1, #mock.url))
      assert.are.equal(2, tries[2].attempt)

      -- the next call goes straight to the endpoint that answered
      for k in pairs(lines) do lines[k] = nil end
      local got, err2 = c:get_job(APP, job.job_id)
      assert.is_nil(err2)
      assert.are.equal(job.job_id, got.job_id)
      tries = attempts_in(lines)
      assert.are.equal(1, #tries, table.concat(lines, "\n"))
      assert.are.equal(mock.url, tries[1].url:sub(1, #mock.url))
      assert.are.equal(1, tries[1].attempt)
      assert.are.equal(2, #mock:requests())
      c:close()
    end)

    it("an endpoint that goes down later: the next call fails over to the other", function()
      local m1, m2 = helper.start_mock(), helper.start_mock()
      local lines = {}
      local c = rtc.new{ endpoint = { m1.url, m2.url }, token = m1.token, backoff_base = 0.01,
        backoff_max = 0.02, debug = function(l) lines[#lines + 1] = l end }
      local ok1, e1 = c:create_job(APP, CREATE)
      assert.is_nil(e1)
      assert.is_table(ok1)
      assert.are.equal(1, #m1:requests())
      m1:stop()
      for k in pairs(lines) do lines[k] = nil end
      local job, err = c:create_job(APP, CREATE)
      assert.is_nil(err)
      assert.is_table(job)
      assert.are.equal(1, #m2:requests())
      local tries = attempts_in(lines)
      assert.are.equal(2, #tries, table.concat(lines, "\n"))
      -- and stays there
      for k in pairs(lines) do lines[k] = nil end
      assert(c:get_job(APP, job.job_id))
      tries = attempts_in(lines)
      assert.are.equal(1, #tries)
      assert.are.equal(m2.url, tries[1].url:sub(1, #m2.url))
      c:close()
      m2:stop()
    end)

    it("never touches the second endpoint while the first works", function()
      local dead = "http://127.0.0.1:" .. closed_port()
      local c, lines = debug_client{ endpoint = { mock.url, dead } }
      local job = new_job(c)
      local got, err = c:get_job(APP, job.job_id)
      assert.is_nil(err)
      assert.is_table(got)
      for _, t in ipairs(attempts_in(lines)) do
        assert.are.equal(mock.url, t.url:sub(1, #mock.url))
      end
      c:close()
    end)

    it("all endpoints refused: kind transport with the attempts made", function()
      local c = rtc.new{ endpoint = { "http://127.0.0.1:" .. closed_port(), "http://127.0.0.1:" .. closed_port() },
        token = "t", retries = 3, backoff_base = 0.01, backoff_max = 0.02 }
      local elapsed, got, err = timed(c.get_job, c, APP, "j1")
      assert.is_nil(got)
      is_error(err, "transport")
      assert.are.equal(4, err.attempts)
      -- no wait for an endpoint's 30 s of avoidance: when all are avoided, one is tried at once
      assert.is_true(elapsed < 10, string.format("%.3f s", elapsed))
      c:close()
    end)

    it("the Host header (and signature) follows the endpoint actually used", function()
      local dead = "http://127.0.0.1:" .. closed_port()
      local c = helper.aksk_client(mock, { endpoint = { dead, mock.url }, backoff_base = 0.01, backoff_max = 0.02 })
      local job, err = c:create_job(APP, CREATE)
      assert.is_nil(err)
      assert.is_table(job)
      local r = mock:requests()[1]
      assert.are.equal("127.0.0.1:" .. mock.port, r.headers.host)
      assert(sparkrtc.verify_signature(r, mock.aksk))
      c:close()
    end)
  end)

  -------------------------------------------------------------------------------------------
  describe("header injection through client options", function()
    local cases = {
      token = function(v) return { token = v } end,
      ak = function(v) return { ak = v, sk = "test-sk", project_id = "test-project" } end,
      project_id = function(v) return { ak = "test-ak", sk = "test-sk", project_id = v } end,
      security_token = function(v)
        return { ak = "test-ak", sk = "test-sk", project_id = "test-project", security_token = v }
      end,
      user_agent = function(v) return { token = "test-token", user_agent = v } end,
    }
    local names = {}
    for k in pairs(cases) do names[#names + 1] = k end
    table.sort(names)
    for _, name in ipairs(names) do
      for _, bad in ipairs{ { "CR", "x\rEvil: 1" }, { "LF", "x\nEvil: 1" }, { "CRLF", "x\r\nEvil: 1" },
                             { "NUL", "x\0y" } } do
        it(bad[1] .. " in " .. name .. " raises kind invalid and sends nothing", function()
          local opts = cases[name](bad[2])
          opts.endpoint = mock.url
          local ok, err = pcall(rtc.new, opts)
          assert.is_false(ok)
          is_error(err, "invalid")
          assert.truthy(tostring(err.message):find(name, 1, true), tostring(err.message))
          assert.are.equal(0, #mock:requests())
        end)
      end
    end

    it("the clean values of the same options work", function()
      local c = helper.aksk_client(mock, { security_token = "sectok", user_agent = "ua/1.0" })
      local req = c:prepare("get_job", APP, "j1")
      assert.are.equal("sectok", req.headers["X-Security-Token"])
      assert.are.equal("ua/1.0", req.headers["User-Agent"])
      c:close()
    end)
  end)
end)
