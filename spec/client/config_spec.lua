-- luacheck: max line length 160
-- spec/client/config_spec.lua — rtc.new's option checks, the client's life (close, __close, __gc),
-- the default client built from the environment, rtc.configure, and rtc._VERSION.
local helper = require "spec.helper"
local rtc = require "rtc"
local cjson = require "cjson"

local ENV_VARS = { "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID",
  "HUAWEICLOUD_SDK_SECURITY_TOKEN", "RTC_AUTH_TOKEN", "RTC_ENDPOINT" }

local shell_quote = helper.shell_quote

-- runs `code` in a fresh interpreter (helper.LUA) with only the given RTC/HUAWEICLOUD env vars;
-- the code prints one JSON document, returned decoded (plus the raw output and exit code)
local function run_lua(env, code)
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write(("package.cpath = %q\n"):format(package.cpath))
  f:write(code)
  f:close()
  local parts = { "env" }
  for _, v in ipairs(ENV_VARS) do parts[#parts + 1] = "-u " .. v end
  for k, v in pairs(env) do parts[#parts + 1] = k .. "=" .. shell_quote(v) end
  parts[#parts + 1] = helper.LUA
  parts[#parts + 1] = shell_quote(file)
  local rc, out = helper.run(table.concat(parts, " ") .. " 2>&1")
  os.remove(file)
  local ok, obj = pcall(cjson.decode, out)
  return ok and obj or nil, out, rc
end

-- code that turns a result or error into JSON for run_lua
local REPORT = [[
local cjson = require "cjson"
local function report(res, err)
  local e
  if err then e = { kind = err.kind, status = err.status, code = err.code, message = err.message, text = tostring(err) } end
  local r
  if type(res) == "table" then r = {} for k, v in pairs(res) do r[k] = v end end
  return { result = r, err = e }
end
]]

describe("config", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  it("rtc._VERSION is 0.1.0", function()
    assert.are.equal("0.1.0", rtc._VERSION)
  end)

  describe("rtc.new option checks", function()
    local E = "http://127.0.0.1:1"

    -- rtc.new(opts) raises an rtc.error with kind invalid whose message names `name`
    local function refuses(opts, name, exact)
      local ok, err = pcall(rtc.new, opts)
      assert.is_false(ok, "accepted: " .. name)
      assert.are.equal("table", type(err), tostring(err))
      assert.are.equal("rtc.error", getmetatable(err).__name)
      assert.are.equal("invalid", err.kind)
      assert.is_truthy(err.message:find(name, 1, true), "'" .. err.message .. "' does not name " .. name)
      assert.are.equal("invalid: " .. err.message, tostring(err))
      if exact then assert.are.equal(exact, err.message) end
      return err
    end

    local function accepts(opts)
      local ok, c = pcall(rtc.new, opts)
      assert.is_true(ok, tostring(c))
      assert.are.equal("userdata", type(c))
      c:close()
    end

    it("an unknown option, with a did-you-mean", function()
      refuses({ endpoint = E, token = "t", timout = 3 }, "timout", 'rtc.new: unknown option "timout" (did you mean "timeout"?)')
      refuses({ endpoint = E, token = "t", retry = 3 }, "retry", 'rtc.new: unknown option "retry" (did you mean "retries"?)')
      refuses({ endpoint = E, token = "t", endpoints = { E } }, "endpoints", 'rtc.new: unknown option "endpoints" (did you mean "endpoint"?)')
      refuses({ endpoint = E, token = "t", secret_key = "x" }, "secret_key")
    end)

    it("a non-string option name", function()
      local err = refuses({ endpoint = E, token = "t", [1] = "x" }, "option")
      assert.is_truthy(err.message:find("number", 1, true), err.message)
    end)

    it("both token and ak", function()
      local err = refuses({ endpoint = E, token = "t", ak = "a", sk = "s", project_id = "p" }, "token")
      assert.is_truthy(err.message:find("ak", 1, true), err.message)
    end)

    it("ak without sk, sk without ak", function()
      refuses({ endpoint = E, ak = "a", project_id = "p" }, "sk")
      refuses({ endpoint = E, sk = "s", project_id = "p" }, "ak")
    end)

    it("ak/sk without project_id", function()
      refuses({ endpoint = E, ak = "a", sk = "s" }, "project_id")
    end)

    it("security_token without ak/sk", function()
      refuses({ endpoint = E, token = "t", security_token = "x" }, "security_token")
    end)

    for _, name in ipairs({ "timeout", "connect_timeout", "deadline" }) do
      it(name .. " <= 0 or > 86400 (or not a number)", function()
        for _, v in ipairs({ 0, -1, -0.5, 86400.5, 86401, 1e12, math.huge, 0 / 0, "5", true }) do
          refuses({ endpoint = E, token = "t", [name] = v }, name)
        end
        for _, v in ipairs({ 0.25, 1, 30, 86400 }) do accepts({ endpoint = E, token = "t", [name] = v }) end
      end)
    end

    it("retries not whole, < 0 or > 10", function()
      for _, v in ipairs({ 1.5, 0.1, -1, 11, 100, math.huge, 0 / 0, "2" }) do
        refuses({ endpoint = E, token = "t", retries = v }, "retries")
      end
      for _, v in ipairs({ 0, 1, 10, 2.0 }) do accepts({ endpoint = E, token = "t", retries = v }) end
    end)

    it("bad endpoint URLs", function()
      for _, v in ipairs({ "ftp://x", "127.0.0.1:8080", "http://", "https://", "http:///path", "http://a b", "http://x?y=1",
        "http://x#frag", "http://user:pass@x", "http://x\r\nX-Injected: 1", "http://x\n", "", 5, true, {}, { E, "bad" },
        { 5 } }) do
        refuses({ endpoint = v, token = "t" }, "endpoint")
      end
      accepts({ endpoint = "https://rtc-api.myhuaweicloud.com", token = "t" })
      accepts({ endpoint = "http://127.0.0.1:8080/prefix/", token = "t" })
      accepts({ endpoint = { "http://127.0.0.1:1", "http://127.0.0.1:2" }, token = "t" })
    end)

    it("a list of endpoints is accepted, and a dead first one fails over to the next", function()
      local ok, c = pcall(rtc.new, { endpoint = { "http://127.0.0.1:1", mock.url }, token = "test-token", retries = 1,
        backoff_base = 0.001, backoff_max = 0.001 })
      assert.is_true(ok, tostring(c))
      local _, err = c:get_job("app-1", "missing")
      assert.are.equal(404, err.status)
      assert.are.equal(1, #mock:requests())
      c:close()
    end)

    it("CR, LF or NUL in token, ak, sk, project_id, security_token and user_agent", function()
      for _, name in ipairs({ "token", "ak", "sk", "project_id", "security_token", "user_agent" }) do
        for _, bad in ipairs({ "a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b" }) do
          local opts = { endpoint = E, ak = "a", sk = "s", project_id = "p" }
          if name == "token" or name == "user_agent" then opts = { endpoint = E, token = "t" } end
          opts[name] = bad
          local err = refuses(opts, name)
          assert.is_nil(err.message:find("X-Injected", 1, true))
        end
      end
    end)

    it("values the signer can never send are refused at rtc.new, naming the option", function()
      for _, ak in ipairs({ "a, b", "a b", "a,b" }) do
        local err = refuses({ endpoint = E, ak = ak, sk = "s", project_id = "p" }, "ak")
        assert.are.equal("ak", err.field)
        assert.is_truthy(err.message:find("from option", 1, true), err.message)
      end
      -- the same from the environment names the variable (a child: the environment is its own)
      local code, out = helper.run("env HUAWEICLOUD_SDK_AK='x,y' HUAWEICLOUD_SDK_SK=s " ..
        "HUAWEICLOUD_SDK_PROJECT_ID=p RTC_ENDPOINT=" .. E .. " " .. helper.LUA .. " -e " ..
        helper.shell_quote("package.cpath = " .. string.format("%q", package.cpath) ..
          "; local e = select(2, pcall(require('rtc').new, {})); " ..
          "io.write(e.kind, ' ', e.field, ' ', e.message)"))
      assert.are.equal(0, code)
      assert.is_truthy(out:find("^invalid ak rtc.new: ak %(from env HUAWEICLOUD_SDK_AK%)"), out)
      -- and the option that holds a control character is the error's field
      assert.are.equal("user_agent", refuses({ endpoint = E, token = "t", user_agent = "u\127" },
                                              "user_agent").field)
    end)

    it("empty strings or wrong types for text options", function()
      for _, name in ipairs({ "token", "user_agent", "proxy", "ca_file" }) do
        refuses({ endpoint = E, token = "t", [name] = "" }, name)
        refuses({ endpoint = E, token = "t", [name] = 5 }, name)
      end
      refuses({ endpoint = E, token = "t", insecure = "yes" }, "insecure")
      refuses({ endpoint = E, token = "t", debug = "print" }, "debug")
    end)

    it("opts that is not a table raises (misuse)", function()
      assert.is_false(pcall(rtc.new, "http://x"))
      assert.is_false(pcall(rtc.new, 5))
    end)
  end)

  describe("the client's life", function()
    it("close() is idempotent; calls on a closed client raise", function()
      local c = helper.client(mock)
      assert(c:get_job("app-1", "x") == nil)
      c:close()
      c:close()
      assert.has_no.errors(function() c:close() end)
      for _, call in ipairs({
        function() return c:get_job("app-1", "job-1") end,
        function() return c:update_job("app-1", "job-1", { record_param = { record_rule_id = "x" } }) end,
        function() return c:create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }) end,
        function() return c:stop_job("app-1", "job-1") end,
        function() return c:prepare("get_job", "app-1", "job-1") end,
        function() return c:decode("get_job", 200, {}, "{}") end,
      }) do
        local ok, e = pcall(call)
        assert.is_false(ok)
        assert.is_truthy(tostring(e):find("closed", 1, true), tostring(e))
      end
      assert.are.equal(1, #mock:requests())
      assert.is_string(tostring(c))
    end)

    it("__close closes the client at the end of its scope (Lua 5.4)", function()
      if _VERSION ~= "Lua 5.4" then pending("<close> needs Lua 5.4") return end
      local chunk = assert(load([[
        local helper, mock = ...
        local c <close> = helper.client(mock)
        local _, err = c:get_job("app-1", "job-1")
        return c, err
      ]]))
      local c, err = chunk(helper, mock)
      assert.are.equal(404, err.status)
      local ok, e = pcall(c.get_job, c, "app-1", "job-1")
      assert.is_false(ok)
      assert.is_truthy(tostring(e):find("closed", 1, true))
      assert.are.equal(1, #mock:requests())
    end)

    it("__close runs when the scope is left by an error", function()
      if _VERSION ~= "Lua 5.4" then pending("<close> needs Lua 5.4") return end
      local chunk = assert(load([[
        local helper, mock, out = ...
        local c <close> = helper.client(mock)
        out.client = c
        error("boom")
      ]]))
      local out = {}
      local ok = pcall(chunk, helper, mock, out)
      assert.is_false(ok)
      assert.is_false((pcall(out.client.get_job, out.client, "app-1", "job-1")))
    end)

    it("__gc frees clients, alive or closed, and their connections", function()
      local function open_connections()
        -- the stats request's own connection is open while it is served
        return mock:stats().open
      end
      collectgarbage("collect")
      local base = open_connections()
      do
        local clients = {}
        for i = 1, 6 do
          local c = helper.client(mock)
          assert.are.equal(404, select(2, c:get_job("app-1", "job-" .. i)).status)
          clients[i] = c
        end
        assert.is_true(open_connections() >= base + 6)
        clients[1]:close()
        clients[2]:close()
        -- the block's dead register would keep the table alive through the collections below
        clients = nil -- luacheck: ignore 311
      end
      for _ = 1, 3 do collectgarbage("collect") end
      local t0 = helper.gettime()
      local n = open_connections()
      while n > base and helper.gettime() - t0 < 10 do -- a bound only a leak reaches
        helper.sleep(0.02)
        n = open_connections()
      end
      assert.is_true(n <= base, n .. " connections open, " .. base .. " before")
      -- many short-lived clients, never closed by hand
      for _ = 1, 200 do helper.client(mock) end
      collectgarbage("collect")
      collectgarbage("collect")
      local c = helper.client(mock)
      assert.are.equal(404, select(2, c:get_job("app-1", "after-gc")).status)
      c:close()
    end)

    it("tostring(client) names the endpoint and the kind of auth", function()
      local c = helper.client(mock)
      local s = tostring(c)
      assert.is_truthy(s:find(mock.url, 1, true), s)
      assert.is_truthy(s:find("token", 1, true), s)
      assert.is_nil(s:find("test-token", 1, true), s)
      c:close()
      local a = helper.aksk_client(mock)
      s = tostring(a)
      assert.is_truthy(s:find("aksk", 1, true), s)
      assert.is_nil(s:find("test-sk", 1, true), s)
      a:close()
    end)
  end)

  describe("the default client", function()
    -- pcall(rtc.get_job, "app-1", "job-1") in a fresh interpreter with env: -> { ok, report }, raw output
    local function default_get_job(env)
      return run_lua(env, REPORT .. [[
local rtc = require "rtc"
local ok, res, err = pcall(rtc.get_job, "app-1", "job-1")
print(cjson.encode({ ok = ok, report = ok and report(res, err) or tostring(res) }))
]])
    end

    it("is built from HUAWEICLOUD_SDK_AK/SK/PROJECT_ID and RTC_ENDPOINT", function()
      local out, raw = run_lua({ HUAWEICLOUD_SDK_AK = "test-ak", HUAWEICLOUD_SDK_SK = "test-sk",
        HUAWEICLOUD_SDK_PROJECT_ID = "test-project", RTC_ENDPOINT = mock.url }, REPORT .. [[
local rtc = require "rtc"
local job = assert(rtc.create_job("app-1", { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }))
local res = { create = report(job) }
res.update = report(rtc.update_job("app-1", job.job_id, { record_param = { record_rule_id = "y" } }))
res.get = report(rtc.get_job("app-1", job.job_id))
res.stop = report(rtc.stop_job("app-1", job.job_id))
res.missing = report(rtc.get_job("app-1", "missing"))
print(cjson.encode(res))
]])
      assert.is_table(out, raw)
      assert.are.equal("INIT", out.create.result.state)
      assert.are.equal("y", out.update.result.record_param.record_rule_id)
      assert.are.equal("RUNNING", out.get.result.state)
      assert.is_string(out.stop.result.request_id)
      assert.are.equal("api", out.missing.err.kind)
      assert.are.equal(404, out.missing.err.status)
      local reqs = mock:requests()
      assert.are.equal(5, #reqs)
      for _, r in ipairs(reqs) do
        assert.is_truthy(r.headers["authorization"]:find("^SDK%-HMAC%-SHA256 Access=test%-ak, "), r.headers["authorization"])
        assert.are.equal("test-project", r.headers["x-project-id"])
      end
    end)

    it("uses HUAWEICLOUD_SDK_SECURITY_TOKEN", function()
      local out, raw = run_lua({ HUAWEICLOUD_SDK_AK = "test-ak", HUAWEICLOUD_SDK_SK = "test-sk",
        HUAWEICLOUD_SDK_PROJECT_ID = "test-project", HUAWEICLOUD_SDK_SECURITY_TOKEN = "sts-1", RTC_ENDPOINT = mock.url },
        REPORT .. [[
local rtc = require "rtc"
print(cjson.encode(report(rtc.get_job("app-1", "missing"))))
]])
      assert.is_table(out, raw)
      assert.are.equal(404, out.err.status)
      assert.are.equal("sts-1", mock:requests()[1].headers["x-security-token"])
    end)

    it("is built from RTC_AUTH_TOKEN", function()
      local out, raw = run_lua({ RTC_AUTH_TOKEN = "test-token", RTC_ENDPOINT = mock.url }, REPORT .. [[
local rtc = require "rtc"
print(cjson.encode(report(rtc.update_job("app-1", "missing", { record_param = { record_rule_id = "y" } }))))
]])
      assert.is_table(out, raw)
      assert.are.equal("api", out.err.kind)
      assert.are.equal(404, out.err.status) -- not 401: the token was sent
      assert.are.equal("test-token", mock:requests()[1].headers["x-auth-token"])
    end)

    it("rtc.configure{...} replaces it; rtc.configure() goes back to the environment", function()
      local out, raw = run_lua({ RTC_AUTH_TOKEN = "wrong-token", RTC_ENDPOINT = mock.url }, REPORT .. ([[
local rtc = require "rtc"
local res = {}
res.env = report(rtc.get_job("app-1", "missing"))
rtc.configure{ endpoint = %q, ak = "test-ak", sk = "test-sk", project_id = "test-project" }
res.configured = report(rtc.get_job("app-1", "missing"))
local ok, e = pcall(rtc.configure, { endpoint = "ftp://nope", token = "t" })
res.bad_configure = { ok = ok, kind = type(e) == "table" and e.kind or tostring(e) }
res.after_bad = report(rtc.get_job("app-1", "missing"))
rtc.configure()
res.back = report(rtc.get_job("app-1", "missing"))
print(cjson.encode(res))
]]):format(mock.url))
      assert.is_table(out, raw)
      assert.are.equal(401, out.env.err.status)
      assert.are.equal(404, out.configured.err.status)
      assert.are.same({ ok = false, kind = "invalid" }, out.bad_configure)
      assert.are.equal(404, out.after_bad.err.status)
      assert.are.equal(401, out.back.err.status)
      local reqs = mock:requests()
      assert.are.equal(4, #reqs)
      assert.are.equal("wrong-token", reqs[1].headers["x-auth-token"])
      assert.is_truthy(reqs[2].headers["authorization"])
      assert.is_truthy(reqs[3].headers["authorization"])
      assert.are.equal("wrong-token", reqs[4].headers["x-auth-token"])
    end)

    it("rtc.configure works in this process too", function()
      rtc.configure{ endpoint = mock.url, token = "test-token", retries = 0 }
      finally(function() rtc.configure() end)
      local _, err = rtc.get_job("app-1", "missing")
      assert.are.equal(404, err.status)
      assert.are.equal("test-token", mock:requests()[1].headers["x-auth-token"])
    end)

    it("a bad environment makes the module functions return nil, err (kind invalid), not raise", function()
      local out, raw = run_lua({ RTC_AUTH_TOKEN = "t", HUAWEICLOUD_SDK_AK = "a", HUAWEICLOUD_SDK_SK = "s",
        HUAWEICLOUD_SDK_PROJECT_ID = "p", RTC_ENDPOINT = mock.url }, REPORT .. [[
local rtc = require "rtc"
local ok, res, err = pcall(rtc.get_job, "app-1", "job-1")
local out = { ok = ok, report = ok and report(res, err) or tostring(res) }
local ok2, res2, err2 = pcall(rtc.update_job, "app-1", "job-1", { record_param = { record_rule_id = "x" } })
out.ok2, out.report2 = ok2, ok2 and report(res2, err2) or tostring(res2)
print(cjson.encode(out))
]])
      assert.is_table(out, raw)
      assert.is_true(out.ok, tostring(out.report))
      assert.is_nil(out.report.result)
      assert.are.equal("invalid", out.report.err.kind)
      assert.is_truthy(out.report.err.message:find("token", 1, true), out.report.err.message)
      assert.is_true(out.ok2)
      assert.are.equal("invalid", out.report2.err.kind)
      assert.are.equal(0, #mock:requests())
    end)

    it("a bad RTC_ENDPOINT, or AK without SK, is nil, err too", function()
      for _, env in ipairs({
        { RTC_AUTH_TOKEN = "t", RTC_ENDPOINT = "ftp://x" },
        { HUAWEICLOUD_SDK_AK = "a", HUAWEICLOUD_SDK_PROJECT_ID = "p", RTC_ENDPOINT = mock.url },
        { HUAWEICLOUD_SDK_AK = "a", HUAWEICLOUD_SDK_SK = "s", RTC_ENDPOINT = mock.url },
      }) do
        local out, raw = default_get_job(env)
        assert.is_table(out, raw)
        assert.is_true(out.ok, tostring(out.report))
        assert.are.equal("invalid", out.report.err.kind)
      end
      assert.are.equal(0, #mock:requests())
    end)

    it("no credentials in the environment: nil, err naming RTC_AUTH_TOKEN and HUAWEICLOUD_SDK_AK, nothing sent", function()
      local out, raw = default_get_job({ RTC_ENDPOINT = mock.url })
      assert.is_table(out, raw)
      assert.is_true(out.ok, tostring(out.report))
      assert.are.equal("invalid", out.report.err.kind)
      assert.is_truthy(out.report.err.message:find("RTC_AUTH_TOKEN", 1, true), out.report.err.message)
      assert.is_truthy(out.report.err.message:find("HUAWEICLOUD_SDK_AK", 1, true), out.report.err.message)
      assert.are.equal(0, #mock:requests())
    end)
  end)
end)
