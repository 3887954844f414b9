-- spec/client/call_reuse_spec.lua — a released call is kept for the next one (its struct, URL and answer
-- buffers), and an idle easy handle skips the options its last transfer set: nothing of one call
-- (answer bytes, headers, request id, timeouts) shows in the next, whatever ended the first.
local helper = require "spec.helper"

local is_error = helper.is_error
local timed = helper.timed

describe("calls one after another", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  local function job_body(user_len)
    return '{"job_id":"J1","app_id":"app","room_id":"r","user_id":"u","state":"RUNNING","padding":"' ..
           string.rep("p", user_len) .. '"}'
  end

  it("an answer without body or id after one with both: nothing carried over", function()
    local c = helper.client(mock, { retries = 0 })
    for _, size in ipairs({ 100, 30000, 70000 }) do -- 70000: past what a kept call keeps
      mock:script{ status = 200, body = job_body(size),
        headers = { ["X-request-Id"] = "rid-first", ["Retry-After"] = "100", ["Location"] = "http://x/" } }
      local res, err = c:get_job("app", "J1")
      assert.is_nil(err)
      assert.are.equal("J1", res.job_id)
      mock:script{ status = 404, body = "", headers = { ["X-request-Id"] = false, ["Content-Type"] = false } }
      res, err = c:get_job("app", "J1")
      assert.is_nil(res)
      is_error(err, "api")
      assert.are.equal(404, err.status)
      assert.is_nil(err.request_id)
      mock:script{ raw = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }
      res, err = c:get_job("app", "J1")
      assert.is_nil(res)
      is_error(err, "decode")
      assert.is_nil(err.request_id)
      assert.truthy(tostring(err):find("no body", 1, true), tostring(err))
      mock:script{ status = 200, body = '{"job_id":"J2"}', headers = { ["X-request-Id"] = false } }
      res, err = c:get_job("app", "J1")
      assert.is_nil(err)
      assert.are.equal("J2", res.job_id)
      assert.is_nil(res.user_id)
    end
    c:close()
  end)

  it("a call cut mid-body, then a whole one: the next answer is its own", function()
    local c = helper.client(mock, { retries = 0 })
    mock:script{ reset_mid_body = true, status = 200, body = job_body(20000) }
    local _, err = c:get_job("app", "J1")
    is_error(err, "transport")
    mock:script{ status = 200, body = job_body(3) }
    local res
    res, err = c:get_job("app", "J1")
    assert.is_nil(err)
    assert.are.equal("J1", res.job_id)
    c:close()
  end)

  it("a cancelled started call, then another: each its own outcome", function()
    local c = helper.client(mock, { retries = 0 })
    mock:script{ delay = 60, status = 200, body = job_body(5000) } -- still held when cancelled
    local id = c:start("get_job", "app", "J1")
    for _ in c:poll(0.05) do end
    assert.is_true(c:cancel(id))
    local n = 0
    for got, res, err in c:poll(1) do
      n = n + 1
      assert.are.equal(id, got)
      assert.is_nil(res)
      is_error(err, "cancelled")
    end
    assert.are.equal(1, n)
    mock:script{ status = 200, body = '{"job_id":"J3"}', headers = { ["X-request-Id"] = false } }
    local id2 = c:start("get_job", "app", "J1")
    assert.are_not.equal(id, id2)
    local res, err
    local t0 = helper.gettime()
    while res == nil and err == nil and helper.gettime() - t0 < 10 do
      for got, r, e in c:poll(1) do
        assert.are.equal(id2, got)
        res, err = r, e
      end
    end
    assert.is_nil(err)
    assert.are.equal("J3", res.job_id)
    c:close()
  end)

  it("a handle reused after a shorter timeout (a retry near the deadline) still times out", function()
    -- attempts of 1 s (an ordinary answer comes well within it on a loaded machine); the retry
    -- gets what is left of the 1.5 s deadline; answers held 60 s: a timeout lost on the reused
    -- handle would wait for them
    local c = helper.client(mock, { retries = 1, timeout = 1, deadline = 1.5,
      backoff_base = 0.01, backoff_max = 0.02 })
    mock:script{ { delay = 60 }, { delay = 60 } }
    local _, err = c:get_job("app", "J1")
    is_error(err, "timeout")
    local res
    res, err = c:get_job("app", "nope") -- a quick one, timeout 1 again
    assert.is_nil(res)
    is_error(err, "api")
    mock:script{ { delay = 60 }, { delay = 60 } }
    local elapsed
    elapsed, res, err = timed(c.get_job, c, "app", "J1")
    assert.is_nil(res)
    is_error(err, "timeout")
    assert.is_true(elapsed >= 1.45, "took " .. elapsed)
    assert.is_true(elapsed < 10, "took " .. elapsed)
    c:close()
  end)

  it("clients one after another get their own options (timeouts, tokens)", function()
    local slow = helper.client(mock, { retries = 0, timeout = 0.3 })
    local bad = helper.client(mock, { retries = 0, token = "wrong-token" })
    local good = helper.client(mock, { retries = 0, timeout = 30 })
    for _ = 1, 3 do
      mock:script{ delay = 60 } -- held past slow's 0.3 s, however loaded the machine
      local _, err = slow:get_job("app", "J1")
      is_error(err, "timeout")
      _, err = bad:get_job("app", "J1")
      is_error(err, "api")
      assert.are.equal(401, err.status)
      mock:script{ delay = 0.5, status = 200, body = '{"job_id":"J4"}' } -- past slow's 0.3 s: good's own 30 s hold
      local res
      res, err = good:get_job("app", "J1")
      assert.is_nil(err)
      assert.are.equal("J4", res.job_id)
    end
    slow:close(); bad:close(); good:close()
  end)
end)
