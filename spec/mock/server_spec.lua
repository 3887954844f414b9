-- luacheck: max line length 160
-- spec/mock/server_spec.lua — the mock SparkRTC server, mock/server.lua, tested without the rtc module
-- through raw LuaSocket connections (spec/support/mock_raw.lua). The API module called directly:
-- sparkrtc_spec.lua; the spec helper's own mock: helper_spec.lua.
local helper = require "spec.helper"
local socket = require "socket"
local signer = require "spec.support.signer"
local R = require "spec.support.mock_raw"

local sign, sdk_date = signer.sign, signer.sdk_date
local decode, JOBS, CREATE, AUTH = R.decode, R.JOBS, R.CREATE, R.AUTH
local connect, request_text, send, read_head = R.connect, R.request_text, R.send, R.read_head
local read_response, roundtrip, wait_until = R.read_response, R.roundtrip, R.wait_until

describe("mock server", function()
  local mock
  setup(function() mock = helper.start_mock() end)
  teardown(function() mock:stop() end)
  before_each(function() mock:reset() end)

  it("reports where it listens", function()
    assert.is_number(mock.port)
    assert.are.equal("http://127.0.0.1:" .. mock.port, mock.url)
    assert.is_number(mock.pid)
  end)

  it("serves the API over HTTP with the headers it promises", function()
    local r = roundtrip(mock, "POST", JOBS, AUTH, CREATE)
    assert.are.equal(201, r.status)
    assert.are.equal("application/json;charset=utf-8", r.headers["content-type"])
    assert.matches("^%x+$", r.headers["x-request-id"])
    assert.are.equal(32, #r.headers["x-request-id"])
    local job = decode(r.body)
    r = roundtrip(mock, "DELETE", JOBS .. "/" .. job.job_id, AUTH)
    assert.are.equal(204, r.status)
    assert.is_nil(r.headers["content-type"])
    assert.are.equal(32, #r.headers["x-request-id"])
    local jobs = mock:jobs()
    assert.are.equal("STOPPED", jobs.app1[job.job_id].state)
  end)

  it("keeps a connection alive and counts connections and requests", function()
    local c = connect(mock)
    local job
    for i = 1, 3 do
      send(c, i == 1 and "POST" or "GET", i == 1 and JOBS or JOBS .. "/" .. job.job_id, AUTH, i == 1 and CREATE or nil)
      local r = assert(read_response(c))
      assert.are.equal(i == 1 and 201 or 200, r.status)
      assert.are.equal("keep-alive", r.headers["connection"])
      if i == 1 then job = decode(r.body) end
    end
    local s = mock:stats()
    assert.are.equal(1, s.connections)
    assert.are.equal(3, s.requests)
    assert.are.equal(0, s.in_flight)
    assert.are.equal(1, s.max_in_flight)
    c:close()
    roundtrip(mock, "GET", JOBS .. "/" .. job.job_id, AUTH)
    s = mock:stats()
    assert.are.equal(2, s.connections)
    assert.are.equal(4, s.requests)
  end)

  it("answers pipelined requests in order", function()
    local c = connect(mock)
    assert(c:send(request_text("POST", JOBS, AUTH, CREATE) .. request_text("GET", JOBS .. "/x", AUTH)
      .. request_text("DELETE", JOBS .. "/y", AUTH)))
    assert.are.equal(201, assert(read_response(c)).status)
    assert.are.equal(404, assert(read_response(c)).status)
    assert.are.equal(404, assert(read_response(c)).status)
    c:close()
    assert.are.equal(1, mock:stats().connections)
  end)

  it("honours Connection: close and HTTP/1.0", function()
    local c = connect(mock)
    send(c, "GET", JOBS .. "/x", { ["X-Auth-Token"] = "test-token", Connection = "close" })
    local r = assert(read_response(c))
    assert.are.equal(404, r.status)
    assert.are.equal("close", r.headers["connection"])
    local _, err = c:receive(1)
    assert.are.equal("closed", err)
    c:close()
    c = connect(mock)
    c:send("GET /v2/apps/a/individual-stream-jobs/x HTTP/1.0\r\nX-Auth-Token: test-token\r\n\r\n")
    r = assert(read_response(c))
    assert.are.equal(404, r.status)
    _, err = c:receive(1)
    assert.are.equal("closed", err)
    c:close()
  end)

  it("answers Expect: 100-continue before reading the body", function()
    local body = '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"' .. string.rep("x", 2000) .. '"}}'
    local c = connect(mock)
    c:send(request_text("POST", JOBS, { ["X-Auth-Token"] = "test-token", Expect = "100-continue",
      ["Content-Length"] = tostring(#body) }))
    assert.are.equal("HTTP/1.1 100 Continue", c:receive("*l"))
    assert.are.equal("", c:receive("*l"))
    c:send(body)
    local r = assert(read_response(c))
    assert.are.equal(201, r.status)
    c:close()
  end)

  it("reads chunked request bodies", function()
    local c = connect(mock)
    local chunked = string.format("%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", 10, CREATE:sub(1, 10), #CREATE - 10, CREATE:sub(11))
    send(c, "POST", JOBS, { ["X-Auth-Token"] = "test-token", ["Transfer-Encoding"] = "chunked" }, chunked)
    local r = assert(read_response(c))
    assert.are.equal(201, r.status)
    assert.are.equal(CREATE, mock:requests()[1].body)
    c:close()
  end)

  it("answers broken requests with 400 and closes", function()
    local c = connect(mock)
    c:send("HELLO\r\n\r\n")
    local r = assert(read_response(c))
    assert.are.equal(400, r.status)
    c:close()
  end)

  it("logs API requests (not /_mock ones) with lowercase headers", function()
    roundtrip(mock, "PUT", JOBS .. "/j%2F1?x=1", { ["X-Auth-Token"] = "test-token", ["X-Custom"] = "V" }, "{}")
    local log = mock:requests()
    assert.are.equal(1, #log)
    assert.are.same({ method = "PUT", target = JOBS .. "/j%2F1?x=1", path = JOBS .. "/j%2F1", query = "x=1",
      body = "{}" }, { method = log[1].method, target = log[1].target, path = log[1].path,
      query = log[1].query, body = log[1].body })
    assert.are.equal("V", log[1].headers["x-custom"])
    assert.are.equal("test-token", log[1].headers["x-auth-token"])
    mock:reset()
    assert.are.same({}, mock:requests())
  end)

  it("reset clears jobs, the log, scripts and counters", function()
    roundtrip(mock, "POST", JOBS, AUTH, CREATE)
    mock:script{ status = 500, times = 3 }
    mock:config{ delay_all = 60, gather = 5 }
    mock:reset()
    local s = mock:stats()
    assert.are.same({ 0, 0, 0, 0, 0 }, { s.connections, s.requests, s.in_flight, s.max_in_flight, s.scripts_pending })
    assert.are.same({}, mock:jobs())
    -- a delay (or gather) kept over the reset would hold this answer 60 s (10 s): far past the bound
    local t0 = socket.gettime()
    local c = connect(mock, 30)
    send(c, "POST", JOBS, AUTH, CREATE)
    assert.are.equal(201, assert(read_response(c)).status)
    c:close()
    assert.is_true(socket.gettime() - t0 < 8)
  end)

  it("seeds jobs through the helper", function()
    local job = mock:seed_job("my-app", { job_id = "my-job", room_id = "room-100", user_id = "user001" })
    assert.are.equal("my-job", job.job_id)
    assert.are.equal("INIT", job.state)
    local r = roundtrip(mock, "GET", "/v2/apps/my-app/individual-stream-jobs/my-job", AUTH)
    assert.are.equal(200, r.status)
    assert.are.equal("room-100", decode(r.body).room_id)
    assert.are.equal(1, mock:stats().requests)
    assert.are.equal(400, (mock:request("POST", "/_mock/jobs", { body = '{"job":{}}' })))
  end)

  it("reset forgets requests still held from before it", function()
    mock:script{ delay = 0.2 }
    local c = connect(mock)
    send(c, "GET", JOBS .. "/x", AUTH)
    assert.is_true(wait_until(function() return mock:stats().in_flight == 1 end))
    mock:reset()
    local s = mock:stats()
    assert.are.same({ 0, 0 }, { s.in_flight, s.max_in_flight })
    assert.are.equal(404, assert(read_response(c)).status)
    c:close()
    s = mock:stats()
    assert.are.same({ 0, 0, 0 }, { s.in_flight, s.max_in_flight, s.requests })
  end)

  it("does not authenticate /_mock routes, and rejects bad control requests", function()
    local status, body = mock:request("GET", "/_mock/health")
    assert.are.equal(200, status)
    assert.are.same({ ok = true }, decode(body))
    assert.are.equal(404, (mock:request("GET", "/_mock/nope")))
    assert.are.equal(400, (mock:request("POST", "/_mock/script", { body = '{"stauts":500}' })))
    assert.are.equal(400, (mock:request("POST", "/_mock/script", { body = '{"delay":"x"}' })))
    assert.are.equal(400, (mock:request("POST", "/_mock/config", { body = '{"nope":1}' })))
    assert.are.equal(0, mock:stats().requests)
  end)

  it("checks AK/SK signatures on the wire (Host as sent)", function()
    local function wire(body, sign_body, offset)
      local headers = { host = "127.0.0.1:" .. mock.port, ["content-type"] = "application/json;charset=utf-8",
        ["x-project-id"] = "test-project" }
      sign({ method = "POST", path = JOBS, query = "", headers = headers, body = sign_body or body },
        "test-ak", "test-sk", sdk_date(os.time() + (offset or 0)))
      local l = { "POST " .. JOBS .. " HTTP/1.1" }
      for k, v in pairs(headers) do l[#l + 1] = k .. ": " .. v end
      l[#l + 1] = "Content-Length: " .. #body
      local c = connect(mock)
      c:send(table.concat(l, "\r\n") .. "\r\n\r\n" .. body)
      local r = assert(read_response(c))
      c:close()
      return r
    end
    local r = wire(CREATE)
    assert.are.equal(201, r.status, r.body)
    -- body changed after signing
    r = wire(CREATE:gsub("room1", "room9"), CREATE)
    assert.are.equal(401, r.status)
    assert.are.equal("Incorrect IAM authentication information: signature mismatch", decode(r.body).error_msg)
    -- the mock's clock can be moved
    mock:config{ clock_offset = -3600 }
    r = wire(CREATE)
    assert.are.equal(401, r.status)
    assert.matches("15 minutes", decode(r.body).error_msg)
    assert.are.equal(201, wire(CREATE, nil, -3600).status)
  end)

  it("holds many connections at once (gather, then delay_all)", function()
    -- gather: no answer leaves before all N are held, however slowly they arrive; then each
    -- waits delay_all (a lower bound: it cannot answer sooner)
    local N = 40
    mock:config{ gather = N, delay_all = 0.3 }
    local conns = {}
    for i = 1, N do
      conns[i] = connect(mock)
      send(conns[i], "GET", JOBS .. "/missing", AUTH)
    end
    assert.is_true(wait_until(function() return mock:stats().in_flight == N end))
    local t0 = socket.gettime()
    for i = 1, N do
      local r = assert(read_response(conns[i]))
      assert.are.equal(404, r.status)
      conns[i]:close()
    end
    local elapsed = socket.gettime() - t0
    assert.is_true(elapsed >= 0.25, "elapsed " .. elapsed)
    local s = mock:stats()
    assert.are.equal(N, s.max_in_flight)
    assert.are.equal(N, s.connections)
    assert.are.equal(N, s.requests)
    assert.are.equal(0, s.in_flight)
  end)

  it("survives clients that vanish mid-request or while their answer is held", function()
    -- half a request line, half the headers, half a body, and nothing at all
    for _, text in ipairs({ "GET /v2/ap", "GET / HTTP/1.1\r\nX-Auth", "PUT " .. JOBS .. "/x HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"a\"", "" }) do
      local c = connect(mock)
      c:send(text)
      c:close()
    end
    -- an answer held by a delay (or a stall) whose client goes away: let go at once, not after
    -- its 60 s (wait_until gives up after 10)
    for _, script in ipairs({ { delay = 60 }, { stall_before_headers = 60 }, { stall_mid_body = 60 } }) do
      local open = mock:stats().open
      mock:script(script)
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      assert.is_true(wait_until(function() return mock:stats().in_flight == 1 end))
      c:close()
      assert.is_true(wait_until(function() local s = mock:stats(); return s.in_flight == 0 and s.open <= open end),
        next(script))
    end
    -- a client that sends its request and does not read a long drip
    mock:script{ drip = 0.01 }
    local c = connect(mock)
    send(c, "GET", JOBS .. "/x", AUTH)
    socket.sleep(0.05)
    c:close()
    assert.is_true(wait_until(function() return mock:stats().in_flight == 0 end))
    assert.are.equal(404, roundtrip(mock, "GET", JOBS .. "/x", AUTH).status)
    assert.are.equal("", (mock:log():gsub("mock: parent.-\n", "")))
  end)

  describe("scripts", function()
    it("status, body and headers replace the answer; X-request-Id can be dropped", function()
      mock:script{ status = 503, body = "Service Unavailable", headers = { ["Retry-After"] = "1", ["X-request-Id"] = false } }
      local r = roundtrip(mock, "POST", JOBS, AUTH, CREATE)
      assert.are.equal(503, r.status)
      assert.are.equal("Service Unavailable", r.body)
      assert.are.equal("1", r.headers["retry-after"])
      assert.is_nil(r.headers["x-request-id"])
      assert.are.same({}, mock:jobs()) -- the scripted answer did not reach the API
      local s = mock:stats()
      assert.are.equal(1, s.requests)
      assert.are.equal(1, #mock:requests())
      -- the next request is normal again
      assert.are.equal(201, roundtrip(mock, "POST", JOBS, AUTH, CREATE).status)
    end)

    it("a table body is sent as JSON; headers alone change a real answer", function()
      mock:script{ status = 500, body = { error_code = "RTC.00002001", error_msg = "InternalError" } }
      local r = roundtrip(mock, "GET", JOBS .. "/x", AUTH)
      assert.are.equal(500, r.status)
      assert.are.same({ error_code = "RTC.00002001", error_msg = "InternalError" }, decode(r.body))
      assert.are.equal("application/json;charset=utf-8", r.headers["content-type"])
      mock:script{ headers = { ["X-Request-ID"] = "upper-case-id", ["Content-Type"] = "text/plain" } }
      r = roundtrip(mock, "POST", JOBS, AUTH, CREATE)
      assert.are.equal(201, r.status)
      assert.are.equal("upper-case-id", r.headers["x-request-id"])
      assert.are.equal("text/plain", r.headers["content-type"])
      assert.are.equal(1, #mock:jobs().app1 and 1 or 1)
    end)

    it("times and several POSTs queue up in order", function()
      mock:script{ status = 500, times = 2 }
      mock:script{ status = 502 }
      mock:script{ { status = 429 }, { status = 401, body = '{"error_code":"APIGW.0301","error_msg":"x"}' } }
      local c = connect(mock)
      local got = {}
      for _ = 1, 6 do
        send(c, "GET", JOBS .. "/x", AUTH)
        got[#got + 1] = assert(read_response(c)).status
      end
      c:close()
      assert.are.same({ 500, 500, 502, 429, 401, 404 }, got)
      assert.are.equal(6, mock:stats().requests)
      assert.are.equal(1, mock:stats().connections)
    end)

    it("delay holds one answer without blocking others", function()
      -- held 60 s: the other request is answered while this one is still held (in_flight says
      -- so, not a clock); the connection is dropped, never read
      mock:script{ delay = 60, status = 200, body = "{}" }
      local a = connect(mock)
      send(a, "GET", JOBS .. "/x", AUTH)
      assert.is_true(wait_until(function() return mock:stats().in_flight == 1 end))
      local r = roundtrip(mock, "GET", JOBS .. "/x", AUTH)
      assert.are.equal(404, r.status)
      local s = mock:stats()
      assert.are.same({ 1, 2 }, { s.in_flight, s.max_in_flight })
      a:close()
      -- a short delay: the answer comes, and not before the delay (a lower bound)
      mock:script{ delay = 0.3, status = 200, body = "{}" }
      local t0 = socket.gettime()
      r = roundtrip(mock, "GET", JOBS .. "/x", AUTH)
      assert.are.equal(200, r.status)
      assert.is_true(socket.gettime() - t0 >= 0.28)
    end)

    it("gather holds every answer until that many requests are held at once", function()
      mock:config{ gather = 3 }
      local conns = {}
      for i = 1, 2 do
        conns[i] = connect(mock)
        send(conns[i], "GET", JOBS .. "/x", AUTH)
      end
      assert.is_true(wait_until(function() return mock:stats().in_flight == 2 end))
      -- two of three: held (for 10 s without the third), so nothing to read yet
      for i = 1, 2 do
        conns[i]:settimeout(0.1)
        local data, err = conns[i]:receive(1)
        assert.is_nil(data)
        assert.are.equal("timeout", err)
        conns[i]:settimeout(10)
      end
      conns[3] = connect(mock)
      send(conns[3], "GET", JOBS .. "/x", AUTH)
      for i = 1, 3 do
        assert.are.equal(404, assert(read_response(conns[i])).status)
        conns[i]:close()
      end
      assert.are.equal(3, mock:stats().max_in_flight)
      -- once gathered, later answers do not wait
      assert.are.equal(404, roundtrip(mock, "GET", JOBS .. "/x", AUTH).status)
      assert.are.equal(400, (mock:request("POST", "/_mock/config", { body = '{"gather":-1}' })))
    end)

    it("raw bytes are written verbatim, then the connection closes", function()
      mock:script{ raw = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!" }
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      local r = assert(read_response(c))
      assert.are.equal(200, r.status)
      assert.are.equal("not json!", r.body)
      local _, err = c:receive(1)
      assert.are.equal("closed", err)
      c:close()
      mock:script{ raw = "garbage" }
      c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      local data, e, partial = c:receive("*a")
      assert.are.equal("garbage", data or partial, e)
      c:close()
    end)

    it("close_before_response closes without a byte", function()
      mock:script{ close_before_response = true }
      local c = connect(mock)
      send(c, "POST", JOBS, AUTH, CREATE)
      local data, err, partial = c:receive(1)
      assert.is_nil(data)
      assert.are.equal("closed", err)
      assert.are.equal("", partial)
      c:close()
      assert.are.equal(1, #mock:requests())
      assert.are.equal(1, mock:stats().requests)
    end)

    it("reset_mid_body sends half of a promised body, then closes", function()
      mock:script{ reset_mid_body = true }
      local c = connect(mock)
      send(c, "POST", JOBS, AUTH, CREATE)
      local head = assert(read_head(c))
      assert.are.equal(201, head.status)
      local n = tonumber(head.headers["content-length"])
      local data, err, partial = c:receive(n)
      assert.is_nil(data)
      assert.are.equal("closed", err)
      assert.is_true(#partial > 0 and #partial < n)
      c:close()
      -- also when the real answer has no body
      local job = decode(roundtrip(mock, "POST", JOBS, AUTH, CREATE).body)
      mock:script{ reset_mid_body = true }
      c = connect(mock)
      send(c, "DELETE", JOBS .. "/" .. job.job_id, AUTH)
      head = assert(read_head(c))
      assert.is_true(tonumber(head.headers["content-length"]) > 0)
      data, err = c:receive(1)
      assert.is_nil(data)
      assert.are.equal("closed", err)
      c:close()
    end)

    it("stall_before_headers holds the answer without a byte, then sends it", function()
      -- a 60 s stall: nothing within 0.15 s, whatever the machine's load
      mock:script{ stall_before_headers = 60 }
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      c:settimeout(0.15)
      local data, err, partial = c:receive(1)
      assert.is_nil(data)
      assert.are.equal("timeout", err)
      assert.are.equal("", partial)
      c:close()
      -- a short one: the whole answer comes, not before the stall
      mock:script{ stall_before_headers = 0.3 }
      local t0 = socket.gettime()
      local r = roundtrip(mock, "GET", JOBS .. "/x", AUTH)
      assert.are.equal(404, r.status)
      assert.is_true(socket.gettime() - t0 >= 0.28)
    end)

    it("stall_mid_body sends the headers and part of the body, then holds", function()
      -- a 60 s stall: the rest of the body is not there after 0.15 s, whatever the load
      mock:script{ stall_mid_body = 60 }
      local c = connect(mock)
      send(c, "POST", JOBS, AUTH, CREATE)
      local head = assert(read_head(c))
      local n = tonumber(head.headers["content-length"])
      c:settimeout(0.15)
      local data, err, partial = c:receive(n)
      assert.is_nil(data)
      assert.are.equal("timeout", err)
      assert.is_true(#partial > 0 and #partial < n)
      c:close()
      -- a short one: the rest comes after the stall
      mock:script{ stall_mid_body = 0.3 }
      c = connect(mock)
      local t0 = socket.gettime()
      send(c, "POST", JOBS, AUTH, CREATE)
      head = assert(read_head(c))
      n = tonumber(head.headers["content-length"])
      local body = assert(c:receive(n))
      assert.is_true(socket.gettime() - t0 >= 0.28)
      assert.are.equal("room1", decode(body).room_id)
      c:close()
    end)

    it("drip sends the answer one byte at a time", function()
      local headers = { Date = false, Server = false, ["X-request-Id"] = false, ["Content-Type"] = false }
      -- a byte every 0.5 s: 20 bytes would take 9.5 s, so fewer than 20 within 0.1 s whatever the load
      mock:script{ drip = 0.5, status = 200, body = "{}", headers = headers }
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      c:settimeout(0.1)
      local first, _, p = c:receive(20)
      first = first or p
      assert.is_true(#first < 20, first)
      c:close()
      -- a byte every 4 ms: the whole answer, not before (bytes - 1) * 4 ms (a lower bound)
      mock:script{ drip = 0.004, status = 200, body = "{}", headers = headers }
      local t0 = socket.gettime()
      c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      local head = assert(read_head(c))
      local body = assert(c:receive(tonumber(head.headers["content-length"])))
      local bytes = #head.line + 2 + 2
      for k, v in pairs(head.headers) do bytes = bytes + #k + 2 + #v + 2 end
      bytes = bytes + #body
      assert.are.equal(200, head.status)
      assert.are.equal("{}", body)
      assert.is_true(socket.gettime() - t0 >= (bytes - 1) * 0.004 * 0.9, (socket.gettime() - t0) .. " s for " .. bytes .. " bytes")
      c:close()
    end)

    it("content_length overrides the header, then the connection closes", function()
      mock:script{ content_length = 5 }
      local c = connect(mock)
      send(c, "POST", JOBS, AUTH, CREATE)
      local r = assert(read_response(c))
      assert.are.equal("5", r.headers["content-length"])
      assert.are.equal(5, #r.body)
      assert.are.equal('{"', r.body:sub(1, 2))
      assert.are.equal("close", r.headers["connection"])
      c:close()
      mock:script{ content_length = 1000, status = 200, body = "{}" }
      c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      local _, err, _, partial = read_response(c)
      assert.are.equal("closed", err)
      assert.are.equal("{}", partial)
      c:close()
    end)

    it("close sends the answer with Connection: close", function()
      mock:script{ close = true }
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      local r = assert(read_response(c))
      assert.are.equal("close", r.headers["connection"])
      local _, err = c:receive(1)
      assert.are.equal("closed", err)
      c:close()
    end)
  end)
end)
