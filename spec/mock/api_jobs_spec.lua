-- luacheck: max line length 160
-- spec/mock/api_jobs_spec.lua — the mock's API (mock/sparkrtc.lua called directly): record rules and
-- jobs, auto-record mode and the record callback, mix-stream jobs, rooms, OBS buckets: the state
-- machines and the cross-resource rules.
require "spec.helper" -- the module paths: ./mock/?.lua (sparkrtc), the build
local M = require "spec.support.mock_api"
local TS, new_api, call, ok, fails, create_app = M.TS, M.new_api, M.call, M.ok, M.fails, M.create_app
local RULE, job_body, MIX = M.RULE, M.job_body, M.MIX

describe("mock API: record rules and jobs", function()
  local api, app, base
  before_each(function()
    api = new_api()
    app = create_app(api, "a")
    base = "/v2/apps/" .. app
  end)

  it("lenient: an app without rules takes any record_rule_id", function()
    ok(call(api, "POST", base .. "/individual-stream-jobs", job_body("whatever")), 201)
    ok(call(api, "POST", base .. "/mix-stream-jobs", { mix_param = MIX.mix_param, record_param = { record_rule_id = "x" } }), 201)
  end)

  it("an app with rules refuses jobs naming no rule of its own (400 RTC.00001003)", function()
    local rule = ok(call(api, "POST", base .. "/record-rules", RULE), 201).rule_id
    local other = create_app(api, "b")
    local foreign = ok(call(api, "POST", "/v2/apps/" .. other .. "/record-rules", RULE), 201).rule_id
    fails(call(api, "POST", base .. "/individual-stream-jobs", job_body("nope")), 400, "RTC.00001003", "record_rule_id")
    fails(call(api, "POST", base .. "/individual-stream-jobs", job_body(foreign)), 400, "RTC.00001003", "record_rule_id")
    fails(call(api, "POST", base .. "/mix-stream-jobs", { mix_param = MIX.mix_param, record_param = { record_rule_id = "nope" } }),
      400, "RTC.00001003", "record_param.record_rule_id")
    local job = ok(call(api, "POST", base .. "/individual-stream-jobs", job_body(rule)), 201)
    fails(call(api, "PUT", base .. "/individual-stream-jobs/" .. job.job_id, { record_param = { record_rule_id = "nope" } }),
      400, "RTC.00001003", "record_rule_id")
    ok(call(api, "PUT", base .. "/individual-stream-jobs/" .. job.job_id, { record_param = { record_rule_id = rule } }))
    -- a publish-only job names no rule and needs none
    ok(call(api, "POST", base .. "/individual-stream-jobs", { room_id = "r", user_id = "u", publish_param = { rtmp_urls = { "rtmp://x/y" } } }), 201)
  end)

  it("strict: jobs need a rule of their app even when it has none", function()
    api:configure({ strict = true })
    fails(call(api, "POST", base .. "/individual-stream-jobs", job_body("x")), 400, "RTC.00001003")
    fails(call(api, "POST", "/v2/apps/never-created/individual-stream-jobs", job_body("x")), 404, "RTC.00001003")
    fails(call(api, "POST", "/v2/apps/never-created/record-rules", RULE), 404, "RTC.00001003")
    local rule = ok(call(api, "POST", base .. "/record-rules", RULE), 201).rule_id
    ok(call(api, "POST", base .. "/individual-stream-jobs", job_body(rule)), 201)
  end)

  it("lenient: a job or setting call on an app never created makes it", function()
    ok(call(api, "POST", "/v2/apps/implicit/individual-stream-jobs", job_body()), 201)
    ok(call(api, "POST", "/v2/apps/other/record-rules", RULE), 201)
    local a = ok(call(api, "GET", "/v2/apps/implicit"))
    assert.are.equal("implicit", a.app_name)
    assert.are.equal(3, ok(call(api, "GET", "/v2/apps")).count)
    fails(call(api, "POST", "/v2/apps/no-such-app/record-rules", RULE), 404, "RTC.00001003")
  end)

  it("refuses to delete a rule in use (400 RTC.00001013) by a running job, a mix job or auto-record", function()
    local rule = ok(call(api, "POST", base .. "/record-rules", RULE), 201).rule_id
    local item = base .. "/record-rules/" .. rule
    local job = ok(call(api, "POST", base .. "/individual-stream-jobs", job_body(rule)), 201)
    fails(call(api, "DELETE", item), 400, "RTC.00001013", job.job_id)
    ok(call(api, "GET", base .. "/individual-stream-jobs/" .. job.job_id)) -- RUNNING: still in use
    fails(call(api, "DELETE", item), 400, "RTC.00001013")
    ok(call(api, "DELETE", base .. "/individual-stream-jobs/" .. job.job_id), 204)
    local m = ok(call(api, "POST", base .. "/mix-stream-jobs", { mix_param = MIX.mix_param, record_param = { record_rule_id = rule } }), 201)
    fails(call(api, "DELETE", item), 400, "RTC.00001013", "mix job " .. m.job_id)
    ok(call(api, "DELETE", base .. "/mix-stream-jobs/" .. m.job_id), 204)
    ok(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = rule }))
    fails(call(api, "DELETE", item), 400, "RTC.00001013", "auto-record")
    ok(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_RECORD_OFF" }))
    ok(call(api, "DELETE", item), 204)
  end)
