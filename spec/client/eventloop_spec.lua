-- An external event loop drives calls with client:fds(), client:timeout() and poll(0):
-- it sleeps in its own select() and never in the client.
local helper = require "spec.helper"
local socket = require "socket"

-- LuaSocket's select takes objects with a getfd method
local function wrap(fds)
  local list = {}
  for i, fd in ipairs(fds) do
    list[i] = { getfd = function() return fd end, dirty = function() return false end }
  end
  return list
end

describe("event loop support", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  it("fds() and timeout() are empty when nothing is in flight", function()
    local r, w = client:fds()
    assert.same({}, r)
    assert.same({}, w)
    assert.is_nil(client:timeout())
  end)

  it("a select() loop on fds() and timeout() completes a call without blocking in the client", function()
    mock:seed_job("app-ev", { job_id = "j1" })
    mock:config{ delay_all = 0.2 }
    local id = client:start("get_job", "app-ev", "j1")
    local result, error_
    local selects, longest_poll = 0, 0
    local deadline = socket.gettime() + 5
    while result == nil and error_ == nil and socket.gettime() < deadline do
      local r, w = client:fds()
      local t = client:timeout()
      assert.is_number(t)
      assert.is_true(#r + #w <= 2)
      socket.select(wrap(r), wrap(w), math.min(t, 0.05))
      selects = selects + 1
      local t0 = socket.gettime()
      for done_id, job, err in client:poll(0) do
        assert.equal(id, done_id)
        result, error_ = job, err
      end
      longest_poll = math.max(longest_poll, socket.gettime() - t0)
    end
    assert.is_nil(error_)
    assert.equal("j1", result.job_id)
    assert.is_true(selects >= 2)          -- the loop waited in its own select
    assert.is_true(longest_poll < 0.1)    -- and poll(0) never held it
    assert.is_nil(client:timeout())
  end)

  it("while a call waits for the server, its socket is among fds()", function()
    mock:seed_job("app-ev", { job_id = "j2" })
    mock:config{ delay_all = 0.3 }
    client:start("get_job", "app-ev", "j2")
    local seen = false
    for _ = 1, 20 do
      local r, w = client:fds()
      if #r + #w > 0 then seen = true break end
      for _ in client:poll(0.01) do end
    end
    assert.is_true(seen)
    for _ in client:poll(2) do end
    assert.equal(0, client:pending())
  end)
end)
