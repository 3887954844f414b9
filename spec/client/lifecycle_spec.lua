-- luacheck: max line length 160
-- spec/client/lifecycle_spec.lua — a job's life through the module against the mock (create, get,
-- update, stop; INIT -> RUNNING -> STOPPED), the seed page's example answers served verbatim,
-- and the examples/ scripts' flow.
local helper = require "spec.helper"
local rtc = require "rtc"
local cjson = require "cjson"

-- the seed page's example answers, byte for byte
local SEED_200 = '{ "job_id" : 1, "app_id" : 1, "room_id" : 100, "user_id" : "user001", "is_record_audio" : true, '
  .. '"video_type" : "CAMERASTREAM", "select_stream_type" : "FHD", "max_idle_time" : 30, "publish_param" : '
  .. '{ "rtmp_urls" : [ "rtmp://your.rtmp-server.com" ] }, "record_param" : { "record_rule_id" : '
  .. '"5f5e172b9016ed5b0961a43" }, "create_time" : "2006-01-02T15:04:05.075Z", "start_time" : "2006-01-02T15:04:05.075Z" }'
local SEED_400 = '{ "error_code" : "RTC.00001003", "error_msg" : "InvalidParameterValue" }'
local SEED_404 = '{ "error_code" : "RTC.00001003", "error_msg" : "InvalidParameterValue" }'
local SEED_500 = '{ "error_code" : "RTC.00002xxx", "error_msg" : "InternalError" }'
local SEED_REQUEST = { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } }

local IS_53 = math.type ~= nil

local plain = helper.plain -- a plain copy (no metatables), to compare with assert.same and to list keys

-- every value in t, recursively, is a plain Lua value: never cjson.null or another userdata
local function assert_no_null(t, path)
  path = path or "job"
  for k, v in pairs(t) do
    local p = path .. "." .. tostring(k)
    assert.is_true(v ~= cjson.null, p .. " is cjson.null")
    assert.is_true(type(v) ~= "userdata", p .. " is a userdata")
    if type(v) == "table" then assert_no_null(v, p) end
  end
end

local shell_quote = helper.shell_quote