end)

describe("mock API: auto-record mode and record callback", function()
  local api, base
  before_each(function()
    api = new_api()
    base = "/v2/apps/" .. create_app(api, "a")
  end)

  it("auto-record: off by default, switched on with a rule of the app, off again", function()
    local app_id = base:match("[^/]+$")
    assert.are.same({ app_id = app_id, auto_record_mode = { mode = "AUTO_RECORD_OFF", update_time = TS } },
      ok(call(api, "GET", base .. "/auto-record-mode")))
    local rule = ok(call(api, "POST", base .. "/record-rules", RULE), 201).rule_id
    local u = ok(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = rule }))
    assert.are.same({ mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = rule, update_time = TS }, u.auto_record_mode)
    assert.are.same(u, ok(call(api, "GET", base .. "/auto-record-mode")))
    assert.are.same(u.auto_record_mode, ok(call(api, "GET", base)).auto_record_mode)
    fails(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_INDIVIDUAL_RECORD" }), 400, "RTC.00001005", "record_rule_id")
    fails(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = "" }), 400, "RTC.00001003")
    fails(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = "nope" }), 400, "RTC.00001003")
    fails(call(api, "PUT", base .. "/auto-record-mode", {}), 400, "RTC.00001005", "mode")
    fails(call(api, "PUT", base .. "/auto-record-mode", { mode = "ON" }), 400, "RTC.00001003", "mode")
    fails(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_RECORD_OFF", x = 1 }), 400, "RTC.00001003", "x")
    fails(call(api, "PUT", base .. "/auto-record-mode", ""), 400, "RTC.00001002")
    assert.are.equal("AUTO_RECORD_OFF", ok(call(api, "PUT", base .. "/auto-record-mode", { mode = "AUTO_RECORD_OFF" })).auto_record_mode.mode)
  end)

  it("record callback: empty by default, set with an http(s) URL, shown in the app", function()
    local app_id = base:match("[^/]+$")
    assert.are.same({ app_id = app_id, record_callback = {} }, ok(call(api, "GET", base .. "/record-callback")))
    local u = ok(call(api, "PUT", base .. "/record-callback", { url = "https://hooks.example/rec", auth_key = "k" }))
    assert.are.same({ app_id = app_id, record_callback = { url = "https://hooks.example/rec", auth_key = "k",
      update_time = TS, notify_event_subscription = { "RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE" } } }, u)
    assert.are.same(u, ok(call(api, "GET", base .. "/record-callback")))
    assert.are.same(u.record_callback, ok(call(api, "GET", base)).callbacks.record_callback)
    assert.is_nil(ok(call(api, "PUT", base .. "/record-callback", { url = "http://h/x" })).record_callback.auth_key)
    fails(call(api, "PUT", base .. "/record-callback", {}), 400, "RTC.00001005", "url")
    for _, bad in ipairs({ "ftp://h/x", "https://", "hooks.example", "http://a b", "" }) do
      fails(call(api, "PUT", base .. "/record-callback", { url = bad }), 400, "RTC.00001003", "url")
    end
    fails(call(api, "PUT", base .. "/record-callback", { url = "http://h", auth_key = 1 }), 400, "RTC.00001003", "auth_key")
    fails(call(api, "PUT", base .. "/record-callback", { url = "http://h", notify_event_subscription = {} }), 400, "RTC.00001003")
  end)

  it("answers 404 for an unknown app (no-such-app)", function()
    for _, c in ipairs({ { "GET", "/auto-record-mode" }, { "PUT", "/auto-record-mode" }, { "GET", "/record-callback" },
      { "PUT", "/record-callback" } }) do
      fails(call(api, c[1], "/v2/apps/no-such-app" .. c[2], { mode = "AUTO_RECORD_OFF", url = "http://h" }), 404, "RTC.00001003")
    end
  end)
