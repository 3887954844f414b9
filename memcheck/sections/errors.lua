-- memcheck/sections/errors.lua: every error kind. memcheck/driver.lua runs the sections;
-- memcheck/kit.lua holds what they share.
local kit = require "memcheck.kit"
local helper, rtc, clock, check, eq, ok = kit.helper, kit.rtc, kit.clock, kit.check, kit.eq, kit.ok
local failed, raises, gc, section, mock = kit.failed, kit.raises, kit.gc, kit.section, kit.mock
local REFUSED, APP, GOOD_CREATE, opts = kit.REFUSED, kit.APP, kit.GOOD_CREATE, kit.opts
local requests_count = kit.requests_count

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
    max_body = 4096, concurrency = 3, ca_file = "memcheck/lua.supp", ca_path = "memcheck", -- exist
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
  -- stalls of 60 s (let go when the client leaves): a timeout that did not cut them short
  -- would take a minute, while valgrind on a loaded machine adds seconds
  mock:script{ stall_before_headers = 60 }
  local t = clock()
  local e = failed("timeout", nil, "stalled answer", c:get_job(APP, "j"))
  check(clock() - t < 30, "the timeout cut the wait short")
  mock:script{ status = 200, body = ('{"job_id":"%s"}'):format(("j"):rep(400)), stall_mid_body = 60 }
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
