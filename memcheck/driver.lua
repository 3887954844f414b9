-- memcheck/driver.lua: walks every path of the `rtc` client once, against the mock server,
-- so that memcheck/run.sh can run it under valgrind (make memcheck). Plain lua5.4 works too:
--
--   lua5.4 memcheck/driver.lua                 (from the repository root)
--   MEMCHECK_ONLY=batch,sign lua5.4 memcheck/driver.lua     run some sections only
--   MEMCHECK_SKIP=gc_numeric lua5.4 memcheck/driver.lua     leave some sections out
--
-- Every section asserts what the module answered: a path that did not behave raises (exit 1),
-- naming the section and the check. The last line is the summary:
--   "memcheck driver: OK: <n> sections, <m> checks passed in <t> s"
-- Timeouts are generous: under valgrind everything runs ~20-50x slower than natively.

package.path = "./?.lua;" .. package.path
local helper = require "spec.helper"
local rtc = require "rtc"

local clock = helper.gettime
local T0 = clock()

---------------------------------------------------------------------------------------------
-- a tiny assertion kit
---------------------------------------------------------------------------------------------
local checks, sections_run = 0, 0
local current = "?"

local function fail(msg, level)
  error(("memcheck driver: FAILED in section %q: %s"):format(current, msg), (level or 1) + 1)
end

local function check(cond, msg)
  checks = checks + 1
  if not cond then fail(msg, 2) end
  return cond
end

local function eq(got, want, what)
  checks = checks + 1
  if got ~= want then
    fail(("%s: expected %s, got %s"):format(what, tostring(want), tostring(got)), 2)
  end
end