end)

describe("mock API: mix-stream jobs", function()
  local api, base
  before_each(function()
    api = new_api()
    base = "/v2/apps/" .. create_app(api, "a") .. "/mix-stream-jobs"
  end)

  it("runs INIT -> RUNNING -> STOPPED with the documented body", function()
    local j = ok(call(api, "POST", base, MIX), 201)
    assert.matches("^%x+$", j.job_id)
    assert.are.equal("m_" .. j.job_id .. "_room1", j.stream_name)
    assert.are.equal(base:match("apps/([^/]+)"), j.app_id)
    assert.are.equal("room1", j.room_id)
    assert.are.equal("INIT", j.state)
    assert.are.equal(TS, j.create_time)
    assert.are.same({ room_id = "room1", encode_template = "1280*720_30_1710", layout_template = "nine_grids_view",
      max_idle_time = 30 }, j.mix_param)
    local item = base .. "/" .. j.job_id
    local g = ok(call(api, "GET", item))
    assert.are.equal("RUNNING", g.state)
    assert.are.equal(TS, g.start_time)
    assert.is_nil(ok(call(api, "DELETE", item), 204))
    g = ok(call(api, "GET", item))
    assert.are.equal("STOPPED", g.state)
    assert.are.equal("TENANT_STOP", g.stop_reason)
    assert.are.equal(TS, g.stop_time)
    fails(call(api, "DELETE", item), 400, "RTC.00001009")
    fails(call(api, "PUT", item, { mix_param = { max_idle_time = 60 } }), 400, "RTC.00001009")
    for _, m in ipairs({ "GET", "PUT", "DELETE" }) do
      fails(call(api, m, base .. "/nope", { mix_param = {} }), 404, "RTC.00001003")
    end
  end)

  it("accepts both template spellings (* and x), audio_only without a layout, and every field", function()
    ok(call(api, "POST", base, { mix_param = { room_id = "r", encode_template = "1920x1080_30_4620", layout_template = "screen_share_left" } }), 201)
    ok(call(api, "POST", base, { mix_param = { room_id = "r", encode_template = "480*360_15_320", layout_template = "nine_grids_view" } }), 201)
    ok(call(api, "POST", base, { mix_param = { room_id = "r", encode_template = "audio_only" } }), 201)
    local full = { room_id = "r", encode_template = "640*480_30_1500", max_idle_time = 43200, layout_template = "custom",
      default_user_background_image = "s3://b/def.png", screen_background_image = "s3://b/s.png", background_image = "s3://b/bg.png",
      layout_panes = { { id = 1, user_id = "u1", video_type = "SCREENSTREAM", x = 0, y = 0, width = 0.5, height = 1, zorder = 0,
        crop_mode = "KEEP_RATIO_CROP", filling_policy = "FIXED_USER" }, { id = 2, user_id = "u2", x = 0.5, y = 0, width = 0.5, height = 1 } },
      user_background_images = { { user_id = "u1", image_uri = "s3://b/u1.png" } } }
    local j = ok(call(api, "POST", base, { mix_param = full, record_param = { record_rule_id = "r1" } }), 201)
    assert.are.same(full, j.mix_param)
    assert.are.same({ record_rule_id = "r1" }, j.record_param)
  end)

  local P = "mix_param."
  local cases = {
    { "RTC.00001005", "mix_param", {} },
    { "RTC.00001005", P .. "room_id", { mix_param = { encode_template = "audio_only" } } },
    { "RTC.00001005", P .. "encode_template", { mix_param = { room_id = "r" } } },
    { "RTC.00001005", P .. "layout_template", { mix_param = { room_id = "r", encode_template = "1280*720_15_1130" } } },
    { "RTC.00001005", P .. "layout_panes", { mix_param = { room_id = "r", encode_template = "1280*720_15_1130",
      layout_template = "custom" } } },
    { "RTC.00001003", P .. "layout_panes", { mix_param = { room_id = "r", encode_template = "1280*720_15_1130",
      layout_template = "custom", layout_panes = {} } } },
    { "RTC.00001003", P .. "encode_template", { mix_param = { room_id = "r", encode_template = "640x480_15_1000" } } },
    { "RTC.00001003", P .. "encode_template", { mix_param = { room_id = "r", encode_template = "1280X720_30_1710" } } },
    { "RTC.00001003", P .. "room_id", { mix_param = { room_id = "", encode_template = "audio_only" } } },
    { "RTC.00001003", P .. "max_idle_time", { mix_param = { room_id = "r", encode_template = "audio_only", max_idle_time = 4 } } },
    { "RTC.00001003", P .. "max_idle_time", { mix_param = { room_id = "r", encode_template = "audio_only", max_idle_time = 43201 } } },
    { "RTC.00001003", P .. "background_image", { mix_param = { room_id = "r", encode_template = "audio_only", background_image = "http://x/y" } } },
    { "RTC.00001003", P .. "layout_panes[1].x", { mix_param = { room_id = "r", encode_template = "audio_only", layout_panes = { { x = 1.5 } } } } },
    { "RTC.00001003", P .. "layout_panes[2].video_type", { mix_param = { room_id = "r", encode_template = "audio_only",
      layout_panes = { {}, { video_type = "TV" } } } } },
    { "RTC.00001003", P .. "layout_panes[1].zorder", { mix_param = { room_id = "r", encode_template = "audio_only", layout_panes = { { zorder = 26 } } } } },
    { "RTC.00001003", P .. "layout_panes[1].crop_mode", { mix_param = { room_id = "r", encode_template = "audio_only",
      layout_panes = { { crop_mode = "FIT" } } } } },
    { "RTC.00001003", P .. "layout_panes[1].id", { mix_param = { room_id = "r", encode_template = "audio_only", layout_panes = { { id = 0 } } } } },
    { "RTC.00001005", P .. "user_background_images[1].image_uri", { mix_param = { room_id = "r", encode_template = "audio_only",
      user_background_images = { { user_id = "u" } } } } },
    { "RTC.00001003", P .. "user_background_images[1].image_uri", { mix_param = { room_id = "r", encode_template = "audio_only",
      user_background_images = { { user_id = "u", image_uri = "s3://b" } } } } },
    { "RTC.00001003", P .. "job_uniq_id", { mix_param = { room_id = "r", encode_template = "audio_only", job_uniq_id = "x" } } },
    { "RTC.00001005", "record_param.record_rule_id", { mix_param = { room_id = "r", encode_template = "audio_only" }, record_param = {} } },
    { "RTC.00001003", "publish_param", { mix_param = { room_id = "r", encode_template = "audio_only" }, publish_param = {} } },
  }
  for _, c in ipairs(cases) do
    it("create refuses " .. c[2] .. " (" .. c[1] .. ")", function()
      fails(call(api, "POST", base, c[3]), 400, c[1], c[2])
    end)
  end

  it("updates the layout only, custom to custom", function()
    local custom = { room_id = "r", encode_template = "1280*720_30_1710", layout_template = "custom", layout_panes = { { id = 1, user_id = "u1" } } }
    local item = base .. "/" .. ok(call(api, "POST", base, { mix_param = custom }), 201).job_id
    local u = ok(call(api, "PUT", item, { mix_param = { layout_template = "custom", layout_panes = { { id = 1, user_id = "u2" } },
      background_image = "s3://b/new.png", max_idle_time = 120 } }))
    assert.are.equal("u2", u.mix_param.layout_panes[1].user_id)
    assert.are.equal("s3://b/new.png", u.mix_param.background_image)
    assert.are.equal(120, u.mix_param.max_idle_time)
    assert.are.equal("1280*720_30_1710", u.mix_param.encode_template)
    assert.are.equal("INIT", u.state)
    fails(call(api, "PUT", item, { mix_param = { layout_template = "nine_grids_view" } }), 400, "RTC.00001003", "layout_template")
    local nine = base .. "/" .. ok(call(api, "POST", base, MIX), 201).job_id
    fails(call(api, "PUT", nine, { mix_param = { layout_template = "custom" } }), 400, "RTC.00001003", "layout_template")
    ok(call(api, "PUT", nine, { mix_param = { layout_template = "nine_grids_view" } }))
    fails(call(api, "PUT", item, {}), 400, "RTC.00001005", "mix_param")
    fails(call(api, "PUT", item, { mix_param = { room_id = "other" } }), 400, "RTC.00001003", "mix_param.room_id")
    fails(call(api, "PUT", item, { mix_param = { encode_template = "audio_only" } }), 400, "RTC.00001003", "mix_param.encode_template")
    fails(call(api, "PUT", item, { mix_param = { max_idle_time = 1 } }), 400, "RTC.00001003", "mix_param.max_idle_time")
    fails(call(api, "PUT", item, ""), 400, "RTC.00001002")
  end)
end)

