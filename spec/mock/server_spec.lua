-- luacheck: max line length 160
-- spec/mock_spec.lua — the mock SparkRTC server, tested without the rtc module:
-- mock/sparkrtc.lua called directly, and mock/server.lua through raw LuaSocket connections.
local helper = require "spec.helper"
local sparkrtc = require "sparkrtc"
local socket = require "socket"
local cjson = require "cjson"

local json = sparkrtc.json
local EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

local signer = require "spec.support.signer"
local sign, sdk_date = signer.sign, signer.sdk_date

local function decode(body) return cjson.decode(body) end

local T0 = 1767225600.25 -- 2026-01-01T00:00:00.250Z
local JOBS = "/v2/apps/app1/individual-stream-jobs"

local function new_api(cfg)
  cfg = cfg or {}
  cfg.clock = cfg.clock or function() return T0 end
  return sparkrtc.new(cfg)
end

local function call(api, method, path, body, headers)
  headers = headers or { ["x-auth-token"] = "test-token" }
  local p, q = sparkrtc.split_target(path)
  return api:handle{ method = method, target = path, path = p, query = q, headers = headers, body = body or "" }
end

local CREATE = '{"room_id":"room1","user_id":"user1","record_param":{"record_rule_id":"rule1"}}'

local function assert_error(resp, status, code, msg)
  assert.are.equal(status, resp.status)
  local b = decode(resp.body)
  assert.are.equal(code, b.error_code)
  if msg then assert.are.equal(msg, b.error_msg) end
  return b
end

describe("sparkrtc.json", function()
  it("decodes with lua-cjson, tags the top level, and round-trips", function()
    local v = assert(json.decode('{"a":[1,2.5,{"b":null}],"c":"\\u00e9\\ud83d\\ude00","d":[],"e":{}}'))
    assert.is_true(json.is_object(v))
    assert.is_false(json.is_array(v))
    assert.is_true(json.is_array(assert(json.decode("[]"))))
    assert.is_false(json.is_object(assert(json.decode("[]"))))
    assert.is_true(json.is_array(v.a))
    assert.is_true(json.is_array(v.d))  -- nested empty containers count as both
    assert.is_true(json.is_object(v.e))
    assert.are.equal(json.null, v.a[3].b)
    assert.are.equal("é😀", v.c)
    local back = assert(json.decode(json.encode(v)))
    assert.are.equal(2.5, back.a[2])
    assert.are.equal("é😀", back.c)
    assert.are.equal(json.null, back.a[3].b)
  end)
  it("rejects what is not JSON", function()
    for _, s in ipairs({ "", "{", "[1,]", "{'a':1}", '{"a":1} x', "nul", "{a:1}" }) do
      assert.is_nil(json.decode(s), s)
    end
  end)
end)

