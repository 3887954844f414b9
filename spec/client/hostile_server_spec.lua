-- spec/client/hostile_server_spec.lua — a server that misbehaves in every way the mock can script.
-- Each case must end in a structured error (or a success after a retry), never a hang or a
-- crash, and the same client must still work for a normal call afterwards.
-- Run: busted --lua=lua5.4 --cpath='build/lua5.4/?.so' spec/client/hostile_server_spec.lua
local helper = require "spec.helper"
local rtc = require "rtc"

local timed, closed_port = helper.timed, helper.dead_port
local APP = "app-hostile"
local CREATE = { room_id = "room1", user_id = "user1", record_param = { record_rule_id = "rule1" } }
local JOB_BODY = '{"job_id":"1","app_id":"' .. APP .. '","room_id":"room1","user_id":"user1","state":"RUNNING"}'
local KINDS = { invalid = true, api = true, transport = true, timeout = true, decode = true, cancelled = true }
-- Timing: what must end early is made to cost a minute if it did not (stalls of 60 s, a byte every
-- 0.5 s, a 60 s connect timeout), against bounds of 10 s; attempts that must succeed get 1 s.

-- a structured error: an rtc.error table with a known kind and a printable message
local function is_error(err, kind)
  helper.is_error(err, kind)
  assert.truthy(KINDS[err.kind], "unknown kind " .. tostring(err.kind))
  assert.is_string(err.message)
  assert.is_string(tostring(err))
end

