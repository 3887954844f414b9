-- spec/cli/commands_spec.lua: the rtcjob command, run as a subprocess against the mock server.
-- busted --lua=lua5.4 spec/cli/commands_spec.lua   (from the repository root)
local helper = require "spec.helper"
local cjson = require "cjson"

local SECRETS = { "test-sk", "test-token", "SecretKey", "wrong-token-123", "temp-security-token" }

local mock

local write_file = helper.write_temp

-- run bin/rtcjob (helper.rtcjob: opts.env, opts.stdin, opts.tty) against the mock; every
-- output is kept, and checked for secrets at the end
local recorder = helper.rtcjob_recorder(function() return mock end)
local run = recorder.run

local function no_secrets(r)
  for _, s in ipairs(SECRETS) do
    assert.is_nil(r.out:find(s, 1, true), "secret in stdout: " .. s)
    assert.is_nil(r.err:find(s, 1, true), "secret in stderr: " .. s)
  end
end

local log_mark = 0   -- api_requests() returns what arrived after the last mark_log()

local function mark_log() log_mark = #mock:requests() end

local function api_requests() return mock:api_requests(log_mark) end

local function new_job(app, room, user)
  local client = helper.client(mock)
  local job = assert(client:create_job(app or "app1", {
    room_id = room or "room1", user_id = user or "user1",
    publish_param = { rtmp_urls = { "rtmp://origin.example.com/live/a" } },
  }))
  client:close()
  return job
end

