-- memcheck/kit.lua: what the sections of memcheck/driver.lua (memcheck/sections/*.lua) share: a
-- tiny assertion kit counting its checks, the list of sections, and the fixtures (one mock
-- server for the whole run, started when this is loaded).
local helper = require "spec.helper"

local kit = { checks = 0, current = "?", sections = {} }
kit.helper = helper
kit.rtc = require "rtc"
kit.clock = helper.gettime

---------------------------------------------------------------------------------------------
-- a tiny assertion kit
---------------------------------------------------------------------------------------------
local function fail(msg, level)
  error(("memcheck driver: FAILED in section %q: %s"):format(kit.current, msg), (level or 1) + 1)
end

local function check(cond, msg)
  kit.checks = kit.checks + 1
  if not cond then fail(msg, 2) end
  return cond
end

local function eq(got, want, what)
  kit.checks = kit.checks + 1
  if got ~= want then
    fail(("%s: expected %s, got %s"):format(what, tostring(want), tostring(got)), 2)
  end
end

-- a successful call: the result is a table and there is no error (the label comes first, so
-- that a call's results, however many, follow it)
local function ok(what, res, err)
  kit.checks = kit.checks + 1
  if type(res) ~= "table" or err ~= nil then
    fail(("%s: expected a result, got %s, %s"):format(what, tostring(res), tostring(err)), 2)
  end
  return res
end

-- a failed call: nil and an rtc.error of the given kind (and status unless nil)
local function failed(kind, status, what, res, err)
  kit.checks = kit.checks + 1
  if res ~= nil or type(err) ~= "table" then
    fail(("%s: expected nil, err(%s), got %s, %s"):format(what, kind, tostring(res),
      tostring(err)), 2)
  end
  if err.kind ~= kind then
    fail(("%s: expected kind %q, got %q (%s)"):format(what, kind, tostring(err.kind),
      tostring(err)), 2)
  end
  if status ~= nil and err.status ~= status then
    fail(("%s: expected status %s, got %s (%s)"):format(what, tostring(status),
      tostring(err.status), tostring(err)), 2)
  end
  check(getmetatable(err) ~= nil and type(tostring(err)) == "string" and #tostring(err) > 0,
    what .. ": the error has a __tostring")
  return err
end

-- f raises; returns the error value
local function raises(f, what, pattern)
  kit.checks = kit.checks + 1
  local okc, e = pcall(f)
  if okc then fail(what .. ": expected an error to be raised", 2) end
  if pattern then
    local s = type(e) == "table" and tostring(e.message or e) or tostring(e)
    if not s:find(pattern) then
      fail(("%s: raised %q, which does not match %q"):format(what, s, pattern), 2)
    end
  end
  return e
end

local function gc()
  collectgarbage("collect")
  collectgarbage("collect")
end
kit.fail, kit.check, kit.eq, kit.ok, kit.failed, kit.raises, kit.gc = fail, check, eq, ok, failed, raises, gc

-- a section: its name (for MEMCHECK_ONLY / MEMCHECK_SKIP) and the function that walks its paths
function kit.section(name, fn) kit.sections[#kit.sections + 1] = { name = name, fn = fn } end

---------------------------------------------------------------------------------------------
-- fixtures
---------------------------------------------------------------------------------------------
local mock = helper.start_mock()         -- token test-token, AK/SK test-ak:test-sk, test-project
local REFUSED = "http://127.0.0.1:1"     -- nothing listens on port 1: connection refused
local APP = "app-memcheck"
local GOOD_CREATE = { room_id = "room-1", user_id = "user-1", is_record_audio = true,
  video_type = "CAMERASTREAM", select_stream_type = "HD", max_idle_time = 30,
  record_param = { record_rule_id = "rule-1" }, publish_param = { rtmp_urls = { "rtmp://x/live" } } }
local GOOD_UPDATE = { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com", "rtmps://b/c" } },
  record_param = { record_rule_id = "5f5e172b9016ed5b0961a43" } }
-- generous but bounded: a mock answer takes milliseconds natively, ~1 s under valgrind at worst
local SLOW = { timeout = 30, connect_timeout = 10, deadline = 60 }

local function opts(extra)
  local o = {}
  for k, v in pairs(SLOW) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function requests_count() return #mock:requests() end

kit.mock, kit.REFUSED, kit.APP, kit.SLOW = mock, REFUSED, APP, SLOW
kit.GOOD_CREATE, kit.GOOD_UPDATE = GOOD_CREATE, GOOD_UPDATE
kit.opts, kit.requests_count = opts, requests_count

return kit
