-- spec/unit/events_spec.lua: rtc.events.verify and rtc.events.sign (EVENTS.md), pure: every
-- check passes opts.now; the independent HMAC is the openssl command.
local helper = require "spec.helper"
local rtc = require "rtc"

local KEY = "0123456789abcdef0123456789abcdef"
local BODY = '{"event_type":"RECORD_NEW_FILE_START","job_id":"my-job"}'
local RAND, TS = "8c1f4e2a", "1764576000"
local SIG = "f814ec9ab006b1afcb9806cea8367eb9be673b19ebb29cc90540e97a3fa16db6"
local NOW = 1764576000

local function worked(over)
  local h = { ["X-Rtc-Rand"] = RAND, ["X-Rtc-Timestamp"] = TS, ["X-Rtc-Signature"] = SIG }
  for k, v in pairs(over or {}) do h[k] = v ~= false and v or nil end
  return h
end

local openssl_hmac = helper.openssl_hmac

local COMPLETE = [[{"event_type":"RECORD_FILE_COMPLETE","app_id":"my-app","room_id":"room-1",
 "job_id":"my-job","stream_name":"room-1_user-1","record_format":"HLS",
 "download_url":"https://my-bucket.obs.cn-north-4.myhuaweicloud.com/rec/room-1_user-1.m3u8",
 "file_size":1048576,"record_duration":65,"start_time":"2026-12-01T08:00:00Z",
 "end_time":"2026-12-01T08:01:05Z","width":1280,"height":720,"obs_location":"cn-north-4",
 "obs_bucket":"my-bucket","obs_object":"rec/room-1_user-1.m3u8","new_field":{"x":[1,2]}}]]

