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
    mock:config{ delay_all = 0.5 }
    local id = client:start("get_job", "app-ev", "j1")
    local result, error_
    local selects, empty_polls = 0, 0
    local deadline = socket.gettime() + 10
    while result == nil and error_ == nil and socket.gettime() < deadline do
      local r, w = client:fds()
      local t = client:timeout()
      assert.is_number(t)
      assert.is_true(#r + #w <= 2)
      socket.select(wrap(r), wrap(w), math.min(t, 0.05))
      selects = selects + 1
      local got = false
      for done_id, job, err in client:poll(0) do
        assert.equal(id, done_id)
        result, error_ = job, err
        got = true
      end
      if not got then empty_polls = empty_polls + 1 end
    end
    assert.is_nil(error_)
    assert.equal("j1", result.job_id)
    -- the loop waited in its own select, and poll(0) came back without the answer the mock held
    -- 0.5 s (a poll(0) that waited for it would end the loop at its first turn); counts, no clock
    assert.is_true(selects >= 2)
    assert.is_true(empty_polls >= 1)
    assert.is_nil(client:timeout())
  end)

  it("while a call waits for the server, its socket is among fds()", function()
    mock:seed_job("app-ev", { job_id = "j2" })
    mock:config{ delay_all = 60 } -- the answer never comes while we look: the call is cancelled
    local id = client:start("get_job", "app-ev", "j2")
    local seen = false
    for _ = 1, 20 do
      local r, w = client:fds()
      if #r + #w > 0 then seen = true break end
      for done in client:poll(0.01) do error("call " .. tostring(done) .. " ended") end
    end
    assert.is_true(seen)
    assert.is_true(client:cancel(id))
    for _ in client:poll(2) do end
    assert.equal(0, client:pending())
  end)
end)
