-- luacheck: max line length 160
-- spec/client/auth_spec.lua — the client side of authentication: AK/SK signing accepted by the mock's
-- independent verifier, tampering refused, token auth, no credentials, and secrets that never
-- show in errors, tostring(client) or debug output.
local helper = require "spec.helper"
local unpack = table.unpack or unpack
local rtc = require "rtc"
local cjson = require "cjson"
local sparkrtc = require "sparkrtc" -- the mock's API module: its verifier is independent of rtc_sign.c

local SECRET_SK = "sk-S3CRET-0f9e8d7c6b5a4f3e2d1c"
local SECRET_TOKEN = "tok-S3CRET-MIIEXAMPLEtokenVALUE0123456789"
local SECRET_STS = "sts-S3CRET-temporary-security-token-42"
local KEYS = { ["test-ak"] = "test-sk", ["zz-secret-ak"] = SECRET_SK }

local AUTHZ = "^SDK%-HMAC%-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=(%x+)$"

local function sdk_date(t) return os.date("!%Y%m%dT%H%M%SZ", t) end

-- seconds since the epoch of an X-Sdk-Date (UTC), independent of the local time zone
local function parse_date(s) return sparkrtc.parse_sdk_date(s) end

describe("auth", function()
  local mock
  helper.mock_suite({ mock = { tokens = { "test-token", SECRET_TOKEN }, aksk = KEYS, project_id = "test-project" } },
    function(m) mock = m end)

  local function new_job(client, app)
    local job, err = client:create_job(app or "app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } })
    assert.is_nil(err)
    return job.job_id
  end

  -- the checks every signed attempt must pass; returns the list of signed header names
  local function assert_signed(r, ak)
    local h = r.headers
    assert.is_nil(h["x-auth-token"])
    local date = h["x-sdk-date"]
    assert.is_truthy(date and date:match("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$"), tostring(date))
    assert.is_true(math.abs(parse_date(date) - os.time()) < 300, "X-Sdk-Date far from now: " .. date)
    assert.are.equal("test-project", h["x-project-id"])
    local access, signed, sig = (h["authorization"] or ""):match(AUTHZ)
    assert.is_truthy(access, h["authorization"])
    assert.are.equal(ak or "test-ak", access)
    assert.are.equal(64, #sig)
    assert.are.equal(sig:lower(), sig)
    local names = {}
    for n in signed:gmatch("[^;]+") do names[#names + 1] = n end
    local sorted = { unpack(names) }
    table.sort(sorted)
    assert.are.same(sorted, names) -- sorted
    for _, n in ipairs(names) do
      assert.are.equal(n:lower(), n)
      assert.is_nil(n:find("_", 1, true))
    end
    local set = {}
    for _, n in ipairs(names) do set[n] = true end
    assert.is_true(set["x-sdk-date"], signed)
    assert.is_true(set["host"], signed)
    assert.is_true(set["x-project-id"], signed)
    -- the mock's independent verifier (API.md's algorithm) accepts it
    local ok, why = sparkrtc.verify_signature(r, KEYS)
    assert.is_true(ok, why)
    return set
  end

  -- sends a prepared request through the mock's raw HTTP client: status, decoded body
  local function send_raw(req, changes)
    changes = changes or {}
    local headers = {}
    for k, v in pairs(req.headers) do headers[k] = v end
    for k, v in pairs(changes.headers or {}) do
      for name in pairs(headers) do
        if name:lower() == k:lower() then headers[name] = nil end
      end
      if v then headers[k] = v end
    end
    local path = changes.path or req.url:sub(#mock.url + 1)
    local status, body = mock:request(changes.method or req.method, path, { headers = headers, body = changes.body or req.body })
    local ok, obj = pcall(cjson.decode, body or "")
    return status, ok and obj or body
  end

  describe("AK/SK", function()
    it("create, get, update and stop are accepted", function()
      local client = helper.aksk_client(mock, { retries = 0 })
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", publish_param = { rtmp_urls = { "rtmp://a" } } }))
      assert.are.equal("RUNNING", assert(client:get_job("app-1", job.job_id)).state)
      assert(client:update_job("app-1", job.job_id, { record_param = { record_rule_id = "x" } }))
      assert(client:stop_job("app-1", job.job_id))
      local reqs = mock:requests()
      assert.are.equal(4, #reqs)
      for _, r in ipairs(reqs) do
        local set = assert_signed(r)
        assert.is_true(set["content-type"])
      end
      client:close()
    end)

    it("ids that need percent-encoding are signed right", function()
      local client = helper.aksk_client(mock, { retries = 0 })
      local id = new_job(client, "app ø 100%")
      assert(client:get_job("app ø 100%", id))
      for _, r in ipairs(mock:requests()) do assert_signed(r) end
      client:close()
    end)

    it("every attempt carries X-Sdk-Date, X-Project-Id and a valid Authorization", function()
      local client = helper.aksk_client(mock, { retries = 2, backoff_base = 0.001, backoff_max = 0.001 })
      local id = new_job(client)
      mock:script{ status = 503, body = "busy", times = 2 }
      local job, err = client:update_job("app-1", id, { record_param = { record_rule_id = "y" } })
      assert.is_nil(err)
      assert.are.equal("y", job.record_param.record_rule_id)
      local reqs = mock:requests()
      assert.are.equal(4, #reqs) -- the create, then three attempts
      for i = 2, 4 do
        assert.are.equal("PUT", reqs[i].method)
        assert_signed(reqs[i])
      end
      client:close()
    end)

    it("sends X-Security-Token, signed, when security_token is given; the mock accepts it", function()
      local client = helper.aksk_client(mock, { retries = 0, security_token = "sts-token-1" })
      local id = new_job(client)
      assert(client:get_job("app-1", id))
      for _, r in ipairs(mock:requests()) do
        assert.are.equal("sts-token-1", r.headers["x-security-token"])
        local set = assert_signed(r)
        assert.is_true(set["x-security-token"])
      end
      client:close()
    end)

    it("does not send X-Security-Token without security_token", function()
      local client = helper.aksk_client(mock, { retries = 0 })
      client:get_job("app-1", "j")
      assert.is_nil(mock:requests()[1].headers["x-security-token"])
      client:close()
    end)

    it("a wrong SK is answered 401 APIGW.0301", function()
      local client = helper.aksk_client(mock, { sk = "wrong-sk" })
      local res, err = client:get_job("app-1", "job-1")
      assert.is_nil(res)
      assert.are.equal("api", err.kind)
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0301", err.code)
      assert.are.equal(1, err.attempts) -- a 401 is not retried
      assert.are.equal(1, #mock:requests())
      client:close()
    end)

    it("a wrong AK or project id is answered 401 APIGW.0301", function()
      for _, o in ipairs({ { ak = "other-ak" }, { project_id = "other-project" } }) do
        local client = helper.aksk_client(mock, o)
        local _, err = client:get_job("app-1", "job-1")
        assert.are.equal(401, err.status)
        assert.are.equal("APIGW.0301", err.code)
        client:close()
      end
    end)

    it("another key pair of the tenant works too", function()
      local client = helper.aksk_client(mock, { ak = "zz-secret-ak", sk = SECRET_SK })
      new_job(client)
      assert_signed(mock:requests()[1], "zz-secret-ak")
      client:close()
    end)
  end)

  describe("tampering with a prepared request", function()
    local client, id, params

    before_each(function()
      client = helper.aksk_client(mock, { retries = 0 })
      id = new_job(client)
      params = { record_param = { record_rule_id = "rule-2" } }
    end)

    after_each(function()
      client:close()
    end)

    local function refused(status, body)
      assert.are.equal(401, status)
      assert.are.equal("APIGW.0301", type(body) == "table" and body.error_code or body)
    end

    it("sent as prepared, it is accepted (so the refusals below are about the change)", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      local status, body = send_raw(req)
      assert.are.equal(200, status)
      assert.are.equal("rule-2", body.record_param.record_rule_id)
    end)

    it("a changed body is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      refused(send_raw(req, { body = req.body:gsub("rule%-2", "rule-3") }))
    end)

    it("a changed path is refused", function()
      local other = new_job(client)
      local req = assert(client:prepare("update_job", "app-1", id, params))
      refused(send_raw(req, { path = "/v2/apps/app-1/individual-stream-jobs/" .. other }))
    end)

    it("an added query is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      refused(send_raw(req, { path = req.url:sub(#mock.url + 1) .. "?force=1" }))
    end)

    it("a changed method is refused", function()
      local req = assert(client:prepare("get_job", "app-1", id))
      refused(send_raw(req, { method = "DELETE" }))
      assert.are.equal("INIT", mock:jobs()["app-1"][id].state)
    end)

    it("a changed X-Sdk-Date is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      local t = parse_date(req.headers["X-Sdk-Date"])
      refused(send_raw(req, { headers = { ["X-Sdk-Date"] = sdk_date(t - 60) } }))
    end)

    it("a date more than 15 minutes off is refused, and 10 minutes off is not", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      mock:config{ clock_offset = 16 * 60 }
      refused(send_raw(req))
      mock:config{ clock_offset = -16 * 60 }
      refused(send_raw(req))
      mock:config{ clock_offset = 10 * 60 }
      assert.are.equal(200, (send_raw(req)))
    end)

    it("a real call with the server's clock 16 minutes off is answered 401 APIGW.0301", function()
      mock:config{ clock_offset = 16 * 60 }
      local _, err = client:get_job("app-1", id)
      assert.are.equal("api", err.kind)
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0301", err.code)
    end)

    it("x-sdk-date dropped from SignedHeaders is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      local authz = req.headers["Authorization"]
      local changed = authz:gsub("SignedHeaders=([^,]*)", function(list)
        local out = {}
        for n in list:gmatch("[^;]+") do if n ~= "x-sdk-date" then out[#out + 1] = n end end
        return "SignedHeaders=" .. table.concat(out, ";")
      end)
      assert.are_not.equal(authz, changed)
      refused(send_raw(req, { headers = { Authorization = changed } }))
    end)

    it("a dropped X-Project-Id is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      refused(send_raw(req, { headers = { ["X-Project-Id"] = false } }))
    end)

    it("a changed X-Project-Id is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      refused(send_raw(req, { headers = { ["X-Project-Id"] = "other-project" } }))
    end)

    it("a dropped Authorization is refused", function()
      local req = assert(client:prepare("update_job", "app-1", id, params))
      refused(send_raw(req, { headers = { Authorization = false } }))
    end)
  end)

  describe("token", function()
    it("a token client is accepted and sends X-Auth-Token only", function()
      local client = helper.client(mock, { retries = 0 })
      local id = new_job(client)
      assert(client:get_job("app-1", id))
      for _, r in ipairs(mock:requests()) do
        assert.are.equal("test-token", r.headers["x-auth-token"])
        assert.is_nil(r.headers["authorization"])
        assert.is_nil(r.headers["x-sdk-date"])
        assert.is_nil(r.headers["x-project-id"])
      end
      client:close()
    end)

    it("a wrong token is answered 401 APIGW.0301", function()
      local client = helper.client(mock, { token = "wrong-token" })
      local res, err = client:get_job("app-1", "job-1")
      assert.is_nil(res)
      assert.are.equal("api", err.kind)
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0301", err.code)
      assert.are.equal(1, err.attempts)
      client:close()
    end)
  end)

  describe("no credentials", function()
    it("every call is refused before sending, naming RTC_AUTH_TOKEN and HUAWEICLOUD_SDK_AK", function()
      local client = rtc.new{ endpoint = mock.url }
      local calls = {
        function() return client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }) end,
        function() return client:get_job("app-1", "job-1") end,
        function() return client:update_job("app-1", "job-1", { record_param = { record_rule_id = "x" } }) end,
        function() return client:stop_job("app-1", "job-1") end,
        function() return client:prepare("get_job", "app-1", "job-1") end,
      }
      for _, call in ipairs(calls) do
        local res, err = call()
        assert.is_nil(res)
        assert.are.equal("invalid", err.kind)
        assert.is_truthy(err.message:find("RTC_AUTH_TOKEN", 1, true), err.message)
        assert.is_truthy(err.message:find("HUAWEICLOUD_SDK_AK", 1, true), err.message)
      end
      assert.are.equal(0, #mock:requests())
      client:close()
    end)
  end)

  describe("secrets", function()
    local SECRETS = { SECRET_SK, SECRET_TOKEN, SECRET_STS }

    local function assert_clean(label, s)
      assert.are.equal("string", type(s), label)
      for _, secret in ipairs(SECRETS) do
        assert.is_nil(s:find(secret, 1, true), label .. " shows a secret: " .. s)
        -- nor a good part of it
        assert.is_nil(s:find(secret:sub(-16), 1, true), label .. " shows part of a secret: " .. s)
      end
    end

    local function assert_error_clean(label, err)
      assert.is_table(err, label)
      assert_clean(label .. " tostring", tostring(err))
      for k, v in pairs(err) do
        if type(v) == "string" then assert_clean(label .. "." .. tostring(k), v) end
      end
    end

    -- forces errors of every kind through client, returns the kinds seen
    local function force_errors(client, label)
      local kinds = {}
      local function note(res, err)
        assert.is_nil(res)
        assert_error_clean(label .. " " .. tostring(err and err.kind), err)
        kinds[err.kind] = true
      end
      local id = new_job(client)
      assert(client:get_job("app-1", id))
      note(client:update_job("app-1", id, { record_param = { record_rule_id = "" } }))      -- invalid
      note(client:prepare("update_job", "app-1", "..", { record_param = { record_rule_id = "x" } }))
      note(client:get_job("app-1", "missing"))                                               -- api 404
      mock:script{ status = 401, body = '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}' }
      note(client:get_job("app-1", id))                                                      -- api 401
      mock:script{ status = 200, body = "<html>garbage</html>" }
      note(client:get_job("app-1", id))                                                      -- decode
      mock:script{ status = 200, body = "", delay = 60, times = 2 } -- held past both attempts
      note(client:get_job("app-1", id))                                                      -- timeout
      return kinds
    end

    it("never appear in errors of any kind, tostring(client) or debug output", function()
      local lines = {}
      local function debug(line) lines[#lines + 1] = line end
      -- attempts of 1 s (the ordinary answers come well within it on a loaded machine); the
      -- timeout's retry gets what is left of the 1.2 s deadline
      local token_client = helper.client(mock, { token = SECRET_TOKEN, debug = debug, retries = 1, timeout = 1,
        deadline = 1.2, backoff_base = 0.001, backoff_max = 0.001 })
      local aksk_client = helper.aksk_client(mock, { ak = "zz-secret-ak", sk = SECRET_SK, security_token = SECRET_STS,
        debug = debug, retries = 1, timeout = 1, deadline = 1.2, backoff_base = 0.001, backoff_max = 0.001 })
      for label, client in pairs({ token = token_client, aksk = aksk_client }) do
        local kinds = force_errors(client, label)
        assert.are.same({ invalid = true, api = true, decode = true, timeout = true }, kinds)
        assert_clean(label .. " tostring(client)", tostring(client))
      end
      -- the AK/SK calls were signed with the secret key and accepted
      local signed = 0
      for _, r in ipairs(mock:requests()) do
        if r.headers["authorization"] then
          signed = signed + 1
          assert.are.equal(SECRET_STS, r.headers["x-security-token"])
        end
      end
      assert.is_true(signed >= 6)
      -- transport errors
      for label, opts in pairs({ token = { token = SECRET_TOKEN },
        aksk = { ak = "zz-secret-ak", sk = SECRET_SK, project_id = "test-project", security_token = SECRET_STS } }) do
        opts.endpoint = "http://127.0.0.1:1"
        opts.debug = debug
        opts.retries = 1
        opts.backoff_base, opts.backoff_max = 0.001, 0.001
        local c = rtc.new(opts)
        local res, err = c:get_job("app-1", "job-1")
        assert.is_nil(res)
        assert.are.equal("transport", err.kind)
        assert_error_clean(label .. " transport", err)
        assert_clean(label .. " tostring(client)", tostring(c))
        c:close()
        assert_clean(label .. " tostring(closed client)", tostring(c))
      end
      token_client:close()
      aksk_client:close()
      -- the debug output was there, and it is clean
      assert.is_true(#lines >= 20, #lines .. " debug lines")
      local all = table.concat(lines, "\n")
      assert.is_truthy(all:find("X-Auth-Token", 1, true), "debug output shows no request headers")
      assert.is_truthy(all:find("X-Security-Token", 1, true), "debug output shows no request headers")
      for i, line in ipairs(lines) do assert_clean("debug line " .. i, line) end
    end)

    it("never appear in rtc.new's errors", function()
      local bad = {
        { token = SECRET_TOKEN, ak = "a", sk = SECRET_SK, project_id = "p" },
        { ak = "a", sk = SECRET_SK },
        { sk = SECRET_SK, project_id = "p" },
        { token = SECRET_TOKEN, timout = 1 },
        { token = SECRET_TOKEN .. "\r\nX-Injected: 1" },
        { ak = "a", sk = SECRET_SK .. "\n", project_id = "p" },
        { ak = "a", sk = SECRET_SK, project_id = "p", security_token = SECRET_STS .. "\r\n" },
        { token = SECRET_TOKEN, security_token = SECRET_STS },
        { token = SECRET_TOKEN, endpoint = "ftp://x" },
      }
      for i, opts in ipairs(bad) do
        local ok, err = pcall(rtc.new, opts)
        assert.is_false(ok, "case " .. i)
        assert.are.equal("invalid", err.kind, "case " .. i)
        assert_error_clean("rtc.new case " .. i, err)
      end
    end)
  end)
end)