describe("hostile server", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  -- the client still does a normal create + get afterwards
  local function healthy(c)
    local job, err = c:create_job(APP, CREATE)
    assert(job, "create after the hostile answer failed: " .. tostring(err))
    local got, err2 = c:get_job(APP, job.job_id)
    assert(got, "get after the hostile answer failed: " .. tostring(err2))
    assert.are.equal(job.job_id, got.job_id)
  end

  -- one scripted answer to get_job; -> res, err, elapsed, number of requests the mock saw
  local function against(script, opts)
    local c = helper.client(mock, opts or { retries = 0 })
    mock:script(script)
    local elapsed, res, err = timed(c.get_job, c, APP, "job-1")
    local n = #mock:requests()
    healthy(c)
    c:close()
    return res, err, elapsed, n
  end

  -------------------------------------------------------------------------------------------
  describe("connections", function()
    it("connection refused: kind transport, quickly", function()
      -- not after a timeout: those are a minute here
      local c = rtc.new{ endpoint = "http://127.0.0.1:" .. closed_port(), token = "t", retries = 0,
        connect_timeout = 60, timeout = 60 }
      local elapsed, res, err = timed(c.get_job, c, APP, "job-1")
      assert.is_nil(res)
      is_error(err, "transport")
      assert.truthy(err.message:lower():find("connect", 1, true), err.message)
      assert.is_true(elapsed < 10, string.format("%.3f s", elapsed))
      c:close()
      healthy(helper.client(mock))
    end)

    it("closed without an answer: kind transport", function()
      local res, err, _, n = against{ close_before_response = true }
      assert.is_nil(res)
      is_error(err, "transport")
      assert.are.equal(1, n)
    end)

    it("reset in the middle of the body: kind transport", function()
      local res, err, _, n = against{ reset_mid_body = true }
      assert.is_nil(res)
      is_error(err, "transport")
      assert.are.equal(1, n)
    end)

    it("reset in the middle of the body, with retries: success on the next attempt", function()
      local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
      local job = assert(c:create_job(APP, CREATE))
      mock:script{ reset_mid_body = true }
      local got, err = c:get_job(APP, job.job_id)
      assert.is_nil(err)
      assert.are.equal(job.job_id, got.job_id)
      assert.are.equal(3, #mock:requests())
      healthy(c)
      c:close()
    end)

    it("fewer bytes than Content-Length, then closed: kind transport", function()
      local res, err = against{ status = 200, body = JOB_BODY, content_length = #JOB_BODY + 100 }
      assert.is_nil(res)
      is_error(err, "transport")
    end)

    it("broken chunked encoding: kind transport", function()
      local res, err = against{ raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx" }
      assert.is_nil(res)
      is_error(err, "transport")
    end)

    it("not HTTP at all: a structured error", function()
      local res, err = against{ raw = "garbage\r\n\r\n" }
      assert.is_nil(res)
      is_error(err)
      assert.truthy(err.kind == "transport" or err.kind == "decode", tostring(err))
    end)

    it("a 200 KB header line: a structured error", function()
      local res, err = against{ raw = "HTTP/1.1 200 OK\r\nX-Big: " .. string.rep("a", 200000) ..
        "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}" }
      assert.is_nil(res)
      is_error(err)
    end)

    it("an HTTP/1.0 answer delimited by the end of the connection: success", function()
      local res, err = against{ raw = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n" ..
        "X-request-Id: rid-10\r\n\r\n" .. JOB_BODY }
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
      assert.are.equal("rid-10", res.request_id)
    end)

    it("an interim 100 Continue before the answer: the final answer's request id", function()
      local res, err = against{ raw = "HTTP/1.1 100 Continue\r\nX-request-Id: interim\r\n\r\n" ..
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-request-Id: final\r\n" ..
        "Content-Length: " .. #JOB_BODY .. "\r\nConnection: close\r\n\r\n" .. JOB_BODY }
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
      assert.are.equal("final", res.request_id)
    end)

    it("a status code outside 100..599: kind decode", function()
      local res, err = against{ raw = "HTTP/1.1 999 Weird\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" }
      assert.is_nil(res)
      is_error(err, "decode")
    end)
  end)

  -------------------------------------------------------------------------------------------
  describe("slowness", function()
    -- a call cut short by its 1 s timeout: not before it, and not after what the stall costs
    local function cut_off(elapsed)
      assert.is_true(elapsed >= 0.95 and elapsed < 10, string.format("%.3f s", elapsed))
    end

    it("stall before the headers: kind timeout", function()
      local res, err, elapsed = against({ stall_before_headers = 60 }, { retries = 0, timeout = 1 })
      assert.is_nil(res)
      is_error(err, "timeout")
      cut_off(elapsed)
    end)

    it("stall in the middle of the body: kind timeout", function()
      local res, err, elapsed = against({ status = 200, body = JOB_BODY, stall_mid_body = 60 },
        { retries = 0, timeout = 1 })
      assert.is_nil(res)
      is_error(err, "timeout")
      cut_off(elapsed)
    end)

    it("a slow drip with a small timeout: kind timeout", function()
      -- a byte every 0.5 s: the whole answer would take minutes, each byte comes in time
      local res, err, elapsed = against({ status = 200, body = JOB_BODY, drip = 0.5 },
        { retries = 0, timeout = 1 })
      assert.is_nil(res)
      is_error(err, "timeout")
      cut_off(elapsed)
    end)

    it("a slow drip with enough time: success", function()
      local res, err = against({ status = 200, body = JOB_BODY, drip = 0.002 }, { retries = 0, timeout = 10 })
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
      assert.are.equal("RUNNING", res.state)
    end)
  end)

  -------------------------------------------------------------------------------------------
  describe("bodies", function()
    it("truncated JSON: kind decode, status and request id kept", function()
      local res, err = against{ status = 200, body = '{"job_id":"1","sta' }
      assert.is_nil(res)
      is_error(err, "decode")
      assert.are.equal(200, err.status)
      assert.is_string(err.request_id)
    end)

    it("a 200 that is HTML: kind decode", function()
      local res, err = against{ status = 200, body = "<html><body>Gateway says hi</body></html>",
        headers = { ["Content-Type"] = "text/html" } }
      assert.is_nil(res)
      is_error(err, "decode")
      assert.are.equal(200, err.status)
    end)

    it("a 200 with an empty body: kind decode", function()
      local res, err = against{ status = 200, body = "" }
      assert.is_nil(res)
      is_error(err, "decode")
    end)

    it("a 204 where a job was expected: kind decode", function()
      local res, err = against{ status = 204 }
      assert.is_nil(res)
      is_error(err, "decode")
    end)

    for _, body in ipairs{ "[1,2,3]", "[]", "null", "42", '"job"', "true" } do
      it("a 200 whose JSON is not an object (" .. body .. "): kind decode", function()
        local res, err = against{ status = 200, body = body }
        assert.is_nil(res)
        is_error(err, "decode")
      end)
    end

    it("a wrong content type with a valid job body is accepted (documented)", function()
      local res, err = against{ status = 200, body = JOB_BODY, headers = { ["Content-Type"] = "text/plain" } }
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
    end)

    it("no content type at all with a valid job body is accepted", function()
      local res, err = against{ status = 200, body = JOB_BODY, headers = { ["Content-Type"] = false } }
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
    end)

    it("invalid UTF-8 in the body: kind decode", function()
      local res, err = against{ status = 200, body = '{"job_id":"\255\254","state":"RUNNING"}' }
      assert.is_nil(res)
      is_error(err, "decode")
      assert.truthy(err.message:find("UTF%-8"), err.message)
    end)

    it("JSON objects nested 10,000 deep: kind decode, no crash", function()
      local res, err = against{ status = 200, body = string.rep('{"a":', 10000) .. "1" .. string.rep("}", 10000) }
      assert.is_nil(res)
      is_error(err, "decode")
    end)

    it("JSON arrays nested 10,000 deep: kind decode, no crash", function()
      local res, err = against{ status = 200, body = string.rep("[", 10000) .. string.rep("]", 10000) }
      assert.is_nil(res)
      is_error(err, "decode")
    end)

    it("an error answer nested 10,000 deep: kind api with the status", function()
      local res, err = against{ status = 400, body = string.rep('{"a":', 10000) .. "1" .. string.rep("}", 10000) }
      assert.is_nil(res)
      is_error(err, "api")
      assert.are.equal(400, err.status)
      assert.is_true(#err.message < 4096, "the message is cut: " .. #err.message .. " bytes")
    end)

    it("a body larger than max_body: kind decode naming max_body, reading stops at the limit", function()
      -- half of the 1 MiB body is sent at once, the rest only after 60 s: a client that kept
      -- reading past max_body would wait for it (and time out after 30 s)
      local body = '{"description":"' .. string.rep("x", 1048576) .. '"}'
      local res, err, elapsed = against({ status = 200, body = body, stall_mid_body = 60 },
        { retries = 0, max_body = 2048, timeout = 30 })
      assert.is_nil(res)
      is_error(err, "decode")
      assert.truthy(err.message:find("max_body", 1, true), err.message)
      assert.is_true(elapsed < 10, string.format("took %.3f s: reading did not stop at max_body", elapsed))
    end)

    it("an answer refused in the engine (past max_body) keeps its X-request-Id only when it is an id", function()
      local body = '{"error_code":"RTC.00001003","error_msg":"' .. string.rep("y", 100000) .. '"}'
      local _, err = against({ status = 404, body = body, headers = { ["X-request-Id"] = "rid-\1-ctl" } },
        { retries = 0, max_body = 2048 })
      is_error(err, "decode")
      assert.is_nil(err.request_id)
      _, err = against({ status = 404, body = body, headers = { ["X-request-Id"] = "rid-ok" } },
        { retries = 0, max_body = 2048 })
      assert.are.equal("rid-ok", err.request_id)
    end)

    it("an error answer larger than max_body: kind decode with the status", function()
      local body = '{"error_code":"RTC.00001003","error_msg":"' .. string.rep("y", 100000) .. '"}'
      local res, err = against({ status = 404, body = body }, { retries = 0, max_body = 2048 })
      assert.is_nil(res)
      is_error(err, "decode")
      assert.are.equal(404, err.status)
      assert.truthy(err.message:find("max_body", 1, true), err.message)
    end)

    it("a body of exactly max_body bytes is fine", function()
      local head = '{"job_id":"1","description":"'
      local body = head .. string.rep("z", 2048 - #head - 2) .. '"}'
      assert.are.equal(2048, #body)
      local res, err = against({ status = 200, body = body }, { retries = 0, max_body = 2048 })
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
    end)

    it("a body just under max_body is fine", function()
      local body = '{"job_id":"1","description":"' .. string.rep("z", 1500) .. '"}'
      local res, err = against({ status = 200, body = body }, { retries = 0, max_body = 2048 })
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
      assert.are.equal(1500, #res.description)
    end)
  end)

  -------------------------------------------------------------------------------------------
  describe("headers", function()
    it("an answer without X-request-Id: request_id nil", function()
      local res, err = against{ status = 200, body = JOB_BODY, headers = { ["X-request-Id"] = false } }
      assert.is_nil(err)
      assert.are.equal("1", res.job_id)
      assert.is_nil(res.request_id)
    end)

    it("an error answer without X-request-Id: err.request_id nil", function()
      local res, err = against{ status = 404,
        body = { error_code = "RTC.00001003", error_msg = "InvalidParameterValue" },
        headers = { ["X-request-Id"] = false } }
      assert.is_nil(res)
      is_error(err, "api")
      assert.is_nil(err.request_id)
    end)

    it("X-Request-Id in any case is read", function()
      local res, err = against{ status = 200, body = JOB_BODY, headers = { ["x-REQUEST-id"] = "rid-in-odd-case" } }
      assert.is_nil(err)
      assert.are.equal("rid-in-odd-case", res.request_id)
    end)

    it("a 302 redirect with Location is not followed: err.status 302, one request", function()
      local res, err, _, n = against({ status = 302,
        headers = { Location = mock.url .. "/v2/apps/" .. APP .. "/individual-stream-jobs/elsewhere" } },
        { backoff_base = 0.01, backoff_max = 0.02 })
      assert.is_nil(res)
      is_error(err, "api")
      assert.are.equal(302, err.status)
      assert.truthy(err.message:lower():find("redirect", 1, true), err.message)
      assert.are.equal(1, n)
    end)

    it("a 307 redirect of a PUT is not followed either", function()
      local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
      local job = assert(c:create_job(APP, CREATE))
      mock:script{ status = 307, headers = { Location = "http://127.0.0.1:" .. closed_port() .. "/x" } }
      local res, err = c:update_job(APP, job.job_id, { record_param = { record_rule_id = "r9" } })
      assert.is_nil(res)
      is_error(err, "api")
      assert.are.equal(307, err.status)
      assert.are.equal(2, #mock:requests())
      healthy(c)
      c:close()
    end)
  end)

  -------------------------------------------------------------------------------------------
  describe("error bodies", function()
    it("error_code / error_msg", function()
      local _, err = against{ status = 400,
        body = { error_code = "RTC.00001003", error_msg = "InvalidParameterValue" } }
      is_error(err, "api")
      assert.are.equal(400, err.status)
      assert.are.equal("RTC.00001003", err.code)
      assert.are.equal("InvalidParameterValue", err.message)
    end)

    it("errorCode / errorMsg", function()
      local _, err = against{ status = 401,
        body = { errorCode = "APIGW.0301", errorMsg = "Incorrect IAM authentication information" } }
      is_error(err, "api")
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0301", err.code)
      assert.are.equal("Incorrect IAM authentication information", err.message)
    end)

    it("code / message", function()
      local _, err = against{ status = 403, body = { code = "APIGW.0101", message = "The API does not exist" } }
      is_error(err, "api")
      assert.are.equal(403, err.status)
      assert.are.equal("APIGW.0101", err.code)
      assert.are.equal("The API does not exist", err.message)
    end)

    it("plain text keeps its text", function()
      local _, err = against{ status = 400, body = "upstream exploded", headers = { ["Content-Type"] = "text/plain" } }
      is_error(err, "api")
      assert.are.equal(400, err.status)
      assert.is_nil(err.code)
      assert.truthy(err.message:find("upstream exploded", 1, true), err.message)
    end)

    it("an HTML 502 page after the retries: kind api, status 502", function()
      local _, err = against({ status = 502, body = "<html><h1>502 Bad Gateway</h1></html>",
        headers = { ["Content-Type"] = "text/html" }, times = 3 },
        { retries = 2, backoff_base = 0.01, backoff_max = 0.02 })
      is_error(err, "api")
      assert.are.equal(502, err.status)
      assert.are.equal(3, err.attempts)
      assert.truthy(err.message:find("Bad Gateway", 1, true), err.message)
    end)

    it("an empty 404: kind api, status 404", function()
      local _, err = against{ status = 404, body = "" }
      is_error(err, "api")
      assert.are.equal(404, err.status)
    end)

    it("a plain-text error body with control characters stays printable", function()
      local _, err = against{ status = 400, body = "line one\nline\0two\27[31m" }
      is_error(err, "api")
      assert.is_nil(tostring(err):find("[%z\1-\31]"), "control characters in " .. tostring(err))
    end)
  end)
end)
