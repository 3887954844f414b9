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
      local m = err.message
      assert.truthy(m:find("header is longer than the limit", 1, true) or
                    m:find("headers pass libcurl's limits", 1, true), m)
      assert.are.equal(1, #mock:requests()) -- not retried
      c:close()
    end)
  end

  local function raw(text)
    local c = helper.client(mock, { retries = 2, backoff_base = 0.001, backoff_max = 0.001 })
    mock:script{ raw = text }
    local job, err = c:get_job("app", "j")
    c:close()
    return job, err
  end

  it("a 200 KB status line is a decode error saying so, not retried", function()
    local job, err = raw("HTTP/1.1 200 " .. string.rep("O", 200000) ..
      "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    assert.is_nil(job)
    helper.is_error(err, "decode")
    assert.truthy(err.message:find("libcurl's limits", 1, true), err.message)
    assert.are.equal(1, #mock:requests())
  end)

  it("6000 headers are a decode error, not retried", function()
    local h = {}
    for i = 1, 6000 do h[i] = "X-H" .. i .. ": " .. string.rep("v", 40) end
    local job, err = raw("HTTP/1.1 200 OK\r\n" .. table.concat(h, "\r\n") ..
      "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    if job then -- a libcurl without a limit on the headers' total (before 8.x) reads them all
      assert.is_nil(err)
    else        -- a newer one refuses them (CURLE_TOO_LARGE): the answer's fault, said so
      helper.is_error(err, "decode")
      assert.truthy(err.message:find("libcurl's limits", 1, true), err.message)
    end
    assert.are.equal(1, #mock:requests())
  end)

  for _, n in ipairs{ 257, 300, 5000 } do
    it("an X-request-Id of " .. n .. " bytes (past the 256-byte cap) is refused as decode", function()
      local c = helper.client(mock, { retries = 0 })
      mock:script{ status = 200, headers = { ["X-request-Id"] = string.rep("r", n) },
                   body = '{"job_id":"j"}' }
      local job, err = c:get_job("app", "j")
      assert.is_nil(job)
      helper.is_error(err, "decode")
      assert.truthy(err.message:find("longer than 256 bytes", 1, true), err.message)
      assert.is_nil(err.request_id)
      c:close()
    end)
  end

  it("an X-request-Id of exactly 256 bytes is kept whole", function()
    local c = helper.client(mock, { retries = 0 })
    local id = string.rep("r", 255) .. "z"
    mock:script{ status = 404, headers = { ["X-request-Id"] = id },
                 body = '{"error_code":"X","error_msg":"no"}' }
    local _, err = c:get_job("app", "j")
    helper.is_error(err, "api")
    assert.are.equal(id, err.request_id)
    c:close()
  end)
end)
