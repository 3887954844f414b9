-- rtc.operations() and rtc.operation(name): the rows as Lua tables, derived from the C table.
local rtc = require "rtc"

describe("reflection", function()
  it("operations() lists every operation in table order, a fresh array each time", function()
    local ops = rtc.operations()
    local names = {}
    for i, op in ipairs(ops) do names[i] = op.name end
    assert.are.same({ "create_job", "get_job", "update_job", "stop_job" }, names)
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
