-- luacheck: max line length 160
-- spec/client/operations_spec.lua — the 28 CloudRTC v2 operations through the client, against the mock:
-- the operation table (rows, order, retry classes, content types, list metadata), each operation's
-- request on the wire (method, path, query, body, Content-Type) and its normalized answer
-- (documented types, request_id, status), and the module's functions. Every validation rule of
-- the new models: operations_validation_spec.lua.
local helper = require "spec.helper"
local rtc = require "rtc"
local cjson = require "cjson"
local O = require "spec.support.operations"
local RULE, MIX = O.RULE, O.MIX

local NAMES = {
  "create_job", "get_job", "update_job", "stop_job",
  "create_app", "list_apps", "get_app", "delete_app", "start_app", "stop_app",
  "create_record_rule", "list_record_rules", "get_record_rule", "update_record_rule", "delete_record_rule",
  "get_auto_record", "update_auto_record", "get_record_callback", "update_record_callback",
  "create_mix_job", "get_mix_job", "update_mix_job", "stop_mix_job",
  "remove_room", "remove_users",
  "list_obs_buckets", "list_obs_bucket_objects", "update_obs_bucket_authority",
}

-- method, path, success status of every operation (API-v2-operations.md section 1)
local WIRE = {
  create_job = { "POST", "/v2/apps/{app_id}/individual-stream-jobs", 201 },
  get_job = { "GET", "/v2/apps/{app_id}/individual-stream-jobs/{job_id}", 200 },
  update_job = { "PUT", "/v2/apps/{app_id}/individual-stream-jobs/{job_id}", 200 },
  stop_job = { "DELETE", "/v2/apps/{app_id}/individual-stream-jobs/{job_id}", 204 },
  create_app = { "POST", "/v2/apps", 201 },
  list_apps = { "GET", "/v2/apps", 200 },
  get_app = { "GET", "/v2/apps/{app_id}", 200 },
  delete_app = { "DELETE", "/v2/apps/{app_id}", 204 },
  start_app = { "POST", "/v2/apps/{app_id}/enable", 200 },
  stop_app = { "POST", "/v2/apps/{app_id}/disable", 200 },
  create_record_rule = { "POST", "/v2/apps/{app_id}/record-rules", 201 },
  list_record_rules = { "GET", "/v2/apps/{app_id}/record-rules", 200 },
  get_record_rule = { "GET", "/v2/apps/{app_id}/record-rules/{rule_id}", 200 },
  update_record_rule = { "PUT", "/v2/apps/{app_id}/record-rules/{rule_id}", 200 },
  delete_record_rule = { "DELETE", "/v2/apps/{app_id}/record-rules/{rule_id}", 204 },
  get_auto_record = { "GET", "/v2/apps/{app_id}/auto-record-mode", 200 },
  update_auto_record = { "PUT", "/v2/apps/{app_id}/auto-record-mode", 200 },
  get_record_callback = { "GET", "/v2/apps/{app_id}/record-callback", 200 },
  update_record_callback = { "PUT", "/v2/apps/{app_id}/record-callback", 200 },
  create_mix_job = { "POST", "/v2/apps/{app_id}/mix-stream-jobs", 201 },
  get_mix_job = { "GET", "/v2/apps/{app_id}/mix-stream-jobs/{job_id}", 200 },
  update_mix_job = { "PUT", "/v2/apps/{app_id}/mix-stream-jobs/{job_id}", 200 },
  stop_mix_job = { "DELETE", "/v2/apps/{app_id}/mix-stream-jobs/{job_id}", 204 },
  remove_room = { "POST", "/v2/apps/{app_id}/rooms/{room_id}/dismiss", 202 },
  remove_users = { "POST", "/v2/apps/{app_id}/rooms/{room_id}/batch-remove-users", 202 },
  list_obs_buckets = { "GET", "/v2/rtc-ops/buckets", 200 },
  list_obs_bucket_objects = { "GET", "/v2/rtc-ops/buckets/objects", 200 },
  update_obs_bucket_authority = { "PUT", "/v2/rtc-ops/buckets/authentication", 200 },
}

local CREATES = { create_app = true, create_mix_job = true, create_job = true }
local BODY_UTF8 = {
  create_job = true, update_job = true, create_app = true, create_record_rule = true,
  update_record_rule = true, update_auto_record = true, update_record_callback = true,
  create_mix_job = true, update_mix_job = true, remove_users = true,
}