describe("sparkrtc signature verifier", function()
  local keys = { AccessKey = "SecretKey" }
  local function authz(sh, sig)
    return "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=" .. sh .. ", Signature=" .. sig
  end
  it("accepts published vector 1 (GET with host)", function()
    local ok, creq = sparkrtc.verify_signature({ method = "GET", path = "/resources", query = "size=1",
      headers = { host = "service.endpoint.myhuaweicloud.com", ["x-sdk-date"] = "20200608T023900Z",
        test_underscore = "TEST_VALUE",
        authorization = authz("host;x-sdk-date", "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842") } },
      keys, { now = false })
    assert.is_true(ok, creq)
  end)
  it("accepts published vector 2 (POST with a body)", function()
    local ok, creq = sparkrtc.verify_signature({ method = "POST", target = "/resources?size=1",
      body = '{"name":"test","id":1}',
      headers = { host = "service.endpoint.myhuaweicloud.com", ["x-sdk-date"] = "20200608T023900Z",
        test_underscore = "TEST_VALUE",
        authorization = authz("host;x-sdk-date", "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f") } },
      keys, { now = false })
    assert.is_true(ok, creq)
  end)
  it("accepts published vector 3 (bare path) with its exact canonical request", function()
    local ok, creq = sparkrtc.verify_signature({ method = "GET", target = "/path?limit=1",
      headers = { ["x-sdk-date"] = "20060102T150405Z",
        authorization = authz("x-sdk-date", "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624") } },
      keys, { now = false })
    assert.is_true(ok)
    assert.are.equal("GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n" .. EMPTY_SHA, creq)
  end)
  it("rejects a vector whose signature was altered", function()
    local ok, why = sparkrtc.verify_signature({ method = "GET", target = "/path?limit=2",
      headers = { ["x-sdk-date"] = "20060102T150405Z",
        authorization = authz("x-sdk-date", "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624") } },
      keys, { now = false })
    assert.is_nil(ok)
    assert.are.equal("signature mismatch", why)
  end)
  it("agrees with the spec's signer on encoded paths, sorted queries and X-Sdk-Content-Sha256", function()
    local req = sign({ method = "PUT", path = "/v2/apps/a%2Fb/individual-stream-jobs/j%20k",
      query = "z=1&a=b%20c&a=a", headers = { host = "h:1", ["content-type"] = "text/plain",
        ["x-sdk-content-sha256"] = "UNSIGNED-PAYLOAD" }, body = "raw" }, "AccessKey", "SecretKey", "20260101T000000Z")
    local ok, creq = sparkrtc.verify_signature(req, keys, { now = false })
    assert.is_true(ok, creq)
    assert.matches("\nUNSIGNED%-PAYLOAD$", creq)
    assert.matches("^PUT\n/v2/apps/a/b/individual%-stream%-jobs/j%%20k/\na=a&a=b%%20c&z=1\n", creq)
  end)
end)

