-- Answer headers past the limit are a clear decode error, not libcurl's "Out of memory"
-- (issue 14 §5).
local helper = require "spec.helper"

describe("answer header limits", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  for _, n in ipairs{ 20000, 1000000 } do
    it("an X-request-Id of " .. n .. " bytes is a decode error saying so", function()
      local c = helper.client(mock, { retries = 2, backoff_base = 0.001, backoff_max = 0.001 })
      mock:script{ status = 200, headers = { ["X-request-Id"] = string.rep("a", n) }, body = "{}" }
      local job, err = c:get_job("app", "j")
      assert.is_nil(job)
      helper.is_error(err, "decode")
      assert.truthy(err.message:find("header is longer than the limit", 1, true), err.message)
      assert.are.equal(1, #mock:requests()) -- not retried
      c:close()
    end)
  end
end)