describe("lifecycle", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  describe("a job through its states", function()
    it("create -> get -> update -> stop, then update and stop again are refused", function()
      local job, err = client:create_job("app-1", { room_id = "room-1", user_id = "user-1",
        record_param = { record_rule_id = "rule-1" }, max_idle_time = 60 })
      assert.is_nil(err)
      assert.are.equal("INIT", job.state)
      assert.are.equal("app-1", job.app_id)
      assert.are.equal("room-1", job.room_id)
      assert.are.equal("user-1", job.user_id)
      assert.are.equal(60, job.max_idle_time)
      assert.are.equal(true, job.is_record_audio)
      assert.are.equal("CAMERASTREAM", job.video_type)
      assert.are.equal("FHD", job.select_stream_type)
      assert.are.same({ record_rule_id = "rule-1" }, plain(job.record_param))
      assert.is_nil(job.publish_param)
      assert.are.equal("s_" .. job.job_id .. "_room-1_user-1", job.stream_name)
      assert.is_truthy(job.create_time:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ$"), job.create_time)
      assert.is_truthy(job.request_id:match("^%x+$"), job.request_id)
      local id = job.job_id

      local got = assert(client:get_job("app-1", id))
      assert.are.equal("RUNNING", got.state)
      assert.are.equal(id, got.job_id)
      assert.is_string(got.start_time)

      local updated = assert(client:update_job("app-1", id, { publish_param = { rtmp_urls = { "rtmp://live/1" } } }))
      assert.are.equal("RUNNING", updated.state)
      assert.are.same({ "rtmp://live/1" }, plain(updated.publish_param.rtmp_urls))
      assert.are.same({ record_rule_id = "rule-1" }, plain(updated.record_param))

      mock:script{ headers = { ["X-request-Id"] = "stop-request-1" } }
      local res, serr = client:stop_job("app-1", id)
      assert.is_nil(serr)
      assert.are.same({ request_id = "stop-request-1", status = 204 }, plain(res))

      local stopped = assert(client:get_job("app-1", id))
      assert.are.equal("STOPPED", stopped.state)
      assert.are.equal("TENANT_STOP", stopped.stop_reason)
      assert.is_string(stopped.stop_time)

      mock:script{ headers = { ["X-request-Id"] = "update-after-stop" } }
      local again, uerr = client:update_job("app-1", id, { record_param = { record_rule_id = "rule-2" } })
      assert.is_nil(again)
      assert.are.same({ kind = "api", status = 400, code = "RTC.00001009", message = "JobDone: task canceled or completed",
        request_id = "update-after-stop", attempts = 1 }, plain(uerr))

      local res2, serr2 = client:stop_job("app-1", id)
      assert.is_nil(res2)
      assert.are.equal("api", serr2.kind)
      assert.are.equal(400, serr2.status)
      assert.are.equal("RTC.00001009", serr2.code)

      local methods = {}
      for i, r in ipairs(mock:requests()) do methods[i] = r.method end
      assert.are.same({ "POST", "GET", "PUT", "DELETE", "GET", "PUT", "DELETE" }, methods)
    end)

    it("the module functions (default client) run the same flow after rtc.configure", function()
      rtc.configure{ endpoint = mock.url, token = "test-token", retries = 0 }
      finally(function() rtc.configure() end)
      local job = assert(rtc.create_job("app-2", { room_id = "r", user_id = "u", publish_param = { rtmp_urls = { "rtmp://a" } } }))
      assert.are.equal("RUNNING", assert(rtc.get_job("app-2", job.job_id)).state)
      assert(rtc.update_job("app-2", job.job_id, { record_param = { record_rule_id = "x" } }))
      local res = assert(rtc.stop_job("app-2", job.job_id))
      assert.is_string(res.request_id)
      local _, err = rtc.stop_job("app-2", job.job_id)
      assert.are.equal("RTC.00001009", err.code)
    end)

    it("stop_job's request_id is the X-request-Id the server sent, whatever its case", function()
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      mock:script{ headers = { ["x-request-id"] = "lower-case-id" } }
      local res = assert(client:stop_job("app-1", job.job_id))
      assert.are.equal("lower-case-id", res.request_id)
    end)
  end)

  describe("unknown app or job", function()
    it("an unknown app answers 404 RTC.00001003", function()
      mock:script{ headers = { ["X-request-Id"] = "no-app-1" } }
      local job, err = client:get_job("no-such-app", "job-1")
      assert.is_nil(job)
      assert.are.same({ kind = "api", status = 404, code = "RTC.00001003", message = "InvalidParameterValue",
        request_id = "no-app-1", attempts = 1 }, plain(err))
      local _, cerr = client:create_job("no-such-app", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } })
      assert.are.equal(404, cerr.status)
      assert.are.equal("RTC.00001003", cerr.code)
    end)

    it("an unknown job answers 404 RTC.00001003 for get, update and stop", function()
      for _, call in ipairs({
        function() return client:get_job("app-1", "missing") end,
        function() return client:update_job("app-1", "missing", { record_param = { record_rule_id = "x" } }) end,
        function() return client:stop_job("app-1", "missing") end,
      }) do
        local res, err = call()
        assert.is_nil(res)
        assert.are.equal("api", err.kind)
        assert.are.equal(404, err.status)
        assert.are.equal("RTC.00001003", err.code)
        assert.are.equal("InvalidParameterValue", err.message)
        assert.is_truthy(err.request_id:match("^%x+$"), err.request_id)
      end
      assert.are.equal(3, #mock:requests())
    end)
  end)

  describe("the seed page's example answers", function()
    it("200: numbers become the documented strings, max_idle_time an integer, absent stays absent", function()
      mock:script{ status = 200, body = SEED_200, headers = { ["X-request-Id"] = "seed-200" } }
      local job, err = client:update_job("app-1", "1", SEED_REQUEST)
      assert.is_nil(err)
      assert.are.same({
        job_id = "1", app_id = "1", room_id = "100", user_id = "user001", is_record_audio = true,
        video_type = "CAMERASTREAM", select_stream_type = "FHD", max_idle_time = 30,
        publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } },
        record_param = { record_rule_id = "5f5e172b9016ed5b0961a43" },
        create_time = "2006-01-02T15:04:05.075Z", start_time = "2006-01-02T15:04:05.075Z",
        request_id = "seed-200", status = 200,
      }, plain(job))
      assert.are.equal("string", type(job.job_id))
      assert.are.equal("string", type(job.app_id))
      assert.are.equal("string", type(job.room_id))
      assert.are.equal(true, job.is_record_audio)
      if IS_53 then assert.are.equal("integer", math.type(job.max_idle_time)) end
      for _, absent in ipairs({ "stream_name", "update_time", "stop_time", "state", "stop_reason", "description" }) do
        assert.is_nil(job[absent], absent)
      end
      assert_no_null(job)
    end)

    local errors = {
      { 400, SEED_400, "RTC.00001003", "InvalidParameterValue" },
      { 404, SEED_404, "RTC.00001003", "InvalidParameterValue" },
      { 500, SEED_500, "RTC.00002xxx", "InternalError" },
    }
    for _, e in ipairs(errors) do
      it(e[1] .. ": kind api, status, code, message and the request id the server sent", function()
        local rid = "seed-" .. e[1] .. "-6f1c"
        mock:script{ status = e[1], body = e[2], headers = { ["X-request-Id"] = rid } }
        local job, err = client:update_job("app-1", "1", SEED_REQUEST)
        assert.is_nil(job)
        assert.are.same({ kind = "api", status = e[1], code = e[3], message = e[4], request_id = rid, attempts = 1 },
          plain(err))
        assert.are.equal(("HTTP %d %s %s (request %s)"):format(e[1], e[3], e[4], rid), tostring(err))
        assert.are.equal(1, #mock:requests())
      end)
    end
  end)

  describe("job tables", function()
    it("JSON nulls are absent, never cjson.null", function()
      mock:script{ status = 200, headers = { ["X-request-Id"] = "nulls" }, body = '{"job_id":"j1","state":null,'
        .. '"stop_reason":null,"publish_param":null,"record_param":{"record_rule_id":null},"description":null,'
        .. '"max_idle_time":null,"is_record_audio":null,"extra":{"inner":null,"list":[null]}}' }
      local job, err = client:get_job("app-1", "j1")
      assert.is_nil(err)
      assert_no_null(job)
      for _, k in ipairs({ "state", "stop_reason", "publish_param", "description", "max_idle_time", "is_record_audio" }) do
        assert.is_nil(job[k], k)
      end
      assert.are.same({}, plain(job.record_param))
      assert.are.equal("j1", job.job_id)
    end)

    it("unknown fields are kept as they came", function()
      mock:script{ status = 200, headers = { ["X-request-Id"] = "extra" }, body = '{"job_id":"j1","state":"RUNNING",'
        .. '"new_field":"x","new_number":7,"new_float":1.5,"new_bool":false,"new_object":{"a":"b","n":{"deep":[1,"two",true]}},'
        .. '"new_list":["p","q"]}' }
      local job = assert(client:get_job("app-1", "j1"))
      assert.are.equal("x", job.new_field)
      assert.are.equal(7, job.new_number)
      assert.are.equal(1.5, job.new_float)
      assert.are.equal(false, job.new_bool)
      assert.are.same({ a = "b", n = { deep = { 1, "two", true } } }, plain(job.new_object))
      assert.are.same({ "p", "q" }, plain(job.new_list))
    end)

    it("tostring shows job_id and state; pairs and cjson.encode see a plain table", function()
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      local s = tostring(job)
      assert.is_truthy(s:find('job_id="' .. job.job_id .. '"', 1, true), s)
      assert.is_truthy(s:find('state="INIT"', 1, true), s)
      -- pairs: exactly the fields of the answer plus request_id and status
      local keys = {}
      for k in pairs(job) do keys[#keys + 1] = k end
      table.sort(keys)
      assert.are.same({ "app_id", "create_time", "description", "is_record_audio", "job_id", "max_idle_time", "record_param",
        "request_id", "room_id", "select_stream_type", "state", "status", "stream_name", "update_time", "user_id",
        "video_type" }, keys)
      -- cjson.encode (the caller's own) sees the same plain data
      assert.are.same(plain(job), cjson.decode(cjson.encode(job)))
      -- the metatable carries __tostring only (and its __name)
      local mt = getmetatable(job)
      assert.is_table(mt)
      for k in pairs(mt) do
        assert.is_truthy(k == "__tostring" or k == "__name", "unexpected metamethod " .. tostring(k))
      end
      assert.is_nil(rawget(job, "__index"))
      -- writable like any table
      job.note = "mine"
      assert.are.equal("mine", job.note)
    end)
  end)

  describe("the examples/ scripts' flow", function()
    local script = helper.ROOT .. "/examples/openresty/cli_style.lua"
    local function available() return helper.file_exists(script) end

    local function cli(env, ...)
      local args = {}
      for i, a in ipairs({ ... }) do args[i] = shell_quote(a) end
      local pre = ("package.cpath = %q"):format(package.cpath)
      local cmd = "env -u RTC_AUTH_TOKEN -u HUAWEICLOUD_SDK_AK -u HUAWEICLOUD_SDK_SK -u HUAWEICLOUD_SDK_PROJECT_ID "
        .. "-u HUAWEICLOUD_SDK_SECURITY_TOKEN " .. env .. " " .. helper.LUA .. " -e " .. shell_quote(pre) .. " "
        .. shell_quote(script) .. " " .. table.concat(args, " ")
      return helper.run(cmd)
    end

    it("cli_style.lua updates a job with a token and prints it as JSON", function()
      if not available() then pending("examples/openresty/cli_style.lua is missing") return end
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      local code, out, err = cli("RTC_ENDPOINT=" .. mock.url .. " RTC_AUTH_TOKEN=test-token",
        "app-1", job.job_id, "rtmp://your.rtmp-server.com/live/1", "rule-9")
      assert.are.equal(0, code, err)
      local printed = cjson.decode(out)
      assert.are.equal(job.job_id, printed.job_id)
      assert.are.same({ "rtmp://your.rtmp-server.com/live/1" }, printed.publish_param.rtmp_urls)
      assert.are.same({ record_rule_id = "rule-9" }, printed.record_param)
      local reqs = mock:requests()
      assert.are.equal("PUT", reqs[#reqs].method)
      assert.are.equal("test-token", reqs[#reqs].headers["x-auth-token"])
      assert.are.same({ publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com/live/1" } },
        record_param = { record_rule_id = "rule-9" } }, cjson.decode(reqs[#reqs].body))
    end)

    it("cli_style.lua signs with AK/SK from the environment", function()
      if not available() then pending("examples/openresty/cli_style.lua is missing") return end
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      local code, out, err = cli("RTC_ENDPOINT=" .. mock.url .. " HUAWEICLOUD_SDK_AK=test-ak HUAWEICLOUD_SDK_SK=test-sk "
        .. "HUAWEICLOUD_SDK_PROJECT_ID=test-project", "app-1", job.job_id, "rtmp://x/y")
      assert.are.equal(0, code, err)
      assert.are.same({ "rtmp://x/y" }, cjson.decode(out).publish_param.rtmp_urls)
      local reqs = mock:requests()
      assert.is_truthy(reqs[#reqs].headers["authorization"]:find("^SDK%-HMAC%-SHA256 Access=test%-ak,"))
    end)

    it("cli_style.lua reports an unknown job with the error's tostring and exit status 1", function()
      if not available() then pending("examples/openresty/cli_style.lua is missing") return end
      mock:script{ headers = { ["X-request-Id"] = "cli-404" } }
      local code, out, err = cli("RTC_ENDPOINT=" .. mock.url .. " RTC_AUTH_TOKEN=test-token", "app-1", "missing", "rtmp://x/y")
      assert.are.equal(1, code)
      assert.are.equal("", out)
      assert.are.equal("HTTP 404 RTC.00001003 InvalidParameterValue (request cli-404)\n", err)
    end)
  end)
end)