describe("mock API: rooms", function()
  local api, base
  before_each(function()
    api = new_api()
    base = "/v2/apps/" .. create_app(api, "a")
  end)
  local function job(room, user)
    return ok(call(api, "POST", base .. "/individual-stream-jobs", job_body("x", room, user)), 201).job_id
  end
  local function state(kind, id) return ok(call(api, "GET", base .. "/" .. kind .. "/" .. id)) end

  it("dismissing a room (202, no body) stops its individual and mix jobs, not others", function()
    local a, b, other = job("r1", "u1"), job("r1", "u2"), job("r2", "u1")
    local m = ok(call(api, "POST", base .. "/mix-stream-jobs", { mix_param = { room_id = "r1", encode_template = "audio_only" } }), 201).job_id
    ok(call(api, "GET", base .. "/individual-stream-jobs/" .. b)) -- RUNNING
    assert.is_nil(ok(call(api, "POST", base .. "/rooms/r1/dismiss"), 202))
    for _, id in ipairs({ a, b }) do
      local j = state("individual-stream-jobs", id)
      assert.are.equal("STOPPED", j.state)
      assert.are.equal("TENANT_STOP", j.stop_reason)
      assert.are.equal(TS, j.stop_time)
    end
    assert.are.equal("STOPPED", state("mix-stream-jobs", m).state)
    assert.are.equal("RUNNING", state("individual-stream-jobs", other).state)
    -- again, or a room nobody is in: still 202
    ok(call(api, "POST", base .. "/rooms/r1/dismiss", "{}"), 202)
    ok(call(api, "POST", base .. "/rooms/empty/dismiss"), 202)
    fails(call(api, "POST", "/v2/apps/no-such-app/rooms/r1/dismiss"), 404, "RTC.00001003")
  end)

  it("removing users (202, no body) stops those users' jobs in that room only", function()
    local a, b, c, d = job("r1", "u1"), job("r1", "u2"), job("r1", "u3"), job("r2", "u1")
    assert.is_nil(ok(call(api, "POST", base .. "/rooms/r1/batch-remove-users", { user_ids = { "u1", "u2", "nobody" } }), 202))
    assert.are.equal("STOPPED", state("individual-stream-jobs", a).state)
    assert.are.equal("STOPPED", state("individual-stream-jobs", b).state)
    assert.are.equal("RUNNING", state("individual-stream-jobs", c).state)
    assert.are.equal("RUNNING", state("individual-stream-jobs", d).state)
    fails(call(api, "POST", base .. "/rooms/r1/batch-remove-users", {}), 400, "RTC.00001005", "user_ids")
    fails(call(api, "POST", base .. "/rooms/r1/batch-remove-users", '{"user_ids":[]}'), 400, "RTC.00001003", "user_ids")
    fails(call(api, "POST", base .. "/rooms/r1/batch-remove-users", { user_ids = { "u", 1 } }), 400, "RTC.00001003", "user_ids[2]")
    fails(call(api, "POST", base .. "/rooms/r1/batch-remove-users", { user_ids = "u1" }), 400, "RTC.00001003", "user_ids")
    fails(call(api, "POST", base .. "/rooms/r1/batch-remove-users", ""), 400, "RTC.00001002")
  end)
end)

