-- luacheck: max line length 160
-- spec/unit/answer_types_spec.lua — answers are typed as documented, or refused (README "Calls",
-- the answer types table): exact conversions only, a `decode` error naming the field path
-- otherwise, never a silently wrong id, never inf or NaN. Ids and X-request-Id are ids: capped
-- and free of control bytes. Sans-I/O through client:decode, and once over HTTP.
local helper = require "spec.helper"
local rtc = require "rtc"
local cjson = require "cjson"

local function decoder()
  return rtc.new{ endpoint = "http://127.0.0.1:1", token = "t" }
end

describe("answer types", function()
  local c
  setup(function() c = decoder() end)
  teardown(function() c:close() end)

  local function get(body, op, rid)
    return c:decode(op or "get_job", 200, { ["X-request-Id"] = rid or "rid-1" }, body)
  end

  local function refused(body, field, op)
    local job, err = get(body, op)
    assert.is_nil(job)
    helper.is_error(err, "decode")
    assert.are.equal(field, err.field, tostring(err))
    assert.are.equal(200, err.status)
    assert.are.equal("rid-1", err.request_id)
    assert.truthy(err.message:find(field, 1, true), err.message)
    assert.is_table(err.answer) -- what came, for programs that want it anyway
    assert.is_nil(tostring(err):find("%c"))
    return err
  end

  describe("refused as decode, naming the field", function()
    local cases = {
      { '{"job_id": true}', "job_id" },
      { '{"job_id": "j", "state": {"x": 1}}', "state" },
      { '{"job_id": "j", "state": ["RUNNING"]}', "state" },
      { '{"job_id": "j", "max_idle_time": "abc"}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": "0x1e"}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": " 30"}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": 1.5}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": true}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": 1e400}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": -1e400}', "max_idle_time" },
      { '{"job_id": "j", "max_idle_time": 9007199254740993}', "max_idle_time" },
      { '{"job_id": "j", "publish_param": "x"}', "publish_param" },
      { '{"job_id": "j", "publish_param": [{"rtmp_urls": []}]}', "publish_param" },
      { '{"job_id": "j", "publish_param": {"rtmp_urls": "rtmp://x"}}', "publish_param.rtmp_urls" },
      { '{"job_id": "j", "publish_param": {"rtmp_urls": {"a": "b"}}}', "publish_param.rtmp_urls" },
      { '{"job_id": "j", "publish_param": {"rtmp_urls": ["rtmp://a", {"url": "x"}]}}', "publish_param.rtmp_urls[2]" },
      { '{"job_id": "j", "publish_param": {"rtmp_urls": ["rtmp://a", [1]]}}', "publish_param.rtmp_urls[2]" },
      { '{"job_id": "j", "publish_param": {"rtmp_urls": [null, "a", false]}}', "publish_param.rtmp_urls[2]" },
      { '{"job_id": "j", "undocumented": 1e400}', "undocumented" },
      { '{"job_id": "j", "extra": {"deep": [1, 2, -1e999]}}', "extra.deep[3]" },
      { '{"job_id": 1e20}', "job_id" },
      { '{"job_id": 1e400}', "job_id" },
      { '{"job_id": "j\\u001b[31m"}', "job_id" },
      { '{"job_id": "j", "app_id": "' .. string.rep("a", 257) .. '"}', "app_id" },
    }
    for _, case in ipairs(cases) do
      it(case[1]:sub(1, 90), function() refused(case[1], case[2]) end)
    end

    it("lists: the item's path", function()
      local err = refused('{"count": 2, "apps": [{"app_id": "a"}, {"app_id": {"x": 1}}]}', "apps[2].app_id", "list_apps")
      assert.truthy(err.message:find("where a string was expected", 1, true), err.message)
    end)
  end)

  describe("converted when the conversion is exact", function()
    it("ids sent as JSON numbers become their text, beyond 2^53 too (read back from the body)", function()
      for literal, want in pairs{
        ["12345"] = "12345", ["0"] = "0", ["-7"] = "-7", ["1.25"] = "1.25",
        ["9007199254740991"] = "9007199254740991",
        ["9007199254740993"] = "9007199254740993",   -- a double would say ...992
        ["12345678901234567890123"] = "12345678901234567890123",
        ["1e5"] = "100000",
      } do
        local job, err = get('{"job_id": ' .. literal .. ', "room_id": "r"}')
        assert(job, tostring(err))
        assert.are.equal(want, job.job_id, literal)
      end
    end)

    it("the same long number twice is fine; two long numbers a double cannot tell apart are refused", function()
      local job = assert(get('{"job_id": 9007199254740993, "room_id": 9007199254740993}'))
      assert.are.equal("9007199254740993", job.job_id)
      assert.are.equal("9007199254740993", job.room_id)
      local _, err = get('{"job_id": 9007199254740993, "x": [9007199254740992.5]}')
      helper.is_error(err, "decode")
      assert.are.equal("job_id", err.field)
      -- a long literal with a fraction never becomes an id
      _, err = get('{"job_id": 1.00000000000000001}')
      helper.is_error(err, "decode")
    end)

    it("integers: whole numbers and digit strings; booleans from \"true\"/\"false\"", function()
      local job = assert(get('{"job_id": "j", "max_idle_time": "30", "update_time": 1700000000000}'))
      assert.are.equal(30, job.max_idle_time)
      assert.are.equal("1700000000000", job.update_time) -- a string field
      if math.type then assert.are.equal("integer", math.type(job.max_idle_time)) end
      job = assert(get('{"job_id": "j", "max_idle_time": 30.0}'))
      assert.are.equal(30, job.max_idle_time)
    end)

    it("never inf or NaN anywhere in a result", function()
      local _, err = get('{"job_id": "j", "a": {"b": [1e999]}}')
      helper.is_error(err, "decode")
      assert.are.equal("a.b[1]", err.field)
    end)

    it("server text in other fields is kept as it came, and the job's tostring escapes it (one line)", function()
      local job = assert(get('{"job_id": "j", "state": "RUNNING\\u0007", "description": "a\\u001b[2Jb\\nc"}'))
      assert.are.equal("RUNNING\7", job.state)
      assert.are.equal("a\27[2Jb\nc", job.description)
      local s = tostring(job)
      assert.is_nil(s:find("%c"), s)
      assert.truthy(s:find('state="RUNNING\\x07"', 1, true), s)
    end)

    it("a good answer is still a job whose tostring and cjson.encode work", function()
      local job = assert(get('{"job_id": 77, "state": "RUNNING", "publish_param": {"rtmp_urls": ["rtmp://a"]}}'))
      assert.are.equal("77", job.job_id)
      assert.is_string(cjson.encode(job))
      assert.truthy(tostring(job):find('job_id="77"', 1, true))
    end)
  end)

  describe("X-request-Id is an id", function()
    it("control bytes: decode, the header never in the error, what the answer said kept (escaped)", function()
      local body = '{"error_code":"RTC.1","error_msg":"evil\\u001b]0;pwned\\u0007"}'
      for _, status in ipairs{ 200, 400, 500 } do
        local job, err = c:decode("get_job", status, { ["X-request-Id"] = "\27[31mrid" }, status == 200 and '{"job_id":"j"}' or body)
        assert.is_nil(job)
        helper.is_error(err, "decode")
        assert.is_nil(err.request_id)
        assert.are.equal(status, err.status)
        local s = tostring(err)
        assert.is_nil(s:find("%c"), s)
        assert.is_nil(s:find("[31m", 1, true), s)
        assert.truthy(err.message:find("X-request-Id", 1, true), err.message)
        if status ~= 200 then
          assert.are.equal("RTC.1", err.code)
          assert.truthy(s:find("evil\\e]0;pwned\\x07", 1, true), s)
        end
      end
    end)

    it("longer than 256 bytes or not UTF-8: decode", function()
      for _, rid in ipairs{ string.rep("a", 257), "a\255b", "a\127" } do
        local job, err = c:decode("get_job", 200, { ["X-request-Id"] = rid }, '{"job_id":"j"}')
        assert.is_nil(job)
        helper.is_error(err, "decode")
        assert.is_nil(err.request_id)
      end
      local job = assert(c:decode("get_job", 200, { ["X-request-Id"] = string.rep("a", 256) }, '{"job_id":"j"}'))
      assert.are.equal(256, #job.request_id)
    end)

    it("an error body's request_id with control bytes is not taken as the request id", function()
      local _, err = c:decode("get_job", 404, {}, '{"error_code":"X","error_msg":"gone","request_id":"\\u001b[2J"}')
      helper.is_error(err, "api")
      assert.is_nil(err.request_id)
    end)
  end)
end)

describe("answer types over HTTP", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("a mistyped answer is one decode error; the client goes on", function()
    local c = helper.client(mock, { retries = 0 })
    mock:script{ status = 200, body = '{"job_id": "j", "state": {"x": 1}, "stop_reason": true}' }
    local job, err = c:get_job("app", "j")
    assert.is_nil(job)
    helper.is_error(err, "decode")
    assert.truthy(err.field == "state" or err.field == "stop_reason", err.field)
    assert.are.equal(32, #err.request_id)
    mock:script{ status = 200, body = '{"job_id": 9007199254740993, "state": "RUNNING"}' }
    job = assert(c:get_job("app", "j"))
    assert.are.equal("9007199254740993", job.job_id)
    c:close()
  end)

  it("a request id with terminal escapes reaches neither tostring nor the debug lines raw", function()
    local lines = {}
    local c = helper.client(mock, { retries = 0, debug = function(l) lines[#lines + 1] = l end })
    mock:script{ status = 200, headers = { ["X-request-Id"] = "\27]0;pwned\7\27[31m" }, body = '{"job_id":"j"}' }
    local job, err = c:get_job("app", "j")
    assert.is_nil(job)
    helper.is_error(err, "decode")
    assert.is_nil(tostring(err):find("%c"))
    local answered = false
    for _, l in ipairs(lines) do
      if l:find("^< HTTP") then
        answered = true
        -- the answer's text: its line, headers and body, one line each (joined by "\n")
        for one in l:gmatch("[^\n]+") do assert.is_nil(one:find("%c"), one) end
        assert.truthy(l:find("\\e]0;pwned\\x07\\e[31m", 1, true), l)
      end
    end
    assert.is_true(answered)
    c:close()
  end)

  it("a redirect's Location with control bytes: one escaped line", function()
    local c = helper.client(mock, { retries = 0 })
    mock:script{ status = 302, headers = { Location = "http://x/\27[2J" } }
    local _, err = c:get_job("app", "j")
    helper.is_error(err, "api")
    local s = tostring(err)
    assert.is_nil(s:find("%c"), s)
    assert.truthy(s:find("\\e[2J", 1, true), s)
    c:close()
  end)
end)