local copy = helper.plain

local function is_integer(v)
  if math.type then return math.type(v) == "integer" end
  return type(v) == "number" and v == math.floor(v)
end

-- "a=1&b=x%2Fy" -> { a = "1", b = "x/y" }
local function parse_query(q)
  local t = {}
  for k, v in (q or ""):gmatch("([^&=]+)=?([^&]*)") do
    t[k] = v:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
  end
  return t
end
describe("the operation table", function()
  it("has the 28 operations, jobs first, then in the order of API-v2-operations.md", function()
    local names = {}
    for i, row in ipairs(rtc.operations()) do names[i] = row.name end
    assert.are.same(NAMES, names)
  end)

  it("gives each row its method, path, path parameters, success status and summary", function()
    for _, name in ipairs(NAMES) do
      local row = rtc.operation(name)
      assert.is_table(row, name)
      local method, path, success = table.unpack(WIRE[name])
      assert.are.same({ name, method, path, success }, { row.name, row.method, row.path, row.success })
      local params = {}
      for p in path:gmatch("{([%w_]+)}") do params[#params + 1] = p end
      assert.are.same(params, row.params, name)
      assert.is_string(row.summary)
      assert.is_true(#row.summary > 0, name)
    end
    assert.is_nil(rtc.operation("show_app"))
  end)

  it("retries creating POSTs only when unsent; everything else (the record-rule upsert too) is idempotent", function()
    for _, name in ipairs(NAMES) do
      assert.are.equal(CREATES[name] and "if_unsent" or "idempotent", rtc.operation(name).retry, name)
    end
  end)

  it("sends application/json;charset=utf-8 with the 10 /v2/apps bodies, application/json otherwise", function()
    for _, name in ipairs(NAMES) do
      assert.are.equal(BODY_UTF8[name] and "application/json;charset=utf-8" or "application/json",
        rtc.operation(name).content_type, name)
    end
  end)

  it("has a body schema exactly for the 11 operations that send one", function()
    local with_body = {}
    for _, name in ipairs(NAMES) do
      if rtc.operation(name).body then with_body[#with_body + 1] = name end
    end
    table.sort(with_body)
    local want = { "update_obs_bucket_authority" }
    for name in pairs(BODY_UTF8) do want[#want + 1] = name end
    table.sort(want)
    assert.are.same(want, with_body)
    assert.are.equal("RecordRuleReq", rtc.operation("create_record_rule").body.name)
    assert.are.equal("RecordRuleReq", rtc.operation("update_record_rule").body.name)
    assert.are.equal("ObsAuthorityConfig", rtc.operation("update_obs_bucket_authority").body.name)
  end)

  it("has query fields for list_apps, list_record_rules and list_obs_bucket_objects only", function()
    local function names_of(schema)
      local out = {}
      for _, f in ipairs(schema.fields) do out[#out + 1] = f.name end
      return out
    end
    for _, name in ipairs(NAMES) do
      local q = rtc.operation(name).query
      if name == "list_apps" then assert.are.same({ "state", "offset", "limit" }, names_of(q))
      elseif name == "list_record_rules" then assert.are.same({ "offset", "limit" }, names_of(q))
      elseif name == "list_obs_bucket_objects" then assert.are.same({ "bucket", "prefix", "type", "location" }, names_of(q))
      else assert.is_nil(q, name) end
    end
  end)

  it("describes the four lists for each_<item>", function()
    assert.are.same({ items = "apps", item = "app", total = "count", paged = true }, copy(rtc.operation("list_apps").list))
    assert.are.same({ items = "rules", item = "record_rule", paged = true }, copy(rtc.operation("list_record_rules").list))
    assert.are.same({ items = "buckets", item = "obs_bucket", total = "count", paged = false }, copy(rtc.operation("list_obs_buckets").list))
    assert.are.same({ items = "objects", item = "obs_bucket_object", total = "count", paged = false },
      copy(rtc.operation("list_obs_bucket_objects").list))
    for _, name in ipairs(NAMES) do
      if not name:match("^list_") then assert.is_nil(rtc.operation(name).list, name) end
    end
  end)

  it("reflects the documented rules of a model: enums, ranges, nested schemas, arrays of objects", function()
    local function field(schema, name)
      for _, f in ipairs(schema.fields) do if f.name == name then return f end end
    end
    local rule = rtc.operation("create_record_rule").body
    local formats = field(rule, "record_formats")
    assert.are.same({ "array", "string", true }, { formats.type, formats.items, formats.required })
    assert.are.same({ "HLS", "MP4" }, formats.enum)
    local mp4 = field(rule, "mp4_config").fields
    assert.are.equal("MP4RecordConfig", mp4.name)
    assert.are.same({ 60, 10800, true }, { field(mp4, "record_cycle").min, field(mp4, "record_cycle").max, field(mp4, "record_cycle").required })
    local mix = field(rtc.operation("create_mix_job").body, "mix_param").fields
    local panes = field(mix, "layout_panes")
    assert.are.same({ "array", "object", "MixLayoutPane" }, { panes.type, panes.items, panes.item_fields.name })
    assert.are.same({ 0, 25 }, { field(panes.item_fields, "zorder").min, field(panes.item_fields, "zorder").max })
    assert.are.equal("number", field(panes.item_fields, "x").type)
    local templates = field(mix, "encode_template").enum
    assert.are.equal(14, #templates) -- the SDK's 13 and the docs' audio_only
    local q = rtc.operation("list_apps").query
    assert.are.same({ 1, 100 }, { field(q, "limit").min, field(q, "limit").max })
    assert.are.same({ "ACTIVATION", "DEACTIVATION", "ARREARS" }, field(q, "state").enum)
  end)

  it("hands out fresh copies", function()
    local a = rtc.operations()
    a[1].name = "changed"
    assert.are.equal("create_job", rtc.operations()[1].name)
  end)
end)

describe("every operation through the client", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  local function last_request()
    local reqs = mock:requests()
    return reqs[#reqs], #reqs
  end

  -- the answer is a success of that status with a request_id; the request was as documented
  local function answered(name, res, err, path)
    assert.is_table(res, name .. ": " .. tostring(err))
    local method, _, status = table.unpack(WIRE[name])
    assert.are.equal(status, res.status)
    assert.is_string(res.request_id)
    assert.matches("^%x+$", res.request_id)
    local r = last_request()
    assert.are.equal(method, r.method)
    assert.are.equal(path, r.path)
    assert.are.equal(rtc.operation(name).content_type, r.headers["content-type"])
    return r
  end

  local function body_of(r) return cjson.decode(r.body) end

  local function new_app(name)
    local res = assert(client:create_app({ app_name = name or "app-one" }))
    return res.app_id
  end

  it("create_app, get_app, list_apps, stop_app, start_app, delete_app", function()
    local res, err = client:create_app({ app_name = "app-one" })
    local r = answered("create_app", res, err, "/v2/apps")
    assert.are.same({ app_name = "app-one" }, body_of(r))
    local app_id = res.app_id
    assert.matches("^%x+$", app_id)

    res, err = client:get_app(app_id)
    answered("get_app", res, err, "/v2/apps/" .. app_id)
    assert.are.equal("app-one", res.app_name)
    assert.are.equal("ACTIVATION", res.state.state) -- an object, not a string
    assert.is_boolean(res.authentication.enable)
    assert.is_true(is_integer(res.authentication.expire))
    assert.are.equal("AUTO_RECORD_OFF", res.auto_record_mode.mode)

    res, err = client:list_apps({ state = "ACTIVATION", offset = 0, limit = 10 })
    r = answered("list_apps", res, err, "/v2/apps")
    assert.are.same({ state = "ACTIVATION", offset = "0", limit = "10" }, parse_query(r.query))
    assert.are.equal(1, res.count)
    assert.is_true(is_integer(res.count))
    assert.are.equal(app_id, res.apps[1].app_id)
    assert.are.equal("ACTIVATION", res.apps[1].state.state)

    res, err = client:list_apps()
    r = answered("list_apps", res, err, "/v2/apps")
    assert.are.equal("", r.query or "") -- unset query parameters are not sent

    res, err = client:stop_app(app_id)
    answered("stop_app", res, err, "/v2/apps/" .. app_id .. "/disable")
    assert.are.same({ app_id, "DEACTIVATION" }, { res.app_id, res.state.state })
    local _, jerr = client:create_job(app_id, { room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } })
    helper.is_error(jerr, "api")
    assert.are.equal("RTC.00001016", jerr.code)

    res, err = client:start_app(app_id)
    answered("start_app", res, err, "/v2/apps/" .. app_id .. "/enable")
    assert.are.equal("ACTIVATION", res.state.state)

    res, err = client:delete_app(app_id)
    answered("delete_app", res, err, "/v2/apps/" .. app_id)
    local _, gerr = client:get_app(app_id)
    helper.is_error(gerr, "api")
    assert.are.equal(404, gerr.status)
  end)

  it("create_record_rule (201, then 200 when it replaces), list, get, update, delete", function()
    local app_id = new_app()
    local res, err = client:create_record_rule(app_id, copy(RULE))
    local r = answered("create_record_rule", res, err, "/v2/apps/" .. app_id .. "/record-rules")
    assert.are.same(RULE, body_of(r))
    local rule_id = res.rule_id
    assert.is_string(rule_id)
    assert.are.same({ "HLS", "MP4" }, copy(res.record_formats))
    assert.are.equal(3600, res.hls_config.record_cycle)
    assert.is_true(is_integer(res.hls_config.record_slice_duration))
    assert.are.equal(10, res.hls_config.record_slice_duration) -- the documented default, filled in
    assert.are.equal("cn-north-4", res.obs_addr.location)

    -- same location: the rule is replaced, same id, 200 (a success too)
    local again = copy(RULE)
    again.record_formats, again.hls_config = { "MP4" }, nil
    res, err = client:create_record_rule(app_id, again)
    assert.is_table(res, tostring(err))
    assert.are.same({ 200, rule_id }, { res.status, res.rule_id })

    res, err = client:list_record_rules(app_id, { offset = 0, limit = 20 })
    r = answered("list_record_rules", res, err, "/v2/apps/" .. app_id .. "/record-rules")
    assert.are.same({ offset = "0", limit = "20" }, parse_query(r.query))
    assert.are.equal(1, #res.rules)
    assert.are.equal(rule_id, res.rules[1].rule_id)
    assert.is_nil(res.count)

    res, err = client:get_record_rule(app_id, rule_id)
    answered("get_record_rule", res, err, "/v2/apps/" .. app_id .. "/record-rules/" .. rule_id)
    assert.are.same({ "MP4" }, copy(res.record_formats))

    local changed = copy(RULE)
    changed.hls_config = { record_cycle = 0, record_slice_duration = 4, record_max_duration_to_merge_file = -1 }
    res, err = client:update_record_rule(app_id, rule_id, changed)
    r = answered("update_record_rule", res, err, "/v2/apps/" .. app_id .. "/record-rules/" .. rule_id)
    assert.are.same(changed, body_of(r))
    assert.are.same({ 0, 4, -1 }, { res.hls_config.record_cycle, res.hls_config.record_slice_duration,
      res.hls_config.record_max_duration_to_merge_file })

    res, err = client:delete_record_rule(app_id, rule_id)
    answered("delete_record_rule", res, err, "/v2/apps/" .. app_id .. "/record-rules/" .. rule_id)
    local _, gerr = client:get_record_rule(app_id, rule_id)
    helper.is_error(gerr, "api")
    assert.are.equal(404, gerr.status)
  end)

  it("get_auto_record, update_auto_record, get_record_callback, update_record_callback", function()
    local app_id = new_app()
    local rule = assert(client:create_record_rule(app_id, copy(RULE)))
    local res, err = client:get_auto_record(app_id)
    answered("get_auto_record", res, err, "/v2/apps/" .. app_id .. "/auto-record-mode")
    assert.are.same({ app_id, "AUTO_RECORD_OFF" }, { res.app_id, res.auto_record_mode.mode })

    local body = { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = rule.rule_id }
    res, err = client:update_auto_record(app_id, body)
    local r = answered("update_auto_record", res, err, "/v2/apps/" .. app_id .. "/auto-record-mode")
    assert.are.same(body, body_of(r))
    assert.are.same({ "AUTO_INDIVIDUAL_RECORD", rule.rule_id }, { res.auto_record_mode.mode, res.auto_record_mode.record_rule_id })

    res, err = client:get_record_callback(app_id)
    answered("get_record_callback", res, err, "/v2/apps/" .. app_id .. "/record-callback")
    assert.are.equal(app_id, res.app_id)

    body = { url = "https://callbacks.example.invalid/rtc", auth_key = "callback-key" }
    res, err = client:update_record_callback(app_id, body)
    r = answered("update_record_callback", res, err, "/v2/apps/" .. app_id .. "/record-callback")
    assert.are.same(body, body_of(r))
    assert.are.equal(body.url, res.record_callback.url)
    assert.are.same({ "RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE" }, copy(res.record_callback.notify_event_subscription))
    res = assert(client:get_record_callback(app_id))
    assert.are.equal(body.url, res.record_callback.url)
  end)

  it("create_mix_job, get_mix_job, update_mix_job, stop_mix_job", function()
    local app_id = new_app()
    local res, err = client:create_mix_job(app_id, copy(MIX))
    local r = answered("create_mix_job", res, err, "/v2/apps/" .. app_id .. "/mix-stream-jobs")
    assert.are.same(MIX, body_of(r))
    local job_id = res.job_id
    assert.are.equal("m_" .. job_id .. "_room-1", res.stream_name)
    assert.are.equal("INIT", res.state)
    assert.are.equal(30, res.mix_param.max_idle_time) -- the default, filled in
    assert.is_true(is_integer(res.mix_param.max_idle_time))
    assert.are.equal(0.5, res.mix_param.layout_panes[1].width)

    res, err = client:get_mix_job(app_id, job_id)
    answered("get_mix_job", res, err, "/v2/apps/" .. app_id .. "/mix-stream-jobs/" .. job_id)
    assert.are.equal("RUNNING", res.state)

    local update = { mix_param = { layout_template = "custom", max_idle_time = 60,
      layout_panes = { { id = 1, user_id = "user-2", x = 0.25, y = 0.25, width = 0.5, height = 0.5 } } } }
    res, err = client:update_mix_job(app_id, job_id, update)
    r = answered("update_mix_job", res, err, "/v2/apps/" .. app_id .. "/mix-stream-jobs/" .. job_id)
    assert.are.same(update, body_of(r))
    assert.are.equal("user-2", res.mix_param.layout_panes[1].user_id)
    assert.are.equal(60, res.mix_param.max_idle_time)

    res, err = client:stop_mix_job(app_id, job_id)
    answered("stop_mix_job", res, err, "/v2/apps/" .. app_id .. "/mix-stream-jobs/" .. job_id)
    res = assert(client:get_mix_job(app_id, job_id))
    assert.are.same({ "STOPPED", "TENANT_STOP" }, { res.state, res.stop_reason })
  end)

  it("remove_room and remove_users stop the jobs of that room or those users", function()
    local app_id = new_app()
    local j1 = assert(client:create_job(app_id, { room_id = "room-9", user_id = "u1", record_param = { record_rule_id = "any" } }))
    local j2 = assert(client:create_job(app_id, { room_id = "room-9", user_id = "u2", record_param = { record_rule_id = "any" } }))
    local res, err = client:remove_users(app_id, "room-9", { user_ids = { "u1" } })
    local r = answered("remove_users", res, err, "/v2/apps/" .. app_id .. "/rooms/room-9/batch-remove-users")
    assert.are.same({ user_ids = { "u1" } }, body_of(r))
    assert.are.equal("STOPPED", assert(client:get_job(app_id, j1.job_id)).state)
    assert.are.equal("RUNNING", assert(client:get_job(app_id, j2.job_id)).state)

    res, err = client:remove_room(app_id, "room-9")
    answered("remove_room", res, err, "/v2/apps/" .. app_id .. "/rooms/room-9/dismiss")
    assert.are.equal("STOPPED", assert(client:get_job(app_id, j2.job_id)).state)
  end)

  it("list_obs_buckets, list_obs_bucket_objects, update_obs_bucket_authority", function()
    local res, err = client:list_obs_buckets()
    answered("list_obs_buckets", res, err, "/v2/rtc-ops/buckets")
    assert.are.equal(3, res.count)
    assert.are.equal("rtc-records", res.buckets[1].bucket)
    assert.are.equal(true, res.buckets[1].is_authorized)
    assert.are.equal(false, res.buckets[2].is_authorized)
    assert.matches("^%d+/%d+/%d+ ", res.buckets[1].creation_date) -- not ISO 8601, kept as text

    local q = { bucket = "rtc-records", type = "objects", location = "cn-north-4", prefix = "recordings/my-app/HLS" }
    res, err = client:list_obs_bucket_objects(q)
    local r = answered("list_obs_bucket_objects", res, err, "/v2/rtc-ops/buckets/objects")
    assert.are.same(q, parse_query(r.query))
    assert.are.equal(2, res.count)
    assert.are.equal("recordings/my-app/HLS/stream-1.m3u8", res.objects[1].file_name)
    assert.is_true(is_integer(res.objects[2].size))

    res, err = client:list_obs_bucket_objects({ bucket = "rtc-records", type = "folders", location = "cn-north-4" })
    assert.is_table(res, tostring(err))
    assert.are.same({ "recordings/", "snapshots/" }, { res.objects[1].file_name, res.objects[2].file_name })

    local body = { bucket = "rtc-backup", operation = 1, location = "cn-north-1", project_id = "test-project" }
    res, err = client:update_obs_bucket_authority(body)
    r = answered("update_obs_bucket_authority", res, err, "/v2/rtc-ops/buckets/authentication")
    assert.are.same(body, body_of(r))
    assert.are.equal(true, assert(client:list_obs_buckets()).buckets[2].is_authorized)
  end)

  it("answers the service's errors as api errors with the code and request_id", function()
    local _, err = client:list_obs_bucket_objects({ bucket = "rtc-records", type = "objects", location = "cn-east-2" })
    helper.is_error(err, "api")
    assert.are.same({ 404, "RTC.00001003" }, { err.status, err.code })
    assert.is_string(err.request_id)
    _, err = client:update_obs_bucket_authority({ bucket = "no-such-bucket", operation = 0, location = "cn-north-4" })
    helper.is_error(err, "api")
    assert.are.equal(400, err.status)
  end)

  it("refuses path parameters that would address another resource, and wrong argument types raise", function()
    local _, err = client:get_record_rule("app-1", "a/b")
    helper.is_error(err, "invalid")
    assert.are.equal(0, #mock:requests())
    assert.has_error(function() client:get_record_rule("app-1") end)
    assert.has_error(function() client:remove_users("app-1", "room-1", "u1") end)
    assert.has_error(function() client:list_apps("ACTIVATION") end)
  end)
end)

describe("the module's functions (the default client)", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("play the new operations and their iterators", function()
    rtc.configure({ endpoint = mock.url, token = mock.token, retries = 0 })
    local created = assert(rtc.create_app({ app_name = "module-app" }))
    assert.are.equal(201, created.status)
    local app = assert(rtc.get_app(created.app_id))
    assert.are.equal("module-app", app.app_name)
    local rule = assert(rtc.create_record_rule(created.app_id, copy(RULE)))
    local list = assert(rtc.list_record_rules(created.app_id, { offset = 0, limit = 5 }))
    assert.are.equal(rule.rule_id, list.rules[1].rule_id)
    local ids = {}
    for a in rtc.each_app() do ids[#ids + 1] = a.app_id end
    assert.are.same({ created.app_id }, ids)
    local rules = {}
    for r in rtc.each_record_rule(created.app_id, { limit = 1 }) do rules[#rules + 1] = r.rule_id end
    assert.are.same({ rule.rule_id }, rules)
    local buckets = {}
    for b in rtc.each_obs_bucket() do buckets[#buckets + 1] = b.bucket end
    assert.are.same({ "rtc-records", "rtc-backup", "media-archive" }, buckets)
    local _, err = rtc.update_record_callback(created.app_id, { url = "mailto:x" })
    helper.is_error(err, "invalid")
    assert.are.equal("url", err.field)
    local p = rtc.new({ endpoint = mock.url, token = mock.token }):prepare("list_record_rules", "app-1", { offset = 2, limit = 10 }, { now = 0 })
    assert.are.equal("GET", p.method)
    assert.matches("/v2/apps/app%-1/record%-rules%?", p.url)
    assert.matches("offset=2", p.url)
    assert.matches("limit=10", p.url)
    assert.are.equal("application/json", p.headers["Content-Type"] or p.headers["content-type"])
  end)
end)
