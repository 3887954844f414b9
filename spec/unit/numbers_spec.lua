-- Numbers go out exact (issue 21): every double as the shortest text that reads back to the same
-- double, as the official SDKs send it (Python's repr: 1/3 -> 0.3333333333333333, 0.1 + 0.2 ->
-- 0.30000000000000004); lua-cjson 2.1.0 alone wrote 14 digits (0.33333333333333). And the
-- documented disjoint range of HLS record_cycle (60..43200, or 0) is checked before sending.
local rtc = require "rtc"

local unpack = table.unpack or unpack
local c = rtc.new{ endpoint = "http://127.0.0.1:9", token = "t" } -- prepare sends nothing

local function mix_body(op, panes)
  local params = { mix_param = { layout_panes = panes } }
  if op == "create_mix_job" then
    params.mix_param.room_id = "r"
    params.mix_param.encode_template = "1280*720_30_1710"
    params.mix_param.layout_template = "custom"
  end
  local args = op == "create_mix_job" and { "app", params } or { "app", "job", params }
  local req, err = c:prepare(op, unpack(args))
  assert(req, tostring(err))
  return req.body
end

-- the text of field `name` of the pane with user_id `id` in the body
local function number_in(body, id, name)
  local pane = body:match('{[^{}]*"user_id":"' .. id .. '"[^{}]*}')
  assert(pane, "no pane " .. id .. " in " .. body)
  return pane:match('"' .. name .. '":([-%d.eE+]+)')
end

describe("numbers", function()
  it("go out as Python's repr writes them (the official SDK's JSON)", function()
    for _, op in ipairs({ "create_mix_job", "update_mix_job" }) do
      local body = mix_body(op, { { user_id = "a", x = 1 / 3, y = 0.1 + 0.2, width = 2 / 3,
                                    height = 0.1 } })
      assert.are.equal("0.3333333333333333", number_in(body, "a", "x"))
      assert.are.equal("0.30000000000000004", number_in(body, "a", "y"))
      assert.are.equal("0.6666666666666666", number_in(body, "a", "width"))
      assert.are.equal("0.1", number_in(body, "a", "height"))
    end
  end)

  it("every double is the shortest text that reads back to it", function()
    math.randomseed(21)
    local panes, values = {}, {}
    for i = 1, 50 do
      local v = { x = math.random(), y = math.random() / 1e6, width = math.random(1, 999) / 1000,
                  height = 1 / (i + 2) }
      v.user_id = "u" .. i
      panes[i], values[i] = v, v
    end
    local body = mix_body("update_mix_job", panes)
    for i, v in ipairs(values) do
      for _, k in ipairs({ "x", "y", "width", "height" }) do
        local text = number_in(body, "u" .. i, k)
        assert.are.equal(v[k], tonumber(text), k .. " of pane " .. i .. ": " .. text)
        local digits = #(text:gsub("e.*", ""):gsub("[^%d]", ""):gsub("^0+", ""))
        if digits > 15 then -- no shorter text would do
          local shorter = string.format("%." .. (digits - 1) .. "g", v[k])
          assert.are_not.equal(v[k], tonumber(shorter), text .. " is not the shortest")
        end
      end
    end
  end)

  it("integers stay integers, in body and query", function()
    local body = mix_body("update_mix_job", { { user_id = "a", zorder = 7, x = 1, y = 0 } })
    assert.are.equal("7", number_in(body, "a", "zorder"))
    assert.are.equal("1", number_in(body, "a", "x"))
    local req = c:prepare("list_apps", { offset = 0, limit = 100 })
    assert.truthy(req.url:find("offset=0&limit=100", 1, true), req.url)
  end)

  it("strings that look like placeholders or numbers stay strings", function()
    local body = mix_body("update_mix_job", { { user_id = "1", x = 0.5 }, { user_id = "\1" .. "0\1", x = 0.25 } })
    assert.truthy(body:find('"user_id":"1"', 1, true), body)
    assert.truthy(body:find('"user_id":"\\u00010\\u0001"', 1, true), body)
  end)
end)

describe("documented disjoint ranges", function()
  local function rule(cycle)
    return { obs_addr = { location = "cn-north-4", project_id = "p", bucket = "b" },
             record_formats = { "HLS" }, hls_config = { record_cycle = cycle } }
  end

  it("HLS record_cycle: 60..43200, or 0; 30 is refused before sending, the field named", function()
    for _, ok in ipairs({ 0, 60, 3600, 43200 }) do
      assert.truthy(c:prepare("create_record_rule", "app", rule(ok)), tostring(ok))
    end
    for _, bad in ipairs({ 30, 1, 59, 43201, -1 }) do
      local req, err = c:prepare("create_record_rule", "app", rule(bad))
      assert.is_nil(req)
      assert.are.equal("invalid", err.kind)
      assert.are.equal("hls_config.record_cycle", err.field)
      assert.truthy(err.message:find("hls_config.record_cycle", 1, true), err.message)
      assert.truthy(err.message:find("or 0", 1, true), err.message)
    end
  end)

  it("the row says so (rtc.operations)", function()
    local row = rtc.operation("create_record_rule")
    local hls
    for _, f in ipairs(row.body.fields) do if f.name == "hls_config" then hls = f end end
    assert.truthy(hls, "hls_config in the row")
    local cycle
    for _, f in ipairs(hls.fields.fields) do if f.name == "record_cycle" then cycle = f end end
    assert.are.equal(60, cycle.min)
    assert.is_true(cycle.or_zero)
  end)
end)