describe("rtcjob", function()
  helper.mock_suite(nil, function(m) mock = m end)
  before_each(function() log_mark = 0 end)

  describe("help and version", function()
    it("--version prints the module version", function()
      local rtc = require "rtc"
      local r = run("--version")
      assert.equal(0, r.code)
      assert.equal("rtcjob " .. rtc._VERSION .. "\n", r.out)
    end)

    it("--help lists the commands, env vars and exit codes", function()
      local r = run("--help")
      assert.equal(0, r.code)
      for _, s in ipairs({ "update", "create", "get", "stop", "sign", "RTC_ENDPOINT",
                           "HUAWEICLOUD_SDK_AK", "RTC_AUTH_TOKEN", "Exit codes" }) do
        assert.truthy(r.out:find(s, 1, true), s)
      end
    end)

    it("COMMAND --help lists that command's flags", function()
      local r = run("update --help")
      assert.equal(0, r.code)
      for _, s in ipairs({ "--rtmp-url", "--record-rule", "--jobs", "--concurrency", "--endpoint",
                           "--timeout", "--retries", "--json", "HUAWEICLOUD_SDK_SK", "Exit codes" }) do
        assert.truthy(r.out:find(s, 1, true), s)
      end
      r = run("create -h")
      assert.equal(0, r.code)
      assert.truthy(r.out:find("--no-audio", 1, true))
      assert.truthy(r.out:find("--max-idle", 1, true))
    end)

    it("no command is a usage error", function()
      local r = run("")
      assert.equal(2, r.code)
      r = run("frobnicate")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("unknown command", 1, true))
    end)
  end)

  describe("single calls", function()
    it("update sends exactly the given parameters", function()
      local job = new_job()
      mark_log()
      local r = run("update app1 " .. job.job_id .. " --rtmp-url rtmp://a.example.com/live/1"
        .. " --rtmp-url=rtmps://b.example.com/live/2 --record-rule rule-9")
      assert.equal(0, r.code, r.err)
      assert.equal(job.job_id, r.json.job_id)
      assert.same({ "rtmp://a.example.com/live/1", "rtmps://b.example.com/live/2" }, r.json.publish_param.rtmp_urls)
      assert.equal("rule-9", r.json.record_param.record_rule_id)
      assert.is_string(r.json.request_id)
      local reqs = api_requests()
      assert.equal(1, #reqs)
      assert.equal("PUT", reqs[1].method)
      assert.equal("/v2/apps/app1/individual-stream-jobs/" .. job.job_id, reqs[1].path)
      assert.equal("test-token", reqs[1].headers["x-auth-token"])
      assert.same({ publish_param = { rtmp_urls = { "rtmp://a.example.com/live/1", "rtmps://b.example.com/live/2" } },
                    record_param = { record_rule_id = "rule-9" } }, cjson.decode(reqs[1].body))
      no_secrets(r)
    end)

    it("update with only a record rule sends only record_param", function()
      local job = new_job()
      mark_log()
      local r = run("update app1 " .. job.job_id .. " --record-rule=r1")
      assert.equal(0, r.code, r.err)
      assert.same({ record_param = { record_rule_id = "r1" } }, cjson.decode(api_requests()[1].body))
    end)

    it("create sends every flag", function()
      local r = run("create app1 --room room7 --user alice --video-type screenstream --stream-type HD"
        .. " --max-idle 120 --no-audio --record-rule rule-1 --rtmp-url rtmp://x.example.com/live/s")
      assert.equal(0, r.code, r.err)
      assert.is_string(r.json.job_id)
      assert.equal("room7", r.json.room_id)
      assert.equal("alice", r.json.user_id)
      assert.is_string(r.json.request_id)
      local reqs = api_requests()
      assert.equal(1, #reqs)
      assert.equal("POST", reqs[1].method)
      assert.equal("/v2/apps/app1/individual-stream-jobs", reqs[1].path)
      assert.same({ room_id = "room7", user_id = "alice", video_type = "SCREENSTREAM",
                    select_stream_type = "HD", max_idle_time = 120, is_record_audio = false,
                    record_param = { record_rule_id = "rule-1" },
                    publish_param = { rtmp_urls = { "rtmp://x.example.com/live/s" } } },
                  cjson.decode(reqs[1].body))
      no_secrets(r)
    end)

    it("create without --room is a usage error and sends nothing", function()
      local r = run("create app1 --user alice --record-rule r")
      assert.equal(2, r.code)
      assert.equal(0, #api_requests())
    end)

    it("get prints the job as JSON when stdout is a pipe", function()
      local job = new_job("app1", "roomA", "bob")
      mark_log()
      local r = run("get app1 " .. job.job_id)
      assert.equal(0, r.code, r.err)
      assert.equal(job.job_id, r.json.job_id)
      assert.equal("roomA", r.json.room_id)
      assert.equal("bob", r.json.user_id)
      assert.is_string(r.json.state)
      assert.is_string(r.json.request_id)
      assert.is_nil(r.out:find("null", 1, true))
      local reqs = api_requests()
      assert.equal("GET", reqs[1].method)
      assert.equal("/v2/apps/app1/individual-stream-jobs/" .. job.job_id, reqs[1].path)
    end)

    it("stop sends a DELETE and the job is stopped", function()
      local job = new_job()
      mark_log()
      local r = run("stop app1 " .. job.job_id .. " --json")
      assert.equal(0, r.code, r.err)
      assert.equal(job.job_id, r.json.job_id)
      assert.is_string(r.json.request_id)
      local reqs = api_requests()
      assert.equal(1, #reqs)
      assert.equal("DELETE", reqs[1].method)
      r = run("get app1 " .. job.job_id)
      assert.equal(0, r.code, r.err)
      assert.equal("STOPPED", r.json.state)
    end)

    it("AK/SK flags sign the request and the mock accepts them", function()
      local job = new_job()
      mark_log()
      local r = run("get app1 " .. job.job_id .. " --ak test-ak --sk test-sk --project-id test-project",
                    { env = "RTC_ENDPOINT=" .. mock.url })
      assert.equal(0, r.code, r.err)
      assert.equal(job.job_id, r.json.job_id)
      local h = api_requests()[1].headers
      assert.truthy(h.authorization:find("^SDK%-HMAC%-SHA256 Access=test%-ak,"))
      assert.equal("test-project", h["x-project-id"])
      assert.is_nil(h["x-auth-token"])
      no_secrets(r)
    end)

    it("AK/SK from the environment", function()
      local job = new_job()
      local r = run("get app1 " .. job.job_id, { env = "RTC_ENDPOINT=" .. mock.url
        .. " HUAWEICLOUD_SDK_AK=test-ak HUAWEICLOUD_SDK_SK=test-sk HUAWEICLOUD_SDK_PROJECT_ID=test-project" })
      assert.equal(0, r.code, r.err)
      assert.equal(job.job_id, r.json.job_id)
      no_secrets(r)
    end)

    it("--endpoint and --token flags override the environment", function()
      local job = new_job()
      local r = run("get app1 " .. job.job_id .. " --endpoint " .. mock.url .. " --token=test-token",
                    { env = "RTC_ENDPOINT=http://127.0.0.1:1 RTC_AUTH_TOKEN=wrong-token-123" })
      assert.equal(0, r.code, r.err)
      no_secrets(r)
    end)
  end)

  describe("errors and exit codes", function()
    it("exits 1 on a 404, with the request id on stderr", function()
      local r = run("get app1 no-such-job --sk test-sk --ak test-ak --project-id test-project")
      assert.equal(1, r.code)
      assert.equal("", r.out)
      assert.truthy(r.err:find("^rtcjob: "), r.err)
      assert.truthy(r.err:find("404", 1, true), r.err)
      local rid = r.err:match("request ([%w%-_]+)")
      assert.is_string(rid, r.err)
      assert.truthy(#rid > 0)
      local _, lines = r.err:gsub("\n", "")
      assert.equal(1, lines)
      no_secrets(r)
    end)

    it("exits 1 on a rejected token, without echoing it", function()
      local r = run("get app1 job1 --token wrong-token-123")
      assert.equal(1, r.code)
      assert.truthy(r.err:find("401", 1, true), r.err)
      no_secrets(r)
    end)

    it("exits 2 on an unknown flag and sends nothing", function()
      local r = run("get app1 job1 --bogus --token=test-token")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("--bogus", 1, true))
      assert.equal(0, #api_requests())
      r = run("update app1 job1 --rtmp-url")   -- missing value
      assert.equal(2, r.code)
      r = run("get app1")                       -- missing argument
      assert.equal(2, r.code)
      r = run("create app1 --room r --user u --max-idle soon --record-rule x")
      assert.equal(2, r.code)
      assert.equal(0, #api_requests())
      no_secrets(r)
    end)

    it("exits 2 on an invalid rtmp url and sends nothing", function()
      local r = run("update app1 job1 --rtmp-url http://not-rtmp.example.com/x")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("^rtcjob: "), r.err)
      assert.truthy(r.err:find("rtmp_urls", 1, true), r.err)
      assert.equal(0, #api_requests())
      no_secrets(r)
    end)

    it("exits 2 when an update has nothing to change", function()
      local r = run("update app1 job1")
      assert.equal(2, r.code)
      assert.equal(0, #api_requests())
    end)

    it("exits 2 without credentials or with incomplete AK/SK", function()
      local r = run("get app1 job1", { env = "RTC_ENDPOINT=" .. mock.url })
      assert.equal(2, r.code)
      r = run("get app1 job1 --ak test-ak --sk test-sk", { env = "RTC_ENDPOINT=" .. mock.url })
      assert.equal(2, r.code)
      assert.truthy(r.err:find("project", 1, true), r.err)
      r = run("get app1 job1 --ak test-ak --project-id test-project", { env = "RTC_ENDPOINT=" .. mock.url })
      assert.equal(2, r.code)
      assert.equal(0, #api_requests())
      no_secrets(r)
    end)

    it("exits 3 when the connection is refused", function()
      local r = run("get app1 job1 --retries 1 --sk test-sk --ak test-ak --project-id p1",
                    { env = "RTC_ENDPOINT=http://127.0.0.1:1 RTC_AUTH_TOKEN=test-token" })
      assert.equal(3, r.code)
      assert.truthy(r.err:find("^rtcjob: "), r.err)
      assert.equal("", r.out)
      no_secrets(r)
    end)
  end)

  describe("batch", function()
    local function three_jobs()
      local a, b = new_job("app1", "r1", "u1"), new_job("app1", "r1", "u2")
      mark_log()
      return a, b
    end

    local function check_batch(r, a, b)
      assert.equal(1, r.code, r.err)
      assert.is_table(r.json, r.out)
      assert.equal(2, r.json.ok)
      assert.equal(1, r.json.failed)
      local res = r.json.results
      assert.equal(3, #res)
      assert.equal(a.job_id, res[1].job_id)
      assert.is_true(res[1].ok)
      assert.same({ "rtmp://new.example.com/live/x" }, res[1].job.publish_param.rtmp_urls)
      assert.equal("missing-job", res[2].job_id)
      assert.is_false(res[2].ok)
      assert.equal("api", res[2].error.kind)
      assert.equal(404, res[2].error.status)
      assert.is_string(res[2].error.request_id)
      assert.is_string(res[2].error.code)
      assert.equal(b.job_id, res[3].job_id)
      assert.is_true(res[3].ok)
      assert.truthy(r.err:find("missing-job", 1, true), r.err)
      local reqs = api_requests()
      assert.equal(3, #reqs)
      for _, req in ipairs(reqs) do
        assert.equal("PUT", req.method)
        assert.same({ publish_param = { rtmp_urls = { "rtmp://new.example.com/live/x" } } }, cjson.decode(req.body))
      end
      no_secrets(r)
    end

    it("updates every job in a file, one failing", function()
      local a, b = three_jobs()
      local file = write_file("# jobs to move\n" .. a.job_id .. "\n\n  missing-job  \n# done\n" .. b.job_id .. "\n")
      local r = run("update app1 --jobs " .. file .. " --rtmp-url rtmp://new.example.com/live/x --concurrency 2")
      os.remove(file)
      check_batch(r, a, b)
    end)

    it("reads the job ids from stdin with --jobs -", function()
      local a, b = three_jobs()
      local r = run("update app1 --jobs=- --rtmp-url rtmp://new.example.com/live/x",
                    { stdin = a.job_id .. "\nmissing-job\r\n" .. b.job_id })
      check_batch(r, a, b)
    end)

    it("refuses a job list without ids (exit 2, nothing sent)", function()
      mark_log()
      local r = run("get app1 --jobs -", { stdin = "# nothing here\n\n" })
      assert.equal(2, r.code)
      assert.truthy(r.err:find("no job ids", 1, true), r.err)
      assert.equal(0, #api_requests())
    end)

    it("exits 0 when every job succeeds, and get/stop batch too", function()
      local a, b = three_jobs()
      local r = run("get app1 --jobs -", { stdin = a.job_id .. "\n" .. b.job_id .. "\n" })
      assert.equal(0, r.code, r.err)
      assert.equal(2, r.json.ok)
      assert.equal(0, r.json.failed)
      assert.equal(a.job_id, r.json.results[1].job.job_id)
      r = run("stop app1 --jobs -", { stdin = a.job_id .. "\n" .. b.job_id .. "\n" })
      assert.equal(0, r.code, r.err)
      assert.equal(2, r.json.ok)
      assert.is_string(r.json.results[2].request_id)
    end)

    it("--concurrency bounds the requests in flight", function()
      local ids = {}
      for i = 1, 6 do ids[i] = new_job("app1", "r" .. i, "u").job_id end
      mock:config{ delay_all = 0.05 }
      local r = run("get app1 --jobs - --concurrency 2", { stdin = table.concat(ids, "\n") })
      assert.equal(0, r.code, r.err)
      assert.equal(6, r.json.ok)
      local st = mock:stats()
      assert.truthy(st.max_in_flight >= 1 and st.max_in_flight <= 2, "max_in_flight " .. tostring(st.max_in_flight))
    end)

    it("an invalid shared parameter fails the whole batch before sending", function()
      local r = run("update app1 --jobs - --rtmp-url ftp://x", { stdin = "j1\nj2\n" })
      assert.equal(2, r.code)
      assert.equal(0, #api_requests())
    end)

    it("a refused connection makes the batch exit 3", function()
      local r = run("get app1 --jobs - --retries 0",
                    { stdin = "j1\nj2\n", env = "RTC_ENDPOINT=http://127.0.0.1:1 RTC_AUTH_TOKEN=test-token" })
      assert.equal(3, r.code)
      assert.equal(2, r.json.failed)
      assert.equal("transport", r.json.results[1].error.kind)
    end)
  end)

  describe("sign", function()
    local URL = "https://service.endpoint.myhuaweicloud.com/resources?size=1"
    local SIGN = "sign GET '" .. URL .. "' --header X-Sdk-Date:20200608T023900Z"
      .. " --header TEST_UNDERSCORE:TEST_VALUE --ak AccessKey --sk SecretKey"

    local function headers_of(out)
      local h = {}
      for name, value in out:gmatch("([^:\n]+): ([^\n]*)\n") do h[name:lower()] = value end
      return h
    end

    it("prints the signed headers of the published vector", function()
      local r = run(SIGN)
      assert.equal(0, r.code, r.err)
      local h = headers_of(r.out)
      assert.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
        .. "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842", h.authorization)
      assert.equal("20200608T023900Z", h["x-sdk-date"])
      no_secrets(r)
    end)

    it("signs a POST body (second vector) and prints JSON with --json", function()
      local r = run("sign POST '" .. URL .. "' --header X-Sdk-Date:20200608T023900Z"
        .. " --body '{\"name\":\"test\",\"id\":1}' --json",
        { env = "HUAWEICLOUD_SDK_AK=AccessKey HUAWEICLOUD_SDK_SK=SecretKey" })
      assert.equal(0, r.code, r.err)
      local auth
      for k, v in pairs(r.json.headers) do if k:lower() == "authorization" then auth = v end end
      local sig = "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
      assert.truthy(auth:find(sig, 1, true), auth)
      assert.is_string(r.json.canonical_request)
      no_secrets(r)
    end)

    it("without a secret key it is a usage error", function()
      local r = run("sign GET " .. URL .. " --ak AccessKey", { env = "" })
      assert.equal(2, r.code)
    end)
  end)

  describe("on a terminal", function()
    local has_script = helper.sh_ok("command -v script >/dev/null 2>&1")

    it("get prints a readable summary", function()
      if not has_script then pending("script(1) not installed") return end
      local job = new_job("app1", "roomT", "carol")
      local r = run("get app1 " .. job.job_id, { tty = true })
      assert.equal(0, r.code, r.out)
      assert.is_nil(r.json)
      assert.truthy(r.out:find("job " .. job.job_id, 1, true), r.out)
      assert.truthy(r.out:find("roomT / carol", 1, true), r.out)
      assert.truthy(r.out:find("request id", 1, true), r.out)
      no_secrets(r)
    end)

    it("a batch shows progress on stderr", function()
      if not has_script then pending("script(1) not installed") return end
      local job = new_job()
      local r = run("get app1 --jobs -", { tty = true, stdin = job.job_id .. "\nmissing-job\n" })
      assert.equal(1, r.code, r.out)
      assert.truthy(r.out:find("2/2 done, 1 failed", 1, true), r.out)
      assert.truthy(r.out:find("FAILED", 1, true), r.out)
    end)
  end)

  it("never printed a secret in any run", function()
    recorder.assert_no_secrets(SECRETS, 20)
  end)
end)
