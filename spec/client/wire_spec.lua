-- luacheck: max line length 160
-- spec/client/wire_spec.lua — what goes on the wire: the exact JSON body, methods and paths, path
-- encoding, headers, and one kept-alive connection for many calls.
local helper = require "spec.helper"
local unpack = table.unpack or unpack
local rtc = require "rtc"
local cjson = require "cjson"

local SEED_BODY = '{"publish_param":{"rtmp_urls":["rtmp://your.rtmp-server.com"]}}'
local JOBS = "/v2/apps/%s/individual-stream-jobs"

describe("wire", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  -- creates a job in app through the mock, returns its id; then clears the request log
  local function new_job(client, app)
    local job, err = client:create_job(app or "app-1", { room_id = "room-1", user_id = "user-1",
      record_param = { record_rule_id = "rule-1" } })
    assert.is_nil(err)
    return job.job_id
  end

  describe("body", function()
    it("is exactly the seed page's example request", function()
      local client = helper.client(mock)
      local id = new_job(client)
      mock:reset()
      -- reset cleared the jobs too: the answer is a 404, but the request is what matters
      local _, err = client:update_job("app-1", id, { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } })
      assert.are.equal(404, err.status)
      local reqs = mock:requests()
      assert.are.equal(1, #reqs)
      assert.are.equal("PUT", reqs[1].method)
      assert.are.equal(SEED_BODY, reqs[1].body)
      client:close()
    end)

    it("is the same from prepare", function()
      local client = helper.client(mock)
      local req = assert(client:prepare("update_job", "app-1", "job-1",
        { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } }))
      assert.are.equal(SEED_BODY, req.body)
      client:close()
    end)

    it("does not escape '/' and keeps strings intact", function()
      local client = helper.client(mock)
      local tricky = 'a/b\\/c"d\\e\n\t\1é✓'
      client:update_job("app-1", "job-1", { record_param = { record_rule_id = tricky } })
      local body = mock:requests()[1].body
      -- JSON text a/b\\/c: the backslash escaped, neither slash
      assert.is_truthy(body:find('"record_rule_id":"a/b\\\\/c', 1, true), body)
      assert.are.equal(tricky, cjson.decode(body).record_param.record_rule_id)
      client:close()
    end)

    it("sends every create field with its type", function()
      local client = helper.client(mock)
      local params = { room_id = "room-1", user_id = "user-1", is_record_audio = false, video_type = "SCREENSTREAM",
        select_stream_type = "HD", max_idle_time = 43200, record_param = { record_rule_id = "rule-1" },
        publish_param = { rtmp_urls = { "rtmp://a/1", "rtmps://b/2" } } }
      local job, err = client:create_job("app-1", params)
      assert.is_nil(err)
      local body = mock:requests()[1].body
      assert.are.same(params, cjson.decode(body))
      assert.is_truthy(body:find('"max_idle_time":43200', 1, true), body)
      assert.is_truthy(body:find('"is_record_audio":false', 1, true), body)
      assert.are.equal(false, job.is_record_audio)
      client:close()
    end)

    it("is not changed by the caller's own cjson settings", function()
      local saved = {}
      local function set(name, ...)
        if cjson[name] then
          saved[#saved + 1] = { name, { n = select("#", cjson[name]()), cjson[name]() } }
          cjson[name](...)
        end
      end
      local client = helper.client(mock)
      local params = { room_id = "room-1", user_id = "user-1", max_idle_time = 43200,
        publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com/live/a" } } }
      -- the settings hold only around the module's calls (the helper itself uses cjson)
      local ok, job, err, err2 = pcall(function()
        set("encode_escape_forward_slash", true)
        set("encode_sparse_array", true, 1, 1)
        set("encode_number_precision", 3)
        set("encode_empty_table_as_object", true)
        set("encode_invalid_numbers", true)
        set("encode_keep_buffer", false)
        set("decode_max_depth", 2)
        set("decode_invalid_numbers", true)
        local j, e = client:create_job("app-1", params)
        local _, e2 = client:update_job("app-1", "job-1", { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } })
        return j, e, e2
      end)
      for i = #saved, 1, -1 do cjson[saved[i][1]](unpack(saved[i][2], 1, saved[i][2].n)) end
      assert(ok, job)
      assert.is_nil(err)
      assert.are.equal(404, err2.status)
      -- decoding of answers is private too (the job is 3 levels deep; decode_max_depth(2) above)
      assert.are.same({ "rtmp://your.rtmp-server.com/live/a" }, job.publish_param.rtmp_urls)
      assert.are.equal(43200, job.max_idle_time)
      local reqs = mock:requests()
      assert.is_truthy(reqs[1].body:find('"max_idle_time":43200', 1, true), reqs[1].body)
      assert.is_truthy(reqs[1].body:find('"rtmp://your.rtmp-server.com/live/a"', 1, true), reqs[1].body)
      assert.are.equal(SEED_BODY, reqs[2].body)
      client:close()
    end)
  end)

  describe("methods and paths", function()
    it("uses POST, GET, PUT, DELETE on the documented paths", function()
      local client = helper.client(mock)
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      local id = job.job_id
      assert(client:get_job("app-1", id))
      assert(client:update_job("app-1", id, { record_param = { record_rule_id = "y" } }))
      assert(client:stop_job("app-1", id))
      local reqs = mock:requests()
      local base = JOBS:format("app-1")
      local got = {}
      for i, r in ipairs(reqs) do got[i] = { r.method, r.target } end
      assert.are.same({
        { "POST", base },
        { "GET", base .. "/" .. id },
        { "PUT", base .. "/" .. id },
        { "DELETE", base .. "/" .. id },
      }, got)
      assert.are.equal("", reqs[2].body)
      assert.are.equal("", reqs[4].body)
      client:close()
    end)

    it("prepare gives the same methods and URLs", function()
      local client = helper.client(mock)
      local base = mock.url .. JOBS:format("a")
      local expect = {
        { "create_job", { "a", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } } }, "POST", base },
        { "get_job", { "a", "j" }, "GET", base .. "/j" },
        { "update_job", { "a", "j", { record_param = { record_rule_id = "x" } } }, "PUT", base .. "/j" },
        { "stop_job", { "a", "j" }, "DELETE", base .. "/j" },
      }
      for _, e in ipairs(expect) do
        local req = assert(client:prepare(e[1], unpack(e[2])))
        assert.are.equal(e[3], req.method)
        assert.are.equal(e[4], req.url)
      end
      assert.are.equal(0, #mock:requests())
      client:close()
    end)

    it("keeps an endpoint's path prefix", function()
      local client = helper.client(mock, { endpoint = mock.url .. "/gateway/rtc/", retries = 0 })
      client:get_job("app-1", "job-1")
      assert.are.equal("/gateway/rtc/v2/apps/app-1/individual-stream-jobs/job-1", mock:requests()[1].target)
      client:close()
    end)
  end)

  describe("path encoding", function()
    local cases = {
      { "jøb 1%", "j%C3%B8b%201%25" },
      { "a b", "a%20b" },
      { "100%", "100%25" },
      { "%41", "%2541" },
      { "a~b-c_d.e", "a~b-c_d.e" },
      { "a+b", "a%2Bb" },
      { "a&b=c;d", "a%26b%3Dc%3Bd" },
      { "x:y@z", "x%3Ay%40z" },
      { "房间", "%E6%88%BF%E9%97%B4" },
      { "😀", "%F0%9F%98%80" },
      { "a\"b'c<d>", "a%22b%27c%3Cd%3E" },
      { "a\\b", "a%5Cb" },
      { "...", "..." },
    }
    for _, c in ipairs(cases) do
      it(("encodes the job id %q as %s"):format(c[1], c[2]), function()
        local client = helper.client(mock, { retries = 0 })
        local _, err = client:get_job("app-1", c[1])
        assert.are.equal(404, err.status)
        assert.are.equal(JOBS:format("app-1") .. "/" .. c[2], mock:requests()[1].target)
        local req = assert(client:prepare("get_job", "app-1", c[1]))
        assert.are.equal(mock.url .. JOBS:format("app-1") .. "/" .. c[2], req.url)
        client:close()
      end)
    end

    it("encodes the app id the same way, and the server reads back the same ids", function()
      local client = helper.client(mock)
      local app = "my app ø%~"
      local job, err = client:create_job(app, { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } })
      assert.is_nil(err)
      assert.are.equal(app, job.app_id)
      assert.are.equal(JOBS:format("my%20app%20%C3%B8%25~"), mock:requests()[1].target)
      local got = assert(client:get_job(app, job.job_id))
      assert.are.equal(job.job_id, got.job_id)
      client:close()
    end)
  end)

  describe("headers", function()
    it("Content-Type with a body, without one, User-Agent and X-Auth-Token", function()
      local client = helper.client(mock)
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      assert(client:get_job("app-1", job.job_id))
      assert(client:update_job("app-1", job.job_id, { record_param = { record_rule_id = "y" } }))
      assert(client:stop_job("app-1", job.job_id))
      local reqs = mock:requests()
      assert.are.equal(4, #reqs)
      local ctype = {}
      for i, r in ipairs(reqs) do
        ctype[i] = r.headers["content-type"]
        assert.are.equal("test-token", r.headers["x-auth-token"])
        assert.is_nil(r.headers["authorization"])
        assert.is_nil(r.headers["x-sdk-date"])
        local ua = r.headers["user-agent"]
        assert.is_truthy(ua and ua:find("rtcjob/0.1.0", 1, true), ua)
        assert.are.equal("0.1.0", rtc._VERSION)
        assert.are.equal("127.0.0.1:" .. mock.port, r.headers["host"])
      end
      assert.are.same({ "application/json;charset=utf-8", "application/json", "application/json;charset=utf-8",
        "application/json" }, ctype)
      assert.are.equal(tostring(#reqs[1].body), reqs[1].headers["content-length"])
      assert.is_truthy(reqs[2].headers["content-length"] == nil or reqs[2].headers["content-length"] == "0")
      -- no "Expect: 100-continue" round trip
      assert.is_not.equal("100-continue", (reqs[1].headers["expect"] or ""):lower())
      client:close()
    end)

    it("prepare's headers say the same", function()
      local client = helper.client(mock)
      local put = assert(client:prepare("update_job", "a", "j", { record_param = { record_rule_id = "x" } }))
      local get = assert(client:prepare("get_job", "a", "j"))
      assert.are.equal("application/json;charset=utf-8", put.headers["Content-Type"])
      assert.are.equal("application/json", get.headers["Content-Type"])
      assert.are.equal("test-token", get.headers["X-Auth-Token"])
      assert.is_truthy(get.headers["User-Agent"]:find("rtcjob/0.1.0", 1, true))
      assert.are.equal("", get.body)
      client:close()
    end)

    it("user_agent replaces the User-Agent", function()
      local client = helper.client(mock, { user_agent = "my-service/2.3" })
      client:get_job("app-1", "job-1")
      assert.is_truthy(mock:requests()[1].headers["user-agent"]:find("my-service/2.3", 1, true))
      client:close()
    end)
  end)

  describe("keep-alive", function()
    it("several calls on one client use one connection", function()
      local client = helper.client(mock)
      local job = assert(client:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
      assert(client:get_job("app-1", job.job_id))
      assert(client:update_job("app-1", job.job_id, { record_param = { record_rule_id = "y" } }))
      assert(client:get_job("app-1", job.job_id))
      assert(client:stop_job("app-1", job.job_id))
      local _, err = client:get_job("app-1", "no-such-job")  -- an error answer keeps the connection too
      assert.are.equal(404, err.status)
      assert(client:get_job("app-1", job.job_id))
      local stats = mock:stats()
      assert.are.equal(7, stats.requests)
      -- the create on a connection of its own (libcurl cannot re-send it), the rest on one
      assert.are.equal(2, stats.connections)
      client:close()
    end)

    it("the connection survives a reset of the mock's counters", function()
      local client = helper.client(mock)
      client:get_job("app-1", "j1")
      mock:reset()
      client:get_job("app-1", "j2")
      client:get_job("app-1", "j3")
      local stats = mock:stats()
      assert.are.equal(2, stats.requests)
      assert.are.equal(1, stats.connections)
      client:close()
    end)
  end)
end)
