-- spec/mock/join_check_spec.lua: the mock's join check (POST /_mock/join, mock/sparkrtc/join.lua:
-- its own HMAC, luaossl's) accepts what rtc.join_signature and rtcjob join-signature make, by
-- the same rule, and refuses a wrong key, a wrong separator, a tampered value, an expiry passed
-- or too far ahead.
local helper = require "spec.helper"
local rtc = require "rtc"

local KEY = "0123456789abcdef0123456789abcdef"

describe("mock: POST /_mock/join", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  local function join(v) return mock:control("POST", "/_mock/join", v, v.want or 200) end

  local function signed(opts)
    local now = os.time()
    local o = { now = now, join = opts and opts.join, ttl = opts and opts.ttl }
    local signature, ctime = assert(rtc.join_signature("my-app", KEY, "room-1", "user-1", o))
    return { app_key = KEY, app_id = "my-app", room_id = "room-1", user_id = "user-1", ctime = ctime,
             signature = signature }
  end

  before_each(function() mock:reset() end)

  it("accepts rtc.join_signature's '+' signature, and '' when asked for", function()
    assert.is_true(join(signed()).ok)
    local plain = signed({ join = "" })
    plain.join = ""
    assert.is_true(join(plain).ok)
    assert.is_true(join(signed({ ttl = 43199 })).ok)
  end)

  it("accepts JOIN.md's worked signatures with its clock moved to their time", function()
    mock:config({ clock_offset = 1764583200 - 7200 - os.time() })
    local v = { app_key = KEY, app_id = "my-app", room_id = "room-1", user_id = "user-1", ctime = 1764583200,
                signature = "32cd71b546b8c5062d3d11cf79050f5a15c6839a844549f82a195dcbdf32bc55" }
    assert.is_true(join(v).ok)
    v.join, v.signature = "", "93afc2d39e2c1f9d12501f0ab3a350242f57dd327c9d83403e79de90e2fd216f"
    assert.is_true(join(v).ok)
  end)

  it("accepts what rtcjob join-signature prints", function()
    local key_file = helper.write_temp(KEY)
    local r = helper.rtcjob("join-signature my-app 'room 2' user-2 --ttl 600 --json --app-key-file "
      .. helper.shell_quote(key_file))
    os.remove(key_file)
    assert.are.equal(0, r.code, r.err)
    local v = r.json
    v.app_key, v.expires_at = KEY, nil
    assert.is_true(join(v).ok)
  end)

  it("refuses a wrong key, the other separator, a changed value, an expiry passed or too far", function()
    local cases = {
      { function(v) v.app_key = KEY:upper() end, "signature" },
      { function(v) v.join = "" end, "signature" },
      { function(v) v.user_id = "user-2" end, "signature" },
      { function(v) v.ctime = v.ctime + 1 end, "signature" },
      { function(v) v.ctime = os.time() - 1 end, "ctime: expired" },
      { function(v) v.ctime = os.time() + 43199 + 60 end, "ctime: more than" },
      { function(v) v.join = "-" end, "join" },
      { function(v) v.room_id = nil end, "room_id" },
    }
    for i, c in ipairs(cases) do
      local v = signed()
      c[1](v)
      v.want = 401
      local r = join(v)
      assert.is_false(r.ok, "case " .. i)
      assert.matches(c[2], r.error, 1, true)
    end
  end)
end)
