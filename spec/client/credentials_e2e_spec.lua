-- spec/client/credentials_e2e_spec.lua — the credentials chain: regions, and end to end (rtc.new
-- signing with profile keys, a call without credentials, rtc.configure, the metadata keys refreshed
-- in a long run). The chain's sources: credentials_spec.lua.
local helper = require "spec.helper"
local cjson = require "cjson"

local K = require("spec.support.credentials").new()
local q, tmp, DEFAULT_FILE, write = K.q, K.tmp, K.DEFAULT_FILE, K.write
local child, resolve, assert_invalid, assert_no_secret = K.child, K.resolve, K.assert_invalid, K.assert_no_secret
local start_metadata = K.start_metadata

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

describe("credentials chain", function()
  before_each(function() os.remove(DEFAULT_FILE) end)
  teardown(function() os.execute("rm -rf " .. q(tmp)) end)

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

    -- Keys that live 10 s: their refresh time is at most 5 s in, their end 9 to 10 s in (the
    -- server rounds off the second). A failed refresh keeps the current keys; once they have
    -- expired, a call fails with the metadata error (nothing sent with stale keys). The sleeps
    -- are lower bounds: "during" comes at least 5.5 s after the keys were fetched (past the
    -- refresh time) and 3.5 s before their end; "after" at least 10 s after (past their end).
    it("a failed refresh keeps the current keys until they expire", function()
      local meta, mock = metadata_and_mock(10, 5)
      local r = child({ RTC_METADATA = "1", RTC_METADATA_URL = meta.url, RTC_ENDPOINT = mock.url },
        "{}", [[
          local socket = require "socket"
          local http = require "socket.http"
          local c = rtc.new(opts)
          local first = c:get_job("app1", "j1")
          http.request(os.getenv("RTC_METADATA_URL") .. "/_meta/mode/error", "")
          socket.sleep(5.5)
          local during = c:get_job("app1", "j1")
          socket.sleep(4.5)
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
    -- depend on counts, not on how fast the machine is: the run lasts 9 s and 100 calls at
    -- least, and a refresh time is more than 1.5 s after the fetch (a life of 3 to 4 s, as the
    -- server rounds off the second), so at most elapsed / 1.5 + 1 fetches.
    it("metadata keys are refreshed before they expire, once per expiry, during a long run", function()
      local meta, mock = metadata_and_mock(4, 200)
      local r = child({ RTC_METADATA = "1", RTC_METADATA_URL = meta.url, RTC_ENDPOINT = mock.url },
        "{}", [[
          local socket = require "socket"
          local c = rtc.new(opts)
          local calls, failures, t0 = 0, {}, socket.gettime()
          while socket.gettime() - t0 < 9 or calls < 100 do
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
      -- at least one refresh; at most one per 1.5 s of run (plus the first fetch and one more)
      assert.truthy(stats.key_gets >= 2, "no refresh: " .. cjson.encode(stats))
      assert.truthy(stats.key_gets <= r.t.elapsed / 1.5 + 2,
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