-- a successful call: the result is a table and there is no error (the label comes first, so
-- that a call's results, however many, follow it)
local function ok(what, res, err)
  checks = checks + 1
  if type(res) ~= "table" or err ~= nil then
    fail(("%s: expected a result, got %s, %s"):format(what, tostring(res), tostring(err)), 2)
  end
  return res
end

-- a failed call: nil and an rtc.error of the given kind (and status unless nil)
local function failed(kind, status, what, res, err)
  checks = checks + 1
  if res ~= nil or type(err) ~= "table" then
    fail(("%s: expected nil, err(%s), got %s, %s"):format(what, kind, tostring(res),
      tostring(err)), 2)
  end
  if err.kind ~= kind then
    fail(("%s: expected kind %q, got %q (%s)"):format(what, kind, tostring(err.kind),
      tostring(err)), 2)
  end
  if status ~= nil and err.status ~= status then
    fail(("%s: expected status %s, got %s (%s)"):format(what, tostring(status),
      tostring(err.status), tostring(err)), 2)
  end
  check(getmetatable(err) ~= nil and type(tostring(err)) == "string" and #tostring(err) > 0,
    what .. ": the error has a __tostring")
  return err
end

-- f raises; returns the error value
local function raises(f, what, pattern)
  checks = checks + 1
  local okc, e = pcall(f)
  if okc then fail(what .. ": expected an error to be raised", 2) end
  if pattern then
    local s = type(e) == "table" and tostring(e.message or e) or tostring(e)
    if not s:find(pattern) then
      fail(("%s: raised %q, which does not match %q"):format(what, s, pattern), 2)
    end
  end
  return e
end

local function gc()
  collectgarbage("collect")
  collectgarbage("collect")
end

local only, skip = {}, {}
for name in (os.getenv("MEMCHECK_ONLY") or ""):gmatch("[%w_]+") do only[name] = true end
for name in (os.getenv("MEMCHECK_SKIP") or ""):gmatch("[%w_]+") do skip[name] = true end

local sections = {}
local function section(name, fn) sections[#sections + 1] = { name = name, fn = fn } end

---------------------------------------------------------------------------------------------
-- fixtures
---------------------------------------------------------------------------------------------
local mock = helper.start_mock()         -- token test-token, AK/SK test-ak:test-sk, test-project
local REFUSED = "http://127.0.0.1:1"     -- nothing listens on port 1: connection refused
local APP = "app-memcheck"
local GOOD_CREATE = { room_id = "room-1", user_id = "user-1", is_record_audio = true,
  video_type = "CAMERASTREAM", select_stream_type = "HD", max_idle_time = 30,
  record_param = { record_rule_id = "rule-1" }, publish_param = { rtmp_urls = { "rtmp://x/live" } } }
local GOOD_UPDATE = { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com", "rtmps://b/c" } },
  record_param = { record_rule_id = "5f5e172b9016ed5b0961a43" } }
-- generous but bounded: a mock answer takes milliseconds natively, ~1 s under valgrind at worst
local SLOW = { timeout = 30, connect_timeout = 10, deadline = 60 }

local function opts(extra)
  local o = {}
  for k, v in pairs(SLOW) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function requests_count() return #mock:requests() end

---------------------------------------------------------------------------------------------
-- 1. the four operations, token and AK/SK, plus debug logging
---------------------------------------------------------------------------------------------
local function lifecycle(c, label)
  local job = ok(label .. " create_job", c:create_job(APP, GOOD_CREATE))
  check(type(job.job_id) == "string" and #job.job_id > 0, label .. " create_job gives a job_id")
  eq(job.room_id, "room-1", label .. " create_job room_id")
  eq(job.max_idle_time, 30, label .. " create_job max_idle_time")
  check(math.type(job.max_idle_time) == "integer", label .. " max_idle_time is an integer")
  check(type(job.request_id) == "string", label .. " create_job request_id")
  check(tostring(job):find("rtc.job{", 1, true), label .. " job __tostring")
  local got = ok(label .. " get_job", c:get_job(APP, job.job_id))
  eq(got.job_id, job.job_id, label .. " get_job job_id")
  eq(got.state, "RUNNING", label .. " get_job state")
  local upd = ok(label .. " update_job", c:update_job(APP, job.job_id, GOOD_UPDATE))
  eq(upd.publish_param.rtmp_urls[2], "rtmps://b/c", label .. " update_job rtmp_urls[2]")
  eq(upd.record_param.record_rule_id, "5f5e172b9016ed5b0961a43", label .. " update_job rule")
  local stop = ok(label .. " stop_job", c:stop_job(APP, job.job_id))
  check(type(stop.request_id) == "string", label .. " stop_job request_id")
  -- a stopped job cannot be updated: HTTP 400 from the service
  local e = failed("api", 400, label .. " update stopped job", c:update_job(APP, job.job_id, GOOD_UPDATE))
  eq(e.code, "RTC.00001009", label .. " stopped job code")
  return job
end

section("token_ops", function()
  local c = helper.client(mock, opts())
  check(tostring(c):find("auth=token", 1, true), "client __tostring names token auth")
  check(not tostring(c):find("test-token", 1, true), "client __tostring hides the token")
  lifecycle(c, "token")
  -- numbers are accepted as ids (converted), unknown app: 404
  failed("api", 404, "numeric ids, unknown job", c:get_job(12345, 678))
  local e = failed("api", 404, "unknown app", c:get_job("no-such-app", "j"))
  eq(e.code, "RTC.00001003", "unknown app code")
  check(tostring(e):find("HTTP 404", 1, true), "api error __tostring")
  c:close()
  c:close() -- idempotent
  check(tostring(c) == "rtc.client(closed)", "closed client __tostring")
end)

section("aksk_ops", function()
  local c = helper.aksk_client(mock, opts())
  check(tostring(c):find("auth=aksk", 1, true), "client __tostring names aksk auth")
  check(not tostring(c):find("test-sk", 1, true), "client __tostring hides the sk")
  lifecycle(c, "aksk")
  c:close()
  -- a wrong SK: the gateway answers 401 APIGW.0301
  local bad = helper.aksk_client(mock, opts({ sk = "wrong-sk" }))
  local e = failed("api", 401, "aksk wrong sk", bad:get_job(APP, "j"))
  eq(e.code, "APIGW.0301", "wrong sk code")
  bad:close()
  -- a wrong token
  local badt = helper.client(mock, opts({ token = "wrong-token" }))
  failed("api", 401, "wrong token", badt:get_job(APP, "j"))
  badt:close()
end)

section("debug_logger", function()
  local lines = {}
  local c = helper.client(mock, opts({ debug = function(line) lines[#lines + 1] = line end,
    user_agent = "memcheck/1.0" }))
  local job = ok("create with debug", c:create_job(APP, GOOD_CREATE))
  ok("stop with debug", c:stop_job(APP, job.job_id))
  check(#lines >= 4, "the debug function saw the requests and answers")
  local all = table.concat(lines, "\n")
  check(all:find("> POST", 1, true) and all:find("< HTTP 201", 1, true), "debug lines")
  check(not all:find("test-token", 1, true) and all:find("<redacted>", 1, true),
    "the token is redacted in debug lines")
  c:close()
  -- a logger that raises must not fail the call
  local c2 = helper.aksk_client(mock, opts({ debug = function() error("logger broke") end,
    security_token = "sts-token" }))
  local r, e = c2:get_job(APP, "nope")
  check(r == nil and type(e) == "table", "a raising logger does not break the call")
  c2:close()
end)

---------------------------------------------------------------------------------------------
-- 2. every error kind
---------------------------------------------------------------------------------------------
section("invalid", function()
  local c = helper.client(mock, opts())
  local before = requests_count()
  local e = failed("invalid", nil, "bad rtmp url",
    c:update_job(APP, "j", { publish_param = { rtmp_urls = { "rtmp://ok", "http://x" } } }))
  eq(e.field, "publish_param.rtmp_urls[2]", "invalid field path")
  check(tostring(e):find("^invalid: "), "invalid __tostring")
  failed("invalid", nil, "neither publish nor record param", c:update_job(APP, "j", {}))
  failed("invalid", nil, "unknown field (typo)", c:update_job(APP, "j", { publish_parm = {} }))
  failed("invalid", nil, "non-string key", c:update_job(APP, "j", { [1] = "x" }))
  failed("invalid", nil, "empty rule id", c:update_job(APP, "j", { record_param = { record_rule_id = "" } }))
  failed("invalid", nil, "NUL in text", c:update_job(APP, "j", { record_param = { record_rule_id = "a\0b" } }))
  failed("invalid", nil, "bad UTF-8", c:update_job(APP, "j", { record_param = { record_rule_id = "\xff\xfe" } }))
  failed("invalid", nil, "too long", c:update_job(APP, "j", { record_param = { record_rule_id = ("x"):rep(5000) } }))
  failed("invalid", nil, "empty rtmp_urls", c:update_job(APP, "j", { publish_param = { rtmp_urls = {} } }))
  failed("invalid", nil, "rtmp_urls with a hole",
    c:update_job(APP, "j", { publish_param = { rtmp_urls = { "rtmp://a", nil, "rtmp://c" } } }))
  local many = {}
  for i = 1, 101 do many[i] = "rtmp://h/" .. i end
  failed("invalid", nil, "101 rtmp urls", c:update_job(APP, "j", { publish_param = { rtmp_urls = many } }))
  failed("invalid", nil, "max_idle_time out of range",
    c:create_job(APP, { room_id = "r", user_id = "u", max_idle_time = 4,
    record_param = { record_rule_id = "x" } }))
  failed("invalid", nil, "fractional max_idle_time",
    c:create_job(APP, { room_id = "r", user_id = "u", max_idle_time = 30.5,
    record_param = { record_rule_id = "x" } }))
  failed("invalid", nil, "bad enum", c:create_job(APP, { room_id = "r", user_id = "u", video_type = "WEBCAM",
    record_param = { record_rule_id = "x" } }))
  failed("invalid", nil, "string for boolean",
    c:create_job(APP, { room_id = "r", user_id = "u", is_record_audio = "yes",
    record_param = { record_rule_id = "x" } }))
  failed("invalid", nil, "missing room_id",
    c:create_job(APP, { user_id = "u", record_param = { record_rule_id = "x" } }))
  failed("invalid", nil, "empty app id", c:get_job("", "j"))
  failed("invalid", nil, "slash in app id", c:get_job("a/b", "j"))
  failed("invalid", nil, "dot-dot job id", c:get_job("a", ".."))
  failed("invalid", nil, "long job id", c:get_job("a", ("j"):rep(300)))
  failed("invalid", nil, "CRLF in job id", c:get_job("a", "j\r\nX: y"))
  -- misuse of Lua types raises (luaL_argerror style), nothing is sent
  raises(function() c:get_job({}, "j") end, "table as app id", "bad argument")
  raises(function() c:update_job("a", "j", "params") end, "string as params", "bad argument")
  raises(function() c:prepare("no_such_op", "a") end, "unknown operation", "unknown operation")
  raises(function() c:decode("get_job", "x") end, "status not a number", "bad argument")
  raises(function() c:poll(-1) end, "negative poll timeout", "bad argument")
  eq(requests_count(), before, "nothing was sent for invalid calls")
  c:close()
  raises(function() c:get_job("a", "j") end, "call on a closed client", "closed")
  -- a client without credentials: calls fail as invalid, nothing sent
  local nc = rtc.new(opts({ endpoint = mock.url }))
  check(tostring(nc):find("auth=none", 1, true), "client without credentials")
  local ne = failed("invalid", nil, "no credentials", nc:get_job("a", "j"))
  eq(ne.field, "credentials", "no credentials field")
  nc:close()
end)

section("bad_options", function()
  local function bad(o, pattern, what)
    local e = raises(function() rtc.new(o) end, what, pattern)
    check(type(e) == "table" and e.kind == "invalid", what .. ": raises an invalid error object")
  end
  bad({ endpoint = "ftp://x" }, "http", "ftp endpoint")
  bad({ endpoint = { mock.url, "http://a b" } }, "endpoint%[2%]", "bad second endpoint (first kept)")
  bad({ endpoint = {} }, "1 to 16", "empty endpoint list")
  bad({ endpoint = { mock.url, 42 } }, "URL string", "non-string endpoint")
  bad({ endpoint = "http:///x" }, "no host", "endpoint without host")
  bad({ endpoint = mock.url, token = "t", ak = "a", sk = "s", project_id = "p" }, "both token",
    "token and ak/sk")
  bad({ endpoint = mock.url, ak = "a", project_id = "p" }, "without sk", "ak without sk")
  bad({ endpoint = mock.url, sk = "s", user_agent = "ua" }, "without ak", "sk without ak")
  bad({ endpoint = mock.url, ak = "a", sk = "s" }, "project_id", "aksk without project id")
  bad({ endpoint = mock.url, security_token = "x", token = "t" }, "security_token", "sts without ak")
  bad({ endpoint = mock.url, token = "a\nb" }, "control", "LF in token")
  bad({ endpoint = mock.url, token = "" }, "non%-empty", "empty token")
  bad({ endpoint = mock.url, token = 5 }, "expected a string", "number token")
  bad({ endpoint = mock.url, timeout = 0 }, "timeout", "zero timeout")
  bad({ endpoint = mock.url, retries = 1.5 }, "whole number", "fractional retries")
  bad({ endpoint = mock.url, max_body = 10 }, "max_body", "tiny max_body")
  bad({ endpoint = mock.url, insecure = 1 }, "boolean", "number for boolean")
  bad({ endpoint = mock.url, debug = "x" }, "function", "string for debug")
  bad({ endpoint = mock.url, backoff_base = 2, backoff_max = 1 }, "backoff_max", "backoff order")
  bad({ endpoint = mock.url, tokne = "t" }, "did you mean \"token\"", "option typo")
  bad({ endpoint = mock.url, zzzzzzzzzz = 1 }, "unknown option", "unknown option")
  bad({ endpoint = mock.url, [1] = true }, "must be strings", "non-string option key")
  bad({ endpoint = mock.url, debug = print, token = "t", ca_file = "/x", proxy = "http://p",
    retries = 99 }, "retries", "debug function kept, then a bad option")
  raises(function() rtc.new("x") end, "rtc.new with a string", "bad argument")
  gc() -- the half-built clients' __gc frees what their options had copied
  -- all good options at once (built and closed, nothing sent)
  local c = rtc.new({ endpoint = { mock.url .. "/", REFUSED .. "/prefix/" }, ak = "ak-x",
    sk = "sk-x", project_id = "p", security_token = "sts", user_agent = "ua/1", timeout = 1.5,
    connect_timeout = 0.5, deadline = 9, retries = 0, backoff_base = 0.01, backoff_max = 0.02,
    max_body = 4096, concurrency = 3, ca_file = "/nonexistent/ca.pem", ca_path = "/nonexistent",
    proxy = "http://127.0.0.1:9", insecure = true, debug = function() end })
  check(tostring(c):find("ak=ak-x", 1, true), "tostring shows the shortened ak")
  c:close()
end)

section("api_errors", function()
  local c = helper.client(mock, opts({ retries = 0 }))
  mock:script{ status = 500, body = '{"error_code":"RTC.00002000","error_msg":"InternalError"}' }
  local e = failed("api", 500, "scripted 500", c:get_job(APP, "j"))
  eq(e.code, "RTC.00002000", "500 code")
  eq(e.message, "InternalError", "500 message")
  check(type(e.request_id) == "string", "500 request id from X-request-Id")
  mock:script{ status = 503, body = "<html>busy</html>", headers = { ["Content-Type"] = "text/html" } }
  e = failed("api", 503, "503 with an HTML body", c:get_job(APP, "j"))
  check(e.message:find("busy", 1, true), "non-JSON error body excerpt")
  mock:script{ status = 502, body = "" }
  failed("api", 502, "502 with no body", c:get_job(APP, "j"))
  mock:script{ status = 400, body = '{"errorCode":"APIGW.0101","errorMsg":"x","requestId":"rid-1"}' }
  e = failed("api", 400, "400 with APIG-style keys", c:get_job(APP, "j"))
  eq(e.code, "APIGW.0101", "APIG errorCode")
  mock:script{ status = 403, body = '{"error_code":"RTC.1","extra":[1,2,{"a":null}]}' }
  failed("api", 403, "403 without a message", c:get_job(APP, "j"))
  mock:script{ status = 302, body = "", headers = { Location = "http://elsewhere.example/x" } }
  e = failed("api", 302, "redirect", c:get_job(APP, "j"))
  check(e.message:find("redirect", 1, true), "redirect message")
  -- create_job is retried only when nothing was sent: a 503 is final even with retries
  local c2 = helper.client(mock, opts({ retries = 3, backoff_base = 0.01, backoff_max = 0.02 }))
  mock:script{ status = 503, body = '{"error_code":"X","error_msg":"busy"}', times = 2 }
  e = failed("api", 503, "create_job 503 not retried", c2:create_job(APP, GOOD_CREATE))
  check(e.attempts == nil or e.attempts == 1, "create_job made one attempt")
  c2:close()
  c:close()
  mock:reset()
end)

section("transport", function()
  local c = rtc.new(opts({ endpoint = REFUSED, token = "t", retries = 2, backoff_base = 0.01,
    backoff_max = 0.05 }))
  local e = failed("transport", nil, "connection refused", c:get_job(APP, "j"))
  eq(e.attempts, 3, "refused: retried twice")
  check(tostring(e):find("3 attempts", 1, true), "attempts in __tostring")
  -- create_job: a connection that failed sent nothing, so it is retried too
  e = failed("transport", nil, "create refused", c:create_job(APP, GOOD_CREATE))
  eq(e.attempts, 3, "create refused: retried")
  c:close()
  -- the server closes without answering / resets mid-body
  local c2 = helper.client(mock, opts({ retries = 0 }))
  mock:script{ close_before_response = true }
  failed("transport", nil, "closed before the answer", c2:get_job(APP, "j"))
  mock:script{ status = 200, body = ('{"job_id":"%s"}'):format(("j"):rep(200)), reset_mid_body = true }
  failed("transport", nil, "reset mid-body", c2:get_job(APP, "j"))
  mock:script{ raw = "this is not HTTP\r\n\r\n" }
  local r, e2 = c2:get_job(APP, "j")
  check(r == nil and (e2.kind == "transport" or e2.kind == "decode"), "garbage instead of HTTP")
  c2:close()
  mock:reset()
end)

section("timeout", function()
  local c = helper.client(mock, opts({ timeout = 1, retries = 0 }))
  mock:script{ stall_before_headers = 4 }
  local t = clock()
  local e = failed("timeout", nil, "stalled answer", c:get_job(APP, "j"))
  check(clock() - t < 3.5, "the timeout cut the wait short")
  mock:script{ status = 200, body = ('{"job_id":"%s"}'):format(("j"):rep(400)), stall_mid_body = 4 }
  failed("timeout", nil, "stall mid-body", c:get_job(APP, "j"))
  check(e.message and #e.message > 0, "timeout message")
  c:close()
  mock:reset()
end)

section("decode_errors", function()
  local c = helper.client(mock, opts({ retries = 0, max_body = 1024 }))
  mock:script{ status = 200, body = "<html><body>gateway page</body></html>",
    headers = { ["Content-Type"] = "text/html" } }
  local e = failed("decode", 200, "HTML with 200", c:get_job(APP, "j"))
  check(e.message:find("text/html", 1, true), "decode message names the content type")
  mock:script{ status = 200, body = '{"job_id":"' .. ("x"):rep(5000) .. '"}' }
  e = failed("decode", nil, "body over max_body", c:get_job(APP, "j"))
  check(e.message:find("max_body", 1, true), "too large message")
  mock:script{ status = 200, body = ('{"a":'):rep(150) .. "1" .. ("}"):rep(150) }
  failed("decode", nil, "JSON nested deeper than 128", c:get_job(APP, "j"))
  mock:script{ status = 200, body = '{"job_id": "x", ' }
  failed("decode", nil, "truncated JSON", c:get_job(APP, "j"))
  mock:script{ status = 200, body = "" }
  failed("decode", nil, "empty body for a job", c:get_job(APP, "j"))
  mock:script{ status = 200, body = '{"job_id":"\xff"}' }
  failed("decode", nil, "invalid UTF-8", c:get_job(APP, "j"))
  mock:script{ status = 200, body = "[1,2,3]" }
  failed("decode", nil, "an array, not an object", c:get_job(APP, "j"))
  mock:script{ status = 200, body = '{"max_idle_time": NaN}' }
  failed("decode", nil, "NaN refused", c:get_job(APP, "j"))
  -- typed as documented, or refused (answer_types_spec): each refusal leaves the traversal
  for body, field in pairs{
    ['{"job_id": true}'] = "job_id", ['{"job_id": "j", "state": {"a": [1]}}'] = "state",
    ['{"job_id": "j", "max_idle_time": 1e400}'] = "max_idle_time",
    ['{"job_id": "j", "publish_param": {"rtmp_urls": ["a", {"b": 1}]}}'] = "publish_param.rtmp_urls[2]",
    ['{"job_id": 1e20, "x": 12345678901234567890}'] = "job_id",
  } do
    mock:script{ status = 200, body = body }
    e = failed("decode", 200, "mistyped " .. field, c:get_job(APP, "j"))
    eq(e.field, field, "decode names the field")
  end
  mock:script{ status = 200,
    body = '{"job_id": 9007199254740993, "room_id": 123456789012345678901, "max_idle_time": "30"}' }
  local job = ok("long literals read back", c:get_job(APP, "j"))
  eq(job.job_id, "9007199254740993", "an id beyond 2^53 exact")
  eq(job.room_id, "123456789012345678901", "a longer id exact")
  mock:script{ status = 200, headers = { ["X-request-Id"] = "\27[31m" }, body = '{"job_id": "j"}' }
  failed("decode", 200, "a request id with control bytes", c:get_job(APP, "j"))
  c:close()
  mock:reset()
end)

section("rate", function()
  local lines = 0
  local c = helper.client(mock, opts({ retries = 0, rate = 20, debug = function() lines = lines + 1 end }))
  local calls = {}
  for i = 1, 6 do calls[i] = { "get_job", APP, "nope-" .. i } end
  local _, summary = c:batch(calls, { concurrency = 4 })
  eq(summary.failed, 6, "rate-limited batch: every call answered (404)")
  check(lines >= 12, "debug lines for each request and answer")
  mock:script{ status = 429, headers = { ["Retry-After"] = "1" }, body = "{}" }
  failed("api", 429, "a 429 that holds the client", c:get_job(APP, "j"))
  failed("api", 404, "the next call after the hold", c:get_job(APP, "j"))
  local p = c:policy()
  eq(p:take(1), 0, "policy:take")
  p:hold(5)
  eq(p:take(4), 1, "policy:hold")
  -- a batch that raises on a malformed entry, with a progress function: nothing kept
  for _ = 1, 3 do
    check(not pcall(c.batch, c, { { "get_job", APP, "j" }, { "get_job", {}, "j" } },
      { progress = function() end }), "batch misuse raises")
  end
  c:close()
  mock:reset()
end)

---------------------------------------------------------------------------------------------
-- 3. retries, Retry-After, deadline, failover
---------------------------------------------------------------------------------------------
section("retries", function()
  local c = helper.client(mock, opts({ retries = 3, backoff_base = 0.05, backoff_max = 0.2 }))
  local job = ok("create for retries", helper.client(mock, opts()):create_job(APP, GOOD_CREATE))
  gc() -- that unnamed client goes through __gc
  local before = requests_count()
  mock:script{ status = 503, body = '{"error_code":"X","error_msg":"busy"}', times = 2 }
  local got = ok("503, 503, then 200", c:get_job(APP, job.job_id))
  eq(got.job_id, job.job_id, "retried get_job result")
  eq(requests_count() - before, 3, "three requests for one call")
  -- Retry-After in seconds and as an HTTP date (in the past: no wait)
  mock:script{ { status = 429, body = "", headers = { ["Retry-After"] = "0" } },
               { status = 503, body = "", headers = { ["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT" } } }
  ok("Retry-After honoured", c:get_job(APP, job.job_id))
  -- retries run out: the last answer is the error
  mock:script{ status = 500, body = '{"error_code":"E","error_msg":"down"}', times = 4 }
  local e = failed("api", 500, "retries exhausted", c:update_job(APP, job.job_id, GOOD_UPDATE))
  eq(e.attempts, 4, "1 + 3 retries")
  -- a transport failure mid-way, then success (the mock applies the request before it
  -- misbehaves, so this is done with an idempotent read)
  mock:script{ close_before_response = true }
  ok("closed connection, then 200", c:get_job(APP, job.job_id))
  ok("stop after retries", c:stop_job(APP, job.job_id))
  c:close()
  mock:reset()
end)

section("deadline", function()
  -- the deadline cuts an attempt short: timeout
  local c = helper.client(mock, { timeout = 30, deadline = 1.5, retries = 5 })
  mock:script{ stall_before_headers = 5 }
  local t = clock()
  failed("timeout", nil, "deadline during an attempt", c:get_job(APP, "j"))
  check(clock() - t < 4.5, "the deadline bounded the call")
  c:close()
  -- the deadline stops the retries: the last answer is returned
  local c2 = helper.client(mock, { timeout = 30, deadline = 1.0, retries = 10, backoff_base = 0.6,
    backoff_max = 0.6 })
  mock:script{ status = 503, body = '{"error_code":"X","error_msg":"busy"}', times = 20,
    headers = { ["Retry-After"] = "0.4" } }
  local e = failed("api", 503, "deadline ends the retries", c2:get_job(APP, "j"))
  check((e.attempts or 1) < 11, "fewer attempts than retries allow")
  c2:close()
  mock:reset()
end)

section("failover", function()
  local lines = {}
  local c = rtc.new(opts({ endpoint = { REFUSED, mock.url }, token = "test-token", retries = 2,
    debug = function(l) lines[#lines + 1] = l end }))
  local job = ok("failover create", c:create_job(APP, GOOD_CREATE))
  ok("failover get (preferred endpoint)", c:get_job(APP, job.job_id))
  check(table.concat(lines, "\n"):find("127.0.0.1:1/", 1, true), "the refused endpoint was tried")
  c:close()
  -- every endpoint down: transport after trying each
  local c2 = rtc.new(opts({ endpoint = { REFUSED, "http://127.0.0.1:2", "http://127.0.0.1:3" },
    token = "t", retries = 4, backoff_base = 0.01, backoff_max = 0.02 }))
  local e = failed("transport", nil, "all endpoints refused", c2:get_job(APP, "j"))
  eq(e.attempts, 5, "all endpoints, all retries")
  c2:close()
  -- an endpoint with a path prefix (the mock knows no such prefix: 404)
  local c3 = helper.client(mock, opts({ endpoint = mock.url .. "/gw/" }))
  failed("api", 404, "prefixed endpoint", c3:get_job(APP, "j"))
  c3:close()
end)

---------------------------------------------------------------------------------------------
-- 4. prepare / decode / rtc.sign
---------------------------------------------------------------------------------------------
section("prepare", function()
  local t = helper.client(mock, opts())
  local a = helper.aksk_client(mock, opts({ security_token = "sts" }))
  for _, c in ipairs({ t, a }) do
    local r = ok("prepare update", c:prepare("update_job", APP, "job 1", GOOD_UPDATE))
    eq(r.method, "PUT", "prepare method")
    check(r.url:find("/v2/apps/app%-memcheck/individual%-stream%-jobs/job%%201$"), "prepare url " .. r.url)
    check(r.body:find("rtmp://your.rtmp-server.com", 1, true), "body without escaped slashes")
    ok("prepare create", c:prepare("create_job", APP, GOOD_CREATE))
    r = ok("prepare get", c:prepare("get_job", APP, "j"))
    eq(r.body, "", "get has no body")
    ok("prepare stop", c:prepare("stop_job", APP, "j"))
    failed("invalid", nil, "prepare invalid",
      c:prepare("update_job", APP, "j", { publish_param = { rtmp_urls = { 1 } } }))
  end
  local r = a:prepare("update_job", APP, "j", GOOD_UPDATE)
  check(r.headers.Authorization:find("^SDK%-HMAC%-SHA256 Access=test%-ak"), "signed")
  eq(r.headers["X-Security-Token"], "sts", "security token header")
  eq(r.headers["X-Project-Id"], "test-project", "project header")
  -- the prepared request really works when sent (by the mock's raw client)
  local status = mock:request(r.method, r.url:match("^http://[^/]+(/.*)$"), { headers = r.headers, body = r.body })
  eq(status, 404, "prepared AK/SK request authenticates (404: no such job)")
  t:close()
  a:close()
  -- an AK the signer refuses (a comma) can never be sent: rtc.new refuses it, and frees what it
  -- had read (the chain's answer, the prepared key)
  raises(function() rtc.new(opts({ endpoint = mock.url, ak = "a,b", sk = "s", project_id = "p" })) end,
    "rtc.new with an unsignable ak", "ak")
end)

section("credentials", function()
  local q = helper.shell_quote
  -- a profile file (credentials_file) and a region whose endpoint the environment cannot set
  -- here: the endpoint option wins over the region; the chain's debug line comes with the call
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write("[basic]\nak = test-ak\nsk = test-sk\nproject_id = test-project\n")
  f:close()
  os.execute("chmod 600 " .. q(file))
  local lines = {}
  local c = rtc.new(opts({ endpoint = mock.url, region = "cn-north-4", credentials_file = file,
    debug = function(l) lines[#lines + 1] = l end }))
  failed("api", 404, "profile keys sign", c:get_job(APP, "no-such-job"))
  check(table.concat(lines, "\n"):find("from profile", 1, true), "the chain's debug line")
  c:close()
  os.remove(file)
  -- metadata keys that live 4 s are refreshed 2 s in: the key is prepared again, the old freed
  local aksk = {}
  for n = 1, 5 do aksk[("META-AK-%04d"):format(n)] = "meta-sk-" .. n end
  local m2 = helper.start_mock({ aksk = aksk, project_id = "meta-project" })
  local out = os.tmpname()
  local sh = assert(io.popen(helper.MOCK_LUA .. " mock/metadata.lua --port 0 --lifetime 4 >" ..
    q(out) .. " 2>/dev/null </dev/null & echo $!", "r"))
  local pid = tonumber(sh:read("*l"))
  sh:close()
  local port
  for _ = 1, 500 do
    local o = io.open(out)
    if o then port = (o:read("*a") or ""):match("listening on [^:]+:(%d+)"); o:close() end
    if port then break end
    helper.sleep(0.02)
  end
  os.remove(out)
  check(port, "metadata mock started")
  local m = rtc.new(opts({ endpoint = m2.url, metadata = true,
                           metadata_url = "http://127.0.0.1:" .. port }))
  failed("api", 404, "metadata keys sign", m:get_job(APP, "no-such-job"))
  helper.sleep(2.5)
  failed("api", 404, "refreshed keys sign", m:get_job(APP, "no-such-job"))
  local reqs = m2:requests()
  check(reqs[1].headers.authorization:find("META-AK-0001", 1, true), "first keys")
  check(reqs[2].headers.authorization:find("META-AK-0002", 1, true), "refreshed keys")
  eq(reqs[2].headers["x-security-token"], "meta-st-2", "the refreshed security token is sent")
  m:close()
  m2:stop()
  os.execute("kill " .. pid .. " 2>/dev/null")
end)

section("decode", function()
  local c = helper.client(mock, opts())
  local body200 = '{ "job_id" : 1, "app_id" : 1, "room_id" : 100, "user_id" : "user001", ' ..
    '"is_record_audio" : true, "video_type" : "CAMERASTREAM", "select_stream_type" : "FHD", ' ..
    '"max_idle_time" : 30, "publish_param" : { "rtmp_urls" : [ "rtmp://your.rtmp-server.com" ] }, ' ..
    '"record_param" : { "record_rule_id" : "5f5e172b9016ed5b0961a43" }, ' ..
    '"create_time" : "2006-01-02T15:04:05.075Z", "start_time" : "2006-01-02T15:04:05.075Z" }'
  local j = ok("decode seed 200", c:decode("update_job", 200, { ["X-request-Id"] = "rid-200" }, body200))
  eq(j.job_id, "1", "numbers in string fields become strings")
  eq(j.room_id, "100", "room_id as string")
  eq(j.request_id, "rid-200", "request id from headers")
  ok("decode 201 without headers", c:decode("create_job", 201, nil, body200))
  ok("decode with a header list", c:decode("get_job", 200, { ["x-request-id"] = { "rid-list" } }, "  " .. body200))
  -- a UTF-8 BOM: skipped when looking for '{' but then handed to cjson, which refuses it
  -- (reported to the lead); either outcome is accepted here, the path is what is exercised
  local bj, be = c:decode("get_job", 200, { ["x-request-id"] = { "rid-list" } }, "\xEF\xBB\xBF" .. body200)
  check((bj and bj.job_id == "1") or (be and be.kind == "decode"), "decode with a BOM")
  local n = ok("decode with nulls", c:decode("get_job", 200, {},
    '{"job_id":"x","stop_reason":null,"max_idle_time":"45",' ..
    '"publish_param":{"rtmp_urls":[null,"rtmp://a",null]},"extra":{"deep":[{"x":null},[1,2.5]]}}'))
  eq(n.stop_reason, nil, "null dropped")
  eq(n.max_idle_time, 45, "string integer normalized")
  eq(n.publish_param.rtmp_urls[1], "rtmp://a", "nulls removed from arrays")
  -- a number that overflows to infinity is accepted by lua-cjson; the module refuses it (no inf
  -- in a result, whatever the field)
  failed("decode", 201, "decode an overflowing number",
    c:decode("create_job", 201, nil, '{"job_id":"j","a":-1e999999}'))
  local s = ok("decode 204", c:decode("stop_job", 204, { ["X-Request-Id"] = "rid-204" }, ""))
  eq(s.request_id, "rid-204", "stop request id")
  for _, case in ipairs({
    { 400, '{ "error_code" : "RTC.00001003", "error_msg" : "InvalidParameterValue" }', "api" },
    { 404, '{ "error_code" : "RTC.00001003", "error_msg" : "InvalidParameterValue" }', "api" },
    { 500, '{ "error_code" : "RTC.00002xxx", "error_msg" : "InternalError" }', "api" },
    { 500, "<html>oops</html>", "api" }, { 503, "", "api" }, { 301, "", "api" },
    { 200, "<html></html>", "decode" }, { 200, "", "decode" }, { 200, "{", "decode" },
    { 199, "{}", "decode" }, { 600, "{}", "decode" }, { 0, "", "decode" }, { -5, "", "decode" },
    { 200, ('['):rep(300), "decode" }, { 200, ('{"a":'):rep(200), "decode" },
    { 200, '{"a":0x10}', "decode" },
  }) do
    failed(case[3], nil, ("decode %d %q"):format(case[1], case[2]:sub(1, 20)),
      c:decode("update_job", case[1], { ["Content-Type"] = "text/plain", Location = "/x" }, case[2]))
  end
  c:close()
end)

section("sign", function()
  local h, canon = rtc.sign{ method = "PUT", url = "https://host.example:8443/v2/apps/a/x?b=2&a=1#frag",
    headers = { ["Content-Type"] = "application/json" }, body = '{"a":1}', ak = "AK", sk = "SK",
    date = "20060102T150405Z" }
  check(type(h) == "table" and h.Authorization:find("^SDK%-HMAC%-SHA256 Access=AK"), "rtc.sign headers")
  check(canon:find("^PUT\n/v2/apps/a/x/\na=1&b=2\n"), "canonical request")
  eq(h.Host, "host.example:8443", "Host added")
  -- the malloc'd paths: more than 16 headers and query parameters, a long target
  local many, q = {}, {}
  for i = 1, 40 do many["X-H" .. i] = " v" .. i .. " "; q[#q + 1] = "k" .. i .. "=%41" .. i end
  many["X-Sdk-Date"] = "20060102T150405Z"
  many["X_underscore"] = "not signed"
  many["Content-Type"] = "text/plain" -- adds X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD
  h = rtc.sign{ method = "post", url = "/" .. ("seg%2F/"):rep(200) .. "?" .. table.concat(q, "&"),
    headers = many, body = ("b"):rep(10000), ak = "AK", sk = ("k"):rep(100) }
  eq(h["X-Sdk-Content-Sha256"], "UNSIGNED-PAYLOAD", "unsigned payload header")
  h = rtc.sign{ method = "GET", url = "http://u@h?x", ak = "AK", sk = "SK" }
  check(h["X-Sdk-Date"] and h.Host == "h", "date and host filled in")
  -- errors raise (the C strings are freed by the box's __gc)
  raises(function() rtc.sign{ method = "GET", url = "ftp:x", ak = "a", sk = "s" } end, "bad url", "url")
  raises(function() rtc.sign{ method = "G T", url = "/", ak = "a", sk = "s" } end, "bad method", "method")
  raises(function() rtc.sign{ method = "GET", url = "/", ak = "", sk = "s" } end, "empty ak", "ak")
  raises(function() rtc.sign{ method = "GET", url = "/", ak = "a", sk = "s", date = "x" } end, "bad date", "date")
  raises(function() rtc.sign{ method = "GET", url = "/", ak = "a", sk = "s",
    headers = { Host = "a", host = "b" } } end, "duplicate header", "duplicate")
  raises(function() rtc.sign{ method = "GET", url = "/", ak = "a", sk = "s",
    headers = { ["X-A"] = "a\nb" } } end, "header CRLF", "CR")
  raises(function() rtc.sign{ method = "GET", url = "/", ak = "a", sk = "s",
    headers = { [1] = "x" } } end, "non-string header name", "string keys")
  raises(function() rtc.sign("x") end, "not a table", "bad argument")
  gc()
end)

---------------------------------------------------------------------------------------------
-- 5. batch, start/poll/cancel, close and __gc with calls in flight, the default client
---------------------------------------------------------------------------------------------
section("batch", function()
  local c = helper.aksk_client(mock, opts({ retries = 0 }))
  local job = ok("create for batch", c:create_job(APP, GOOD_CREATE))
  -- the stop goes to another job: calls in flight together may reach the server in any order
  local job2 = ok("create another for batch", c:create_job(APP, GOOD_CREATE))
  local progress = {}
  local results, summary = c:batch({
    { "get_job", APP, job.job_id },
    { "update_job", APP, job.job_id, GOOD_UPDATE },
    { "get_job", APP, "no-such-job" },                                           -- 404
    { "update_job", APP, job.job_id, { publish_param = { rtmp_urls = { "x" } } } }, -- invalid
    { "create_job", APP, GOOD_CREATE },
    { "get_job", "no-such-app", "j" },                                           -- 404
    { "stop_job", APP, job2.job_id },
  }, { concurrency = 2, progress = function(done, total, index, res, err)
    progress[#progress + 1] = { done, total, index, res ~= nil, err ~= nil }
    -- the client is busy inside a callback: calls raise, the batch goes on
    c:get_job(APP, job.job_id)
  end })
  eq(#results, 7, "one result per call")
  local why = {}
  for i = 1, 7 do if results[i].err then why[#why + 1] = i .. ": " .. tostring(results[i].err) end end
  eq(summary.ok, 4, "batch ok (failed: " .. table.concat(why, "; ") .. ")")
  eq(summary.failed, 3, "batch failed")
  eq(#progress, 7, "progress called for each call")
  eq(progress[#progress][1], 7, "progress done count reaches total")
  check(results[1].result and results[1].result.job_id == job.job_id, "batch[1] result")
  check(results[3].err and results[3].err.kind == "api" and results[3].err.status == 404, "batch[3] 404")
  check(results[4].err and results[4].err.kind == "invalid", "batch[4] invalid")
  check(results[5].result and results[5].result.job_id, "batch[5] created")
  -- a progress callback that raises, an empty batch, the default concurrency
  local r2, s2 = c:batch({ { "get_job", APP, job.job_id }, { "get_job", APP, "nope" } },
    { progress = function() error("progress broke") end })
  eq(s2.ok, 1, "raising progress: ok")
  eq(s2.failed, 1, "raising progress: failed")
  check(r2[2].err.status == 404, "raising progress: 404 kept")
  local r3, s3 = c:batch({})
  check(#r3 == 0 and s3.ok == 0 and s3.failed == 0, "empty batch")
  -- misuse raises before anything is sent
  raises(function() c:batch({ { "get_job", APP, "j" }, "not a table" }) end, "batch misuse", "calls%[2%]")
  raises(function() c:batch({ { "no_op" } }) end, "batch unknown op", "operation name")
  raises(function() c:batch({}, { concurrency = 0 }) end, "batch concurrency 0", "concurrency")
  raises(function() c:batch({}, { progress = 1 }) end, "batch progress not a function", "progress")
  eq(c:pending(), 0, "nothing pending after the batches")
  c:close()
  -- misuse found while building (a table as app id, after a good call was queued): raises;
  -- the queued call stays with the client until it is closed (see the memcheck report)
  local c2 = helper.client(mock, opts())
  local before = requests_count()
  raises(function() c2:batch({ { "get_job", APP, "j" }, { "get_job", {}, "j" } },
    { progress = function() end }) end, "batch misuse while building", "calls%[2%]")
  eq(c2:pending(), 0, "batch misuse: nothing pending")
  failed("api", 404, "a call after a batch that raised", c2:get_job(APP, "after-misuse"))
  eq(requests_count() - before, 1, "batch misuse: the queued call was dropped, not sent later")
  c2:close()
end)

section("start_poll_cancel", function()
  local c = helper.client(mock, opts({ concurrency = 2 }))
  local job = ok("create for start/poll", c:create_job(APP, GOOD_CREATE))
  eq(c:timeout(), nil, "idle client: no timeout")
  local r0, w0 = c:fds()
  check(#r0 == 0 and #w0 == 0, "idle client: no sockets to wait on")
  local bad, berr = c:start("update_job", APP, job.job_id, { publish_param = {} })
  failed("invalid", nil, "start with invalid params", bad, berr)
  -- the first two requests to arrive (ids 1 and 2: concurrency 2) are answered after 4 s, so
  -- they hold both places while the test runs: 3, 4 and 5 stay queued until one is cancelled
  mock:script{ delay = 4, times = 2 }
  local t = clock()
  local ids = {}
  ids[1] = assert(c:start("get_job", APP, job.job_id))
  ids[2] = assert(c:start("update_job", APP, job.job_id, GOOD_UPDATE))
  ids[3] = assert(c:start("get_job", APP, "no-such-job"))
  ids[4] = assert(c:start("get_job", APP, job.job_id))
  ids[5] = assert(c:start("get_job", "a", "queued-then-cancelled"))
  eq(c:pending(), 5, "five pending")
  check(type(c:timeout()) == "number", "a timeout while calls run")
  -- the sockets an external event loop would wait on (ids 1 and 2 are on the wire)
  local readable, writable = c:fds()
  check(type(readable) == "table" and type(writable) == "table", "fds gives two arrays")
  check(#readable + #writable >= 1, "fds: the running calls' sockets")
  for _, fd in ipairs(readable) do check(math.type(fd) == "integer" and fd >= 0, "fds: integers") end
  local seen = {}
  for id, res, err in c:poll(0) do seen[id] = { res = res, err = err } end -- never blocks
  check(clock() - t < 1.5, "poll(0) did not block")
  check(next(seen) == nil, "nothing finished yet")
  eq(c:cancel(ids[5]), true, "cancel a queued call")
  eq(c:cancel(ids[5]), false, "cancel twice")
  eq(c:cancel(99999), false, "cancel an unknown id")
  eq(c:cancel(ids[1]), true, "cancel a running call")  -- frees a place: 3 and 4 go out
  while c:pending() > 0 and clock() - t < 30 do
    for id, res, err in c:poll(0.5) do seen[id] = { res = res, err = err } end
  end
  eq(c:pending(), 0, "all collected")
  failed("cancelled", nil, "cancelled running call", seen[ids[1]].res, seen[ids[1]].err)
  ok("delayed update", seen[ids[2]].res, seen[ids[2]].err)
  failed("api", 404, "started get 404", seen[ids[3]].res, seen[ids[3]].err)
  ok("started get", seen[ids[4]].res, seen[ids[4]].err)
  failed("cancelled", nil, "cancelled queued call", seen[ids[5]].res, seen[ids[5]].err)
  c:close()
end)

section("close_in_flight", function()
  local c = helper.client(mock, opts())
  mock:script{ delay = 5, times = 3 }
  local t = clock()
  for i = 1, 4 do assert(c:start("get_job", APP, "slow-" .. i)) end
  for _ in c:poll(0.3) do end -- on the wire
  check(c:pending() >= 3, "calls in flight")
  local iterator = c:poll(0)
  c:close()
  eq(iterator(), nil, "a poll iterator of a closed client ends")
  check(clock() - t < 4, "close did not wait for the calls")
  raises(function() c:pending() end, "pending on a closed client", "closed")
  raises(function() c:poll(0) end, "poll on a closed client", "closed")
  raises(function() c:start("get_job", "a", "b") end, "start on a closed client", "closed")
  -- __close
  do
    local cc <close> = helper.client(mock, opts())
    assert(cc:start("get_job", APP, "x"))
  end
  mock:reset()
end)

section("reentry", function()
  -- the issue-10 reproducer: finalizers close the client while its calls run (close is
  -- deferred until the running method returns; later calls raise "closed")
  local function new(o)
    local t = { retries = 0 }
    for k, v in pairs(o or {}) do t[k] = v end
    return helper.client(mock, t)
  end
  local c = new()
  local Owner = { __gc = function(o) pcall(o.client.close, o.client) end }
  for i = 1, 300 do
    if not pcall(c.get_job, c, "app", "job" .. i) then c = new() end
    setmetatable({ client = c }, Owner)
  end
  gc()
  c:close()
  -- a finalizer closes the client while a call is being built (validation and JSON encoding
  -- allocate): "the client is closed", never a read of its freed configuration
  c = new()
  local go, Closer = false, {}
  Closer.__gc = function() if go then pcall(c.close, c) else setmetatable({}, Closer) end end
  setmetatable({}, Closer)
  go = true
  local params = { publish_param = { rtmp_urls = { "rtmp://x/y" } } }
  for i = 1, 400 do
    local okc, _, e = pcall(c.update_job, c, "app", "u" .. i, params)
    if okc then eq(e and e.kind, "api", "built call answered")
    else go = false; c = new(); setmetatable({}, Closer); go = true end
    if i % 25 == 0 then collectgarbage("step") end
  end
  go = false
  c:close()
  -- a large answer: decode allocates a lot while finalizers close the client
  local big = '{"job_id":"big","description":"' .. string.rep("d", 100000) .. '"}'
  c = new()
  for _ = 1, 10 do
    for _ = 1, 20 do setmetatable({ client = c }, Owner) end
    mock:script{ status = 200, body = big }
    local okc, job = pcall(c.get_job, c, "app", "big")
    if okc then eq(#job.description, 100000, "big answer decoded whole") else c = new() end
  end
  c:close()
  -- start/poll with finalizers closing the client while poll decodes
  c = new()
  for round = 1, 10 do
    local okc = pcall(function()
      for i = 1, 3 do c:start("get_job", "app", "p" .. round .. i) end
      local n = 0
      while n < 3 do
        for _ in c:poll(5) do n = n + 1; setmetatable({ client = c }, Owner) end
      end
    end)
    if not okc then c = new() end
  end
  c:close()
  -- batch: progress calls back in (busy), runs collectgarbage, closes the client midway
  c = new()
  local calls = {}
  for i = 1, 12 do calls[i] = { "get_job", "app", "b" .. i } end
  local refused = 0
  local _, summary = c:batch(calls, { concurrency = 3, progress = function(done)
    gc()
    if not pcall(c.get_job, c, "app", "x") then refused = refused + 1 end
    if done == 6 then c:close() end
  end })
  eq(summary.failed, 12, "batch with closing progress: every call answered")
  eq(refused, 12, "calls from progress refused")
  eq(tostring(c), "rtc.client(closed)", "closed once the batch returned")
  -- keep_results = false
  c = new()
  local seen = 0
  local r, s2 = c:batch(calls, { keep_results = false, progress = function() seen = seen + 1 end })
  eq(r, nil, "keep_results = false: no results table")
  eq(s2.failed, 12, "keep_results = false: summary")
  eq(seen, 12, "keep_results = false: progress for each")
  -- a debug callback that closes the client and calls back in
  c = new{ debug = function() pcall(c.get_job, c, "app", "x"); c:close() end }
  failed("api", 404, "get_job with a closing debug callback", c:get_job("app", "j"))
  eq(tostring(c), "rtc.client(closed)", "debug close deferred")
  gc()
end)

section("gc_unclosed", function()
  mock:script{ delay = 5, times = 6 }
  for i = 1, 3 do
    local c = helper.aksk_client(mock, opts({ debug = function() end }))
    assert(c:start("get_job", APP, "gc-" .. i))
    assert(c:start("update_job", APP, "gc-" .. i, GOOD_UPDATE))
    for _ in c:poll(0.1) do end
    -- a finished, uncollected call too
    local d = helper.client(mock, opts())
    local id = assert(d:start("get_job", APP, "x"))
    d:cancel(id)
  end
  -- clients that were never used, and one built from failing options
  for _ = 1, 3 do rtc.new({ endpoint = mock.url, token = "t" }) end
  pcall(rtc.new, { endpoint = { mock.url, mock.url }, token = "t", retries = -1 })
  gc()
  mock:reset()
end)

section("default_client", function()
  rtc.configure()                     -- from the environment: run.sh clears RTC_* and HUAWEICLOUD_*
  local e = failed("invalid", nil, "default client without credentials", rtc.get_job("a", "j"))
  eq(e.field, "credentials", "default client: credentials field")
  rtc.configure(opts({ endpoint = mock.url, token = "test-token" }))
  local job = ok("rtc.create_job", rtc.create_job(APP, GOOD_CREATE))
  ok("rtc.get_job", rtc.get_job(APP, job.job_id))
  ok("rtc.update_job", rtc.update_job(APP, job.job_id, GOOD_UPDATE))
  local e2 = raises(function() rtc.configure({ endpoint = mock.url, token = "t", timeout = -1 }) end,
    "configure with a bad option", "timeout")
  check(e2.kind == "invalid", "configure raises an invalid error object")
  ok("old default kept after a bad configure", rtc.stop_job(APP, job.job_id))
  rtc.configure(opts({ endpoint = mock.url, ak = "test-ak", sk = "test-sk", project_id = "test-project" }))
  local stopped = ok("default client with AK/SK", rtc.get_job(APP, job.job_id))
  eq(stopped.state, "STOPPED", "default client: the stopped job")
  rtc.configure()
  raises(function() rtc.get_job({}, "j") end, "module call misuse", "bad argument")
  rtc.configure(opts({ endpoint = mock.url, token = "test-token" })) -- closed at lua_close by __gc
  gc()
end)

---------------------------------------------------------------------------------------------
-- 6. GC pressure on the paths that hand out pointers into Lua strings
---------------------------------------------------------------------------------------------
-- wait_<x>: the getter called as Lua would, the pauses, the timeout error, the getter's error,
-- misuse, and a collector that runs at every step of the wait (no C pointer outlives a call)
section("wait", function()
  local c = helper.client(mock, opts({ retries = 0 }))
  local job = ok("wait: create_job", c:create_job(APP, GOOD_CREATE))
  eq(ok("wait_job RUNNING", c:wait_job(APP, job.job_id, "RUNNING", { timeout = 60 })).state,
     "RUNNING", "wait_job reaches RUNNING")
  local e = failed("timeout", nil, "wait_job times out",
    c:wait_job(APP, job.job_id, "STOPPED", { timeout = 0.3, interval = 0.05 }))
  check(tostring(e):find("RUNNING", 1, true), "the timeout names the last state")
  failed("api", 404, "wait_job on an unknown job", c:wait_job(APP, "nope", "RUNNING"))
  ok("wait: stop_job", c:stop_job(APP, job.job_id))
  collectgarbage("incremental", 1, 1000, 30)
  collectgarbage("collect")
  for i = 1, 5 do
    eq(ok("wait_job STOPPED", c:wait_job(APP, job.job_id, i % 2 == 0 and "RUNNING" or "INIT")).state,
       "STOPPED", "a STOPPED job ends the wait")
  end
  collectgarbage("incremental", 200, 100, 13)
  raises(function() c:wait_job(APP, job.job_id, 7) end, "wait_job state not a string", "state")
  raises(function() c:wait_job(APP, job.job_id, "RUNNING", { timeout = "x" }) end,
    "wait_job bad timeout", "opts.timeout")
  c:close()
end)

-- With the collector running all the time, a C pointer to a string that nothing references
-- any more is read after it was freed: valgrind reports "Invalid read". Error bodies with
-- numeric fields, and header lists holding numbers, take the lua_tostring-on-a-copy path.
section("gc_numeric", function()
  local c = helper.client(mock, opts())
  -- a collector that never rests (pause 1 is stored as 1/4 = 0; a 0 would mean "unchanged")
  -- with steps of 2^30 units, so each step is a whole cycle, whatever the heap's size: every
  -- allocation is a full collection, and an unreferenced string is freed at the next one
  collectgarbage("incremental", 1, 1000, 30)
  collectgarbage("collect") -- the new pause applies from the end of a cycle on
  local err_mt = getmetatable(select(2, c:decode("get_job", 500, nil, "")))
  for i = 1, 20 do
    -- (a) decode_error_answer/first_field: numeric error_code / error_msg / request_id in the body
    --     (whether numbers are kept as text or ignored is the module's choice: either passes)
    local _, e = c:decode("get_job", 404, nil,
      ('{"error_code": %d, "error_msg": %d, "request_id": %d, "pad": "%s"}'):format(1000 + i,
        2000 + i, 3000 + i, ("p"):rep(i % 40)))
    check(e and e.kind == "api" and e.status == 404, "numeric error fields: an api error")
    check(e.code == nil or e.code:find(tostring(1000 + i), 1, true), "numeric error_code")
    check(type(e.message) == "string" and e.message:find(tostring(2000 + i), 1, true),
      "numeric error_msg (kept, or in the body excerpt)")
    check(e.request_id == nil or e.request_id:find(tostring(3000 + i), 1, true), "numeric request_id")
    -- (b) client_decode/find_header: a header given as a list whose item is a number
    local _, e2 = c:decode("get_job", 200, { ["X-Request-Id"] = { 7000000 + i }, ["Content-Type"] = { 5 } },
      "<html>" .. ("p"):rep(i % 40))
    check(e2 and e2.kind == "decode", "HTML body: decode error")
    check(e2.request_id == nil or e2.request_id == tostring(7000000 + i), "numeric request id in a list")
    -- (c) error_tostring/field_string: an error object whose fields are numbers
    local fake = setmetatable({ kind = 77 + i, status = 500, code = 4242 + i, message = 99 + i,
      request_id = 123 + i, attempts = 2 }, err_mt)
    check(type(tostring(fake)) == "string", "error __tostring with numeric fields")
  end
  collectgarbage("incremental", 200, 100, 13) -- the defaults again
  collectgarbage("collect")
  c:close()
end)

---------------------------------------------------------------------------------------------
-- run
---------------------------------------------------------------------------------------------
for _, s in ipairs(sections) do
  local run = (next(only) == nil or only[s.name]) and not skip[s.name]
  if run then
    current = s.name
    local t = clock()
    mock:reset()
    s.fn()
    gc()
    sections_run = sections_run + 1
    io.stderr:write(("memcheck driver: %-18s ok (%.1f s)\n"):format(s.name, clock() - t))
  else
    io.stderr:write(("memcheck driver: %-18s skipped\n"):format(s.name))
  end
end
mock:stop()
gc()
print(("memcheck driver: OK: %d sections, %d checks passed in %.1f s"):format(sections_run, checks,
  clock() - T0))
