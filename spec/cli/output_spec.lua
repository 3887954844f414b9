-- spec/cli/output_spec.lua: rtcjob's output formats, --query, --dry-run, --params, global flags,
-- credentials from files, --debug, wait, and hostile answers; run against the mock. One file: its
-- last test checks every output of the others for secrets.
-- busted --lua=lua5.4 spec/cli/output_spec.lua   (from the repository root)
local helper = require "spec.helper"
local cjson = require "cjson"
local rtc = require "rtc"
local O = require "spec.support.cli_output"
local key_order, no_control_bytes = O.key_order, O.no_control_bytes

local SECRETS = { "test-sk", "test-token", "zq", "file-token-77" }

local mock

local write_file, lines_of = helper.write_temp, helper.lines_of

-- run bin/rtcjob (helper.rtcjob: opts.env, opts.extra_env, opts.stdin) against the mock; every
-- output is kept, and checked for secrets at the end
local recorder = helper.rtcjob_recorder(function() return mock end)
local run = recorder.run

local function api_requests() return mock:api_requests() end

local function new_job(room, user)
  local client = helper.client(mock)
  local job = assert(client:create_job("app1", {
    room_id = room or "room1", user_id = user or "user1",
    publish_param = { rtmp_urls = { "rtmp://origin.example.com/live/a" } },
  }))
  client:close()
  return job
end

