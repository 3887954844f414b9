-- spec/credentials_spec.lua — the credentials chain (options → environment → profile file →
-- opt-in ECS metadata), regions, and rtc.credentials. Every case runs in a child interpreter
-- with a clean environment (env -i) and its own HOME, so the chain sees only what the case sets;
-- the metadata service is mock/metadata.lua on 127.0.0.1.
local helper = require "spec.helper"
local cjson = require "cjson"
local socket = require "socket"
local http = require "socket.http"

local q = helper.shell_quote
local CPATH = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
if not CPATH:match("^/") then CPATH = helper.ROOT .. "/" .. CPATH:gsub("^%./", "") end

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. q(tmp) .. "/home/.huaweicloud"))
local HOME = tmp .. "/home"
local DEFAULT_FILE = HOME .. "/.huaweicloud/credentials"

local function write(path, text, mode)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  os.execute("chmod " .. (mode or "600") .. " " .. q(path))
end

-- The child: runs `body` (Lua code using `rtc`, `opts`, `lines`) and prints a JSON report.
local CHILD = tmp .. "/child.lua"
write(CHILD, [[
package.cpath = arg[1] .. ";" .. package.cpath
package.path = arg[2] .. "/?.lua;" .. arg[2] .. "/mock/?.lua;" .. package.path
local rtc = require "rtc"
local cjson = require "cjson"
local lines = {}
-- Lua 5.1's load takes only a function: loadstring and setfenv there
local function load_text(text, name, env)
  if setfenv then
    local f = assert(loadstring(text, name))
    return env and setfenv(f, env) or f
  end
  return assert(load(text, name, "t", env))
end
local opts = load_text("return " .. arg[3], "opts")()
if opts and opts.debug == nil then opts.debug = function(l) lines[#lines + 1] = l end end
local body = load_text(arg[4], "body", setmetatable({ rtc = rtc, opts = opts, lines = lines },
  { __index = _G }))
local ok, t, e = pcall(body)
local function plain_err(x)
  if type(x) ~= "table" then return { raised = tostring(x) } end
  return { kind = x.kind, message = x.message, field = x.field, text = tostring(x) }
end
local out = { lines = lines }
if not ok then out.raised = plain_err(t)
else out.t = t; out.err = e and plain_err(e) end
io.write(cjson.encode(out))
]])

-- env: a table of variables (HOME defaults to the spec's); opts: Lua source of the options
-- table (or "nil"); body: defaults to `return rtc.credentials(opts)`.
local function child(env, opts, body)
  local parts = { "env -i", "PATH=" .. q(os.getenv("PATH") or "/usr/bin:/bin") }
  local has_home = false
  for k, v in pairs(env or {}) do
    parts[#parts + 1] = k .. "=" .. q(v)
    if k == "HOME" then has_home = true end
  end
  if not has_home then parts[#parts + 1] = "HOME=" .. q(HOME) end
  parts[#parts + 1] = helper.LUA
  for _, a in ipairs({ CHILD, CPATH, helper.ROOT, opts or "nil",
                       body or "return rtc.credentials(opts)" }) do
    parts[#parts + 1] = q(a)
  end
  local code, out, err = helper.run(table.concat(parts, " "))
  assert(code == 0, "child failed: " .. tostring(err) .. tostring(out))
  return cjson.decode(out)
end

local function resolve(env, opts) return child(env, opts or "{}") end

local function assert_invalid(r, kind, pattern)
  assert.is_nil(r.t ~= cjson.null and r.t or nil)
  assert.truthy(r.err, "expected nil, err; got " .. cjson.encode(r))
  assert.equal(kind or "invalid", r.err.kind)
  if pattern then
    assert.truthy(r.err.message:find(pattern), r.err.message .. " does not match " .. pattern)
  end
  return r.err
end

-- secrets used below: none may show up in any message, debug line or tostring
local SECRETS = { "opt-sk-secret", "env-sk-secret", "prof-sk-secret", "tok-secret-1",
                  "env-tok-secret", "meta-sk-", "meta-st-", "prof-st-secret", "session-" }
local function assert_no_secret(r)
  local text = cjson.encode(r)
  for _, s in ipairs(SECRETS) do
    assert.is_nil(text:find(s, 1, true), "a secret (" .. s .. ") leaked: " .. text)
  end
end

---------------------------------------------------------------------------------- metadata mock
local Meta = {}
Meta.__index = Meta

local function start_metadata(args)
  local cmd = table.concat({ helper.MOCK_LUA, q(helper.ROOT .. "/mock/metadata.lua"), "--port 0",
    args or "" }, " ")
  local stat = io.open("/proc/self/stat") -- this interpreter's own: the server exits when it does
  local parent = stat and stat:read("*l"):match("^%d+")
  if stat then stat:close() end
  if parent then cmd = cmd .. " --parent-pid " .. parent end
  local pid, port = helper.spawn_listener(cmd, "/dev/null")
  assert(port, "metadata mock did not start")
  return setmetatable({ pid = pid, url = "http://127.0.0.1:" .. port }, Meta)
end

-- the metadata mock handing out keys that live `lifetime` s, and an API mock that knows the
-- first nkeys of them, with job j1 of app1; both stopped when the test ends
local function metadata_and_mock(lifetime, nkeys)
  local meta = start_metadata("--lifetime " .. lifetime)
  local aksk = {}
  for n = 1, nkeys do aksk[("META-AK-%04d"):format(n)] = "meta-sk-" .. n end
  local mock = helper.start_mock({ aksk = aksk, project_id = "meta-project" })
  finally(function() meta:stop(); mock:stop() end)
  mock:seed_job("app1", { job_id = "j1", room_id = "r", user_id = "u", state = "RUNNING" })
  return meta, mock
end

function Meta:stats()
  local body = assert(http.request(self.url .. "/_meta/stats"))
  return cjson.decode(body)
end

function Meta:mode(m)
  assert(http.request(self.url .. "/_meta/mode/" .. m, ""))
end

function Meta:stop()
  http.request(self.url .. "/_meta/shutdown", "")
  os.execute("kill " .. self.pid .. " 2>/dev/null")
end

---------------------------------------------------------------------------------- the specs

describe("credentials chain", function()
  local AKSK_ENV = { HUAWEICLOUD_SDK_AK = "ENVAK1234567", HUAWEICLOUD_SDK_SK = "env-sk-secret",
                     HUAWEICLOUD_SDK_PROJECT_ID = "env-project" }

  before_each(function() os.remove(DEFAULT_FILE) end)
  teardown(function() os.execute("rm -rf " .. q(tmp)) end)

  describe("each source alone", function()
    it("no source at all: kind none, and what was tried", function()
      local r = resolve({})
      assert.equal("none", r.t.kind)
      assert.truthy(r.t.tried:find("options", 1, true))
      assert.truthy(r.t.tried:find("HUAWEICLOUD_SDK_AK", 1, true))
      assert.truthy(r.t.tried:find(DEFAULT_FILE .. " [basic] (absent)", 1, true))
      assert.truthy(r.t.tried:find("metadata (off", 1, true))
      assert.equal("https://rtc-api.myhuaweicloud.com", r.t.endpoint)
      assert.equal("default", r.t.source.endpoint)
    end)

    it("explicit options (AK/SK)", function()
      local r = resolve({}, [[{ ak = "OPTAK1234567", sk = "opt-sk-secret", project_id = "p1" }]])
      assert.equal("aksk", r.t.kind)
      assert.equal("OPTA****", r.t.ak)
      assert.equal("****", r.t.sk)
      assert.equal("p1", r.t.project_id)
      assert.same({ ak = "option", sk = "option", project_id = "option", endpoint = "default" },
                  r.t.source)
      assert_no_secret(r)
    end)

    it("explicit token", function()
      local r = resolve({}, [[{ token = "tok-secret-1" }]])
      assert.equal("token", r.t.kind)
      assert.equal("****", r.t.token)
      assert.equal("option", r.t.source.token)
      assert_no_secret(r)
    end)

    it("environment AK/SK with a security token", function()
      local env = { HUAWEICLOUD_SDK_SECURITY_TOKEN = "prof-st-secret" }
      for k, v in pairs(AKSK_ENV) do env[k] = v end
      local r = resolve(env)
      assert.equal("aksk", r.t.kind)
      assert.equal("ENVA****", r.t.ak)
      assert.equal("****", r.t.security_token)
      assert.equal("env HUAWEICLOUD_SDK_AK", r.t.source.ak)
      assert.equal("env HUAWEICLOUD_SDK_PROJECT_ID", r.t.source.project_id)
      assert_no_secret(r)
    end)

    it("environment token (RTC_AUTH_TOKEN), for rtc.new with a table too", function()
      local r = child({ RTC_AUTH_TOKEN = "env-tok-secret" }, "{ timeout = 5 }",
                      "return tostring(rtc.new(opts))")
      assert.truthy(r.t:find("auth=token", 1, true), r.t)
      r = resolve({ RTC_AUTH_TOKEN = "env-tok-secret" })
      assert.equal("env RTC_AUTH_TOKEN", r.t.source.token)
      assert_no_secret(r)
    end)

    it("the default profile file, section [basic], keys the SDKs use", function()
      write(DEFAULT_FILE, "# comment\n[basic]\nak = \"PROFAK123456\"\nsk = prof-sk-secret\n" ..
                          "project_id = prof-project\ndomain_id = ignored\n\n[global]\nak = x\n")
      local r = resolve({})
      assert.equal("aksk", r.t.kind)
      assert.equal("PROF****", r.t.ak)
      assert.equal("prof-project", r.t.project_id)
      assert.equal("profile " .. DEFAULT_FILE .. " [basic]", r.t.source.ak)
      assert.equal("profile " .. DEFAULT_FILE .. " [basic]", r.t.source.project_id)
      for _, l in ipairs(r.lines) do assert.is_nil(l:find("accessible", 1, true)) end -- 0600
      assert_no_secret(r)
    end)

    it("HUAWEICLOUD_SDK_CREDENTIALS_FILE and a named profile (option and RTC_PROFILE)", function()
      local path = tmp .. "/other-credentials"
      write(path, "[basic]\nak = BASICAK12345\nsk = prof-sk-secret\nproject_id = b\n" ..
                  "[dev]\nak = DEVAK1234567\nsk = prof-sk-secret\nproject_id = d\n" ..
                  "security_token = prof-st-secret\n")
      local r = resolve({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = path })
      assert.equal("BASI****", r.t.ak)
      r = resolve({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = path }, [[{ profile = "dev" }]])
      assert.equal("DEVA****", r.t.ak)
      assert.equal("****", r.t.security_token)
      assert.equal("profile " .. path .. " [dev]", r.t.source.security_token)
      r = resolve({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = path, RTC_PROFILE = "dev" })
      assert.equal("d", r.t.project_id)
      r = resolve({}, "{ credentials_file = " .. ("%q"):format(path) .. ", profile = 'dev' }")
      assert.equal("d", r.t.project_id)
      assert_no_secret(r)
    end)

    it("a profile file readable by others gets a debug line (and still works)", function()
      write(DEFAULT_FILE, "[basic]\nak = PROFAK123456\nsk = prof-sk-secret\nproject_id = p\n", "644")
      local r = resolve({})
      assert.equal("aksk", r.t.kind)
      local warning
      for _, l in ipairs(r.lines) do if l:find("accessible", 1, true) then warning = l end end
      assert.truthy(warning, cjson.encode(r.lines))
      assert.truthy(warning:find("accessible by group or others (mode 644)", 1, true), warning)
      assert.truthy(warning:find(DEFAULT_FILE, 1, true))
      assert_no_secret(r)
    end)

    it("the metadata service only when asked for, then the keys and project_id from it", function()
      local meta = start_metadata()
      finally(function() meta:stop() end)
      local r = resolve({ RTC_METADATA_URL = meta.url })
      assert.equal("none", r.t.kind) -- not asked for: never contacted
      assert.equal(0, meta:stats().key_gets)
      r = resolve({}, ("{ metadata = true, metadata_url = %q }"):format(meta.url))
      assert.equal("aksk", r.t.kind)
      assert.equal("META****", r.t.ak)
      assert.equal("****", r.t.security_token)
      assert.equal("meta-project", r.t.project_id)
      assert.equal("metadata " .. meta.url, r.t.source.ak)
      assert.equal("metadata " .. meta.url .. " (meta_data.json)", r.t.source.project_id)
      assert.truthy(r.t.expires_at > os.time() + 3000)
      r = resolve({ RTC_METADATA = "1", RTC_METADATA_URL = meta.url })
      assert.equal("aksk", r.t.kind)
      local s = meta:stats()
      assert.equal(2, s.token_puts)
      assert.equal(2, s.key_gets)
      assert.equal(2, s.with_session) -- the session token went along
      assert_no_secret(r)
    end)

    it("metadata without the token route (404) goes on without a session token", function()
      local meta = start_metadata("--mode imdsv1")
      finally(function() meta:stop() end)
      local r = resolve({ HUAWEICLOUD_SDK_PROJECT_ID = "p" },
                        ("{ metadata = true, metadata_url = %q }"):format(meta.url))
      assert.equal("aksk", r.t.kind)
      assert.equal("env HUAWEICLOUD_SDK_PROJECT_ID", r.t.source.project_id)
      local s = meta:stats()
      assert.equal(0, s.with_session)
      assert.equal(0, s.meta_gets) -- project_id was there already
    end)
  end)

  describe("precedence", function()
    local PROFILE = "[basic]\nak = PROFAK123456\nsk = prof-sk-secret\nproject_id = prof-project\n"

    it("option over environment", function()
      local r = resolve(AKSK_ENV, [[{ ak = "OPTAK1234567", sk = "opt-sk-secret" }]])
      assert.equal("OPTA****", r.t.ak)
      assert.equal("option", r.t.source.sk)
      assert.equal("env HUAWEICLOUD_SDK_PROJECT_ID", r.t.source.project_id) -- on its own
    end)

    it("an option token over environment AK/SK (a whole kind, no conflict)", function()
      local r = resolve(AKSK_ENV, [[{ token = "tok-secret-1" }]])
      assert.equal("token", r.t.kind)
      assert.is_nil(r.t.ak)
    end)

    it("environment over profile", function()
      write(DEFAULT_FILE, PROFILE)
      local r = resolve({ HUAWEICLOUD_SDK_AK = "ENVAK1234567", HUAWEICLOUD_SDK_SK = "env-sk-secret" })
      assert.equal("ENVA****", r.t.ak)
      assert.equal("prof-project", r.t.project_id) -- project_id goes on down the chain
      assert.equal("profile " .. DEFAULT_FILE .. " [basic]", r.t.source.project_id)
    end)

    it("option over profile", function()
      write(DEFAULT_FILE, PROFILE)
      local r = resolve({}, [[{ token = "tok-secret-1" }]])
      assert.equal("token", r.t.kind)
    end)

    it("profile over metadata (which is then never contacted)", function()
      local meta = start_metadata()
      finally(function() meta:stop() end)
      write(DEFAULT_FILE, PROFILE)
      local r = resolve({}, ("{ metadata = true, metadata_url = %q }"):format(meta.url))
      assert.equal("PROF****", r.t.ak)
      assert.equal(0, meta:stats().token_puts)
    end)

    it("environment over metadata", function()
      local meta = start_metadata()
      finally(function() meta:stop() end)
      local r = resolve(AKSK_ENV, ("{ metadata = true, metadata_url = %q }"):format(meta.url))
      assert.equal("ENVA****", r.t.ak)
      assert.equal(0, meta:stats().token_puts)
    end)

    it("endpoint over region; region over RTC_ENDPOINT; RTC_ENDPOINT over RTC_REGION", function()
      local r = resolve({}, [[{ endpoint = "http://127.0.0.1:1", region = "cn-north-4" }]])
      assert.equal("http://127.0.0.1:1", r.t.endpoint)
      assert.equal("option endpoint", r.t.source.endpoint)
      r = resolve({ RTC_ENDPOINT = "http://127.0.0.1:2" }, [[{ region = "cn-north-4" }]])
      assert.equal("https://rtc-api.myhuaweicloud.com", r.t.endpoint)
      assert.equal("option region cn-north-4", r.t.source.endpoint)
      r = resolve({ RTC_ENDPOINT = "http://127.0.0.1:2", RTC_REGION = "cn-north-4" })
      assert.equal("http://127.0.0.1:2", r.t.endpoint)
      r = resolve({ RTC_REGION = "cn-north-4" })
      assert.equal("env RTC_REGION cn-north-4", r.t.source.endpoint)
    end)
  end)

  describe("mixing refused", function()
    it("a token and AK/SK as options", function()
      local e = assert_invalid(resolve({}, [[{ token = "tok-secret-1", ak = "OPTAK1234567",
        sk = "opt-sk-secret", project_id = "p" }]]), "invalid", "both token and ak")
      assert.truthy(e.message:find("options", 1, true))
    end)

    it("a token and AK/SK in the environment", function()
      local env = { RTC_AUTH_TOKEN = "env-tok-secret" }
      for k, v in pairs(AKSK_ENV) do env[k] = v end
      local r = resolve(env)
      assert_invalid(r, "invalid", "both RTC_AUTH_TOKEN and HUAWEICLOUD_SDK_AK")
      assert_no_secret(r)
    end)

    it("never an AK from one source and the SK from another", function()
      write(DEFAULT_FILE, "[basic]\nak = PROFAK123456\nsk = prof-sk-secret\nproject_id = p\n")
      local r = resolve({ HUAWEICLOUD_SDK_AK = "ENVAK1234567" })
      assert_invalid(r, "invalid", "HUAWEICLOUD_SDK_AK is set without HUAWEICLOUD_SDK_SK")
      r = resolve({}, [[{ sk = "opt-sk-secret" }]])
      assert_invalid(r, "invalid", "sk is set without ak")
      assert_no_secret(r)
    end)

    it("rtc.new refuses them the same way (raised, kind invalid)", function()
      local r = child({ RTC_AUTH_TOKEN = "env-tok-secret", HUAWEICLOUD_SDK_AK = "A",
                        HUAWEICLOUD_SDK_SK = "env-sk-secret" }, "{}", "return rtc.new(opts)")
      assert.equal("invalid", r.raised.kind)
      assert.truthy(r.raised.message:find("rtc.new: environment: both", 1, true))
      assert_no_secret(r)
    end)
  end)

  describe("bad input", function()
    it("a profile with an AK and no SK names the file and section", function()
      write(DEFAULT_FILE, "[basic]\nak = PROFAK123456\nproject_id = p\n")
      assert_invalid(resolve({}), "invalid", "profile " .. DEFAULT_FILE:gsub("%p", "%%%0")
                     .. " %[basic%]: ak is set without sk")
    end)

    it("a malformed profile names the file and the line, not its text", function()
      write(DEFAULT_FILE, "[basic]\nak = PROFAK123456\nprof-sk-secret\n")
      local r = resolve({})
      local e = assert_invalid(r, "invalid", "line 3: expected %[section%]")
      assert.truthy(e.message:find(DEFAULT_FILE, 1, true))
      assert_no_secret(r)
      write(DEFAULT_FILE, "[basic\nak = x\n")
      assert_invalid(resolve({}), "invalid", "line 1")
      write(DEFAULT_FILE, "[basic]\nak = A1\nak = A2\n")
      assert_invalid(resolve({}), "invalid", "line 3: ak appears twice")
      write(DEFAULT_FILE, "[basic]\nak = A\0B\n")
      assert_invalid(resolve({}), "invalid", "NUL")
    end)

    it("an unreadable or missing explicit file", function()
      assert_invalid(resolve({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = tmp .. "/nope" }), "invalid",
                     "cannot read it.*HUAWEICLOUD_SDK_CREDENTIALS_FILE")
      assert_invalid(resolve({}, ("{ credentials_file = %q }"):format(tmp)), "invalid",
                     "not a regular file")
      assert_invalid(resolve({}, ("{ credentials_file = %q }"):format(tmp .. "/nope")), "invalid",
                     "option credentials_file")
    end)

    it("a named profile that is not in the file", function()
      write(DEFAULT_FILE, "[basic]\nak = PROFAK123456\nsk = prof-sk-secret\nproject_id = p\n")
      assert_invalid(resolve({}, [[{ profile = "prod" }]]), "invalid", "no section %[prod%]")
      assert_invalid(resolve({}, [[{ profile = "a]b" }]]), "invalid", "option profile")
    end)

    it("AK/SK without project_id anywhere says which sources were tried", function()
      local e = assert_invalid(resolve({ HUAWEICLOUD_SDK_AK = "ENVAK1234567",
                                         HUAWEICLOUD_SDK_SK = "env-sk-secret" }),
                               "invalid", "project_id is required")
      assert.truthy(e.message:find("tried: options, env", 1, true), e.message)
      assert.truthy(e.message:find(DEFAULT_FILE, 1, true), e.message)
    end)

    it("control characters in a value are refused, naming the source and key", function()
      local r = resolve({ HUAWEICLOUD_SDK_AK = "ENVAK\r\nX: y", HUAWEICLOUD_SDK_SK = "env-sk-secret",
                          HUAWEICLOUD_SDK_PROJECT_ID = "p" })
      assert_invalid(r, "invalid", "HUAWEICLOUD_SDK_AK: expected")
    end)

    it("a bad RTC_METADATA value", function()
      assert_invalid(resolve({ RTC_METADATA = "yes" }), "invalid", "env RTC_METADATA")
    end)

    it("metadata: not JSON, no credential, expired keys, a bad time, a server error", function()
      local meta = start_metadata()
      finally(function() meta:stop() end)
      local opts = ("{ metadata = true, metadata_url = %q, project_id = 'p' }"):format(meta.url)
      for mode, expect in pairs({ ["not-json"] = { "invalid", "is not JSON" },
                                  ["no-credential"] = { "invalid", "\"credential\" object" },
                                  expired = { "invalid", "expired at" },
                                  ["bad-time"] = { "invalid", "expires_at is not a UTC time" },
                                  error = { "transport", "answered 500" },
                                  ["token-403"] = { "invalid", "api/token answered 403" } }) do
        meta:mode(mode)
        local r = resolve({}, opts)
        local e = assert_invalid(r, expect[1], expect[2])
        assert.truthy(e.message:find("metadata " .. meta.url, 1, true), e.message)
        assert_no_secret(r)
      end
    end)

    it("metadata unreachable: kind transport, quickly", function()
      local url = "http://127.0.0.1:" .. helper.free_port()
      local t0 = socket.gettime()
      local r = resolve({ RTC_METADATA = "true", RTC_METADATA_URL = url })
      assert.truthy(socket.gettime() - t0 < 8)
      local e = assert_invalid(r, "transport", "metadata " .. url:gsub("%p", "%%%0"))
      assert.truthy(e.message:find("api/token", 1, true))
      r = child({ RTC_METADATA = "1", RTC_METADATA_URL = url }, "{}", "return rtc.new(opts)")
      assert.equal("transport", r.raised.kind)
      assert_invalid(resolve({}, [[{ metadata = true, metadata_url = "ftp://x" }]]), "invalid",
                     "option metadata_url")
    end)

    it("misuse of argument types raises", function()
      for _, o in ipairs({ "{ ak = 1 }", "{ metadata = 'yes' }", "{ profile = {} }",
                           "{ debug = 1 }", "{ endpoint = 5 }" }) do
        local r = resolve({}, o)
        assert.truthy(r.raised, o)
        assert.truthy(r.raised.raised:find("rtc.credentials: opts.", 1, true), r.raised.raised)
      end
      local r = child({}, "nil", "return rtc.credentials(42)")
      assert.truthy(r.raised.raised:find("table expected", 1, true))
    end)
  end)

  describe("regions", function()
    it("cn-north-4 is the documented endpoint", function()
      local r = resolve({}, [[{ region = "cn-north-4" }]])
      assert.equal("https://rtc-api.myhuaweicloud.com", r.t.endpoint)
      assert.equal("cn-north-4", r.t.region)
    end)

    it("an unknown region is refused with the list of known ones", function()
      local e = assert_invalid(resolve({}, [[{ region = "mars-1" }]]), "invalid",
                               "region \"mars%-1\" is not known")
      assert.truthy(e.message:find("cn-north-4", 1, true))
      assert.equal("region", e.field)
      assert_invalid(resolve({ RTC_REGION = "mars-1" }), "invalid", "env RTC_REGION")
      local r = child({}, [[{ region = "mars-1", token = "t" }]], "return rtc.new(opts)")
      assert.equal("invalid", r.raised.kind)
      assert.truthy(r.raised.message:find("cn-north-4", 1, true))
    end)

    it("HUAWEICLOUD_SDK_REGION_CLOUDRTC_<REGION> overrides a region's endpoint", function()
      local r = resolve({ HUAWEICLOUD_SDK_REGION_CLOUDRTC_CN_NORTH_4 = "http://127.0.0.1:9" },
                        [[{ region = "cn-north-4" }]])
      assert.equal("http://127.0.0.1:9", r.t.endpoint)
      r = resolve({ HUAWEICLOUD_SDK_REGION_CLOUDRTC_AP_SOUTHEAST_9 = "http://127.0.0.1:8" },
                  [[{ region = "ap-southeast-9" }]])
      assert.equal("http://127.0.0.1:8", r.t.endpoint) -- a region the table lacks, too
      assert_invalid(resolve({ HUAWEICLOUD_SDK_REGION_CLOUDRTC_CN_NORTH_4 = "nope" },
                             [[{ region = "cn-north-4" }]]), "invalid",
                     "HUAWEICLOUD_SDK_REGION_CLOUDRTC_CN_NORTH_4: expected")
    end)

    it("rtc.new sends to the region's endpoint", function()
      local mock = helper.start_mock()
      finally(function() mock:stop() end)
      mock:seed_job("app1", { job_id = "j1", room_id = "r", user_id = "u", state = "RUNNING" })
      local r = child({ HUAWEICLOUD_SDK_REGION_CLOUDRTC_CN_NORTH_4 = mock.url,
                        RTC_AUTH_TOKEN = mock.token },
                      [[{ region = "cn-north-4" }]],
                      "local c = rtc.new(opts); local j, e = c:get_job('app1', 'j1'); " ..
                      "return j and j.job_id, e and tostring(e)")
      assert.equal("j1", r.t)
    end)
  end)

  describe("end to end", function()
    it("rtc.new uses profile keys to sign, and says where they came from in debug", function()
      local mock = helper.start_mock()
      finally(function() mock:stop() end)
      mock:seed_job("app1", { job_id = "j1", room_id = "r", user_id = "u", state = "RUNNING" })
      write(DEFAULT_FILE, ("[basic]\nak = %s\nsk = %s\nproject_id = %s\n"):format(mock.ak, mock.sk,
                                                                                   mock.project_id))
      local r = child({ RTC_ENDPOINT = mock.url }, "{}",
                      "local c = rtc.new(opts); local j, e = c:get_job('app1', 'j1'); " ..
                      "return j and j.job_id, e and tostring(e)")
      assert.equal("j1", r.t)
      local joined = table.concat(r.lines, "\n")
      assert.truthy(joined:find("credentials (AK/SK) from profile " .. DEFAULT_FILE, 1, true), joined)
      assert.is_nil(joined:find(mock.sk, 1, true))
    end)

    it("a call without any credentials names what was tried", function()
      local r = child({}, "{ endpoint = 'http://127.0.0.1:9' }",
                      "return rtc.new(opts):get_job('a', 'j')")
      assert.equal("invalid", r.err.kind)
      assert.truthy(r.err.message:find("tried: options", 1, true), r.err.message)
    end)

    it("rtc.configure with RTC_AUTH_TOKEN in the environment (the issue's first symptom)", function()
      local mock = helper.start_mock()
      finally(function() mock:stop() end)
      mock:seed_job("app1", { job_id = "j1", room_id = "r", user_id = "u", state = "RUNNING" })
      local r = child({ RTC_AUTH_TOKEN = mock.token, RTC_ENDPOINT = mock.url }, "nil",
                      "rtc.configure{ timeout = 5 }; local j, e = rtc.get_job('app1', 'j1'); " ..
                      "return j and j.job_id, e and tostring(e)")
      assert.equal("j1", r.t, cjson.encode(r))
    end)

    -- Keys that live 8 s: their refresh time is 4 s in, their end 8 s in (less the
    -- second the server rounds off). A failed refresh keeps the current keys; once they have
    -- expired, a call fails with the metadata error (nothing sent with stale keys).
    it("a failed refresh keeps the current keys until they expire", function()
      local meta, mock = metadata_and_mock(8, 5)
      local r = child({ RTC_METADATA = "1", RTC_METADATA_URL = meta.url, RTC_ENDPOINT = mock.url },
        "{}", [[
          local socket = require "socket"
          local http = require "socket.http"
          local c = rtc.new(opts)
          local first = c:get_job("app1", "j1")
          http.request(os.getenv("RTC_METADATA_URL") .. "/_meta/mode/error", "")
          socket.sleep(5)
          local during = c:get_job("app1", "j1")
          socket.sleep(4)
          local after, e = c:get_job("app1", "j1")
          return { first = first ~= nil, during = during ~= nil, after = after ~= nil,
                   kind = e and e.kind, message = e and e.message }
        ]])
      assert.truthy(r.t, cjson.encode(r))
      assert.is_true(r.t.first)
      assert.is_true(r.t.during)
      assert.is_false(r.t.after)
      assert.equal("transport", r.t.kind)
      assert.truthy(r.t.message:find("securitykey answered 500", 1, true), r.t.message)
      assert_no_secret(r)
      assert.equal(2, #mock:requests()) -- first and during: the expired keys sent nothing
    end)

    -- Keys that live 4 s are refreshed when half their life is gone (real ones: 5 minutes
    -- before expires_at). A run of calls over several lifetimes keeps working, fetches once
    -- per refresh time (not once per call), and never goes back to older keys. The bounds
    -- depend on counts, not on how fast the machine is.
    it("metadata keys are refreshed before they expire, once per expiry, during a long run", function()
      local meta, mock = metadata_and_mock(4, 200)
      local r = child({ RTC_METADATA = "1", RTC_METADATA_URL = meta.url, RTC_ENDPOINT = mock.url },
        "{}", [[
          local socket = require "socket"
          local c = rtc.new(opts)
          local calls, failures, t0 = 0, {}, socket.gettime()
          while socket.gettime() - t0 < 9 do
            local j, e = c:get_job("app1", "j1")
            calls = calls + 1
            if not j then failures[#failures + 1] = tostring(e) end
            socket.sleep(0.02)
          end
          return { calls = calls, failures = failures, elapsed = socket.gettime() - t0 }
        ]])
      assert.truthy(r.t, cjson.encode(r))
      assert.same({}, r.t.failures)
      local stats = meta:stats()
      -- at least one refresh; at most one per 2 s of run (plus the first fetch and slack)
      assert.truthy(stats.key_gets >= 2, "no refresh: " .. cjson.encode(stats))
      assert.truthy(stats.key_gets <= math.ceil(r.t.elapsed / 2) + 2,
                    "too many fetches: " .. cjson.encode(stats) .. " in " .. r.t.elapsed .. " s")
      assert.truthy(r.t.calls > stats.key_gets * 3) -- not once per call
      -- every request was signed, with keys in the order they were issued
      local last, used = 0, {}
      for _, req in ipairs(mock:requests()) do
        local ak = (req.headers.authorization or ""):match("Access=META%-AK%-(%d+)")
        assert.truthy(ak, "unsigned request")
        local n = tonumber(ak)
        assert.truthy(n >= last, "went back to older keys")
        assert.equal("meta-st-" .. n, req.headers["x-security-token"])
        last, used[n] = n, true
      end
      assert.equal(stats.key_gets, last) -- the newest keys were in use at the end
      for n = 1, last do assert.truthy(used[n], "keys " .. n .. " fetched but never used") end
    end)
  end)
end)
