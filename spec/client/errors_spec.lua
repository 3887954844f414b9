-- luacheck: max line length 160
-- spec/client/errors_spec.lua — the error object (fields, tostring), the shapes of error answers,
-- and the pure steps: client:decode gives what the real call gives, client:prepare sends nothing.
local helper = require "spec.helper"
local unpack = table.unpack or unpack
local rtc = require "rtc"

local SEED_200 = '{ "job_id" : 1, "app_id" : 1, "room_id" : 100, "user_id" : "user001", "is_record_audio" : true, '
  .. '"video_type" : "CAMERASTREAM", "select_stream_type" : "FHD", "max_idle_time" : 30, "publish_param" : '
  .. '{ "rtmp_urls" : [ "rtmp://your.rtmp-server.com" ] }, "record_param" : { "record_rule_id" : '
  .. '"5f5e172b9016ed5b0961a43" }, "create_time" : "2006-01-02T15:04:05.075Z", "start_time" : "2006-01-02T15:04:05.075Z" }'
local SEED_404 = '{ "error_code" : "RTC.00001003", "error_msg" : "InvalidParameterValue" }'
local UPDATE = { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } }

local plain = helper.plain

describe("errors", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  -- the error of update_job("app-1", "job-1", UPDATE) answered with status/body/headers
  local function answer(status, body, headers, c)
    mock:script{ status = status, body = body, headers = headers }
    local res, err = (c or client):update_job("app-1", "job-1", UPDATE)
    assert.is_nil(res)
    assert.is_table(err)
    return err
  end

  describe("the error object", function()
    it("has kind, status, code, message, request_id, attempts and the rtc.error metatable", function()
      local err = answer(404, SEED_404, { ["X-request-Id"] = "6f1c0a" })
      assert.are.same({ kind = "api", status = 404, code = "RTC.00001003", message = "InvalidParameterValue",
        request_id = "6f1c0a", attempts = 1 }, plain(err))
      if math.type then
        assert.are.equal("integer", math.type(err.status))
        assert.are.equal("integer", math.type(err.attempts))
      end
      local mt = getmetatable(err)
      assert.are.equal("rtc.error", mt.__name)
      assert.are.equal("function", type(mt.__tostring))
      assert.is_nil(err.field)
    end)

    it("tostring is exactly 'HTTP 404 RTC.00001003 InvalidParameterValue (request <id>)'", function()
      local err = answer(404, SEED_404, { ["X-request-Id"] = "6f1c0a9e" })
      assert.are.equal("HTTP 404 RTC.00001003 InvalidParameterValue (request 6f1c0a9e)", tostring(err))
    end)

    it("tostring of an invalid call is the contract's", function()
      local _, err = client:update_job("a", "j", { publish_param = { rtmp_urls = { "rtmp://a", "http://x" } } })
      assert.are.equal('invalid: publish_param.rtmp_urls[2]: expected an rtmp:// or rtmps:// URL, got "http://x"', tostring(err))
      assert.are.equal("rtc.error", getmetatable(err).__name)
    end)

    it("counts the attempts of a retried call", function()
      local c = helper.client(mock, { retries = 2, backoff_base = 0.001, backoff_max = 0.001 })
      mock:script{ status = 500, body = '{"error_code":"RTC.00002001","error_msg":"InternalError"}', times = 3,
        headers = { ["X-request-Id"] = "retried" } }
      local res, err = c:get_job("app-1", "job-1")
      assert.is_nil(res)
      assert.are.same({ kind = "api", status = 500, code = "RTC.00002001", message = "InternalError",
        request_id = "retried", attempts = 3 }, plain(err))
      assert.are.equal(3, #mock:requests())
      c:close()
    end)

    it("a transport error: kind, no status, attempts, and tostring like the contract's", function()
      local c = rtc.new{ endpoint = "http://127.0.0.1:1", token = "test-token", retries = 1, backoff_base = 0.001,
        backoff_max = 0.001 }
      local res, err = c:get_job("app-1", "job-1")
      assert.is_nil(res)
      assert.are.equal("transport", err.kind)
      assert.is_nil(err.status)
      assert.is_nil(err.code)
      assert.are.equal(2, err.attempts)
      assert.is_truthy(err.message:find("Failed to connect to 127.0.0.1 port 1", 1, true), err.message)
      local s = tostring(err)
      assert.is_truthy(s:find("^transport: Failed to connect to 127%.0%.0%.1 port 1 "), s)
      assert.is_truthy(s:find(" %(2 attempts%)$"), s)
      c:close()
    end)

    it("a decode error: kind decode, the status and the request id", function()
      mock:script{ status = 200, body = "<html>not json</html>", headers = { ["X-request-Id"] = "dec-1" } }
      local _, err = client:get_job("app-1", "job-1")
      assert.are.equal("decode", err.kind)
      assert.are.equal(200, err.status)
      assert.are.equal("dec-1", err.request_id)
      assert.are.equal(1, err.attempts)
      assert.is_string(err.message)
      assert.is_truthy(tostring(err):find("^decode: "), tostring(err))
      assert.is_truthy(tostring(err):find("dec-1", 1, true), tostring(err))
    end)

    for _, body in ipairs({ "", "[1,2]", '"a string"', '{"job_id":', "{}x", "\255\254{}" }) do
      it(("a 200 answer %q is a decode error"):format(body), function()
        mock:script{ status = 200, body = body, headers = { ["X-request-Id"] = "dec-2" } }
        local res, err = client:get_job("app-1", "job-1")
        assert.is_nil(res)
        assert.are.equal("decode", err.kind)
        assert.are.equal(200, err.status)
        assert.are.equal("dec-2", err.request_id)
      end)
    end
  end)

  describe("error answers", function()
    it("error_code / error_msg", function()
      local err = answer(400, '{"error_code":"RTC.00001005","error_msg":"MissingParameter"}', { ["X-request-Id"] = "r1" })
      assert.are.same({ kind = "api", status = 400, code = "RTC.00001005", message = "MissingParameter", request_id = "r1",
        attempts = 1 }, plain(err))
    end)

    it("errorCode / errorMsg", function()
      local err = answer(401, '{"errorCode":"APIGW.0301","errorMsg":"Incorrect IAM authentication information"}',
        { ["X-request-Id"] = "r2" })
      assert.are.same({ kind = "api", status = 401, code = "APIGW.0301", message = "Incorrect IAM authentication information",
        request_id = "r2", attempts = 1 }, plain(err))
      assert.are.equal("HTTP 401 APIGW.0301 Incorrect IAM authentication information (request r2)", tostring(err))
    end)

    it("code / message", function()
      local err = answer(429, '{"code":"APIGW.0308","message":"The throttling threshold has been reached"}',
        { ["X-request-Id"] = "r3" })
      assert.are.same({ kind = "api", status = 429, code = "APIGW.0308", message = "The throttling threshold has been reached",
        request_id = "r3", attempts = 1 }, plain(err))
    end)

    it("a plain text body keeps its text", function()
      local err = answer(502, "Bad Gateway", { ["X-request-Id"] = "r4", ["Content-Type"] = "text/plain" })
      assert.are.same({ kind = "api", status = 502, message = "Bad Gateway", request_id = "r4", attempts = 1 }, plain(err))
      assert.are.equal("HTTP 502 Bad Gateway (request r4)", tostring(err))
    end)

    it("a long HTML body becomes a short one-line message", function()
      local html = "<html>\n<head><title>503</title></head>\n<body>" .. string.rep("x", 20000) .. "</body></html>\n"
      local err = answer(503, html, { ["X-request-Id"] = "r5", ["Content-Type"] = "text/html" })
      assert.are.equal("api", err.kind)
      assert.are.equal(503, err.status)
      assert.is_nil(err.code)
      assert.is_truthy(err.message:find("^<html> <head><title>503</title></head> <body>xxx"), err.message)
      assert.is_nil(err.message:find("\n", 1, true))
      assert.is_true(#err.message <= 512, "message of " .. #err.message .. " bytes")
    end)

    it("an empty body", function()
      local err = answer(503, "", { ["X-request-Id"] = "r6" })
      assert.are.same({ kind = "api", status = 503, message = "(empty body)", request_id = "r6", attempts = 1 }, plain(err))
      assert.are.equal("HTTP 503 (empty body) (request r6)", tostring(err))
    end)

    it("a JSON body without a code or message keeps its text", function()
      local err = answer(500, '{"unexpected":true}', { ["X-request-Id"] = "r7" })
      assert.are.equal("api", err.kind)
      assert.is_nil(err.code)
      assert.are.equal('{"unexpected":true}', err.message)
    end)

    it("reads X-request-Id whatever its case", function()
      local err = answer(404, SEED_404, { ["x-request-id"] = "lower-r8" })
      assert.are.equal("lower-r8", err.request_id)
      err = answer(404, SEED_404, { ["X-REQUEST-ID"] = "upper-r8" })
      assert.are.equal("upper-r8", err.request_id)
    end)

    it("takes the request id from the body when the header is missing", function()
      local err = answer(400, '{"error_code":"RTC.00001003","error_msg":"InvalidParameterValue","request_id":"body-r9"}',
        { ["X-request-Id"] = false })
      assert.are.equal("body-r9", err.request_id)
    end)

    it("no request id at all: the field is absent and tostring has no '(request'", function()
      local err = answer(404, SEED_404, { ["X-request-Id"] = false })
      assert.is_nil(err.request_id)
      assert.are.equal("HTTP 404 RTC.00001003 InvalidParameterValue", tostring(err))
    end)
  end)

  describe("client:decode", function()
    local cases = {
      { "get_job 200 (the seed)", "get_job", { "app-1", "1" }, 200, SEED_200 },
      { "update_job 200 (the seed)", "update_job", { "app-1", "1", UPDATE }, 200, SEED_200 },
      { "create_job 201", "create_job", { "app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } } }, 201,
        '{"job_id":"j1","state":"INIT","max_idle_time":30.0,"app_id":7,"extra":{"k":[1,2]},"stop_reason":null}' },
      { "stop_job 204", "stop_job", { "app-1", "1" }, 204, "" },
      { "update_job 400", "update_job", { "app-1", "1", UPDATE }, 400, '{ "error_code" : "RTC.00001009", "error_msg" : "JobDone" }' },
      { "get_job 404 (the seed)", "get_job", { "app-1", "1" }, 404, SEED_404 },
      { "stop_job 404", "stop_job", { "app-1", "1" }, 404, SEED_404 },
      { "get_job 500", "get_job", { "app-1", "1" }, 500, '{ "error_code" : "RTC.00002xxx", "error_msg" : "InternalError" }' },
      { "get_job 401 errorCode", "get_job", { "app-1", "1" }, 401, '{"errorCode":"APIGW.0301","errorMsg":"Incorrect"}' },
      { "get_job 429 code", "get_job", { "app-1", "1" }, 429, '{"code":"APIGW.0308","message":"throttled"}' },
      { "get_job 502 text", "get_job", { "app-1", "1" }, 502, "Bad Gateway" },
      { "get_job 503 empty", "get_job", { "app-1", "1" }, 503, "" },
      { "get_job 200 not JSON", "get_job", { "app-1", "1" }, 200, "not json" },
      { "get_job 200 empty", "get_job", { "app-1", "1" }, 200, "" },
      { "update_job 204 (no job where one is expected)", "update_job", { "app-1", "1", UPDATE }, 204, "" },
    }
    for _, c in ipairs(cases) do
      it("gives exactly what the real call gives: " .. c[1], function()
        local rid = "dec-" .. c[4]
        mock:script{ status = c[4], body = c[5], headers = { ["X-request-Id"] = rid } }
        local real, real_err = client[c[2]](client, unpack(c[3]))
        assert.are.equal(1, #mock:requests())
        local headers = { ["X-request-Id"] = rid }
        if c[5] ~= "" then headers["Content-Type"] = "application/json;charset=utf-8" end
        local dec, dec_err = client:decode(c[2], c[4], headers, c[5])
        assert.are.equal(real == nil, dec == nil)
        assert.are.equal(real_err == nil, dec_err == nil)
        if real ~= nil then
          assert.are.same(plain(real), plain(dec))
          assert.are.equal(getmetatable(real), getmetatable(dec))
          assert.are.equal(tostring(real):gsub("0x%x+", ""), tostring(dec):gsub("0x%x+", ""))
          assert.are.equal(rid, dec.request_id)
        else
          -- the same fields, but for attempts (a fact of the transport; decode made none)
          assert.are.same(plain(real_err, "attempts"), plain(dec_err, "attempts"))
          assert.are.equal(getmetatable(real_err), getmetatable(dec_err))
          assert.are.equal(tostring(real_err), tostring(dec_err))
          assert.are.equal(rid, dec_err.request_id)
        end
        -- decode sends nothing
        assert.are.equal(1, #mock:requests())
      end)
    end

    it("reads header names in any case, and works without headers", function()
      local job = assert(client:decode("get_job", 200, { ["x-request-id"] = "abc" }, SEED_200))
      assert.are.equal("abc", job.request_id)
      assert.are.equal("1", job.job_id)
      local job2 = assert(client:decode("get_job", 200, nil, SEED_200))
      assert.is_nil(job2.request_id)
      assert.are.equal("100", job2.room_id)
    end)

    it("raises for an unknown operation", function()
      local ok, e = pcall(client.decode, client, "delete_everything", 200, {}, "{}")
      assert.is_false(ok)
      assert.is_truthy(tostring(e):find("delete_everything", 1, true), tostring(e))
    end)
  end)

  describe("client:prepare", function()
    it("returns method, url, headers and body, and sends nothing", function()
      local req, err = client:prepare("update_job", "app-1", "job 1", UPDATE)
      assert.is_nil(err)
      local keys = {}
      for k in pairs(req) do keys[#keys + 1] = k end
      table.sort(keys)
      assert.are.same({ "body", "headers", "method", "url" }, keys)
      assert.are.equal("PUT", req.method)
      assert.are.equal(mock.url .. "/v2/apps/app-1/individual-stream-jobs/job%201", req.url)
      assert.are.equal('{"publish_param":{"rtmp_urls":["rtmp://your.rtmp-server.com"]}}', req.body)
      assert.are.equal("application/json;charset=utf-8", req.headers["Content-Type"])
      assert.are.equal("test-token", req.headers["X-Auth-Token"])
      assert.is_truthy(req.headers["User-Agent"]:find("rtcjob/0.1.0", 1, true))
      for name, value in pairs(req.headers) do
        assert.are.equal("string", type(name))
        assert.are.equal("string", type(value))
      end
      local stats = mock:stats()
      assert.are.equal(0, stats.requests)
      assert.are.equal(0, #mock:requests())
    end)

    it("validates like a call: nil, err and nothing sent", function()
      local req, err = client:prepare("update_job", "app-1", "job-1", { record_params = {} })
      assert.is_nil(req)
      assert.are.equal("invalid", err.kind)
      assert.are.equal("record_params", err.field)
      assert.are.equal(0, mock:stats().requests)
    end)

    it("raises for an unknown operation or wrong argument types", function()
      assert.is_false(pcall(client.prepare, client, "delete_job", "a", "j"))
      assert.is_false(pcall(client.prepare, client, "get_job", nil, "j"))
      assert.is_false(pcall(client.prepare, client, "update_job", "a", "j", "not a table"))
      assert.are.equal(0, mock:stats().requests)
    end)

    it("what it prepares, sent by another transport and decoded, is a normal call", function()
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      local req = assert(client:prepare("update_job", "app-1", job.job_id, UPDATE))
      local path = req.url:sub(#mock.url + 1)
      local status, body, headers = mock:request(req.method, path, { headers = req.headers, body = req.body })
      assert.are.equal(200, status)
      local got, err = client:decode("update_job", status, headers, body)
      assert.is_nil(err)
      assert.are.equal(job.job_id, got.job_id)
      assert.are.same({ "rtmp://your.rtmp-server.com" }, plain(got.publish_param.rtmp_urls))
      assert.are.equal(headers["x-request-id"], got.request_id)
      assert.is_truthy(got.request_id:match("^%x+$"))
    end)
  end)
end)

describe("errors from odd gateways", function()
  local client = rtc.new{ endpoint = "http://127.0.0.1:1", token = "t" }

  it("numeric error codes and messages become text, without a trailing .0", function()
    for _ = 1, 50 do -- with garbage collection in between, the texts must stay valid
      local _, err = client:decode("get_job", 500, { ["X-Request-Id"] = "r1" },
        '{"error_code": 1001, "error_msg": 2.5}')
      collectgarbage()
      assert.are.equal("1001", err.code)
      assert.are.equal("2.5", err.message)
      assert.are.equal("HTTP 500 1001 2.5 (request r1)", tostring(err))
    end
  end)

  it("an empty error_msg falls back to the body's text", function()
    local _, err = client:decode("get_job", 400, {}, '{ "error_code" : "RTC.00001003", "error_msg" : "" }')
    assert.are.equal("RTC.00001003", err.code)
    assert.truthy(err.message:find('"error_msg" : ""', 1, true))
  end)

  it("header values that are not strings are ignored", function()
    local _, err = client:decode("get_job", 404, { ["X-Request-Id"] = { 123 } }, "")
    collectgarbage()
    assert.is_nil(err.request_id)
    assert.are.equal("api", err.kind)
  end)

  it("a body that starts with a UTF-8 BOM is read", function()
    local job = client:decode("get_job", 200, {}, '\239\187\191{"job_id": "j"}')
    assert.are.equal("j", job.job_id)
  end)
end)

describe("answers with loosely typed fields", function()
  local client = rtc.new{ endpoint = "http://127.0.0.1:1", token = "t" }

  it("strings for integer and boolean fields become the documented types", function()
    local job = client:decode("get_job", 200, {},
      '{"job_id": "j", "max_idle_time": "30", "is_record_audio": "false", "room_id": 100}')
    assert.are.equal(30, job.max_idle_time)
    if math.type then assert.are.equal("integer", math.type(job.max_idle_time)) end
    assert.are.equal(false, job.is_record_audio)
    assert.are.equal("100", job.room_id)
  end)

  it("values that cannot be read as the type are refused as decode, naming the field (answer_types_spec has the rest)", function()
    for body, field in pairs{ ['{"max_idle_time": "soon"}'] = "max_idle_time", ['{"is_record_audio": "yes"}'] = "is_record_audio" } do
      local job, err = client:decode("get_job", 200, {}, body)
      assert.is_nil(job)
      assert.are.equal("decode", err.kind)
      assert.are.equal(field, err.field)
    end
  end)
end)