describe("rtc.events.verify", function()
  it("accepts the worked signature of EVENTS.md and returns the event with the headers", function()
    local ev, err = rtc.events.verify(worked(), BODY, KEY, { now = NOW })
    assert.is_nil(err)
    assert.equal("RECORD_NEW_FILE_START", ev.event_type)
    assert.equal("my-job", ev.job_id)
    assert.same({ rand = RAND, timestamp = TS, signature = SIG }, ev.x_rtc)
  end)

  it("matches header names in any case (as ngx.req.get_headers gives them)", function()
    local h = { ["x-rtc-rand"] = RAND, ["X-RTC-TIMESTAMP"] = TS, ["x-Rtc-Signature"] = SIG:upper() }
    assert.truthy(rtc.events.verify(h, BODY, KEY, { now = NOW }))
  end)

  it("refuses a tampered body, a wrong key, a changed rand or timestamp as signature", function()
    local cases = {
      { worked(), BODY:gsub("my%-job", "my-jab"), KEY },
      { worked(), BODY .. " ", KEY },
      { worked(), BODY, KEY:gsub("0", "1") },
      { worked{ ["X-Rtc-Rand"] = "8c1f4e2b" }, BODY, KEY },
      { worked{ ["X-Rtc-Timestamp"] = "1764576001" }, BODY, KEY },
      { worked{ ["X-Rtc-Signature"] = SIG:sub(1, 63) .. "7" }, BODY, KEY },
    }
    for i, c in ipairs(cases) do
      local ev, err = rtc.events.verify(c[1], c[2], c[3], { now = NOW })
      assert.is_nil(ev, "case " .. i)
      helper.is_error(err, "signature")
      assert.matches("does not match", err.message)
      assert.not_matches(SIG, tostring(err))
    end
  end)

  it("refuses missing or malformed signature headers while a key is given", function()
    for _, name in ipairs({ "X-Rtc-Rand", "X-Rtc-Timestamp", "X-Rtc-Signature" }) do
      local ev, err = rtc.events.verify(worked{ [name] = false }, BODY, KEY, { now = NOW })
      assert.is_nil(ev)
      helper.is_error(err, "signature")
      assert.matches(name, err.message, 1, true)
    end
    for _, over in ipairs({ { ["X-Rtc-Signature"] = "xyz" }, { ["X-Rtc-Signature"] = SIG .. "0" },
                            { ["X-Rtc-Timestamp"] = "17645760.0" }, { ["X-Rtc-Timestamp"] = "" },
                            { ["X-Rtc-Rand"] = "a b" } }) do
      local ev, err = rtc.events.verify(worked(over), BODY, KEY, { now = NOW })
      assert.is_nil(ev)
      helper.is_error(err, "signature")
    end
  end)

  it("refuses a header given twice", function()
    local h = worked()
    h["x-rtc-rand"] = RAND
    local ev, err = rtc.events.verify(h, BODY, KEY, { now = NOW })
    assert.is_nil(ev)
    helper.is_error(err, "signature")
    assert.matches("more than once", err.message)
    ev, err = rtc.events.verify(worked{ ["X-Rtc-Rand"] = { RAND, RAND } }, BODY, KEY, { now = NOW })
    assert.is_nil(ev)
    helper.is_error(err, "signature")
  end)

  it("bounds the timestamp by max_age in both directions (default 300 s), or not at all", function()
    assert.truthy(rtc.events.verify(worked(), BODY, KEY, { now = NOW + 300 }))
    assert.truthy(rtc.events.verify(worked(), BODY, KEY, { now = NOW - 300 }))
    local ev, err = rtc.events.verify(worked(), BODY, KEY, { now = NOW + 301 })
    assert.is_nil(ev)
    helper.is_error(err, "signature")
    assert.matches("behind", err.message)
    ev, err = rtc.events.verify(worked(), BODY, KEY, { now = NOW - 301 })
    assert.is_nil(ev)
    assert.matches("ahead", err.message)
    assert.is_nil(rtc.events.verify(worked(), BODY, KEY, { now = NOW + 61, max_age = 60 }))
    assert.truthy(rtc.events.verify(worked(), BODY, KEY, { now = NOW + 1e6, max_age = false }))
    -- without opts.now: the clock (the worked timestamp is long past)
    ev, err = rtc.events.verify(worked(), BODY, KEY)
    assert.is_nil(ev)
    helper.is_error(err, "signature")
  end)

  it("reads a timestamp of 10^11 or more as milliseconds", function()
    local ms = tostring(NOW) .. "250"
    local h = rtc.events.sign(BODY, KEY, { rand = RAND, timestamp = ms })
    assert.truthy(rtc.events.verify(h, BODY, KEY, { now = NOW }))
    assert.is_nil(rtc.events.verify(h, BODY, KEY, { now = NOW + 301 }))
    h = rtc.events.sign(BODY, KEY, { rand = RAND, timestamp = "99999999999" }) -- 10^11 - 1: seconds
    assert.is_nil(rtc.events.verify(h, BODY, KEY, { now = NOW }))
  end)

  it("accepts an unsigned callback when auth_key is false", function()
    local ev = assert(rtc.events.verify({}, BODY, false))
    assert.equal("my-job", ev.job_id)
    assert.same({}, ev.x_rtc)
  end)

  it("types every documented field and keeps unknown fields", function()
    local ev = assert(rtc.events.verify({}, COMPLETE, false))
    assert.equal(65, ev.record_duration)
    assert.equal(1048576, ev.file_size)
    assert.equal(1280, ev.width)
    assert.equal(720, ev.height)
    if math.type then
      for _, f in ipairs({ "record_duration", "file_size", "width", "height" }) do
        assert.equal("integer", math.type(ev[f]), f)
      end
    end
    assert.equal("rec/room-1_user-1.m3u8", ev.obs_object)
    assert.same({ x = { 1, 2 } }, ev.new_field)
  end)

  it("refuses bodies that are not JSON objects as decode", function()
    for _, body in ipairs({ "", "   ", "[1,2]", '"x"', "42", "null", "{", '{"a":1}x', "\255{}" }) do
      local ev, err = rtc.events.verify({}, body, false)
      assert.is_nil(ev, body)
      helper.is_error(err, "decode")
    end
  end)

  it("refuses wrongly typed or out-of-range fields as decode, naming the field", function()
    local cases = {
      record_duration = '{"record_duration":6.5}', file_size = '{"file_size":-1}',
      width = '{"width":true}', height = '{"height":3000000000}', job_id = '{"job_id":{}}',
      download_url = '{"download_url":[1]}', event_type = '{"event_type":false}',
      start_time = '{"start_time":{"a":1}}',
    }
    for field, body in pairs(cases) do
      local ev, err = rtc.events.verify({}, body, false)
      assert.is_nil(ev, body)
      helper.is_error(err, "decode")
      assert.equal(field, err.field)
      assert.matches(field, tostring(err), 1, true)
    end
  end)

  it("checks the signature before it reads the body", function()
    local ev, err = rtc.events.verify(worked(), "not json", KEY, { now = NOW })
    assert.is_nil(ev)
    helper.is_error(err, "signature")
  end)

  it("raises on misuse", function()
    assert.has_error(function() rtc.events.verify(nil, BODY, KEY) end)
    assert.has_error(function() rtc.events.verify({}, nil, KEY) end)
    assert.has_error(function() rtc.events.verify({}, BODY) end)
    assert.has_error(function() rtc.events.verify({}, BODY, true) end)
    assert.has_error(function() rtc.events.verify({}, BODY, 5) end)
    assert.has_error(function() rtc.events.verify({}, BODY, KEY, { max_age = "5" }) end)
    assert.has_error(function() rtc.events.verify({}, BODY, KEY, { max_age = -1 }) end)
    assert.has_error(function() rtc.events.verify({}, BODY, KEY, { now = "x" }) end)
    assert.has_error(function() rtc.events.verify({ ["X-Rtc-Rand"] = 5 }, BODY, KEY) end)
  end)

  it("never runs a metamethod of the headers or opts tables", function()
    local trap = setmetatable({}, { __index = function() error("metamethod ran") end })
    assert.is_nil((rtc.events.verify(trap, BODY, KEY, setmetatable({}, getmetatable(trap)))))
  end)
end)

