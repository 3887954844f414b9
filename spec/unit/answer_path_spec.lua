-- spec/unit/answer_path_spec.lua — an answer field refused by normalize is named by its path
-- (err.field and the message): keys and array positions (after dropped nulls), as deep as
-- answers go (128 levels), cut at 255 bytes.
local helper = require "spec.helper"

local is_error = helper.is_error

describe("the path of a refused answer field", function()
  local mock, c
  helper.mock_suite({ client = { retries = 0 } }, function(m, cl) mock, c = m, cl end)

  local function refused(body)
    mock:script{ status = 200, body = body }
    local res, err = c:get_job("app", "J1")
    assert.is_nil(res)
    is_error(err, "decode")
    assert.truthy(err.field, tostring(err))
    assert.truthy(tostring(err):find("the answer's " .. err.field .. " is ", 1, true), tostring(err))
    return err.field
  end

  it("known and unknown fields, arrays with nulls dropped", function()
    assert.are.equal("publish_param.rtmp_urls[2]",
      refused('{"job_id":"J1","publish_param":{"rtmp_urls":["rtmp://a",null,{"q":1}]}}'))
    assert.are.equal("extra[1][1].k[3]", refused('{"job_id":"J1","extra":[null,[null,{"k":[1,2,1e400]}]]}'))
    assert.are.equal("z[1]", refused('{"job_id":"J1","x":{"y":[1,{"w":2}]},"z":[1e400]}'))
    assert.are.equal("job_id", refused('{"job_id":1e400}'))
  end)

  it("127 levels of objects or arrays: the whole path, cut at 255 bytes", function()
    for _, d in ipairs({ 10, 100, 126 }) do
      local want = "x" .. string.rep(".a", d)
      assert.are.equal(want:sub(1, 255),
        refused('{"job_id":"J1","x":' .. string.rep('{"a":', d) .. '1e400' .. string.rep("}", d) .. "}"))
      want = "x" .. string.rep("[1]", d)
      assert.are.equal(want:sub(1, 255),
        refused('{"job_id":"J1","x":' .. string.rep("[", d) .. "1e400" .. string.rep("]", d) .. "}"))
    end
  end)

  it("long keys: cut at 255 bytes", function()
    local k = string.rep("k", 300)
    assert.are.equal(k:sub(1, 255), refused('{"job_id":"J1","' .. k .. '":1e400}'))
    k = string.rep("k", 250)
    assert.are.equal(("a." .. k .. ".b"):sub(1, 255), refused('{"job_id":"J1","a":{"' .. k .. '":{"b":1e400}}}'))
  end)

  it("a refused answer leaves the next one its own path", function()
    refused('{"job_id":"J1","deep":' .. string.rep("[", 100) .. "1e400" .. string.rep("]", 100) .. "}")
    assert.are.equal("y", refused('{"job_id":"J1","y":1e400}'))
  end)
end)
