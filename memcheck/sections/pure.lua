-- memcheck/sections/pure.lua: prepare / decode / rtc.sign / rtc.join_signature. memcheck/driver.lua
-- runs the sections; memcheck/kit.lua holds what they share.
local kit = require "memcheck.kit"
local helper, rtc, check, eq, ok = kit.helper, kit.rtc, kit.check, kit.eq, kit.ok
local failed, raises, gc, section, mock = kit.failed, kit.raises, kit.gc, kit.section, kit.mock
local APP, GOOD_CREATE, GOOD_UPDATE, opts = kit.APP, kit.GOOD_CREATE, kit.GOOD_UPDATE, kit.opts

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

section("join_signature", function()
  local key = "0123456789abcdef0123456789abcdef"
  local sig, ctime = rtc.join_signature("my-app", key, "room-1", "user-1", { now = 1764576000 })
  eq(sig, "32cd71b546b8c5062d3d11cf79050f5a15c6839a844549f82a195dcbdf32bc55", "join signature '+'")
  eq(ctime, 1764583200, "join ctime")
  sig = rtc.join_signature("my-app", key, "room-1", "user-1", { now = 1764576000, join = "" })
  eq(sig, "93afc2d39e2c1f9d12501f0ab3a350242f57dd327c9d83403e79de90e2fd216f", "join signature ''")
  -- long ids and key (the content buffer grows), refusals, raises after the options are read
  sig = rtc.join_signature(("a"):rep(256), ("k"):rep(5000), ("r"):rep(256), ("u"):rep(256))
  check(type(sig) == "string" and #sig == 64, "join long ids and key")
  failed("invalid", nil, "join empty room", rtc.join_signature("a", key, "", "u"))
  failed("invalid", nil, "join ttl", rtc.join_signature("a", key, "r", "u", { ttl = 0 }))
  failed("invalid", nil, "join ctime", rtc.join_signature("a", key, "r", "u", { now = 10, ctime = 5 }))
  failed("invalid", nil, "join separator", rtc.join_signature("a", key, "r", "u", { join = "-" }))
  raises(function() rtc.join_signature("a", key, "r", "u", { ttl = "1" }) end, "join ttl type", "opts.ttl")
  raises(function() rtc.join_signature("a", key, "r", "u", { bogus = 1 }) end, "join unknown", "unknown")
  raises(function() rtc.join_signature("a", nil, "r", "u") end, "join key type", "app_key")
  gc()
end)

section("events", function()
  local key = "0123456789abcdef0123456789abcdef"
  local body = '{"event_type":"RECORD_FILE_COMPLETE","job_id":"j","record_duration":65,"x":[1,{"y":null}]}'
  for i = 1, 20 do
    local h = rtc.events.sign(body, key, i % 2 == 0 and { rand = "r" .. i, timestamp = 1764576000 } or nil)
    local ev = ok("events.verify", rtc.events.verify(h, body, key, { max_age = false }))
    eq(ev.record_duration, 65, "record_duration")
    failed("signature", nil, "tampered", rtc.events.verify(h, body .. " ", key))
    failed("decode", nil, "mistyped", rtc.events.verify({}, '{"width":1.5}', false))
    failed("decode", nil, "not an object", rtc.events.verify({}, "[1]", false))
    failed("signature", nil, "twice", rtc.events.verify({ ["x-rtc-rand"] = { "a", "b" } }, body, key))
    raises(function() rtc.events.verify({}, body, true) end, "auth_key true", "auth_key")
    raises(function() rtc.events.sign(body, key, { timestamp = "x" }) end, "bad timestamp", "timestamp")
  end
  eq(rtc.events.schema().name, "RecordEvent", "schema")
  gc()
end)
