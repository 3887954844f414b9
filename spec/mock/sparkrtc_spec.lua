-- luacheck: max line length 160
-- spec/mock/sparkrtc_spec.lua — the mock SparkRTC server's API module, mock/sparkrtc.lua, called
-- directly (no sockets, no rtc module): its JSON, its signature verifier, the API (validation,
-- authentication). Over sockets: server_spec.lua.
require "spec.helper" -- the module paths: ./mock/?.lua (sparkrtc)
local sparkrtc = require "sparkrtc"
local R = require "spec.support.mock_raw"
local decode, JOBS, CREATE = R.decode, R.JOBS, R.CREATE

local json = sparkrtc.json
local EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
local signer = require "spec.support.signer"
local sign, sdk_date = signer.sign, signer.sdk_date

local T0 = 1767225600.25 -- 2026-01-01T00:00:00.250Z

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