describe("mock API: OBS buckets", function()
  local api
  before_each(function() api = new_api() end)
  local OBS_H = { ["x-auth-token"] = "test-token", ["content-type"] = "application/json" }
  local function objects(q) return ok(call(api, "GET", "/v2/rtc-ops/buckets/objects?" .. q, nil, OBS_H)) end
  local function names(r)
    local out = {}
    for i, o in ipairs(r.objects) do out[i] = o.file_name end
    return out
  end

  it("lists the fixed buckets (count + all fields)", function()
    local l = ok(call(api, "GET", "/v2/rtc-ops/buckets", nil, OBS_H))
    assert.are.equal(3, l.count)
    assert.are.equal(3, #l.buckets)
    for _, b in ipairs(l.buckets) do
      assert.is_string(b.bucket)
      assert.is_string(b.location)
      assert.matches("^%d%d%d%d/%d%d/%d%d %d%d:%d%d:%d%d GMT%+08:00$", b.creation_date)
      assert.is_boolean(b.is_authorized)
    end
    assert.are.same({ bucket = "rtc-records", location = "cn-north-4", creation_date = "2024/03/01 10:00:00 GMT+08:00",
      is_authorized = true }, l.buckets[1])
  end)

  it("lists the folders or objects under a prefix", function()
    local root = "bucket=rtc-records&location=cn-north-4&type="
    assert.are.same({ "index.html" }, names(objects(root .. "objects")))
    assert.are.same({ "recordings/", "snapshots/" }, names(objects(root .. "folders")))
    assert.are.same({ "recordings/readme.txt" }, names(objects(root .. "objects&prefix=recordings")))
    assert.are.same({ "recordings/my-app/HLS/", "recordings/my-app/MP4/" }, names(objects(root .. "folders&prefix=recordings%2Fmy-app%2F")))
    local hls = objects(root .. "objects&prefix=recordings/my-app/HLS")
    assert.are.equal(2, hls.count)
    assert.are.same({ file_name = "recordings/my-app/HLS/stream-1.m3u8", size = 2, last_modified = "2024/03/02 09:00:00 GMT+08:00" }, hls.objects[1])
    local none = call(api, "GET", "/v2/rtc-ops/buckets/objects?bucket=rtc-backup&location=cn-north-1&type=objects", nil, OBS_H)
    assert.are.same({ count = 0, objects = {} }, ok(none))
    assert.truthy(none.body:find('"objects":[]', 1, true))
  end)

  it("validates the query: bucket, type and location required; enums; the bucket must be there", function()
    local function q(s) return call(api, "GET", "/v2/rtc-ops/buckets/objects" .. s, nil, OBS_H) end
    fails(q(""), 400, "RTC.00001005", "bucket")
    fails(q("?bucket=rtc-records&location=cn-north-4"), 400, "RTC.00001005", "type")
    fails(q("?bucket=rtc-records&type=objects"), 400, "RTC.00001005", "location")
    fails(q("?bucket=rtc-records&type=files&location=cn-north-4"), 400, "RTC.00001003", "type")
    fails(q("?bucket=rtc-records&type=objects&location=eu-west-0"), 400, "RTC.00001003", "location")
    fails(q("?bucket=nope&type=objects&location=cn-north-4"), 404, "RTC.00001003", "nope")
    fails(q("?bucket=rtc-records&type=objects&location=cn-east-2"), 404, "RTC.00001003")
    fails(q("?bucket=%zz&type=objects&location=cn-east-2"), 400, "RTC.00001003")
  end)

  it("grants and revokes access (200, no body), which flips is_authorized", function()
    local function auth(body) return call(api, "PUT", "/v2/rtc-ops/buckets/authentication", body, OBS_H) end
    local function authorized(name)
      for _, b in ipairs(ok(call(api, "GET", "/v2/rtc-ops/buckets", nil, OBS_H)).buckets) do
        if b.bucket == name then return b.is_authorized end
      end
    end
    assert.is_false(authorized("rtc-backup"))
    assert.is_nil(ok(auth({ bucket = "rtc-backup", operation = 1, location = "cn-north-1", project_id = "p" }), 200))
    assert.is_true(authorized("rtc-backup"))
    ok(auth({ bucket = "rtc-backup", operation = 0, location = "cn-north-1" }))
    assert.is_false(authorized("rtc-backup"))
    fails(auth({ operation = 1, location = "cn-north-1" }), 400, "RTC.00001005", "bucket")
    fails(auth({ bucket = "rtc-backup", location = "cn-north-1" }), 400, "RTC.00001005", "operation")
    fails(auth({ bucket = "rtc-backup", operation = 1 }), 400, "RTC.00001005", "location")
    fails(auth({ bucket = "rtc-backup", operation = 2, location = "cn-north-1" }), 400, "RTC.00001003", "operation")
    fails(auth({ bucket = "rtc-backup", operation = "1", location = "cn-north-1" }), 400, "RTC.00001003", "operation")
    fails(auth({ bucket = "rtc-backup", operation = 1, location = "mars-1" }), 400, "RTC.00001003", "location")
    fails(auth({ bucket = "nope", operation = 1, location = "cn-north-1" }), 400, "RTC.00001003", "bucket")
    fails(auth({ bucket = "rtc-backup", operation = 1, location = "cn-north-4" }), 400, "RTC.00001003", "bucket")
    fails(auth(""), 400, "RTC.00001002")
  end)
end)
