-- luacheck: max line length 160
-- spec/mock/api_spec.lua — the mock plays the whole CloudRTC v2 API (28 operations), mock/sparkrtc.lua
-- called directly: the routes, apps and record rules (success shapes and statuses, each validation
-- rule, pagination). Jobs, rooms and buckets: api_jobs_spec.lua; authentication: api_auth_spec.lua;
-- over HTTP (--seed, --strict, the rate limit, /_mock/stats): server_flags_spec.lua.
require "spec.helper" -- the module paths: ./mock/?.lua (sparkrtc), the build
local sparkrtc = require "sparkrtc"
local cjson = require "cjson"
local M = require "spec.support.mock_api"
local TS, new_api, call, ok, fails, create_app = M.TS, M.new_api, M.call, M.ok, M.fails, M.create_app
local RULE, rule_with, job_body, MIX = M.RULE, M.rule_with, M.job_body, M.MIX

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