describe("rtc.events.sign", function()
  it("gives the worked signature and the three headers", function()
    assert.same({ ["X-Rtc-Rand"] = RAND, ["X-Rtc-Timestamp"] = TS, ["X-Rtc-Signature"] = SIG },
      rtc.events.sign(BODY, KEY, { rand = RAND, timestamp = tonumber(TS) }))
  end)

  it("signs what an independent HMAC (openssl dgst -hmac) computes, with a fresh rand", function()
    local h = rtc.events.sign(COMPLETE, KEY)
    assert.matches("^%x+$", h["X-Rtc-Rand"])
    assert.matches("^%d+$", h["X-Rtc-Timestamp"])
    assert.equal(openssl_hmac(KEY, h["X-Rtc-Rand"] .. h["X-Rtc-Timestamp"] .. COMPLETE),
      h["X-Rtc-Signature"])
    assert.not_equal(h["X-Rtc-Rand"], rtc.events.sign(COMPLETE, KEY)["X-Rtc-Rand"])
    assert.truthy(rtc.events.verify(h, COMPLETE, KEY)) -- the clock, both sides
  end)

  it("raises on misuse", function()
    assert.has_error(function() rtc.events.sign(nil, KEY) end)
    assert.has_error(function() rtc.events.sign(BODY, nil) end)
    assert.has_error(function() rtc.events.sign(BODY, KEY, { rand = "a b" }) end)
    assert.has_error(function() rtc.events.sign(BODY, KEY, { timestamp = "12x" }) end)
    assert.has_error(function() rtc.events.sign(BODY, KEY, { timestamp = 1.5 }) end)
  end)
end)
