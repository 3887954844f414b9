-- spec/mock/events_spec.lua — the mock's sending side of the recording events: what
-- mock/sparkrtc/events.lua queues (called directly, with a clock of our own), and what
-- mock/server.lua delivers in the background (to spec/support/receiver.lua) and lists on
-- GET /_mock/deliveries. The signatures are checked with the openssl command: an HMAC
-- independent of the mock's (luaossl) and the module's.
local helper = require "spec.helper"
local sparkrtc = require "sparkrtc"
local cjson = require "cjson"
local R = require "spec.support.mock_raw"

local KEY = "0123456789abcdef0123456789abcdef"
local APP = "/v2/apps/a1"
local TOKEN = { ["x-auth-token"] = "test-token" }
local RULE = { obs_addr = { location = "cn-north-4", project_id = "p", bucket = "bkt", object = "rec" },
  record_formats = { "HLS", "MP4" }, hls_config = { record_cycle = 60 }, mp4_config = { record_cycle = 120 } }

local openssl_hmac = helper.openssl_hmac

-- asserts the three headers and that an independent HMAC gives the signature
local function assert_signed(headers, body)
  local h = {}
  for k, v in pairs(headers) do h[k:lower()] = v end
  assert.matches("^%x+$", h["x-rtc-rand"])
  assert.matches("^%d+$", h["x-rtc-timestamp"])
  assert.equal(openssl_hmac(KEY, h["x-rtc-rand"] .. h["x-rtc-timestamp"] .. body), h["x-rtc-signature"])
end

-- record_duration written as a JSON integer (no fraction, no exponent) in the raw body
local function integer_in_body(body, field)
  return body:match('"' .. field .. '":(%-?%d+)[,}]') ~= nil
end

