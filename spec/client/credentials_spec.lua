-- spec/client/credentials_spec.lua — the credentials chain (options → environment → profile file →
-- opt-in ECS metadata): each source alone, precedence, mixing refused, bad input. Every case runs in
-- a child interpreter (spec/support/credentials.lua). Regions and end to end: credentials_e2e_spec.lua.
local helper = require "spec.helper"
local cjson = require "cjson"
local socket = require "socket"

local K = require("spec.support.credentials").new()
local q, tmp, DEFAULT_FILE, write = K.q, K.tmp, K.DEFAULT_FILE, K.write
local child, resolve, assert_invalid = K.child, K.resolve, K.assert_invalid
local assert_no_secret, start_metadata = K.assert_no_secret, K.start_metadata

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
      local url = "http://127.0.0.1:" .. helper.dead_port()
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

end)
