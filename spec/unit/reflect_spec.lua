-- rtc.operations() and rtc.operation(name): the rows as Lua tables, derived from the C table.
local rtc = require "rtc"

describe("reflection", function()
  it("operations() lists every operation in table order, a fresh array each time", function()
    local ops = rtc.operations()
    local names = {}
    for i, op in ipairs(ops) do names[i] = op.name end
    -- the 28 operations of CloudRTC v2 (API-v2-operations.md), the job operations first
    assert.are.equal(28, #names)
    assert.are.same({ "create_job", "get_job", "update_job", "stop_job" },
                    { names[1], names[2], names[3], names[4] })
    local seen = {}
    for _, name in ipairs(names) do
      assert.is_nil(seen[name], name .. " twice")
      seen[name] = true
    end
    for _, name in ipairs{ "create_app", "list_apps", "get_app", "delete_app", "start_app",
      "stop_app", "create_record_rule", "list_record_rules", "get_record_rule",
      "update_record_rule", "delete_record_rule", "get_auto_record", "update_auto_record",
      "get_record_callback", "update_record_callback", "create_mix_job", "get_mix_job",
      "update_mix_job", "stop_mix_job", "remove_room", "remove_users", "list_obs_buckets",
      "list_obs_bucket_objects", "update_obs_bucket_authority" } do
      assert.is_true(seen[name], name)
    end
    ops[1].name = "changed"
    assert.are.equal("create_job", rtc.operations()[1].name)
    for _, op in ipairs(rtc.operations()) do
      assert.is_function(rtc[op.name], op.name) -- every row is a module function
      assert.is_string(op.summary)
      assert.is_true(#op.summary > 0)
    end
  end)

  it("a row: method, path, params derived from the template, success, retry", function()
    local op = rtc.operation("update_job")
    assert.are.equal("PUT", op.method)
    assert.are.equal("/v2/apps/{app_id}/individual-stream-jobs/{job_id}", op.path)
    assert.are.same({ "app_id", "job_id" }, op.params)
    assert.are.equal(200, op.success)
    assert.are.equal("idempotent", op.retry)
    assert.are.equal("application/json;charset=utf-8", op.content_type)
    assert.is_nil(op.query)
    assert.is_nil(op.list)
    assert.are.same({ "app_id" }, rtc.operation("create_job").params)
    assert.are.equal("if_unsent", rtc.operation("create_job").retry)
    assert.are.equal(201, rtc.operation("create_job").success)
    assert.are.equal(204, rtc.operation("stop_job").success)
    assert.is_nil(rtc.operation("stop_job").body)
    assert.is_nil(rtc.operation("stop_job").response)
    assert.is_nil(rtc.operation("nope"))
  end)

  it("schemas: fields with types, required, enums, ranges, nested objects, arrays", function()
    local body = rtc.operation("create_job").body
    assert.are.equal("IndividualStreamJobReq", body.name)
    assert.are.same({ "publish_param", "record_param" }, body.one_of)
    local by = {}
    for _, f in ipairs(body.fields) do by[f.name] = f end
    assert.are.same({ name = "room_id", type = "string", required = true, max_length = 4096 }, by.room_id)
    assert.are.same({ "CAMERASTREAM", "SCREENSTREAM" }, by.video_type.enum)
    assert.are.equal("integer", by.max_idle_time.type)
    assert.are.equal(5, by.max_idle_time.min)
    assert.are.equal(43200, by.max_idle_time.max)
    assert.are.equal("boolean", by.is_record_audio.type)
    local pp = by.publish_param
    assert.are.equal("object", pp.type)
    assert.are.equal("PublishParam", pp.fields.name)
    local urls = pp.fields.fields[1]
    assert.are.same({ name = "rtmp_urls", type = "array", required = true, items = "string", min = 1, max = 100 }, urls)
    assert.are.equal("IndividualStreamJobInfo", rtc.operation("get_job").response.name)
  end)
end)
