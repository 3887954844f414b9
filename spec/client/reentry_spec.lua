-- Lua code that runs while a client works — finalizers, callbacks, collectgarbage — can never
-- crash it, leak, or leave a call unfinished: a method called from inside another of the same
-- client raises "busy", and close() is deferred until the running method returns (issue 10).
local helper = require "spec.helper"

describe("re-entry", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  local function new(opts) return helper.client_once(mock, opts) end

  it("the issue-10 reproducer: finalizers that close the client mid-call; survived", function()
    local c = new()
    local Owner = { __gc = function(o) pcall(o.client.close, o.client) end }
    for i = 1, 2000 do
      local ok, job, err = pcall(c.get_job, c, "app", "job" .. i)
      if ok then -- the call ran: an answer (404 here), never a made-up failure
        assert.is_nil(job)
        assert.are.equal("api", err.kind, tostring(err))
      else      -- or the client was closed before it began: said so
        assert.truthy(tostring(job):find("the client is closed", 1, true), tostring(job))
        c = new()
      end
      setmetatable({ client = c }, Owner)
    end
    collectgarbage()
    c:close()
  end)

  it("a finalizer that closes the client while a call is built: a clear error, no lost call", function()
    -- building allocates (the body's JSON, the error objects), so the collector may run a
    -- finalizer there; whatever it does, each call either runs or raises "the client is closed"
    local c = new()
    local go, Closer = false, {}
    Closer.__gc = function()
      if go then pcall(c.close, c) else setmetatable({}, Closer) end
    end
    setmetatable({}, Closer)
    go = true
    local params = { publish_param = { rtmp_urls = { "rtmp://x/y" } } }
    for i = 1, 3000 do
      local ok, job, err = pcall(c.update_job, c, "app", "job" .. i, params)
      if ok then
        assert.is_nil(job)
        assert.are.equal("api", err.kind, tostring(err)) -- the mock's 404, not "no credentials"
      else
        assert.truthy(tostring(job):find("the client is closed", 1, true), tostring(job))
        go = false
        c = new()
        setmetatable({}, Closer)
        go = true
      end
      if i % 50 == 0 then collectgarbage("step") end
    end
    go = false
    c:close()
  end)

  it("a finalizer's close() during a call is deferred: the call returns its answer", function()
    mock:seed_job("app", { job_id = "j1" })
    local c = new()
    local Owner = { __gc = function(o) o.client:close() end }
    local job, err
    for _ = 1, 200 do
      setmetatable({ client = c }, Owner)
      local ok, a, b = pcall(c.get_job, c, "app", "j1")
      if not ok then
        assert.truthy(tostring(a):find("closed", 1, true), tostring(a))
        c = new()
      else
        job, err = a, b
        assert.is_nil(err)
        assert.are.equal("j1", job.job_id)
      end
    end
    c:close()
  end)

  it("a finalizer that calls the client while it runs gets 'busy', never a crash", function()
    local c = new()
    local seen = {}
    local Caller = { __gc = function(o)
      local ok, e = pcall(o.client.get_job, o.client, "app", "x")
      if not ok then seen[#seen + 1] = tostring(e) end
    end }
    for i = 1, 300 do
      setmetatable({ client = c }, Caller)
      local _, err = c:get_job("app", "job" .. i)
      helper.is_error(err, "api")
    end
    collectgarbage()
    for _, e in ipairs(seen) do
      assert.truthy(e:find("busy", 1, true) or e:find("closed", 1, true), e)
    end
    c:close()
  end)

  it("errors of every kind survive finalizers that close the client", function()
    local dead = "http://127.0.0.1:" .. helper.dead_port()
    local makers = {
      function() return new() end,                                   -- api (404)
      function() return helper.client({ url = dead, token = "t" }, { retries = 0 }) end, -- transport
    }
    local Owner = { __gc = function(o) pcall(o.client.close, o.client) end }
    for _, make in ipairs(makers) do
      local c = make()
      for i = 1, 200 do
        local ok = pcall(c.get_job, c, "app", "job" .. i)
        if not ok then c = make() end
        setmetatable({ client = c }, Owner)
      end
      c:close()
    end
    -- decode errors: a body that is not JSON
    local c = new()
    for i = 1, 100 do
      mock:script{ status = 200, body = "not json " .. i }
      local ok, _, err = pcall(c.get_job, c, "app", "job")
      if ok then helper.is_error(err, "decode") else c = new() end
      setmetatable({ client = c }, Owner)
    end
    c:close()
  end)

  it("large answers (decode allocates a lot) with finalizers closing the client", function()
    local body = '{"job_id":"big","state":"RUNNING","description":"' .. string.rep("d", 200000) .. '"}'
    local c = new()
    local Owner = { __gc = function(o) pcall(o.client.close, o.client) end }
    local got, reopened = 0, 0
    for _ = 1, 40 do
      for _ = 1, 50 do setmetatable({ client = c }, Owner) end
      mock:script{ status = 200, body = body }
      setmetatable({ client = c }, Owner)
      local ok, job = pcall(c.get_job, c, "app", "big")
      if ok then
        assert.are.equal(200000, #job.description)
        got = got + 1
      else
        c = new()
        reopened = reopened + 1
      end
    end
    assert.are.equal(40, got + reopened)
    c:close()
  end)

  it("start/poll: finalizers closing the client while poll decodes", function()
    local c = new()
    local Owner = { __gc = function(o) pcall(o.client.close, o.client) end }
    for round = 1, 30 do
      local ok = pcall(function()
        for i = 1, 5 do c:start("get_job", "app", "j" .. round .. "-" .. i) end
        local n = 0
        while n < 5 do
          for _, _, err in c:poll(1) do
            helper.is_error(err, "api")
            n = n + 1
            setmetatable({ client = c }, Owner)
          end
        end
      end)
      if not ok then c = new() end
    end
    c:close()
  end)

  it("batch: progress that closes, calls back in and runs collectgarbage", function()
    local c = new()
    local calls = {}
    for i = 1, 20 do calls[i] = { "get_job", "app", "j" .. i } end
    local busy, n = 0, 0
    local results, summary = c:batch(calls, { concurrency = 4, progress = function(done, total)
      n = n + 1
      assert.are.equal(20, total)
      assert.are.equal(n, done)
      collectgarbage()
      local ok, e = pcall(c.get_job, c, "app", "x")
      -- "busy" while the batch runs; "closed" once close() was asked for
      local want = done <= 10 and "busy" or "closed"
      if not ok and tostring(e):find(want, 1, true) then busy = busy + 1 end
      if done == 10 then c:close() end
    end })
    assert.are.equal(20, n)
    assert.are.equal(20, busy)
    assert.are.same({ ok = 0, failed = 20 }, summary)
    assert.are.equal(20, #results)
    assert.are.equal("rtc.client(closed)", tostring(c))
  end)

  it("batch with keep_results = false gives results only through progress", function()
    local c = new()
    local calls = {}
    for i = 1, 30 do calls[i] = { "get_job", "app", "j" .. i } end
    local seen = {}
    local results, summary = c:batch(calls, { keep_results = false, progress = function(_, _, index, _, err)
      helper.is_error(err, "api")
      seen[index] = true
    end })
    assert.is_nil(results)
    assert.are.same({ ok = 0, failed = 30 }, summary)
    for i = 1, 30 do assert.is_true(seen[i]) end
    c:close()
  end)

  it("a debug callback that closes the client and calls back in", function()
    local c
    local lines, busy = 0, 0
    c = new{ debug = function()
      lines = lines + 1
      local ok, e = pcall(c.get_job, c, "app", "x")
      local want = lines == 1 and "busy" or "closed"
      if not ok and tostring(e):find(want, 1, true) then busy = busy + 1 end
      c:close()
    end }
    local _, err = c:get_job("app", "j")
    helper.is_error(err, "api")
    assert.is_true(lines >= 2)
    assert.are.equal(lines, busy)
    assert.are.equal("rtc.client(closed)", tostring(c))
  end)

  it("module-owned metatables are protected", function()
    local c = new()
    local _, err = c:get_job("app", "nope")
    assert.has_error(function() setmetatable(err, {}) end)
    assert.has_error(function() setmetatable(c, nil) end)
    assert.are.equal("rtc.error", getmetatable(err).__name)
    c:close()
  end)
end)
