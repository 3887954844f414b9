-- spec/unit/join_signature_spec.lua: rtc.join_signature (JOIN.md: the client SDKs' access
-- authentication). The worked signatures are JOIN.md's (computed there with openssl dgst), and
-- other inputs are checked against the openssl command, not against this module's own output.
local helper = require "spec.helper"
local rtc = require "rtc"

local KEY = "0123456789abcdef0123456789abcdef"
local CTIME = 1764583200
local PLUS = "32cd71b546b8c5062d3d11cf79050f5a15c6839a844549f82a195dcbdf32bc55"
local PLAIN = "93afc2d39e2c1f9d12501f0ab3a350242f57dd327c9d83403e79de90e2fd216f"
local NOW = CTIME - 7200

-- hex HMAC-SHA256 by the openssl command (nil when there is none)
local openssl_hmac = helper.openssl_hmac

local function refused(field, ...)
  local sig, err = ...
  assert.is_nil(sig)
  assert.are.equal("table", type(err))
  assert.are.equal("invalid", err.kind)
  assert.are.equal(field, err.field)
  assert.matches("^invalid: " .. field .. ": ", tostring(err))
  return err
end

describe("rtc.join_signature: JOIN.md's worked signatures", function()
  it("'+' between the parts by default (the provider's sample code)", function()
    local sig, ctime = rtc.join_signature("my-app", KEY, "room-1", "user-1", { now = NOW })
    assert.are.equal(PLUS, sig)
    assert.are.equal(CTIME, ctime)
    assert.are.equal("number", type(ctime))
    assert.are.equal(string.format("%d", CTIME), string.format("%d", ctime))
  end)
  it("join = '+' is the default, said out loud", function()
    assert.are.equal(PLUS, (rtc.join_signature("my-app", KEY, "room-1", "user-1", { now = NOW, join = "+" })))
  end)
  it("join = '' is plain concatenation (the formula)", function()
    assert.are.equal(PLAIN, (rtc.join_signature("my-app", KEY, "room-1", "user-1", { now = NOW, join = "" })))
  end)
  it("an explicit ctime instead of a ttl", function()
    local sig, ctime = rtc.join_signature("my-app", KEY, "room-1", "user-1", { now = CTIME - 10, ctime = CTIME })
    assert.are.equal(PLUS, sig)
    assert.are.equal(CTIME, ctime)
  end)
  it("ttl sets the expiry: now + ttl", function()
    local sig, ctime = rtc.join_signature("my-app", KEY, "room-1", "user-1", { now = CTIME - 60, ttl = 60 })
    assert.are.equal(PLUS, sig)
    assert.are.equal(CTIME, ctime)
    local _, last = rtc.join_signature("a", KEY, "r", "u", { now = 1000, ttl = 43199 })
    assert.are.equal(1000 + 43199, last)
    local _, first = rtc.join_signature("a", KEY, "r", "u", { now = 1000, ttl = 1 })
    assert.are.equal(1001, first)
  end)
  it("without now: the clock's time plus 7200 seconds", function()
    local before = os.time()
    local sig, ctime = rtc.join_signature("a", KEY, "r", "u")
    local after = os.time()
    assert.matches("^%x+$", sig)
    assert.are.equal(64, #sig)
    assert.is_true(ctime >= before + 7200 and ctime <= after + 7200)
  end)
end)

describe("rtc.join_signature: agrees with openssl dgst", function()
  local have = openssl_hmac("k", "x") ~= nil
  local cases = {
    { "app 1", "a key with spaces and 'quotes'", "room/é", "user=1&x", 1700000000 },
    { "中文应用", "k", "r", "u", 4200 },
    { "a", string.rep("K", 200), string.rep("r", 256), "u", 101 },
  }
  for i, c in ipairs(cases) do
    it("case " .. i, function()
      if not have then pending("no openssl command") return end
      for _, sep in ipairs({ "+", "" }) do
        local sig, ctime = rtc.join_signature(c[1], c[2], c[3], c[4], { now = c[5] - 100, ctime = c[5], join = sep })
        assert.are.equal(c[5], ctime)
        assert.are.equal(openssl_hmac(c[2], table.concat({ c[1], c[3], c[4], tostring(c[5]) }, sep)), sig)
      end
    end)
  end
end)

describe("rtc.join_signature: refusals (nil, err; kind invalid, the field named)", function()
  local function sign(app, room, user, opts)
    return rtc.join_signature(app, KEY, room, user, opts or { now = NOW })
  end
  it("empty ids", function()
    refused("app_id", sign("", "r", "u"))
    refused("room_id", sign("a", "", "u"))
    refused("user_id", sign("a", "r", ""))
  end)
  it("control characters and NUL in an id", function()
    refused("app_id", sign("a\n", "r", "u"))
    refused("room_id", sign("a", "r\0x", "u"))
    refused("user_id", sign("a", "r", "u\127"))
    refused("user_id", sign("a", "r", "\27[2J"))
  end)
  it("an id that is not UTF-8, or over 256 bytes", function()
    refused("room_id", sign("a", "r\255", "u"))
    refused("user_id", sign("a", "r", string.rep("u", 257)))
  end)
  it("an empty key, without showing anything of it", function()
    local err = refused("app_key", rtc.join_signature("a", "", "r", "u", { now = NOW }))
    assert.are.equal("app_key: must not be empty", err.message)
  end)
  it("ttl out of range or not whole", function()
    for _, ttl in ipairs({ 0, -1, 43200, 86400, 1.5, 0 / 0, math.huge }) do
      refused("ttl", sign("a", "r", "u", { now = NOW, ttl = ttl }))
    end
  end)
  it("an expiry in the past, now, or more than 43199 s ahead", function()
    refused("ctime", sign("a", "r", "u", { now = NOW, ctime = NOW - 1 }))
    refused("ctime", sign("a", "r", "u", { now = NOW, ctime = NOW }))
    refused("ctime", sign("a", "r", "u", { now = NOW, ctime = NOW + 43200 }))
    refused("ctime", sign("a", "r", "u", { now = NOW, ctime = NOW + 0.5 }))
    local _, ctime = sign("a", "r", "u", { now = NOW, ctime = NOW + 43199 })
    assert.are.equal(NOW + 43199, ctime)
  end)
  it("ttl and ctime both", function()
    refused("ctime", sign("a", "r", "u", { now = NOW, ttl = 60, ctime = NOW + 60 }))
  end)
  it("a separator other than '+' or ''", function()
    for _, sep in ipairs({ "-", "++", " ", "\n" }) do
      refused("join", sign("a", "r", "u", { now = NOW, join = sep }))
    end
  end)
  it("a negative or fractional now", function()
    refused("now", sign("a", "r", "u", { now = -1 }))
    refused("now", sign("a", "r", "u", { now = 1.25 }))
  end)
  it("the first refused field is the one named (ids before times)", function()
    refused("user_id", sign("a", "r", "", { now = NOW, ttl = 0 }))
  end)
end)

describe("rtc.join_signature: misuse raises", function()
  local function raises(pattern, ...)
    local ok, e = pcall(rtc.join_signature, ...)
    assert.is_false(ok)
    assert.matches(pattern, tostring(e))
    return tostring(e)
  end
  it("arguments that are not strings, naming them", function()
    raises("app_id %(argument 1%): expected a string, got nil", nil, KEY, "r", "u")
    raises("app_key %(argument 2%): expected a string, got number", "a", 12345, "r", "u")
    raises("room_id %(argument 3%): expected a string, got table", "a", KEY, {}, "u")
    raises("user_id %(argument 4%): expected a string, got number", "a", KEY, "r", 7)
  end)
  it("opts not a table, options of the wrong type, unknown options", function()
    raises("opts: expected a table or nil, got string", "a", KEY, "r", "u", "ttl=5")
    raises("opts%.ttl: expected a number, got string", "a", KEY, "r", "u", { ttl = "60" })
    raises("opts%.ctime: expected a number", "a", KEY, "r", "u", { ctime = true })
    raises("opts%.now: expected a number", "a", KEY, "r", "u", { now = "1" })
    raises("opts%.join: expected a string", "a", KEY, "r", "u", { join = 1 })
    raises("opts%.tll: unknown option", "a", KEY, "r", "u", { tll = 60 })
    -- a name that is no short identifier is not echoed (it may be text from anywhere)
    local e = raises("opts: an unknown option", "a", KEY, "r", "u", { ["x\27[2J"] = 60 })
    assert.is_nil(e:find("\27", 1, true))
    raises("opts: unknown number key", "a", KEY, "r", "u", { 60 })
  end)
  it("reads opts raw: no metamethod runs", function()
    local touched = false
    local opts = setmetatable({ now = NOW }, { __index = function() touched = true return 60 end,
                                               __pairs = function() touched = true return next, {}, nil end })
    assert.are.equal(PLUS, (rtc.join_signature("my-app", KEY, "room-1", "user-1", opts)))
    assert.is_false(touched)
  end)
end)

describe("rtc.join_signature: the key is never shown", function()
  local secret = "S3cr3t-join-key-0123456789"
  it("in no error's message or text, whatever is refused or misused", function()
    local attempts = {
      { "", secret, "r", "u", { now = NOW } },
      { "a", secret, "r", "u", { now = NOW, ttl = 0 } },
      { "a", secret, "r", "u", { now = NOW, ctime = 1 } },
      { "a", secret, "r", "u", { now = NOW, join = secret } },
      { "a", secret, "r", "u", { [secret:upper()] = 1 } },
      { "a", secret, "r", "u", { join = {} } },
      { "a", secret, 1, "u" },
    }
    for _, a in ipairs(attempts) do
      local ok, sig, err = pcall(rtc.join_signature, a[1], a[2], a[3], a[4], a[5])
      local text = ok and tostring(err) or tostring(sig)
      assert.is_nil(text:find(secret, 1, true), text)
      if ok then
        assert.is_nil(sig)
        for _, v in pairs(err) do assert.is_nil(tostring(v):find(secret, 1, true)) end
      end
    end
  end)
end)
