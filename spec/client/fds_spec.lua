-- client:fds() tracks sockets with libcurl's socket callback, so it is exact for any descriptor
-- number, past select()'s 1024 (issue 14 §7).
local helper = require "spec.helper"

describe("fds() past descriptor 1023", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("lists the call's socket with 1,100 files open first", function()
    local files = {}
    for i = 1, 1100 do
      local f = io.open("/dev/null", "r")
      if not f then break end
      files[i] = f
    end
    if #files < 1100 then
      pending("the descriptor limit is below 1,100 here")
      for _, f in ipairs(files) do f:close() end
      return
    end
    local c = helper.client(mock, { retries = 0 })
    mock:seed_job("app", { job_id = "j" })
    mock:config{ delay_all = 60 } -- held while we look (then cancelled): no race against the answer
    local held = c:start("get_job", "app", "j")
    local seen
    for _ = 1, 100 do
      local r, w = c:fds()
      for _, fd in ipairs(r) do seen = math.max(seen or 0, fd) end
      for _, fd in ipairs(w) do seen = math.max(seen or 0, fd) end
      if seen then break end
      for done in c:poll(0.01) do error("call " .. tostring(done) .. " ended") end
    end
    assert.is_number(seen, "fds() listed no socket")
    assert.is_true(seen >= 1024, "socket " .. tostring(seen))
    assert.is_true(c:cancel(held))
    local n = 0
    for id, _, err in c:poll(0) do
      assert.are.equal(held, id)
      helper.is_error(err, "cancelled")
      n = n + 1
    end
    assert.are.equal(1, n)
    -- and a call on such a socket is answered through poll
    mock:config{ delay_all = 0 }
    c:start("get_job", "app", "j")
    local got
    for _ = 1, 50 do
      for _, job, err in c:poll(0.2) do got = job or err end
      if got then break end
    end
    assert.are.equal("j", got.job_id)
    c:close()
    for _, f in ipairs(files) do f:close() end
  end)
end)