describe("sparkrtc API (no sockets)", function()
  local api
  before_each(function() api = new_api() end)

  it("creates a job: 201, documented fields, defaults, stream name, times", function()
    local r = call(api, "POST", JOBS, CREATE)
    assert.are.equal(201, r.status)
    assert.are.equal("application/json;charset=utf-8", r.headers["Content-Type"])
    assert.matches("^%x+$", r.headers["X-request-Id"])
    assert.are.equal(32, #r.headers["X-request-Id"])
    local job = decode(r.body)
    assert.matches("^%x+$", job.job_id)
    assert.are.equal("s_" .. job.job_id .. "_room1_user1", job.stream_name)
    assert.are.equal("app1", job.app_id)
    assert.are.equal("room1", job.room_id)
    assert.are.equal("user1", job.user_id)
    assert.is_true(job.is_record_audio)
    assert.are.equal("CAMERASTREAM", job.video_type)
    assert.are.equal("FHD", job.select_stream_type)
    assert.are.equal(30, job.max_idle_time)
    assert.are.same({ record_rule_id = "rule1" }, job.record_param)
    assert.is_nil(job.publish_param)
    assert.are.equal("2026-01-01T00:00:00.250Z", job.create_time)
    assert.are.equal("2026-01-01T00:00:00.250Z", job.update_time)
    assert.are.equal("INIT", job.state)
    assert.is_string(job.description)
  end)

  it("keeps the values it was given", function()
    local r = call(api, "POST", JOBS, '{"room_id":"r","user_id":"u","is_record_audio":false,'
      .. '"video_type":"SCREENSTREAM","select_stream_type":"LD","max_idle_time":43200,'
      .. '"publish_param":{"rtmp_urls":["rtmp://a/b","rtmps://c"]}}')
    assert.are.equal(201, r.status)
    local job = decode(r.body)
    assert.is_false(job.is_record_audio)
    assert.are.equal("SCREENSTREAM", job.video_type)
    assert.are.equal("LD", job.select_stream_type)
    assert.are.equal(43200, job.max_idle_time)
    assert.are.same({ "rtmp://a/b", "rtmps://c" }, job.publish_param.rtmp_urls)
    assert.are.same({ "rtmp://a/b", "rtmps://c" }, json.decode(r.body).publish_param.rtmp_urls)
  end)

  it("runs the state machine INIT -> RUNNING -> STOPPED", function()
    local job = decode(call(api, "POST", JOBS, CREATE).body)
    local item = JOBS .. "/" .. job.job_id
    -- update of an INIT job is allowed and keeps it INIT
    local r = call(api, "PUT", item, '{"publish_param":{"rtmp_urls":["rtmp://x"]}}')
    assert.are.equal(200, r.status)
    local u = decode(r.body)
    assert.are.equal("INIT", u.state)
    assert.are.same({ "rtmp://x" }, u.publish_param.rtmp_urls)
    assert.are.same({ record_rule_id = "rule1" }, u.record_param)
    -- first GET: RUNNING with a start time
    r = call(api, "GET", item)
    assert.are.equal(200, r.status)
    local g = decode(r.body)
    assert.are.equal("RUNNING", g.state)
    assert.are.equal("2026-01-01T00:00:00.250Z", g.start_time)
    r = call(api, "PUT", item, '{"record_param":{"record_rule_id":"rule2"}}')
    assert.are.equal(200, r.status)
    assert.are.equal("rule2", decode(r.body).record_param.record_rule_id)
    assert.are.equal("RUNNING", decode(r.body).state)
    -- DELETE: 204, no body
    r = call(api, "DELETE", item)
    assert.are.equal(204, r.status)
    assert.are.equal("", r.body)
    assert.is_nil(r.headers["Content-Type"])
    assert.are.equal(32, #r.headers["X-request-Id"])
    g = decode(call(api, "GET", item).body)
    assert.are.equal("STOPPED", g.state)
    assert.are.equal("TENANT_STOP", g.stop_reason)
    assert.are.equal("2026-01-01T00:00:00.250Z", g.stop_time)
    -- a STOPPED job cannot be updated or stopped again
    assert_error(call(api, "PUT", item, '{"record_param":{"record_rule_id":"r"}}'), 400, "RTC.00001009",
      "JobDone: task canceled or completed")
    assert_error(call(api, "DELETE", item), 400, "RTC.00001009")
  end)

  it("answers 404 RTC.00001003 for unknown routes, apps and jobs", function()
    for _, c in ipairs({ { "GET", "/" }, { "GET", "/v2/apps/app1" }, { "GET", JOBS },
      { "PATCH", JOBS .. "/x" }, { "POST", JOBS .. "/x" }, { "GET", JOBS .. "/x/y" },
      { "GET", "/v2/apps//individual-stream-jobs/x" }, { "GET", JOBS .. "/" },
      { "GET", "/v1/apps/app1/individual-stream-jobs/x" }, { "GET", JOBS .. "/%zz" } }) do
      local r = call(api, c[1], c[2], CREATE)
      assert_error(r, 404, "RTC.00001003", "InvalidParameterValue")
    end
    assert_error(call(api, "POST", "/v2/apps/no-such-app/individual-stream-jobs", CREATE), 404, "RTC.00001003")
    assert_error(call(api, "GET", JOBS .. "/nope"), 404, "RTC.00001003")
    assert_error(call(api, "PUT", JOBS .. "/nope", '{"record_param":{"record_rule_id":"r"}}'), 404, "RTC.00001003")
    assert_error(call(api, "DELETE", JOBS .. "/nope"), 404, "RTC.00001003")
    local other = new_api{ unknown_apps = { "gone" } }
    assert_error(call(other, "POST", "/v2/apps/gone/individual-stream-jobs", CREATE), 404, "RTC.00001003")
    assert.are.equal(201, call(other, "POST", "/v2/apps/no-such-app/individual-stream-jobs", CREATE).status)
  end)

  it("seeds jobs straight into the store", function()
    local job = api:seed_job("app1", { job_id = "my-job", room_id = "r", user_id = "u", state = "RUNNING" })
    assert.are.equal("my-job", job.job_id)
    assert.are.equal("s_my-job_r_u", job.stream_name)
    local g = decode(call(api, "GET", JOBS .. "/my-job").body)
    assert.are.equal("RUNNING", g.state)
    assert.are.equal("2026-01-01T00:00:00.250Z", g.start_time)
    assert.are.equal("FHD", g.select_stream_type)
    api:seed_job("app1", { job_id = "done", state = "STOPPED" })
    assert_error(call(api, "PUT", JOBS .. "/done", '{"record_param":{"record_rule_id":"r"}}'), 400, "RTC.00001009")
    assert.are.equal("TENANT_STOP", decode(call(api, "GET", JOBS .. "/done").body).stop_reason)
  end)

  it("percent-decodes each path segment separately", function()
    local r = call(api, "POST", "/v2/apps/a%2Fb%20c/individual-stream-jobs", CREATE)
    assert.are.equal(201, r.status)
    local job = decode(r.body)
    assert.are.equal("a/b c", job.app_id)
    assert.are.equal(200, call(api, "GET", "/v2/apps/a%2fb%20c/individual-stream-jobs/" .. job.job_id).status)
    assert_error(call(api, "GET", "/v2/apps/a/b c/individual-stream-jobs/" .. job.job_id), 404, "RTC.00001003")
    assert.is_table(api:jobs()["a/b c"][job.job_id])
  end)

  describe("validation", function()
    local created
    before_each(function() created = JOBS .. "/" .. decode(call(api, "POST", JOBS, CREATE).body).job_id end)
    local malformed = { "", "not json", "[]", '"str"', "1", "null", '{"room_id":', '{"a":1}{' }
    for _, body in ipairs(malformed) do
      it("create: MalformedRequestBody for " .. string.format("%q", body), function()
        assert_error(call(api, "POST", JOBS, body), 400, "RTC.00001002", "MalformedRequestBody")
      end)
      it("update: MalformedRequestBody for " .. string.format("%q", body), function()
        assert_error(call(api, "PUT", created, body), 400, "RTC.00001002", "MalformedRequestBody")
      end)
    end
    local create_cases = {
      { "RTC.00001005", '{"user_id":"u","record_param":{"record_rule_id":"r"}}' },
      { "RTC.00001005", '{"room_id":"r","record_param":{"record_rule_id":"r"}}' },
      { "RTC.00001005", '{"room_id":null,"user_id":"u","record_param":{"record_rule_id":"r"}}' },
      { "RTC.00001005", '{"room_id":"r","user_id":"u"}' },
      { "RTC.00001005", '{"room_id":"r","user_id":"u","record_param":{}}' },
      { "RTC.00001005", '{"room_id":"r","user_id":"u","publish_param":{}}' },
      { "RTC.00001003", '{"room_id":1,"user_id":"u","record_param":{"record_rule_id":"r"}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"","record_param":{"record_rule_id":"r"}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"extra":1}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r","x":1}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":5}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":""}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":"r"}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"is_record_audio":"yes"}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"video_type":"WEBCAM"}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"select_stream_type":"UHD"}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"max_idle_time":4}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"max_idle_time":43201}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"max_idle_time":30.5}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","record_param":{"record_rule_id":"r"},"max_idle_time":"30"}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":[]}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":"rtmp://x"}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":{"a":"rtmp://x"}}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":["rtmp://x","http://x"]}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":["rtmp://"]}}' },
      { "RTC.00001003", '{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":[1]}}' },
    }
    for _, c in ipairs(create_cases) do
      it("create: " .. c[1] .. " for " .. c[2], function()
        assert_error(call(api, "POST", JOBS, c[2]), 400, c[1],
          c[1] == "RTC.00001005" and "MissingParameter" or "InvalidParameterValue")
      end)
    end
    local update_cases = {
      { "RTC.00001005", "{}" },
      { "RTC.00001005", '{"publish_param":null}' },
      { "RTC.00001005", '{"publish_param":{}}' },
      { "RTC.00001005", '{"record_param":{"record_rule_id":null}}' },
      { "RTC.00001003", '{"room_id":"r","record_param":{"record_rule_id":"r"}}' },
      { "RTC.00001003", '{"publish_param":{"rtmp_urls":["ftp://x"]}}' },
      { "RTC.00001003", '{"publish_param":{"rtmp_urls":[]}}' },
      -- lua-cjson reads a nested [] as it reads {}: an empty object, so rtmp_urls is missing
      { "RTC.00001005", '{"publish_param":[]}' },
      { "RTC.00001003", '{"record_param":{"record_rule_id":true}}' },
    }
    for _, c in ipairs(update_cases) do
      it("update: " .. c[1] .. " for " .. c[2], function()
        assert_error(call(api, "PUT", created, c[2]), 400, c[1])
      end)
    end
    it("accepts the edges: 5 and 43200, RTMPS in upper case, nulls as absent", function()
      for _, b in ipairs({ '{"room_id":"r","user_id":"u","max_idle_time":5,"record_param":{"record_rule_id":"r"}}',
        '{"room_id":"r","user_id":"u","video_type":null,"publish_param":{"rtmp_urls":["RTMPS://x"]},"record_param":null}' }) do
        assert.are.equal(201, call(api, "POST", JOBS, b).status, b)
      end
      assert.are.equal(200, call(api, "PUT", created,
        '{"publish_param":{"rtmp_urls":["rtmp://x"]},"record_param":{"record_rule_id":"z"}}').status)
    end)
  end)

  describe("authentication", function()
    local T = T0
    local function signed(method, path, body, o)
      o = o or {}
      local p, q = sparkrtc.split_target(path)
      local headers = { host = "127.0.0.1:8080", ["content-type"] = "application/json;charset=utf-8",
        ["x-project-id"] = "test-project" }
      for k, v in pairs(o.headers or {}) do headers[k] = v end
      if o.no_project then headers["x-project-id"] = nil end
      local req = sign({ method = method, target = path, path = p, query = q, headers = headers, body = body or "" },
        o.ak or "test-ak", o.sk or "test-sk", sdk_date(o.date or T), o)
      for k, v in pairs(o.after or {}) do req[k] = v end
      return req
    end
    local function reject(req, why)
      local r = api:handle(req)
      local b = assert_error(r, 401, "APIGW.0301")
      assert.are.equal("Incorrect IAM authentication information: " .. why, b.error_msg)
      assert.are.equal(32, #r.headers["X-request-Id"])
    end

    it("accepts a valid token and a valid AK/SK signature", function()
      assert.are.equal(201, call(api, "POST", JOBS, CREATE).status)
      assert.are.equal(201, api:handle(signed("POST", JOBS, CREATE)).status)
      -- within 15 minutes either way
      assert.are.equal(201, api:handle(signed("POST", JOBS, CREATE, { date = T - 890 })).status)
      assert.are.equal(201, api:handle(signed("POST", JOBS, CREATE, { date = T + 890 })).status)
      -- X-Sdk-Content-Sha256 replaces the body hash
      assert.are.equal(201, api:handle(signed("POST", JOBS, CREATE,
        { headers = { ["x-sdk-content-sha256"] = "UNSIGNED-PAYLOAD" } })).status)
      -- temporary credentials: X-Security-Token is accepted
      assert.are.equal(201, api:handle(signed("POST", JOBS, CREATE,
        { headers = { ["x-security-token"] = "st" } })).status)
    end)
    it("rejects no credentials", function()
      reject({ method = "GET", path = JOBS .. "/x", query = "", headers = {}, body = "" }, "no credentials")
    end)
    it("rejects a wrong token", function()
      reject({ method = "GET", path = JOBS .. "/x", query = "", headers = { ["x-auth-token"] = "bad" }, body = "" },
        "invalid token")
    end)
    it("rejects an unknown AK", function()
      reject(signed("POST", JOBS, CREATE, { ak = "other-ak" }), "unknown access key")
    end)
    it("rejects a signature made with the wrong SK", function()
      reject(signed("POST", JOBS, CREATE, { sk = "wrong" }), "signature mismatch")
    end)
    it("rejects a body changed after signing", function()
      reject(signed("POST", JOBS, CREATE, { after = { body = CREATE:gsub("room1", "room2") } }), "signature mismatch")
    end)
    it("rejects a path changed after signing", function()
      reject(signed("POST", JOBS, CREATE, { after = { path = "/v2/apps/app2/individual-stream-jobs" } }),
        "signature mismatch")
    end)
    it("rejects a query changed after signing", function()
      reject(signed("POST", JOBS .. "?a=1", CREATE, { after = { query = "a=2" } }), "signature mismatch")
    end)
    it("rejects a signed header changed after signing", function()
      local req = signed("POST", JOBS, CREATE)
      req.headers.host = "evil:1"
      reject(req, "signature mismatch")
    end)
    it("rejects an X-Sdk-Date more than 15 minutes off", function()
      reject(signed("POST", JOBS, CREATE, { date = T - 16 * 60 }), "X-Sdk-Date is more than 15 minutes off")
      reject(signed("POST", JOBS, CREATE, { date = T + 16 * 60 }), "X-Sdk-Date is more than 15 minutes off")
    end)
    it("follows the mock's clock offset", function()
      api:configure{ clock_offset = 3600 }
      reject(signed("POST", JOBS, CREATE), "X-Sdk-Date is more than 15 minutes off")
      assert.are.equal(201, api:handle(signed("POST", JOBS, CREATE, { date = T + 3600 })).status)
    end)
    it("rejects x-sdk-date missing from SignedHeaders", function()
      reject(signed("POST", JOBS, CREATE, { signed = { "content-type", "host" } }),
        "x-sdk-date is not among the signed headers")
    end)
    it("rejects a malformed Authorization header", function()
      reject({ method = "GET", path = JOBS .. "/x", query = "", body = "",
        headers = { authorization = "SDK-HMAC-SHA256 Access=test-ak", ["x-sdk-date"] = sdk_date(T) } },
        "malformed Authorization header")
      reject({ method = "GET", path = JOBS .. "/x", query = "", body = "",
        headers = { authorization = "Bearer x", ["x-sdk-date"] = sdk_date(T) } },
        "unsupported authorization scheme")
    end)
    it("rejects AK/SK without X-Project-Id", function()
      reject(signed("POST", JOBS, CREATE, { no_project = true }), "missing X-Project-Id header")
    end)
    it("rejects another project id", function()
      reject(signed("POST", JOBS, CREATE, { headers = { ["x-project-id"] = "other" } }), "unknown project id")
      local any = new_api{ project_id = false }
      assert.are.equal(201, any:handle(signed("POST", JOBS, CREATE, { headers = { ["x-project-id"] = "other" } })).status)
    end)
    it("checks nothing when auth is off", function()
      local open = new_api{ auth = false }
      assert.are.equal(201, call(open, "POST", JOBS, CREATE, {}).status)
    end)
  end)
end)

---------------------------------------------------------------------------------------------
-- the server, through raw sockets
---------------------------------------------------------------------------------------------
local function connect(mock, timeout)
  local c = assert(socket.connect("127.0.0.1", mock.port))
  c:settimeout(timeout or 2)
  return c
end

local function request_text(method, path, headers, body)
  local lines = { method .. " " .. path .. " HTTP/1.1", "Host: 127.0.0.1" }
  local has_cl = false
  for k, v in pairs(headers or {}) do
    lines[#lines + 1] = k .. ": " .. v
    if k:lower() == "content-length" or k:lower() == "transfer-encoding" then has_cl = true end
  end
  if body and not has_cl then lines[#lines + 1] = "Content-Length: " .. #body end
  return table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")
end

local AUTH = { ["X-Auth-Token"] = "test-token" }

local function send(c, method, path, headers, body)
  assert(c:send(request_text(method, path, headers or AUTH, body)))
end

-- -> {status, headers, body} | nil, err, partial
local function read_head(c)
  local line, err = c:receive("*l")
  if not line then return nil, err end
  local resp = { status = tonumber(line:match("^HTTP/1%.1 (%d+)")), headers = {}, line = line }
  while true do
    local h, e = c:receive("*l")
    if not h then return nil, e end
    if h == "" then break end
    local k, v = h:match("^([^:]+):%s*(.*)$")
    resp.headers[k:lower()] = v
  end
  return resp
end

local function read_response(c)
  local resp, err = read_head(c)
  if not resp then return nil, err end
  local n = tonumber(resp.headers["content-length"] or "0")
  resp.body = ""
  if n > 0 then
    local body, e, partial = c:receive(n)
    if not body then return nil, e, resp, partial end
    resp.body = body
  end
  return resp
end

local function roundtrip(mock, method, path, headers, body)
  local c = connect(mock)
  send(c, method, path, headers, body)
  local r = assert(read_response(c))
  c:close()
  return r
end

local function wait_until(fn, timeout)
  local t0 = socket.gettime()
  while socket.gettime() - t0 < (timeout or 2) do
    if fn() then return true end
    socket.sleep(0.01)
  end
  return false
end

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
    mock:config{ delay_all = 5 }
    mock:reset()
    local s = mock:stats()
    assert.are.same({ 0, 0, 0, 0, 0 }, { s.connections, s.requests, s.in_flight, s.max_in_flight, s.scripts_pending })
    assert.are.same({}, mock:jobs())
    local t0 = socket.gettime()
    assert.are.equal(201, roundtrip(mock, "POST", JOBS, AUTH, CREATE).status)
    assert.is_true(socket.gettime() - t0 < 1)
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

  it("holds many connections at once with delay_all", function()
    mock:config{ delay_all = 0.3 }
    local conns = {}
    local N = 40
    local t0 = socket.gettime()
    for i = 1, N do
      conns[i] = connect(mock, 3)
      send(conns[i], "GET", JOBS .. "/missing", AUTH)
    end
    assert.is_true(wait_until(function() return mock:stats().in_flight == N end, 2))
    for i = 1, N do
      local r = assert(read_response(conns[i]))
      assert.are.equal(404, r.status)
      conns[i]:close()
    end
    local elapsed = socket.gettime() - t0
    assert.is_true(elapsed >= 0.28, "elapsed " .. elapsed)
    assert.is_true(elapsed < 2, "elapsed " .. elapsed)
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
    -- an answer held by a delay whose client goes away
    mock:script{ delay = 0.2 }
    local c = connect(mock)
    send(c, "GET", JOBS .. "/x", AUTH)
    assert.is_true(wait_until(function() return mock:stats().in_flight == 1 end))
    c:close()
    assert.is_true(wait_until(function() return mock:stats().in_flight == 0 end))
    -- a client that sends its request and does not read a long drip
    mock:script{ drip = 0.01 }
    c = connect(mock)
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
      mock:script{ delay = 0.4, status = 200, body = "{}" }
      local t0 = socket.gettime()
      local a = connect(mock)
      send(a, "GET", JOBS .. "/x", AUTH)
      assert.is_true(wait_until(function() return mock:stats().in_flight == 1 end))
      local r = roundtrip(mock, "GET", JOBS .. "/x", AUTH)
      assert.are.equal(404, r.status)
      assert.is_true(socket.gettime() - t0 < 0.35)
      r = assert(read_response(a))
      assert.are.equal(200, r.status)
      assert.is_true(socket.gettime() - t0 >= 0.38)
      assert.are.equal(2, mock:stats().max_in_flight)
      a:close()
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
      mock:script{ stall_before_headers = 0.3 }
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      c:settimeout(0.15)
      local data, err, partial = c:receive(1)
      assert.is_nil(data)
      assert.are.equal("timeout", err)
      assert.are.equal("", partial)
      c:settimeout(2)
      local r = assert(read_response(c))
      assert.are.equal(404, r.status)
      c:close()
    end)

    it("stall_mid_body sends the headers and part of the body, then holds", function()
      mock:script{ stall_mid_body = 0.3 }
      local c = connect(mock)
      send(c, "POST", JOBS, AUTH, CREATE)
      local head = assert(read_head(c))
      local n = tonumber(head.headers["content-length"])
      c:settimeout(0.15)
      local data, err, partial = c:receive(n)
      assert.is_nil(data)
      assert.are.equal("timeout", err)
      assert.is_true(#partial > 0 and #partial < n)
      c:settimeout(2)
      local rest = assert(c:receive(n - #partial))
      assert.are.equal("room1", decode(partial .. rest).room_id)
      c:close()
    end)

    it("drip sends the answer one byte at a time", function()
      mock:script{ drip = 0.004, status = 200, body = "{}",
        headers = { Date = false, Server = false, ["X-request-Id"] = false, ["Content-Type"] = false } }
      local t0 = socket.gettime()
      local c = connect(mock)
      send(c, "GET", JOBS .. "/x", AUTH)
      c:settimeout(0.02)
      local first, _, p = c:receive(20)
      first = first or p
      assert.is_true(#first < 20, first)
      c:settimeout(2)
      local r = assert(read_response(setmetatable({ receive = function(_, pat)
        if first ~= "" and pat == "*l" then
          local rest = assert(c:receive("*l"))
          local l = first .. rest
          first = ""
          return l
        end
        return c:receive(pat)
      end }, {})))
      assert.are.equal(200, r.status)
      assert.are.equal("{}", r.body)
      assert.is_true(socket.gettime() - t0 > 0.1)
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

describe("spec.helper", function()
  it("starts a mock with its own credentials and stops it for good", function()
    local m = helper.start_mock{ tokens = { "t1", "t2" }, aksk = { AK = "SK" }, project_id = "p1",
      unknown_apps = { "dead" } }
    assert.are.equal("t1", m.token)
    assert.are.equal("AK", m.ak)
    assert.are.equal("SK", m.sk)
    assert.are.equal("p1", m.project_id)
    assert.are.equal(404, roundtrip(m, "GET", "/v2/apps/a/individual-stream-jobs/x", { ["X-Auth-Token"] = "t2" }).status)
    assert.are.equal(401, roundtrip(m, "GET", "/v2/apps/a/individual-stream-jobs/x", AUTH).status)
    assert.are.equal(201, roundtrip(m, "POST", "/v2/apps/no-such-app/individual-stream-jobs",
      { ["X-Auth-Token"] = "t1" }, CREATE).status)
    assert.are.equal(404, roundtrip(m, "POST", "/v2/apps/dead/individual-stream-jobs",
      { ["X-Auth-Token"] = "t1" }, CREATE).status)
    local pid = m.pid
    m:stop()
    m:stop() -- idempotent
    local f = io.open("/proc/" .. pid .. "/stat")
    local st = f and f:read("*a")
    if f then f:close() end
    assert.is_true(st == nil or st:match("^%d+ %b() Z") ~= nil)
    assert.is_nil(socket.connect("127.0.0.1", m.port))
  end)

  it("the server exits by itself once its parent process is gone", function()
    local out = os.tmpname()
    local parent = io.popen("sleep 0.3 & echo $!")
    local ppid = tonumber(parent:read("*l"))
    parent:close()
    local sh = io.popen(helper.MOCK_LUA .. " mock/server.lua --port 0 --parent-pid " .. ppid
      .. " >" .. out .. " 2>/dev/null </dev/null & echo $!")
    local pid = tonumber(sh:read("*l"))
    sh:close()
    local function gone()
      local g = io.open("/proc/" .. pid .. "/stat")
      if not g then return true end
      local st = g:read("*a")
      g:close()
      return st:match("^%d+ %b() Z") ~= nil
    end
    local started = wait_until(function()
      local f = io.open(out)
      local line = f and f:read("*l")
      if f then f:close() end
      return line and line:match("^listening on 127%.0%.0%.1:%d+$")
    end, 3)
    os.remove(out)
    local exited = wait_until(gone, 3)
    if not exited then os.execute("kill " .. pid) end
    assert.truthy(started)
    assert.is_true(exited)
  end)
end)
