-- luacheck: max line length 160
-- spec/mock_api_spec.lua — the mock plays the whole CloudRTC v2 API (28 operations): every
-- operation's success shape and status, each validation rule, pagination, the state
-- machines, cross-resource rules, authentication on every route (mock/sparkrtc.lua called
-- directly), and over HTTP: --seed, --strict, the rate limit and /_mock/stats.
local helper = require "spec.helper"
local sparkrtc = require "sparkrtc"
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"
local signer = require "spec.support.signer"

local T0 = 1767225600.25 -- 2026-01-01T00:00:00.250Z
local TS = "2026-01-01T00:00:00.250Z"
local TOKEN = { ["x-auth-token"] = "test-token", ["content-type"] = "application/json;charset=utf-8" }

local function new_api(cfg)
  cfg = cfg or {}
  cfg.clock = cfg.clock or function() return T0 end
  return sparkrtc.new(cfg)
end

-- body: a string, or a table sent as JSON
local function call(api, method, path, body, headers)
  if type(body) == "table" then body = cjson.encode(body) end
  local p, q = sparkrtc.split_target(path)
  return api:handle{ method = method, target = path, path = p, query = q, headers = headers or TOKEN, body = body or "" }
end

local function ok(r, status)
  assert.are.equal(status or 200, r.status, r.body)
  assert.are.equal(32, #r.headers["X-request-Id"])
  if r.body == "" then
    assert.is_nil(r.headers["Content-Type"])
    return nil
  end
  assert.are.equal("application/json;charset=utf-8", r.headers["Content-Type"])
  return cjson.decode(r.body)
end

local function fails(r, status, code, msg_part)
  assert.are.equal(status, r.status, r.body)
  local b = cjson.decode(r.body)
  assert.are.equal(code, b.error_code, r.body)
  assert.is_string(b.error_msg)
  if msg_part then assert.truthy(b.error_msg:find(msg_part, 1, true), b.error_msg) end
  return b
end

local function create_app(api, name) return ok(call(api, "POST", "/v2/apps", { app_name = name }), 201).app_id end

local RULE = { obs_addr = { location = "cn-north-4", project_id = "p1", bucket = "rtc-records", object = "rec" },
  record_formats = { "HLS", "MP4" }, hls_config = { record_cycle = 3600 }, mp4_config = { record_cycle = 600 } }

local function copy(t)
  if type(t) ~= "table" then return t end
  local o = {}
  for k, v in pairs(t) do o[k] = copy(v) end
  return o
end

-- RULE with changes: path "a.b" = value (cjson.null removes)
local function rule_with(changes)
  local r = copy(RULE)
  for path, v in pairs(changes) do
    local t, last = r, nil
    for key in path:gmatch("[^.]+") do
      if last then t[last] = t[last] or {}; t = t[last] end
      last = key
    end
    if v == cjson.null then t[last] = nil else t[last] = v end
  end
  return r
end

local function job_body(rule_id, room, user)
  return { room_id = room or "room1", user_id = user or "user1", record_param = { record_rule_id = rule_id or "any" } }
end

local MIX = { mix_param = { room_id = "room1", encode_template = "1280*720_30_1710", layout_template = "nine_grids_view" } }

describe("mock API: routes", function()
  it("knows the 28 operations, by method and path", function()
    local names = {}
    for _, r in ipairs(sparkrtc.ROUTES) do names[#names + 1] = r[1] end
    assert.are.equal(28, #names)
    local seen = {}
    for _, n in ipairs(names) do assert.is_nil(seen[n], n); seen[n] = true end
    assert.are.equal("list_record_rules", sparkrtc.operation("GET", "/v2/apps/a/record-rules"))
    assert.are.equal("remove_users", sparkrtc.operation("POST", "/v2/apps/a/rooms/r/batch-remove-users"))
    assert.are.equal("update_obs_bucket_authority", sparkrtc.operation("PUT", "/v2/rtc-ops/buckets/authentication"))
    assert.are.equal("get_app", sparkrtc.operation("GET", "/v2/apps/a%2Fb"))
    assert.is_nil(sparkrtc.operation("PATCH", "/v2/apps/a"))
    assert.is_nil(sparkrtc.operation("GET", "/v2/apps/a/record-rules/"))
    assert.is_nil(sparkrtc.operation("POST", "/rtc-ops/buckets/authentication"))
  end)

  it("answers 404 RTC.00001003 for a method or path it does not have", function()
    local api = new_api()
    for _, c in ipairs({ { "PUT", "/v2/apps" }, { "PATCH", "/v2/apps/a" }, { "GET", "/v2/apps/a/enable" },
      { "DELETE", "/v2/apps/a/auto-record-mode" }, { "GET", "/v2/apps/a/rooms/r/dismiss" },
      { "POST", "/v2/rtc-ops/buckets" }, { "GET", "/v2/rtc-ops/buckets/authentication" },
      { "GET", "/v2/apps/a/mix-stream-jobs" }, { "GET", "/v2/apps//record-rules" } }) do
      fails(call(api, c[1], c[2]), 404, "RTC.00001003")
    end
  end)
end)

describe("mock API: apps", function()
  local api
  before_each(function() api = new_api() end)

  it("creates (201 app_id), gets and lists an app with the documented fields", function()
    local id = create_app(api, "my_app-1")
    assert.matches("^%x+$", id)
    local a = ok(call(api, "GET", "/v2/apps/" .. id))
    assert.are.equal(id, a.app_id)
    assert.are.equal("my_app-1", a.app_name)
    assert.are.same({ state = "ACTIVATION", update_time = TS }, a.state)
    assert.are.equal("DOMESTIC", a.scope)
    assert.is_string(a.tenant_name)
    assert.is_string(a.domain)
    assert.are.equal(TS, a.create_time)
    assert.is_false(a.authentication.enable)
    assert.are.equal(300, a.authentication.expire)
    assert.is_string(a.authentication.app_key)
    assert.are.equal("AUTO_RECORD_OFF", a.auto_record_mode.mode)
    assert.is_table(a.callbacks)
    local l = ok(call(api, "GET", "/v2/apps"))
    assert.are.equal(1, l.count)
    assert.are.same(a, l.apps[1])
  end)

  it("validates create: name present, text of letters, digits, - and _, at most 64", function()
    fails(call(api, "POST", "/v2/apps", {}), 400, "RTC.00001005", "app_name")
    for _, bad in ipairs({ "", "has space", "ü", string.rep("a", 65), 5, true }) do
      fails(call(api, "POST", "/v2/apps", { app_name = bad }), 400, "RTC.00001003", "app_name")
    end
    fails(call(api, "POST", "/v2/apps", { app_name = "a", extra = 1 }), 400, "RTC.00001003", "extra")
    for _, body in ipairs({ "", "nope", "[]", '"a"', '{"app_name":' }) do
      fails(call(api, "POST", "/v2/apps", body), 400, "RTC.00001002")
    end
    assert.are.equal(201, call(api, "POST", "/v2/apps", { app_name = string.rep("a", 64) }).status)
  end)

  it("refuses a name in use (RTC.00001020) and a 21st app (RTC.00001017)", function()
    create_app(api, "dup")
    fails(call(api, "POST", "/v2/apps", { app_name = "dup" }), 400, "RTC.00001020")
    for i = 2, 20 do create_app(api, "app" .. i) end
    fails(call(api, "POST", "/v2/apps", { app_name = "one-more" }), 400, "RTC.00001017")
    assert.are.equal(20, ok(call(api, "GET", "/v2/apps")).count)
  end)

  it("enables and disables (200 app_id + state); a disabled app refuses job calls with RTC.00001016", function()
    local id = create_app(api, "a")
    local job = ok(call(api, "POST", "/v2/apps/" .. id .. "/individual-stream-jobs", job_body()), 201)
    local mixjob = ok(call(api, "POST", "/v2/apps/" .. id .. "/mix-stream-jobs", MIX), 201)
    local d = ok(call(api, "POST", "/v2/apps/" .. id .. "/disable"))
    assert.are.same({ app_id = id, state = { state = "DEACTIVATION", update_time = TS } }, d)
    local base = "/v2/apps/" .. id
    for _, c in ipairs({ { "POST", base .. "/individual-stream-jobs", job_body() },
      { "GET", base .. "/individual-stream-jobs/" .. job.job_id },
      { "PUT", base .. "/individual-stream-jobs/" .. job.job_id, { record_param = { record_rule_id = "x" } } },
      { "DELETE", base .. "/individual-stream-jobs/" .. job.job_id },
      { "POST", base .. "/mix-stream-jobs", MIX }, { "GET", base .. "/mix-stream-jobs/" .. mixjob.job_id },
      { "DELETE", base .. "/mix-stream-jobs/" .. mixjob.job_id } }) do
      fails(call(api, c[1], c[2], c[3]), 400, "RTC.00001016", "AppDeactivation")
    end
    assert.are.equal("DEACTIVATION", ok(call(api, "GET", base)).state.state)
    assert.are.equal(200, call(api, "GET", base .. "/record-rules").status) -- settings still answer
    local e = ok(call(api, "POST", base .. "/enable"))
    assert.are.equal("ACTIVATION", e.state.state)
    assert.are.equal("RUNNING", ok(call(api, "GET", base .. "/individual-stream-jobs/" .. job.job_id)).state)
  end)

  it("accepts bodiless POSTs as the SDK sends them, with or without a body or charset", function()
    local id = create_app(api, "a")
    for _, ct in ipairs({ "application/json", "application/json;charset=utf-8", "application/json; charset=UTF-8" }) do
      for _, body in ipairs({ "", "{}" }) do
        local h = { ["x-auth-token"] = "test-token", ["content-type"] = ct }
        assert.are.equal(200, call(api, "POST", "/v2/apps/" .. id .. "/disable", body, h).status)
        assert.are.equal(200, call(api, "POST", "/v2/apps/" .. id .. "/enable", body, h).status)
        assert.are.equal(200, call(api, "GET", "/v2/apps/" .. id, body, h).status)
      end
    end
  end)

  it("deletes (204) an app without running jobs; then it is gone, also for job calls", function()
    local id = create_app(api, "a")
    local base = "/v2/apps/" .. id
    local job = ok(call(api, "POST", base .. "/individual-stream-jobs", job_body()), 201)
    fails(call(api, "DELETE", base), 400, "RTC.00001006", job.job_id)
    assert.is_nil(ok(call(api, "DELETE", base .. "/individual-stream-jobs/" .. job.job_id), 204))
    local m = ok(call(api, "POST", base .. "/mix-stream-jobs", MIX), 201)
    fails(call(api, "DELETE", base), 400, "RTC.00001006", m.job_id)
    ok(call(api, "DELETE", base .. "/mix-stream-jobs/" .. m.job_id), 204)
    assert.is_nil(ok(call(api, "DELETE", base), 204))
    fails(call(api, "GET", base), 404, "RTC.00001003")
    fails(call(api, "DELETE", base), 404, "RTC.00001003")
    fails(call(api, "POST", base .. "/enable"), 404, "RTC.00001003")
    fails(call(api, "POST", base .. "/individual-stream-jobs", job_body()), 404, "RTC.00001003")
    fails(call(api, "GET", base .. "/record-rules"), 404, "RTC.00001003")
    assert.are.equal(0, ok(call(api, "GET", "/v2/apps")).count)
  end)

  it("answers 404 for apps that never existed (get, delete, enable, disable)", function()
    for _, c in ipairs({ { "GET", "" }, { "DELETE", "" }, { "POST", "/enable" }, { "POST", "/disable" } }) do
      fails(call(api, c[1], "/v2/apps/nope" .. c[2]), 404, "RTC.00001003")
    end
  end)

  describe("list pagination (offset = page number from 0, limit 1..100, default 100)", function()
    local ids
    before_each(function()
      ids = {}
      for i = 1, 6 do ids[i] = create_app(api, "app" .. i) end
    end)
    local function page(q)
      local l = ok(call(api, "GET", "/v2/apps" .. q))
      local got = {}
      for i, a in ipairs(l.apps) do got[i] = a.app_id end
      return got, l.count
    end

    it("is empty with no apps: count 0, apps []", function()
      local fresh = new_api()
      local r = call(fresh, "GET", "/v2/apps")
      assert.are.same({ count = 0, apps = {} }, ok(r))
      assert.truthy(r.body:find('"apps":[]', 1, true))
    end)
    it("gives every app on one page by default, in creation order; count is the total", function()
      local got, count = page("")
      assert.are.same(ids, got)
      assert.are.equal(6, count)
    end)
    it("walks pages of an exact multiple of the page size", function()
      assert.are.same({ ids[1], ids[2], ids[3] }, (page("?offset=0&limit=3")))
      assert.are.same({ ids[4], ids[5], ids[6] }, (page("?offset=1&limit=3")))
      local rest, count = page("?offset=2&limit=3")
      assert.are.same({}, rest)
      assert.are.equal(6, count)
    end)
    it("ends with a partial last page", function()
      assert.are.same({ ids[1], ids[2], ids[3], ids[4] }, (page("?limit=4")))
      assert.are.same({ ids[5], ids[6] }, (page("?limit=4&offset=1")))
      assert.are.same({ ids[6] }, (page("?limit=1&offset=5")))
      assert.are.same({}, (page("?limit=100&offset=1")))
      assert.are.same(ids, (page("?limit=100&offset=0")))
    end)
    it("refuses limits outside 1..100, negative offsets and non-numbers (400 RTC.00001003)", function()
      for _, q in ipairs({ "limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "limit=", "offset=-1",
        "offset=x", "offset=1e3" }) do
        fails(call(api, "GET", "/v2/apps?" .. q), 400, "RTC.00001003", q:match("^%a+"))
      end
    end)
    it("counts items instead with offset_items", function()
      api:configure({ offset_items = true })
      assert.are.same({ ids[2], ids[3], ids[4] }, (page("?offset=1&limit=3")))
      assert.are.same({ ids[6] }, (page("?offset=5&limit=3")))
      assert.are.same({}, (page("?offset=6&limit=3")))
      assert.are.same({ ids[3], ids[4], ids[5], ids[6] }, (page("?offset=2")))
    end)
    it("filters by state; count is the filtered total", function()
      call(api, "POST", "/v2/apps/" .. ids[2] .. "/disable")
      call(api, "POST", "/v2/apps/" .. ids[5] .. "/disable")
      local got, count = page("?state=DEACTIVATION&limit=1&offset=1")
      assert.are.same({ ids[5] }, got)
      assert.are.equal(2, count)
      assert.are.equal(4, select(2, page("?state=ACTIVATION")))
      assert.are.equal(0, select(2, page("?state=ARREARS")))
      for _, s in ipairs({ "DELETED", "activation", "" }) do
        fails(call(api, "GET", "/v2/apps?state=" .. s), 400, "RTC.00001003", "state")
      end
    end)
  end)
end)

describe("mock API: record rules", function()
  local api, base
  before_each(function()
    api = new_api()
    base = "/v2/apps/" .. create_app(api, "a") .. "/record-rules"
  end)

  it("creates (201), gets, lists, updates (200) and deletes (204) a rule", function()
    local r = ok(call(api, "POST", base, RULE), 201)
    assert.matches("^%x+$", r.rule_id)
    assert.are.same(RULE.obs_addr, r.obs_addr)
    assert.are.same({ "HLS", "MP4" }, r.record_formats)
    assert.are.same({ record_cycle = 3600, record_slice_duration = 10, record_max_duration_to_merge_file = 0 }, r.hls_config)
    assert.are.same({ record_cycle = 600, record_max_duration_to_merge_file = 0 }, r.mp4_config)
    assert.are.equal(TS, r.create_time)
    assert.are.equal(TS, r.update_time)
    assert.are.same(r, ok(call(api, "GET", base .. "/" .. r.rule_id)))
    assert.are.same({ rules = { r } }, ok(call(api, "GET", base)))
    local u = ok(call(api, "PUT", base .. "/" .. r.rule_id, rule_with({ record_formats = { "MP4" }, hls_config = cjson.null })))
    assert.are.equal(r.rule_id, u.rule_id)
    assert.are.same({ "MP4" }, u.record_formats)
    assert.is_nil(u.hls_config)
    assert.is_nil(ok(call(api, "DELETE", base .. "/" .. r.rule_id), 204))
    fails(call(api, "GET", base .. "/" .. r.rule_id), 404, "RTC.00001003")
    fails(call(api, "PUT", base .. "/" .. r.rule_id, RULE), 404, "RTC.00001003")
    fails(call(api, "DELETE", base .. "/" .. r.rule_id), 404, "RTC.00001003")
    assert.are.same({ rules = {} }, ok(call(api, "GET", base)))
    assert.truthy(call(api, "GET", base).body:find('"rules":[]', 1, true))
  end)

  it("replaces the rule of the same obs_addr.location: 200, same rule_id, one rule", function()
    local r = ok(call(api, "POST", base, RULE), 201)
    local again = ok(call(api, "POST", base, rule_with({ ["obs_addr.bucket"] = "other", ["hls_config.record_cycle"] = 0 })), 200)
    assert.are.equal(r.rule_id, again.rule_id)
    assert.are.equal("other", again.obs_addr.bucket)
    assert.are.equal(0, again.hls_config.record_cycle)
    assert.are.equal(1, #ok(call(api, "GET", base)).rules)
  end)

  it("keeps one rule per location when updating (RTC.00001019)", function()
    api:configure({ rule_locations = { "cn-north-4", "cn-east-2" } })
    local r1 = ok(call(api, "POST", base, RULE), 201)
    local r2 = ok(call(api, "POST", base, rule_with({ ["obs_addr.location"] = "cn-east-2" })), 201)
    assert.are_not.equal(r1.rule_id, r2.rule_id)
    fails(call(api, "PUT", base .. "/" .. r2.rule_id, RULE), 400, "RTC.00001019")
    assert.are.equal(200, call(api, "PUT", base .. "/" .. r2.rule_id, rule_with({ ["obs_addr.location"] = "cn-east-2" })).status)
  end)

  local cases = {
    { "RTC.00001005", "obs_addr", { obs_addr = cjson.null } },
    { "RTC.00001005", "record_formats", { record_formats = cjson.null } },
    { "RTC.00001005", "obs_addr.location", { ["obs_addr.location"] = cjson.null } },
    { "RTC.00001005", "obs_addr.project_id", { ["obs_addr.project_id"] = cjson.null } },
    { "RTC.00001005", "obs_addr.bucket", { ["obs_addr.bucket"] = cjson.null } },
    { "RTC.00001005", "hls_config", { hls_config = cjson.null } },
    { "RTC.00001005", "mp4_config", { mp4_config = cjson.null } },
    { "RTC.00001005", "hls_config.record_cycle", { ["hls_config.record_cycle"] = cjson.null } },
    { "RTC.00001005", "mp4_config.record_cycle", { ["mp4_config.record_cycle"] = cjson.null } },
    { "RTC.00001003", "obs_addr.location", { ["obs_addr.location"] = "cn-north-1" } },
    { "RTC.00001003", "obs_addr.bucket", { ["obs_addr.bucket"] = "" } },
    { "RTC.00001003", "obs_addr.object", { ["obs_addr.object"] = 5 } },
    { "RTC.00001003", "obs_addr.extra", { ["obs_addr.extra"] = "x" } },
    { "RTC.00001003", "obs_addr", { obs_addr = "cn-north-4" } },
    { "RTC.00001003", "record_formats", { record_formats = {} } },
    { "RTC.00001003", "record_formats[1]", { record_formats = { "FLV" } } },
    { "RTC.00001003", "record_formats[2]", { record_formats = { "HLS", "HLS" } } },
    { "RTC.00001003", "record_formats[1]", { record_formats = { "hls" } } },
    { "RTC.00001003", "hls_config.record_cycle", { ["hls_config.record_cycle"] = 59 } },
    { "RTC.00001003", "hls_config.record_cycle", { ["hls_config.record_cycle"] = 43201 } },
    { "RTC.00001003", "hls_config.record_cycle", { ["hls_config.record_cycle"] = 60.5 } },
    { "RTC.00001003", "hls_config.record_slice_duration", { ["hls_config.record_slice_duration"] = 1 } },
    { "RTC.00001003", "hls_config.record_slice_duration", { ["hls_config.record_slice_duration"] = 61 } },
    { "RTC.00001003", "hls_config.record_max_duration_to_merge_file", { ["hls_config.record_max_duration_to_merge_file"] = -2 } },
    { "RTC.00001003", "hls_config.record_max_duration_to_merge_file", { ["hls_config.record_max_duration_to_merge_file"] = 301 } },
    { "RTC.00001003", "hls_config.record_prefix", { ["hls_config.record_prefix"] = false } },
    { "RTC.00001003", "mp4_config.record_cycle", { ["mp4_config.record_cycle"] = 0 } },
    { "RTC.00001003", "mp4_config.record_cycle", { ["mp4_config.record_cycle"] = 10801 } },
    { "RTC.00001003", "mp4_config.record_max_duration_to_merge_file", { ["mp4_config.record_max_duration_to_merge_file"] = -1 } },
    { "RTC.00001003", "rule_id", { rule_id = "mine" } },
  }
  for _, c in ipairs(cases) do
    it("refuses " .. c[2] .. " (" .. c[1] .. ") in create and update", function()
      local r = ok(call(api, "POST", base, rule_with({ ["obs_addr.location"] = "cn-north-4" })), 201)
      fails(call(api, "POST", base, rule_with(c[3])), 400, c[1], c[2])
      fails(call(api, "PUT", base .. "/" .. r.rule_id, rule_with(c[3])), 400, c[1], c[2])
    end)
  end

  it("accepts the edges of every range", function()
    for _, ch in ipairs({ { ["hls_config.record_cycle"] = 0 }, { ["hls_config.record_cycle"] = 60 },
      { ["hls_config.record_cycle"] = 43200 }, { ["hls_config.record_slice_duration"] = 2 },
      { ["hls_config.record_slice_duration"] = 60 }, { ["hls_config.record_max_duration_to_merge_file"] = -1 },
      { ["hls_config.record_max_duration_to_merge_file"] = 300 }, { ["mp4_config.record_cycle"] = 60 },
      { ["mp4_config.record_cycle"] = 10800 }, { ["mp4_config.record_max_duration_to_merge_file"] = 300 },
      { record_formats = { "HLS" }, mp4_config = cjson.null }, { ["obs_addr.object"] = "" } }) do
      local status = call(api, "POST", base, rule_with(ch)).status
      assert.is_true(status == 200 or status == 201)
    end
  end)

  it("refuses malformed bodies (RTC.00001002)", function()
    for _, body in ipairs({ "", "x", "[]", "null" }) do fails(call(api, "POST", base, body), 400, "RTC.00001002") end
  end)

  describe("list pagination (offset = page number from 0, limit 1..100, default 100)", function()
    local ids
    before_each(function()
      api:configure({ rule_locations = { "cn-north-4", "cn-north-1", "cn-north-5", "cn-north-6", "cn-south-1", "cn-east-2" } })
      ids = {}
      for i, loc in ipairs(api.rule_locations) do
        ids[i] = ok(call(api, "POST", base, rule_with({ ["obs_addr.location"] = loc })), 201).rule_id
      end
    end)
    local function page(q)
      local got = {}
      for i, r in ipairs(ok(call(api, "GET", base .. q)).rules) do got[i] = r.rule_id end
      return got
    end
    it("pages exact multiples, a partial last page and past the end", function()
      assert.are.same(ids, page(""))
      assert.are.same({ ids[1], ids[2] }, page("?limit=2"))
      assert.are.same({ ids[5], ids[6] }, page("?limit=2&offset=2"))
      assert.are.same({}, page("?limit=2&offset=3"))
      assert.are.same({ ids[5], ids[6] }, page("?limit=4&offset=1"))
      assert.are.same({ ids[6] }, page("?limit=5&offset=1"))
      assert.are.same({}, page("?offset=1"))
    end)
    it("counts items instead with offset_items", function()
      api:configure({ offset_items = true })
      assert.are.same({ ids[4], ids[5] }, page("?limit=2&offset=3"))
      assert.are.same({ ids[6] }, page("?limit=2&offset=5"))
    end)
    it("refuses the same bounds as list_apps", function()
      for _, q in ipairs({ "limit=0", "limit=101", "offset=-1", "limit=x" }) do
        fails(call(api, "GET", base .. "?" .. q), 400, "RTC.00001003")
      end
    end)
  end)
end)

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

-- the specs' own SDK-HMAC-SHA256 signer (spec/support/signer.lua), T: unix seconds
local function sign(req, ak, sk, t) return (signer.sign(req, ak, sk, signer.sdk_date(t))) end

-- a request the official SDK would send for each route, made concrete
local BODIES = {
  create_app = { app_name = "n" }, create_record_rule = RULE, update_record_rule = RULE,
  update_auto_record = { mode = "AUTO_RECORD_OFF" }, update_record_callback = { url = "https://h/x" },
  create_mix_job = MIX, update_mix_job = { mix_param = { max_idle_time = 60 } },
  remove_users = { user_ids = { "u" } },
  update_obs_bucket_authority = { bucket = "rtc-records", operation = 1, location = "cn-north-4" },
  create_job = job_body(), update_job = { record_param = { record_rule_id = "x" } },
}
local QUERIES = { list_apps = "?offset=0&limit=10&state=ACTIVATION", list_record_rules = "?offset=0&limit=10",
  list_obs_bucket_objects = "?bucket=rtc-records&prefix=recordings%2F&type=objects&location=cn-north-4" }

local function sdk_request(route, app, bodies)
  bodies = bodies or BODIES
  local path = "/" .. route[3]:gsub(":app", app):gsub(":rule", "r1"):gsub(":job", "j1"):gsub(":room", "room%%201")
  local body = bodies[route[1]] and cjson.encode(bodies[route[1]]) or ""
  local ct = (body ~= "" and not route.ops) and "application/json;charset=utf-8" or "application/json"
  return { method = route[2], path = path, query = (QUERIES[route[1]] or ""):sub(2), target = path .. (QUERIES[route[1]] or ""),
    headers = { host = "rtc-api.myhuaweicloud.com", ["content-type"] = ct }, body = body }
end

describe("mock API: authentication on every route", function()
  local api, app
  before_each(function()
    api = new_api()
    app = create_app(api, "a")
  end)
  local function why(r)
    assert.are.equal(401, r.status, r.body)
    local b = cjson.decode(r.body)
    assert.are.equal("APIGW.0301", b.error_code)
    return b.error_msg:match(": (.*)$")
  end

  for _, route in ipairs(sparkrtc.ROUTES) do
    it(route[1] .. ": 401 without or with wrong credentials, answered with a token or an AK/SK signature", function()
      assert.are.equal("no credentials", why(api:handle(sdk_request(route, app))))
      local req = sdk_request(route, app)
      req.headers["x-auth-token"] = "wrong"
      assert.are.equal("invalid token", why(api:handle(req)))
      req = sdk_request(route, app)
      req.headers["x-project-id"] = "test-project"
      sign(req, "test-ak", "wrong-sk", T0)
      assert.are.equal("signature mismatch", why(api:handle(req)))
      req = sdk_request(route, app)
      req.headers["x-project-id"] = "test-project"
      sign(req, "test-ak", "test-sk", T0)
      req.body = req.body .. " "
      assert.are.equal("signature mismatch", why(api:handle(req)))
      req = sdk_request(route, app)
      req.headers["x-auth-token"] = "test-token"
      local by_token = api:handle(req)
      assert.are_not.equal(401, by_token.status)
      req = sdk_request(route, app)
      req.headers["x-project-id"] = "test-project"
      sign(req, "test-ak", "test-sk", T0)
      local by_aksk = api:handle(req)
      assert.are_not.equal(401, by_aksk.status, by_aksk.body)
      assert.is_true(by_aksk.status < 500, by_aksk.body)
      -- the rtc-ops models declare no X-Project-Id: a signature without one is fine there
      req = sdk_request(route, app)
      sign(req, "test-ak", "test-sk", T0)
      if route.ops then
        assert.are_not.equal(401, api:handle(req).status)
      else
        assert.are.equal("missing X-Project-Id header", why(api:handle(req)))
      end
    end)
  end

  it("the SDK-shaped request of every operation succeeds on a prepared store", function()
    local ids = {}
    local bodies = setmetatable({}, { __index = BODIES }) -- rule ids filled in below
    local function add(route_name, want)
      for _, route in ipairs(sparkrtc.ROUTES) do
        if route[1] == route_name then
          local req = sdk_request(route, app, bodies)
          req.path = req.path:gsub("/r1$", "/" .. (ids.rule or "")):gsub("individual%-stream%-jobs/j1", "individual-stream-jobs/" .. (ids.job or ""))
            :gsub("mix%-stream%-jobs/j1", "mix-stream-jobs/" .. (ids.mix or "")):gsub("^/v2/apps/" .. app .. "$", "/v2/apps/" .. (ids.app or app))
          req.target = req.path .. (QUERIES[route_name] or "")
          req.headers["x-project-id"] = "test-project"
          sign(req, "test-ak", "test-sk", T0)
          local r = api:handle(req)
          assert.are.equal(want, r.status, route_name .. ": " .. r.body)
          return r.body ~= "" and cjson.decode(r.body) or nil
        end
      end
      error("no route " .. route_name)
    end
    ids.app = add("create_app", 201).app_id
    add("list_apps", 200)
    add("get_app", 200)
    add("stop_app", 200)
    add("start_app", 200)
    ids.rule = add("create_record_rule", 201).rule_id
    add("list_record_rules", 200)
    add("get_record_rule", 200)
    add("update_record_rule", 200)
    add("get_auto_record", 200)
    add("update_auto_record", 200)
    add("get_record_callback", 200)
    add("update_record_callback", 200)
    bodies.create_job = job_body(ids.rule)
    bodies.update_job = { record_param = { record_rule_id = ids.rule } }
    bodies.create_mix_job = { mix_param = MIX.mix_param, record_param = { record_rule_id = ids.rule } }
    ids.job = add("create_job", 201).job_id
    add("get_job", 200)
    add("update_job", 200)
    add("stop_job", 204)
    ids.mix = add("create_mix_job", 201).job_id
    add("get_mix_job", 200)
    add("update_mix_job", 200)
    add("stop_mix_job", 204)
    add("remove_room", 202)
    add("remove_users", 202)
    add("list_obs_buckets", 200)
    add("list_obs_bucket_objects", 200)
    add("update_obs_bucket_authority", 200)
    add("delete_record_rule", 204)
    add("delete_app", 204)
  end)
end)

---------------------------------------------------------------------------------------------
-- over HTTP: mock/server.lua started with the flags under test
---------------------------------------------------------------------------------------------
local Server = {}
Server.__index = Server

-- starts mock/server.lua --port 0 with args (a list); -> server {url, pid}
local function start_server(args)
  local cmd = { helper.MOCK_LUA, helper.shell_quote(helper.ROOT .. "/mock/server.lua"), "--port", "0" }
  local stat = helper.read_file("/proc/self/stat")
  if stat then cmd[#cmd + 1] = "--parent-pid " .. stat:match("^(%d+)") end
  for _, a in ipairs(args or {}) do cmd[#cmd + 1] = helper.shell_quote(a) end
  local pid, port, log = helper.spawn_listener(table.concat(cmd, " "))
  assert(port, "mock did not start: " .. tostring(log))
  return setmetatable({ url = "http://127.0.0.1:" .. port, pid = pid }, Server)
end

-- -> status, body (decoded when JSON), headers
function Server:call(method, path, body, headers)
  local h = { ["x-auth-token"] = "test-token", ["content-type"] = "application/json;charset=utf-8" }
  for k, v in pairs(headers or {}) do h[k] = v end
  if type(body) == "table" then body = cjson.encode(body) end
  if body then h["content-length"] = tostring(#body) end
  local chunks = {}
  local _, status, rh = http.request{ url = self.url .. path, method = method, headers = h,
    source = body and ltn12.source.string(body) or nil, sink = ltn12.sink.table(chunks) }
  local text = table.concat(chunks)
  local ok_json, v = pcall(cjson.decode, text)
  return status, (ok_json and v) or text, rh or {}
end

-- alive and not a zombie
local function alive(pid)
  local s = helper.read_file("/proc/" .. pid .. "/stat")
  return s ~= nil and not s:match("^%d+ %b() Z")
end

function Server:stop()
  pcall(self.call, self, "POST", "/_mock/shutdown")
  local t0 = socket.gettime()
  while alive(self.pid) and socket.gettime() - t0 < 2 do socket.sleep(0.01) end
  if alive(self.pid) then os.execute("kill " .. self.pid .. " 2>/dev/null") end
end

describe("mock server: --seed", function()
  local srv
  lazy_setup(function() srv = start_server({ "--seed" }) end)
  lazy_teardown(function() srv:stop() end)

  it("starts with app my-app, rule my-rule and the RUNNING job my-job", function()
    local status, job = srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")
    assert.are.equal(200, status)
    assert.are.equal("RUNNING", job.state)
    assert.are.equal("room-100", job.room_id)
    assert.are.equal("user001", job.user_id)
    assert.are.equal("s_my-job_room-100_user001", job.stream_name)
    assert.are.same({ record_rule_id = "my-rule" }, job.record_param)
    local _, app = srv:call("GET", "/v2/apps/my-app")
    assert.are.equal("my-app", app.app_name)
    local _, rule = srv:call("GET", "/v2/apps/my-app/record-rules/my-rule")
    assert.are.equal("rtc-records", rule.obs_addr.bucket)
    assert.are.same({ "HLS", "MP4" }, rule.record_formats)
    -- the seeded rule is the app's only one: jobs must name it
    assert.are.equal(400, (srv:call("POST", "/v2/apps/my-app/individual-stream-jobs", job_body("other"))))
    assert.are.equal(201, (srv:call("POST", "/v2/apps/my-app/individual-stream-jobs", job_body("my-rule"))))
    -- the README's update example
    local st, u = srv:call("PUT", "/v2/apps/my-app/individual-stream-jobs/my-job", { publish_param = { rtmp_urls = { "rtmp://live.example/app/s" } } })
    assert.are.equal(200, st)
    assert.are.equal("RUNNING", u.state)
  end)

  it("comes back after /_mock/reset", function()
    srv:call("DELETE", "/v2/apps/my-app/individual-stream-jobs/my-job")
    assert.are.equal("STOPPED", select(2, srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")).state)
    srv:call("POST", "/_mock/reset")
    assert.are.equal("RUNNING", select(2, srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")).state)
    local _, l = srv:call("GET", "/v2/apps")
    assert.are.equal(1, l.count)
  end)
end)

describe("mock server: flags and control routes", function()
  local srv
  lazy_setup(function() srv = start_server({ "--strict", "--rule-location", "cn-north-4", "--rule-location", "cn-east-2" }) end)
  lazy_teardown(function() srv:stop() end)
  before_each(function() srv:call("POST", "/_mock/reset") end)

  it("--strict: apps must be created, jobs need a rule; /_mock/config strict=false relaxes it until the reset", function()
    assert.are.equal(404, (srv:call("POST", "/v2/apps/x/individual-stream-jobs", job_body())))
    local _, a = srv:call("POST", "/v2/apps", { app_name = "a" })
    assert.are.equal(400, (srv:call("POST", "/v2/apps/" .. a.app_id .. "/individual-stream-jobs", job_body())))
    assert.are.equal(200, (srv:call("POST", "/_mock/config", { strict = false })))
    assert.are.equal(201, (srv:call("POST", "/v2/apps/x/individual-stream-jobs", job_body())))
    srv:call("POST", "/_mock/reset")
    assert.are.equal(404, (srv:call("POST", "/v2/apps/x/individual-stream-jobs", job_body())))
  end)

  it("--rule-location widens obs_addr.location; /_mock/config rule_locations too", function()
    local _, a = srv:call("POST", "/v2/apps", { app_name = "a" })
    local rules = "/v2/apps/" .. a.app_id .. "/record-rules"
    assert.are.equal(201, (srv:call("POST", rules, rule_with({ ["obs_addr.location"] = "cn-east-2" }))))
    assert.are.equal(400, (srv:call("POST", rules, rule_with({ ["obs_addr.location"] = "cn-south-1" }))))
    srv:call("POST", "/_mock/config", { rule_locations = { "cn-south-1" } })
    assert.are.equal(201, (srv:call("POST", rules, rule_with({ ["obs_addr.location"] = "cn-south-1" }))))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { rule_locations = {} })))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { strict = "yes" })))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { rate = -1 })))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { offset_items = 1 })))
  end)

  it("/_mock/config offset_items switches how both lists read offset, until the reset", function()
    srv:call("POST", "/_mock/config", { strict = false, rule_locations = { "cn-north-4", "cn-east-2" } })
    for i = 1, 3 do srv:call("POST", "/v2/apps", { app_name = "a" .. i }) end
    srv:call("POST", "/v2/apps/a/record-rules", RULE)
    srv:call("POST", "/v2/apps/a/record-rules", rule_with({ ["obs_addr.location"] = "cn-east-2" }))
    assert.are.equal("a2", select(2, srv:call("GET", "/v2/apps?offset=1&limit=1")).apps[1].app_name)
    assert.are.equal(0, #select(2, srv:call("GET", "/v2/apps/a/record-rules?offset=1&limit=2")).rules)
    srv:call("POST", "/_mock/config", { offset_items = true })
    assert.are.equal("a3", select(2, srv:call("GET", "/v2/apps?offset=2&limit=1")).apps[1].app_name)
    assert.are.equal(3, #select(2, srv:call("GET", "/v2/apps?offset=1&limit=10")).apps) -- a2, a3, a
    assert.are.equal(1, #select(2, srv:call("GET", "/v2/apps/a/record-rules?offset=1&limit=2")).rules)
    srv:call("POST", "/_mock/reset")
    srv:call("POST", "/_mock/config", { strict = false })
    srv:call("POST", "/v2/apps", { app_name = "b1" })
    srv:call("POST", "/v2/apps", { app_name = "b2" })
    assert.are.equal(0, #select(2, srv:call("GET", "/v2/apps?offset=1&limit=2")).apps)
  end)

  it("/_mock/seed puts the seed state in at run time", function()
    local st, ids = srv:call("POST", "/_mock/seed")
    assert.are.equal(200, st)
    assert.are.same({ app_id = "my-app", rule_id = "my-rule", job_id = "my-job" }, ids)
    assert.are.equal("RUNNING", select(2, srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")).state)
  end)

  it("sends 202 and 204 with no body, 200 with no body for the bucket authority", function()
    local _, a = srv:call("POST", "/v2/apps", { app_name = "a" })
    local st, body, h = srv:call("POST", "/v2/apps/" .. a.app_id .. "/rooms/r/dismiss")
    assert.are.same({ 202, "" }, { st, body })
    assert.is_nil(h["content-type"])
    assert.are.equal(32, #h["x-request-id"])
    st, body = srv:call("PUT", "/v2/rtc-ops/buckets/authentication", { bucket = "rtc-records", operation = 0, location = "cn-north-4" },
      { ["content-type"] = "application/json" })
    assert.are.same({ 200, "" }, { st, body })
    st, body = srv:call("DELETE", "/v2/apps/" .. a.app_id)
    assert.are.same({ 204, "" }, { st, body })
  end)
end)

describe("mock server: rate limit", function()
  local srv
  lazy_setup(function() srv = start_server({ "--rate", "2" }) end)
  lazy_teardown(function() srv:stop() end)
  before_each(function() srv:call("POST", "/_mock/reset") end)

  -- requests until the first 429 (at most n): -> sent, the 429's body and headers
  local function until_429(n)
    for i = 1, n do
      local st, body, h = srv:call("GET", "/v2/apps")
      if st == 429 then return i, body, h end
      assert.are.equal(200, st)
    end
    return n
  end

  it("--rate N: past N requests in a second, 429 with Retry-After and the gateway's error body", function()
    local sent, body, h = until_429(40)
    assert.is_table(body, "no 429 in 40 requests")
    assert.is_true(sent >= 3)
    assert.are.equal("APIGW.0308", body.error_code)
    assert.truthy(body.error_msg:find("limit:2", 1, true))
    local ra = tonumber(h["retry-after"])
    assert.are.equal(1, ra, tostring(h["retry-after"]))
    local _, s = srv:call("GET", "/_mock/stats")
    assert.are.equal(2, s.rate)
    assert.are.equal(1, s.limited)
    assert.are.equal(sent, s.requests)
    assert.are.equal(2, s.max_window)
    assert.is_true(s.max_per_second <= 2)
    local total, limited = 0, 0
    for _, p in ipairs(s.per_second) do
      assert.is_number(p.second)
      assert.are.equal(p.requests, p.accepted + p.limited)
      total, limited = total + p.requests, limited + p.limited
    end
    assert.are.same({ sent, 1 }, { total, limited })
  end)

  it("a 429 takes no script; /_mock/config rate changes the limit at run time (0: off)", function()
    srv:call("POST", "/_mock/script", { status = 503 })
    assert.are.equal(503, (srv:call("GET", "/v2/apps")))
    local sent = until_429(40)
    assert.is_true(sent < 40)
    srv:call("POST", "/_mock/config", { rate = 0 })
    for _ = 1, 10 do assert.are.equal(200, (srv:call("GET", "/v2/apps"))) end
    local _, s = srv:call("GET", "/_mock/stats")
    assert.are.equal(0, s.rate)
    assert.are.equal(1, s.limited)
    srv:call("POST", "/_mock/reset") -- back to --rate 2
    assert.are.equal(2, select(2, srv:call("GET", "/_mock/stats")).rate)
  end)

  it("control routes are never limited, and per-second counts run without a limit", function()
    srv:call("POST", "/_mock/config", { rate = 0 })
    for _ = 1, 5 do srv:call("GET", "/v2/rtc-ops/buckets") end
    for _ = 1, 20 do assert.are.equal(200, (srv:call("GET", "/_mock/health"))) end
    local _, s = srv:call("GET", "/_mock/stats")
    local total = 0
    for _, p in ipairs(s.per_second) do total = total + p.accepted end
    assert.are.equal(5, total)
    assert.are.equal(0, s.limited)
    assert.is_true(s.max_window >= 1 and s.max_window <= 5)
  end)
end)