describe("mock recording events (sparkrtc, no sockets)", function()
  local now, api
  local function call(method, path, body)
    local p, q = sparkrtc.split_target(path)
    return api:handle{ method = method, target = path, path = p, query = q, headers = TOKEN,
      body = body and cjson.encode(body) or "" }
  end
  local function job_with_callback(cb, rule)
    assert.equal(200, call("PUT", APP .. "/record-callback", cb).status)
    local rule_id = "none"
    if rule ~= false then
      local r = call("POST", APP .. "/record-rules", rule or RULE)
      assert.equal(201, r.status)
      rule_id = cjson.decode(r.body).rule_id
    end
    local r = call("POST", APP .. "/individual-stream-jobs", { room_id = "room-1", user_id = "u1",
      select_stream_type = "HD", record_param = { record_rule_id = rule_id } })
    assert.equal(201, r.status)
    return cjson.decode(r.body)
  end
  local function events(box)
    local out = {}
    for _, d in ipairs(box) do out[#out + 1] = d.event .. (d.event ~= "CLOUD_RECORD_SERVER_OVER" and
      "/" .. cjson.decode(d.body).record_format or "") end
    return out
  end

  before_each(function()
    now = 1767225600
    api = sparkrtc.new{ clock = function() return now end }
  end)

  it("queues nothing for an app without a record callback", function()
    local r = call("POST", APP .. "/individual-stream-jobs", { room_id = "r", user_id = "u",
      record_param = { record_rule_id = "x" } })
    local job = cjson.decode(r.body)
    call("GET", APP .. "/individual-stream-jobs/" .. job.job_id)
    call("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id)
    assert.same({}, api:take_outbox())
  end)

  it("starts a file per format when the job runs, completes it at the stop, then ends the job", function()
    local job = job_with_callback({ url = "http://127.0.0.1:9/cb", auth_key = KEY })
    assert.same({}, api:take_outbox()) -- INIT: not yet recording
    call("GET", APP .. "/individual-stream-jobs/" .. job.job_id)
    assert.same({ "RECORD_NEW_FILE_START/HLS", "RECORD_NEW_FILE_START/MP4" }, events(api:take_outbox()))
    now = now + 45
    assert.equal(204, call("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id).status)
    local box = api:take_outbox()
    assert.same({ "RECORD_FILE_COMPLETE/HLS", "RECORD_FILE_COMPLETE/MP4", "CLOUD_RECORD_SERVER_OVER" }, events(box))
    local hls = cjson.decode(box[1].body)
    assert.equal("http://127.0.0.1:9/cb", box[1].url)
    assert.equal(job.job_id, hls.job_id)
    assert.equal("a1", hls.app_id)
    assert.equal("room-1", hls.room_id)
    assert.equal(job.stream_name, hls.stream_name)
    assert.equal(45, hls.record_duration)
    assert.is_true(integer_in_body(box[1].body, "record_duration"))
    assert.is_true(integer_in_body(box[1].body, "file_size"))
    assert.same({ 1280, 720 }, { hls.width, hls.height })
    assert.equal("bkt", hls.obs_bucket)
    assert.equal("cn-north-4", hls.obs_location)
    assert.matches("^rec/.+%.m3u8$", hls.obs_object)
    assert.equal("https://bkt.obs.cn-north-4.myhuaweicloud.com/" .. hls.obs_object, hls.download_url)
    assert.matches("%.mp4$", cjson.decode(box[2].body).obs_object)
    assert.equal("2026-01-01T00:00:00Z", hls.start_time)
    assert.equal("2026-01-01T00:00:45Z", hls.end_time)
    for _, d in ipairs(box) do assert_signed(d.headers, d.body) end
    -- and the module's verifier agrees (when the module is there: the mock spec runs without it too)
    local ok, rtc = pcall(require, "rtc")
    if ok then assert.truthy(rtc.events.verify(box[1].headers, box[1].body, KEY, { now = now })) end
  end)

  it("cuts a long recording into files of the record_cycle (a faster clock)", function()
    local job = job_with_callback({ url = "http://127.0.0.1:9/cb", auth_key = KEY })
    call("GET", APP .. "/individual-stream-jobs/" .. job.job_id)
    api:take_outbox()
    now = now + 150 -- HLS cycle 60: 60+60+30; MP4 cycle 120: 120+30
    call("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id)
    local box = api:take_outbox()
    assert.same({ "RECORD_FILE_COMPLETE/HLS", "RECORD_NEW_FILE_START/HLS", "RECORD_FILE_COMPLETE/HLS",
      "RECORD_NEW_FILE_START/HLS", "RECORD_FILE_COMPLETE/HLS", "RECORD_FILE_COMPLETE/MP4",
      "RECORD_NEW_FILE_START/MP4", "RECORD_FILE_COMPLETE/MP4", "CLOUD_RECORD_SERVER_OVER" }, events(box))
    local durations = {}
    for _, d in ipairs(box) do
      local b = cjson.decode(d.body)
      if b.record_duration then durations[#durations + 1] = b.record_duration end
    end
    assert.same({ 60, 60, 30, 120, 30 }, durations)
  end)

  it("makes one file for the whole job when the HLS record_cycle is 0", function()
    local rule = { obs_addr = RULE.obs_addr, record_formats = { "HLS" }, hls_config = { record_cycle = 0 } }
    local job = job_with_callback({ url = "http://127.0.0.1:9/cb", auth_key = KEY }, rule)
    call("GET", APP .. "/individual-stream-jobs/" .. job.job_id)
    api:take_outbox()
    now = now + 7200
    call("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id)
    local box = api:take_outbox()
    assert.same({ "RECORD_FILE_COMPLETE/HLS", "CLOUD_RECORD_SERVER_OVER" }, events(box))
    assert.equal(7200, cjson.decode(box[1].body).record_duration)
  end)

  it("sends unsigned events when the callback has no auth_key, and events of jobs stopped while INIT", function()
    local job = job_with_callback({ url = "http://127.0.0.1:9/cb" })
    call("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id)
    local box = api:take_outbox()
    assert.equal("RECORD_NEW_FILE_START", box[1].event)
    for _, d in ipairs(box) do
      assert.is_nil(d.headers["X-Rtc-Signature"])
      assert.is_false(d.signed)
    end
    assert.equal("CLOUD_RECORD_SERVER_OVER", box[#box].event)
  end)

  it("sends the events of jobs a room dismissal stops", function()
    local job = job_with_callback({ url = "http://127.0.0.1:9/cb", auth_key = KEY })
    call("POST", APP .. "/rooms/room-1/dismiss", {})
    local box = api:take_outbox()
    assert.equal("CLOUD_RECORD_SERVER_OVER", box[#box].event)
    assert.equal(job.job_id, cjson.decode(box[#box].body).job_id)
  end)

  it("filters file events by the callback's subscription, never CLOUD_RECORD_SERVER_OVER", function()
    local job = job_with_callback({ url = "http://127.0.0.1:9/cb", auth_key = KEY })
    api.apps.a1.record_callback.notify_event_subscription = { "RECORD_FILE_COMPLETE" }
    call("GET", APP .. "/individual-stream-jobs/" .. job.job_id)
    call("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id)
    assert.same({ "RECORD_FILE_COMPLETE/HLS", "RECORD_FILE_COMPLETE/MP4", "CLOUD_RECORD_SERVER_OVER" },
      events(api:take_outbox()))
  end)
end)

describe("mock recording events (server deliveries)", function()
  local mock, receiver_pid, port, out_file

  local function start_receiver(extra)
    out_file = os.tmpname()
    local pid, p = helper.spawn_listener("RECEIVER_PARENT_PID=" .. helper.my_pid() .. " " .. helper.MOCK_LUA .. " "
      .. helper.shell_quote(helper.ROOT .. "/spec/support/receiver.lua") .. " --out "
      .. helper.shell_quote(out_file) .. (extra or ""))
    assert(p, "receiver did not start")
    receiver_pid, port = pid, p
  end
  local function stop_receiver()
    if receiver_pid then os.execute("kill " .. receiver_pid .. " 2>/dev/null") end
    receiver_pid = nil
    if out_file then os.remove(out_file) end
  end
  local function received()
    local list = {}
    for line in (helper.read_file(out_file) or ""):gmatch("[^\n]+") do list[#list + 1] = cjson.decode(line) end
    return list
  end
  local function api(method, path, body)
    local status, text = mock:request(method, path, { headers = TOKEN, body = body and cjson.encode(body) })
    return status, text and text ~= "" and cjson.decode(text) or nil
  end
  local function settled()
    local list = mock:control("GET", "/_mock/deliveries")
    if #list == 0 then return nil end
    for _, d in ipairs(list) do
      if d.state == "pending" then return nil end
    end
    return list
  end
  -- a job created and stopped under app a1, its callback at url
  local function job_created_and_stopped(url, auth_key)
    assert.equal(200, (api("PUT", APP .. "/record-callback", { url = url, auth_key = auth_key })))
    local created, rule = api("POST", APP .. "/record-rules", RULE)
    assert.equal(201, created)
    local status, job = api("POST", APP .. "/individual-stream-jobs", { room_id = "room-1", user_id = "u1",
      record_param = { record_rule_id = rule.rule_id } })
    assert.equal(201, status)
    assert.equal(204, (api("DELETE", APP .. "/individual-stream-jobs/" .. job.job_id)))
    return job
  end

  setup(function() mock = helper.start_mock() end)
  teardown(function() mock:stop() end)
  before_each(function() mock:reset() end)
  after_each(stop_receiver)

  it("delivers signed events in order to the callback; an independent HMAC accepts them", function()
    start_receiver()
    local job = job_created_and_stopped("http://127.0.0.1:" .. port .. "/events?x=1", KEY)
    local list
    assert.is_true(R.wait_until(function() list = settled(); return list end, 30))
    assert.equal(5, #list) -- START HLS, MP4; COMPLETE HLS, MP4; OVER
    for _, d in ipairs(list) do
      assert.equal("delivered", d.state)
      assert.equal(200, d.status)
      assert.is_true(d.attempts >= 1) -- 1, unless a stalled machine made an attempt time out
      assert.equal("http://127.0.0.1:" .. port .. "/events?x=1", d.url)
      assert.is_true(d.signed)
    end
    -- what the receiver got, a retried delivery (same rand) counted once
    local got, rands = {}, {}
    for _, r in ipairs(received()) do
      if not rands[r.headers["x-rtc-rand"]] then rands[r.headers["x-rtc-rand"]] = true; got[#got + 1] = r end
    end
    assert.equal(5, #got)
    local complete
    for i, r in ipairs(got) do
      assert.equal("POST", r.method)
      assert.equal("/events?x=1", r.target)
      assert.equal(list[i].event, cjson.decode(r.body).event_type)
      assert_signed(r.headers, r.body)
      if list[i].event == "RECORD_FILE_COMPLETE" then complete = complete or r end
    end
    assert.truthy(complete, "a RECORD_FILE_COMPLETE")
    local ev = cjson.decode(complete.body)
    assert.equal(job.job_id, ev.job_id)
    assert.matches("^https://bkt%.obs%.cn%-north%-4%.myhuaweicloud%.com/rec/", ev.download_url)
    assert.is_true(integer_in_body(complete.body, "record_duration"))
    assert.equal("CLOUD_RECORD_SERVER_OVER", cjson.decode(got[5].body).event_type)
  end)

  it("retries a failed delivery with backoff and lists the attempts", function()
    start_receiver(" --fail 1")
    job_created_and_stopped("http://127.0.0.1:" .. port .. "/cb", KEY)
    local list
    assert.is_true(R.wait_until(function() list = settled(); return list end, 30))
    assert.equal("delivered", list[1].state)
    assert.equal(2, list[1].attempts)
    assert.equal(200, list[1].status)
    assert.equal(6, #received()) -- the first event twice
  end)

  it("gives up after 4 attempts on a receiver that is not there", function()
    local dead = helper.dead_port()
    job_created_and_stopped("http://127.0.0.1:" .. dead .. "/cb", KEY)
    local list
    assert.is_true(R.wait_until(function() list = settled(); return list end, 60))
    assert.equal("failed", list[1].state)
    assert.equal(4, list[1].attempts)
    assert.matches("connect", list[1].error)
  end)

  it("calls only loopback addresses (without --allow-callbacks-to-any), and no https", function()
    job_created_and_stopped("http://192.0.2.1:8080/cb", KEY)
    local list
    assert.is_true(R.wait_until(function() list = settled(); return list end, 30))
    for _, d in ipairs(list) do
      assert.equal("refused", d.state)
      assert.equal(0, d.attempts)
      assert.matches("loopback", d.error)
    end
    mock:reset()
    job_created_and_stopped("https://127.0.0.1:1/cb", KEY)
    assert.is_true(R.wait_until(function() list = settled(); return list end, 30))
    assert.equal("failed", list[1].state)
    assert.matches("https", list[1].error)
  end)
end)