describe("rtcjob output", function()
  helper.mock_suite(nil, function(m) mock = m end)

  describe("formats", function()
    it("json keys come in the response schema's order, the others sorted after them", function()
      local job = new_job("roomK", "kim")
      local r = run("get-job app1 " .. job.job_id .. " --output json")
      assert.equal(0, r.code, r.err)
      local _, lines = r.out:gsub("\n", "")
      assert.equal(1, lines)
      local order = {}
      for _, f in ipairs(rtc.operation("get_job").response.fields) do
        if r.json[f.name] ~= nil then order[#order + 1] = f.name end
      end
      local extra = {}
      for k in pairs(r.json) do
        local known = false
        for _, f in ipairs(rtc.operation("get_job").response.fields) do known = known or f.name == k end
        if not known then extra[#extra + 1] = k end
      end
      table.sort(extra)
      for _, k in ipairs(extra) do order[#order + 1] = k end
      assert.same(order, key_order(r.out))
      assert.truthy(#order >= 8)
      -- the same answer twice gives the same bytes
      local r2 = run("get-job app1 " .. job.job_id .. " --output json")
      assert.equal(r.out:gsub('"request_id":"[^"]*"', ""):gsub('"update_time":"[^"]*"', ""),
                   r2.out:gsub('"request_id":"[^"]*"', ""):gsub('"update_time":"[^"]*"', ""))
    end)

    it("text is one path<TAB>value line per field, arrays by 0-based index", function()
      local job = new_job("roomT", "tia")
      local r = run("get app1 " .. job.job_id .. " --output text")
      assert.equal(0, r.code, r.err)
      local t = {}
      for _, l in ipairs(lines_of(r.out)) do
        local k, v = l:match("^([^\t]+)\t(.*)$")
        assert.truthy(k, l)
        t[k] = v
      end
      assert.equal(job.job_id, t.job_id)
      assert.equal("roomT", t.room_id)
      assert.equal("rtmp://origin.example.com/live/a", t["publish_param.rtmp_urls.0"])
    end)

    it("table is the readable summary, also when piped", function()
      local job = new_job("roomS", "sam")
      local r = run("--output table get app1 " .. job.job_id)
      assert.equal(0, r.code, r.err)
      assert.truthy(r.out:find("job " .. job.job_id, 1, true), r.out)
      assert.truthy(r.out:find("roomS / sam", 1, true), r.out)
    end)

    it("ndjson is one compact line", function()
      local job = new_job()
      local r = run("get app1 " .. job.job_id .. " --output=ndjson")
      assert.equal(0, r.code, r.err)
      assert.equal(1, #lines_of(r.out))
      assert.equal(job.job_id, cjson.decode(r.out).job_id)
    end)

    it("an unknown format is a usage error", function()
      local r = run("get app1 j --output xml")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("json, ndjson, text, table, yaml", 1, true), r.err)
    end)

    it("a call without an answer body prints its arguments and the request id", function()
      local job = new_job()
      local r = run("stop-job app1 " .. job.job_id .. " --output json")
      assert.equal(0, r.code, r.err)
      assert.same({ "app_id", "job_id", "request_id" }, key_order(r.out))
      r = run("stop-job app1 " .. job.job_id .. " --output table")
      assert.equal(1, r.code)   -- stopping it again is refused, on one line
      assert.equal(1, #lines_of(r.err))
    end)
  end)

  describe("--query", function()
    it("selects a field, a nested field and an array item", function()
      local job = new_job()
      local r = run("get app1 " .. job.job_id .. " --query room_id")
      assert.equal(0, r.code, r.err)
      assert.equal('"room1"\n', r.out)
      r = run("get app1 " .. job.job_id .. " --query publish_param.rtmp_urls[0] --output text")
      assert.equal("rtmp://origin.example.com/live/a\n", r.out)
      r = run("get app1 " .. job.job_id .. " --query publish_param")
      assert.same({ rtmp_urls = { "rtmp://origin.example.com/live/a" } }, r.json)
      r = run("get app1 " .. job.job_id .. " --query max_idle_time --output text")
      assert.truthy(r.out:match("^%d+\n$"), r.out)
    end)

    it("an absent field is null (json) or an empty line (text)", function()
      local job = new_job()
      local r = run("get app1 " .. job.job_id .. " --query no_such.field")
      assert.equal(0, r.code, r.err)
      assert.equal("null\n", r.out)
      r = run("get app1 " .. job.job_id .. " --query stop_reason --output text")
      assert.equal("\n", r.out)
    end)

    it("a malformed expression is a usage error and sends nothing", function()
      for _, q in ipairs({ "'a..b'", "'a.'", "'.a'", "'a b'", "'a[0'", "a.0" }) do
        local r = run("get app1 j1 --query " .. q)
        assert.equal(2, r.code, q)
      end
      assert.equal(0, #api_requests())
    end)

    it("applies to every job of a batch", function()
      local a, b = new_job("r1", "u1"), new_job("r1", "u2")
      local r = run("get app1 --jobs - --query user_id --output text", { stdin = a.job_id .. "\n" .. b.job_id })
      assert.equal(0, r.code, r.err)
      assert.same({ a.job_id .. "\tu1", b.job_id .. "\tu2" }, lines_of(r.out))
    end)
  end)

  describe("--dry-run", function()
    local AKSK = "--ak test-ak --sk test-sk --project-id test-project"

    it("prints the prepared, signed request for a fixed time and sends nothing", function()
      local r = run("update-job app1 job-7 --params '{\"record_param\":{\"record_rule_id\":\"r1\"}}' --dry-run "
        .. AKSK .. " --output json", { env = "RTC_ENDPOINT=" .. mock.url, extra_env = "SOURCE_DATE_EPOCH=1600000000" })
      assert.equal(0, r.code, r.err)
      assert.equal(0, #api_requests())
      local c = rtc.new{ endpoint = mock.url, ak = "test-ak", sk = "test-sk", project_id = "test-project",
                         user_agent = "rtcjob/" .. rtc._VERSION }
      local want = assert(c:prepare("update_job", "app1", "job-7", { record_param = { record_rule_id = "r1" } },
                                    { now = 1600000000 }))
      c:close()
      assert.equal("PUT", r.json.method)
      assert.equal(want.url, r.json.url)
      assert.equal(want.body, r.json.body)
      assert.equal(want.headers.Authorization, r.json.headers.Authorization)
      assert.equal("20200913T122640Z", r.json.headers["X-Sdk-Date"])
      assert.same({ "method", "url", "headers", "body" }, key_order(r.out))
      local again = run("update-job app1 job-7 --params '{\"record_param\":{\"record_rule_id\":\"r1\"}}' --dry-run "
        .. AKSK .. " --output json", { env = "RTC_ENDPOINT=" .. mock.url, extra_env = "SOURCE_DATE_EPOCH=1600000000" })
      assert.equal(r.out, again.out)
    end)

    it("masks the token and prints text as METHOD URL, headers, blank line, body", function()
      local r = run("create app1 --room r --user u --record-rule x --dry-run --output text")
      assert.equal(0, r.code, r.err)
      local l = lines_of(r.out)
      assert.equal("POST " .. mock.url .. "/v2/apps/app1/individual-stream-jobs", l[1])
      assert.truthy(r.out:find("\nX-Auth-Token: ****\n", 1, true), r.out)
      assert.equal("", l[#l - 1])
      assert.same({ room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }, cjson.decode(l[#l]))
      assert.equal(0, #api_requests())
    end)

    it("invalid input is still refused with exit 2", function()
      local r = run("update app1 j1 --rtmp-url http://x --dry-run")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("rtmp_urls", 1, true), r.err)
    end)

    it("a batch prints one request per job", function()
      local r = run("stop app1 --jobs - --dry-run --output ndjson", { stdin = "j1\nj2\nj3\n" })
      assert.equal(0, r.code, r.err)
      local l = lines_of(r.out)
      assert.equal(3, #l)
      assert.truthy(cjson.decode(l[3]).url:find("/j3$"))
      assert.equal(0, #api_requests())
    end)
  end)

  describe("--params", function()
    local BODY = '{"room_id":"pr","user_id":"pu","max_idle_time":60,"record_param":{"record_rule_id":"rr"}}'
    local WANT = { room_id = "pr", user_id = "pu", max_idle_time = 60, record_param = { record_rule_id = "rr" } }

    it("takes JSON inline, from @file and from stdin", function()
      local r = run("create-job app1 --params '" .. BODY .. "'")
      assert.equal(0, r.code, r.err)
      assert.equal("pr", r.json.room_id)
      local file = write_file(BODY)
      r = run("create-job app1 --params @" .. file)
      os.remove(file)
      assert.equal(0, r.code, r.err)
      r = run("create-job app1 --params -", { stdin = BODY })
      assert.equal(0, r.code, r.err)
      local reqs = api_requests()
      assert.equal(3, #reqs)
      for _, req in ipairs(reqs) do assert.same(WANT, cjson.decode(req.body)) end
    end)

    it("field flags from the body schema override --params", function()
      local r = run("create-job app1 --params '" .. BODY .. "' --room-id other --video-type screenstream"
        .. " --is-record-audio false --max-idle-time 99")
      assert.equal(0, r.code, r.err)
      local body = cjson.decode(api_requests()[1].body)
      assert.equal("other", body.room_id)
      assert.equal("SCREENSTREAM", body.video_type)
      assert.is_false(body.is_record_audio)
      assert.equal(99, body.max_idle_time)
    end)

    it("enums and ranges from the rows refuse bad flag values before sending", function()
      for _, a in ipairs({ "--video-type webcam", "--max-idle-time 2", "--max-idle-time x",
                           "--is-record-audio maybe" }) do
        local r = run("create-job app1 --room-id r --user-id u " .. a)
        assert.equal(2, r.code, a)
        assert.equal(1, #lines_of(r.err) - 1, r.err)   -- the error and the hint
      end
      assert.equal(0, #api_requests())
    end)

    it("refuses what is not a JSON object, an unreadable file and stdin used twice", function()
      for _, p in ipairs({ "'{nope'", "'[1,2]'", "'\"x\"'", "@/nonexistent/body.json" }) do
        local r = run("create-job app1 --params " .. p)
        assert.equal(2, r.code, p)
        assert.truthy(r.err:find("^rtcjob: "), r.err)
      end
      local r = run("update-job app1 --jobs - --params -", { stdin = "j1\n" })
      assert.equal(2, r.code)
      assert.truthy(r.err:find("stdin", 1, true), r.err)
      assert.equal(0, #api_requests())
    end)

    it("a body the schema refuses names the field (exit 2, nothing sent)", function()
      local r = run("create-job app1 --params '{\"room_id\":\"r\",\"user_id\":\"u\",\"colour\":1}'")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("colour", 1, true), r.err)
      assert.equal(0, #api_requests())
    end)
  end)

  describe("global flags", function()
    it("come before or after the command", function()
      local job = new_job()
      local a = run("--output text --query state get app1 " .. job.job_id)
      local b = run("get --output text app1 --query state " .. job.job_id)
      local c = run("get app1 " .. job.job_id .. " --output=text --query=state")
      assert.equal(0, a.code, a.err)
      assert.equal("RUNNING\n", a.out)
      assert.equal(a.out, b.out)
      assert.equal(a.out, c.out)
    end)

    it("--retries and --deadline reach the client", function()
      mock:script{ status = 503, body = "busy", times = 5 }
      local r = run("get app1 j1 --retries 0")
      assert.equal(1, r.code)
      assert.equal(1, #api_requests())
      mock:reset()
      mock:script{ status = 503, body = "busy", times = 5 }
      r = run("get app1 j1 --retries 2")
      assert.equal(1, r.code, r.err)
      assert.equal(3, #api_requests())
      mock:reset()
      mock:script{ delay = 60 } -- held far past the deadline
      r = run("get app1 j1 --deadline 0.5 --retries 0")
      assert.equal(3, r.code, r.err)
      assert.truthy(r.err:find("timeout", 1, true), r.err)
    end)

    it("--proxy, --connect-timeout and --insecure are passed on", function()
      local job = new_job()
      local r = run("get app1 " .. job.job_id .. " --proxy http://127.0.0.1:" .. helper.dead_port()
        .. " --retries 0 --connect-timeout 2")
      assert.equal(3, r.code, r.err)
      r = run("get app1 " .. job.job_id .. " --insecure --connect-timeout 2")
      assert.equal(0, r.code, r.err)
      for _, bad in ipairs({ "--connect-timeout 0", "--deadline x", "--retries -1", "--timeout inf" }) do
        assert.equal(2, run("get app1 j " .. bad).code, bad)
      end
    end)

    it("an unknown global flag before the command is a usage error", function()
      local r = run("--frob get app1 j")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("--frob", 1, true), r.err)
    end)
  end)

  describe("credentials", function()
    local NOCRED = nil

    it("reads the token from a file and from stdin", function()
      NOCRED = "RTC_ENDPOINT=" .. mock.url
      local job = new_job()
      local file = write_file("test-token\n")
      local r = run("get app1 " .. job.job_id .. " --token-file " .. file, { env = NOCRED })
      os.remove(file)
      assert.equal(0, r.code, r.err)
      r = run("get app1 " .. job.job_id .. " --token-file -", { env = NOCRED, stdin = "test-token\n" })
      assert.equal(0, r.code, r.err)
      local reqs = api_requests()
      assert.equal(3, #reqs)   -- the create, then the two gets
      assert.equal("test-token", reqs[3].headers["x-auth-token"])
      assert.equal("GET", reqs[3].method)
    end)

    it("reads the secret key from a file and from stdin", function()
      local job = new_job()
      local file = write_file("test-sk\n")
      local args = "get app1 " .. job.job_id .. " --ak test-ak --project-id test-project --sk-file "
      local r = run(args .. file, { env = "RTC_ENDPOINT=" .. mock.url })
      os.remove(file)
      assert.equal(0, r.code, r.err)
      r = run(args .. "-", { env = "RTC_ENDPOINT=" .. mock.url, stdin = "test-sk" })
      assert.equal(0, r.code, r.err)
      local reqs = api_requests()
      assert.equal(3, #reqs)
      assert.truthy(reqs[3].headers.authorization:find("Access=test-ak", 1, true))
    end)

    it("refuses a token and AK/SK given together, and a secret given twice (exit 2)", function()
      local env = { env = "RTC_ENDPOINT=" .. mock.url }
      for _, a in ipairs({ "--token test-token --ak test-ak --sk test-sk --project-id p",
                           "--token-file - --ak test-ak --sk-file /dev/null --project-id p",
                           "--token test-token --token-file /dev/null",
                           "--sk test-sk --sk-file /dev/null --ak a --project-id p",
                           "--token-file - --sk-file - --ak a --project-id p",
                           "--token-file /nonexistent/token" }) do
        local r = run("get app1 j1 " .. a, env)
        assert.equal(2, r.code, a .. ": " .. r.err)
      end
      assert.equal(0, #api_requests())
    end)

    it("--debug says where the credentials came from and shows each line, redacted", function()
      local job = new_job()
      local r = run("--debug get app1 " .. job.job_id)
      assert.equal(0, r.code, r.err)
      local l = lines_of(r.err)
      assert.truthy(l[1]:find("^rtcjob: debug: rtc: credentials %(token%) from ") , l[1])
      assert.truthy(r.err:find("rtcjob: debug: > GET ", 1, true), r.err)
      assert.truthy(r.err:find("rtcjob: debug: < HTTP 200", 1, true), r.err)
      for _, line in ipairs(l) do assert.truthy(line:find("^rtcjob: debug: "), line) end
      r = run("get app1 " .. job.job_id .. " --debug --ak test-ak --sk-file - --project-id test-project",
              { env = "RTC_ENDPOINT=" .. mock.url, stdin = "test-sk" })
      assert.equal(0, r.code, r.err)
      assert.truthy(r.err:find("credentials (AK/SK) from ", 1, true), r.err)
    end)

    it("redacts a secret however short", function()
      local r = run("--debug get app1 j1 --token zq --retries 0", { env = "RTC_ENDPOINT=" .. mock.url })
      assert.equal(1, r.code)
      assert.is_nil(r.out:find("zq", 1, true))
      assert.is_nil(r.err:find("zq", 1, true), r.err)
      mock:script{ status = 400, body = { error_code = "RTC.1", error_msg = "token file-token-77 refused" } }
      local file = write_file("file-token-77")
      r = run("get app1 j1 --token-file " .. file, { env = "RTC_ENDPOINT=" .. mock.url })
      os.remove(file)
      assert.equal(1, r.code)
      assert.is_nil(r.err:find("file-token-77", 1, true), r.err)
      assert.truthy(r.err:find("token **** refused", 1, true), r.err)
    end)

    it("masks a short secret as a word, not inside other text", function()
      local r = run("sign GET https://a.example.com/x --ak A --sk S")
      assert.equal(0, r.code, r.err)
      assert.truthy(r.out:find("Authorization: SDK-HMAC-SHA256 Access=A, SignedHeaders=", 1, true), r.out)
      r = run("--debug get app1 j1 --token S --retries 0", { env = "RTC_ENDPOINT=" .. mock.url })
      assert.is_nil((r.out .. r.err):find("%f[%w]S%f[%W]"), r.err)
    end)

    it("dry-run is signed at SOURCE_DATE_EPOCH for operations without a table too", function()
      for _, args in ipairs{ "get-job app1 j1", "stop app1 j1", "list-apps", "update app1 j1 --record-rule r" } do
        local r = run("--dry-run --output text --ak test-ak --sk test-sk --project-id test-project " .. args,
                      { env = "RTC_ENDPOINT=" .. mock.url, extra_env = "SOURCE_DATE_EPOCH=1000000000" })
        assert.equal(0, r.code, args .. ": " .. r.err)
        assert.truthy(r.out:find("X-Sdk-Date: 20010909T014640Z", 1, true), args .. ": " .. r.out)
      end
    end)

    it("--profile picks a section of the credentials file", function()
      local file = write_file("[basic]\nak = wrong-ak\nsk = wrong-sk\nproject_id = test-project\n\n"
        .. "[other]\nak = test-ak\nsk = test-sk\nproject_id = test-project\n")
      -- does the module's chain read profile files? (asked of the module itself, not the command)
      local probe = helper.run("LUA_CPATH=" .. helper.shell_quote(package.cpath)
        .. " HUAWEICLOUD_SDK_CREDENTIALS_FILE=" .. file .. " " .. helper.LUA
        .. " -e 'local r = require(\"rtc\").credentials{profile = \"other\"}"
        .. " os.exit(type(r) == \"table\" and r.ak and 0 or 1)' >/dev/null 2>&1")
      if probe ~= 0 then
        os.remove(file)
        pending("the module's credentials chain has no profile file yet (CREDS)")
        return
      end
      local env = { env = "RTC_ENDPOINT=" .. mock.url .. " HUAWEICLOUD_SDK_CREDENTIALS_FILE=" .. file }
      local r = run("--debug get app1 j1 --profile other --retries 0", env)
      os.remove(file)
      assert.equal(1, r.code, r.err)              -- 404: signed with [other] and accepted
      assert.truthy(r.err:find("404", 1, true), r.err)
      assert.truthy(api_requests()[1].headers.authorization:find("Access=test-ak", 1, true))
      assert.truthy(r.err:find("credentials (AK/SK) from ", 1, true), r.err)
      assert.is_nil(r.err:find("test-sk", 1, true))
    end)

    it("--region selects the region's endpoint", function()
      if pcall(rtc.new, { region = "xx-nowhere-9", token = "t" }) then
        pending("the module has no regions yet (CREDS)")
        return
      end
      local r = run("get app1 j1 --region cn-north-4 --dry-run --output json", { env = "RTC_AUTH_TOKEN=test-token" })
      assert.equal(0, r.code, r.err)
      assert.truthy(r.json.url:find("^https://rtc%-api%.myhuaweicloud%.com/"), r.json.url)
      r = run("get app1 j1 --region xx-nowhere-9 --dry-run", { env = "RTC_AUTH_TOKEN=test-token" })
      assert.equal(2, r.code)
    end)
  end)

  describe("wait", function()
    it("exits 0 when the job reaches the state", function()
      local job = new_job()   -- INIT; the mock runs it on the first get
      local r = run("wait app1 " .. job.job_id .. " --state running --wait-timeout 20 --query state --output text")
      assert.equal(0, r.code, r.err)
      assert.equal("RUNNING\n", r.out)
    end)

    it("exits 1 when the job ended in another state", function()
      mock:seed_job("app1", { job_id = "done-1", room_id = "r", user_id = "u", state = "STOPPED" })
      local r = run("wait app1 done-1 --state RUNNING --wait-timeout 20")
      assert.equal(1, r.code, r.err)
      assert.equal("STOPPED", r.json.state)
      assert.truthy(r.err:find("STOPPED, not RUNNING", 1, true), r.err)
    end)

    it("exits 3 when the timeout passes", function()
      mock:seed_job("app1", { job_id = "run-1", room_id = "r", user_id = "u", state = "RUNNING" })
      local r = run("wait app1 run-1 --state STOPPED --wait-timeout 1")
      assert.equal(3, r.code, r.err)
      assert.equal("", r.out)
      -- the old spelling still works, with a note; --timeout with --wait-timeout is per attempt
      r = run("wait app1 run-1 --state STOPPED --timeout 1")
      assert.equal(3, r.code, r.err)
      assert.truthy(r.err:find("'wait --timeout' is deprecated; use --wait-timeout", 1, true), r.err)
      r = run("wait app1 run-1 --state STOPPED --wait-timeout 1 --timeout 5")
      assert.equal(3, r.code, r.err)
      assert.falsy(r.err:find("deprecated", 1, true), r.err)
    end)

    it("an undocumented state exits 2 at once, with a did-you-mean, and sends nothing", function()
      local before = #api_requests()
      local r = run("wait app1 some-job --state RUNNIN --wait-timeout 300")
      assert.equal(2, r.code)
      assert.truthy(r.err:find("--state: expected one of INIT, RUNNING, STOPPED, got 'RUNNIN'"
        .. " (did you mean 'RUNNING'?)", 1, true), r.err)
      assert.equal(before, #api_requests())
    end)

    it("exits 1 on a job that does not exist, 2 without --state", function()
      assert.equal(1, run("wait app1 nope --state RUNNING --wait-timeout 5").code)
      assert.equal(2, run("wait app1 nope").code)
      assert.equal(2, run("wait app1 --state RUNNING").code)
    end)
  end)

  describe("batches", function()
    local function ids(n)
      local t = {}
      for i = 1, n do t[i] = new_job("r" .. i, "u" .. i).job_id end
      return t
    end

    it("ndjson prints one line per job; --ordered keeps the input order", function()
      local list = ids(4)
      list[5] = "missing-job"
      local r = run("get app1 --jobs - --output ndjson --concurrency 3", { stdin = table.concat(list, "\n") })
      assert.equal(1, r.code, r.err)
      local seen = {}
      for _, l in ipairs(lines_of(r.out)) do
        local item = cjson.decode(l)
        seen[item.job_id] = item.ok
        assert.equal("job_id", key_order(l)[1])
      end
      for i = 1, 4 do assert.is_true(seen[list[i]]) end
      assert.is_false(seen["missing-job"])
      mock:config{ delay_all = 0.02 }
      r = run("get app1 --jobs - --output ndjson --concurrency 5 --ordered", { stdin = table.concat(list, "\n") })
      local order = {}
      for _, l in ipairs(lines_of(r.out)) do order[#order + 1] = cjson.decode(l).job_id end
      assert.same(list, order)
    end)

    it("ndjson prints each job as it finishes: a slow first job comes out last", function()
      local list = ids(2)
      local before = #api_requests()
      -- both requests held until both arrived (gather), then the first to arrive a second more
      mock:config{ gather = 2 }
      mock:script{ delay = 1 }
      local r = run("get app1 --jobs - --output ndjson --concurrency 2", { stdin = table.concat(list, "\n") })
      assert.equal(0, r.code, r.err)
      local reqs = api_requests()
      local slow = reqs[before + 1].path:match("([^/]+)$")
      local l = lines_of(r.out)
      assert.equal(2, #l)
      assert.equal(slow, cjson.decode(l[2]).job_id)
      assert.are_not.equal(slow, cjson.decode(l[1]).job_id)
    end)

    it("--ordered without --jobs is a usage error", function()
      assert.equal(2, run("get app1 j1 --ordered").code)
    end)

    it("a type-confused answer is reported and the other jobs still print", function()
      local list = ids(3)
      mock:script{ status = 200, body = '{"job_id": true, "state": {"x": 1}, "max_idle_time": 1e400,'
        .. ' "stop_reason": false, "publish_param": "x", "description": "evil\\u001b[2J"}' }
      for _, fmt in ipairs({ "json", "ndjson", "table", "text" }) do
        if fmt ~= "json" then mock:script{ status = 200, body = '{"job_id": [1], "state": 7}' } end
        local r = run("get app1 --jobs - --concurrency 1 --output " .. fmt, { stdin = table.concat(list, "\n") })
        assert.truthy(r.code == 0 or r.code == 1, fmt .. ": " .. r.err)
        assert.is_nil(r.err:find("internal error", 1, true), r.err)
        no_control_bytes(r.out:gsub("[\t\n]", ""), fmt)
        for i = 2, 3 do assert.truthy(r.out:find(list[i], 1, true), fmt .. ": " .. r.out) end
      end
    end)
  end)

  describe("hostile answers", function()
    local EVIL = { status = 400, body = '{"error_code":"RTC.1","error_msg":"evil\\u001b]0;pwned\\u0007'
      .. '\\u001b[2J\\nsecond line"}', headers = { ["X-request-Id"] = "\27[31mrid" } }

    it("errors with control characters stay one escaped line", function()
      mock:script(EVIL)
      local r = run("get app1 j1")
      assert.equal(1, r.code)
      assert.equal(1, #lines_of(r.err), r.err)
      no_control_bytes(r.err:gsub("\n$", ""), "stderr")
      -- an X-request-Id with control bytes is no request id: a decode error that keeps the
      -- answer's text (escaped) and never prints the header
      assert.truthy(r.err:find("evil\\e]0;pwned\\x07\\e[2J\\nsecond line", 1, true), r.err)
      assert.truthy(r.err:find("not a request id", 1, true), r.err)
      assert.is_nil(r.err:find("31mrid", 1, true), r.err)
      assert.truthy(r.err:find("\\nsecond line", 1, true), r.err)
    end)

    it("a batch error line and the table and text outputs are escaped", function()
      mock:script(EVIL)
      local r = run("get app1 --jobs - --output table", { stdin = "j1\n" })
      assert.equal(1, r.code)
      no_control_bytes(r.out:gsub("\n", ""), "stdout")
      no_control_bytes(r.err:gsub("\n", ""), "stderr")
      local job = new_job()
      mock:script{ body = { description = "a\27[2Jb\nc", state = "RUNNING\7" } }
      for _, fmt in ipairs({ "table", "text" }) do
        if fmt == "text" then mock:script{ body = { description = "a\27[2Jb\nc", state = "RUNNING\7" } } end
        r = run("get app1 " .. job.job_id .. " --output " .. fmt)
        assert.equal(0, r.code, r.err)
        no_control_bytes(r.out:gsub("[\t\n]", ""), fmt)
        assert.truthy(r.out:find("a\\e[2Jb\\nc", 1, true), r.out)
      end
    end)

    it("json output keeps the server's text, escaped by cjson", function()
      local job = new_job()
      mock:script{ body = { description = "a\27b" } }
      local r = run("get app1 " .. job.job_id .. " --output json")
      assert.equal(0, r.code, r.err)
      assert.equal("a\27b", r.json.description)
      no_control_bytes(r.out:gsub("\n$", ""), "json")
    end)

    it("wrong types in a single answer never crash any format", function()
      local job = new_job()
      for _, fmt in ipairs({ "json", "ndjson", "text", "table" }) do
        mock:script{ status = 200, body = '{"job_id": true, "state": {"a": [1, {"b": null}]}, "max_idle_time": 1e400,'
          .. ' "stop_reason": false, "publish_param": "x", "record_param": [], "room_id": 12345678901234567890}' }
        local r = run("get app1 " .. job.job_id .. " --output " .. fmt)
        assert.truthy(r.code == 0 or r.code == 1, fmt .. ": " .. r.err)
        assert.is_nil(r.err:find("internal error", 1, true), r.err)
        assert.is_nil(r.out:find("inf", 1, true), r.out)
      end
    end)
  end)

  it("never printed a secret in any run", function()
    recorder.assert_no_secrets(SECRETS, 40)
  end)
end)
