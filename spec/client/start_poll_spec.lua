-- spec/client/start_poll_spec.lua — start / poll / pending / timeout / cancel / close with calls in
-- flight. client:batch: batch_spec.lua.
local helper = require "spec.helper"
local C = require "spec.support.concurrency"

local gettime, timed, is_error = helper.gettime, helper.timed, helper.is_error
local APP, CREATE = C.APP, C.CREATE
local new_jobs, drain = C.new_jobs, C.drain

-- Timing: what must not wait is made to cost a minute if it did (answers held 60 s, then the
-- calls cancelled; Retry-After: 120), and bounded at 10 s; what must wait has a lower bound.

describe("concurrency", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)
  before_each(C.settle(function() return mock end))
  local eventually = C.eventually_of(function() return mock end)

  -------------------------------------------------------------------------------------------
  describe("start / poll", function()
    it("start returns ids; poll(0) never blocks; results arrive; pending and timeout follow", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 3)
      assert.is_nil(c:timeout(), "idle client: timeout() is nil")
      assert.are.equal(0, c:pending())
      -- answers held 60 s: poll(0) yields nothing, and comes back long before them
      mock:config{ delay_all = 60 }
      local held = {}
      for i = 1, 3 do held[i] = c:start("get_job", APP, ids[i]) end
      local t = c:timeout()
      assert.is_number(t)
      assert.is_true(t >= 0 and t <= 30, "timeout() " .. tostring(t))
      for _ = 1, 5 do
        local elapsed = timed(function()
          for id in c:poll(0) do error("unexpected result for " .. tostring(id)) end
        end)
        assert.is_true(elapsed < 10, string.format("poll(0) took %.3f s", elapsed))
      end
      for _, cid in ipairs(held) do assert.is_true(c:cancel(cid)) end
      local cancelled, k = drain(c, 3, 10)
      assert.are.equal(3, k)
      for _, cid in ipairs(held) do is_error(cancelled[cid].err, "cancelled") end

      -- answered at once: every result arrives, once
      mock:config{ delay_all = 0 }
      local started = {}
      for i, id in ipairs(ids) do
        local cid = c:start("get_job", APP, id)
        assert.is_true(type(cid) == "number" and cid == math.floor(cid), "id is a whole number")
        if math.type then assert.are.equal("integer", math.type(cid)) end
        assert.is_nil(started[cid], "ids are unique")
        for _, h in ipairs(held) do assert.are_not.equal(h, cid, "ids are unique") end
        started[cid] = i
      end
      assert.are.equal(3, c:pending())
      local got, n = drain(c, 3, 10)
      assert.are.equal(3, n)
      for cid, i in pairs(started) do
        assert.is_table(got[cid], "no result for id " .. cid)
        assert.is_nil(got[cid].err)
        assert.are.equal(ids[i], got[cid].res.job_id)
      end
      assert.are.equal(0, c:pending())
      assert.is_nil(c:timeout(), "idle again: timeout() is nil")
      c:close()
    end)

    it("poll(timeout) waits timeout while calls are held, not for their answers", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 1)
      mock:config{ delay_all = 60 }
      local cid = c:start("get_job", APP, ids[1])
      local elapsed = timed(function()
        for id in c:poll(0.2) do error("unexpected result for " .. tostring(id)) end
      end)
      -- at least its timeout; far less than the 60 s answer
      assert.is_true(elapsed >= 0.19 and elapsed < 10, string.format("poll(0.2) took %.3f s", elapsed))
      assert.is_true(c:cancel(cid))
      local _, n = drain(c, 1, 10)
      assert.are.equal(1, n)
      c:close()
    end)

    -- drives c until its only call waits for a retry more than a minute ahead (the first attempt
    -- answered, timeout() then counts down from Retry-After: 120); at most 10 s -> timeout()
    local function until_retry_waits(c)
      local t0 = gettime()
      repeat
        for id in c:poll(0.05) do error("unexpected result for " .. tostring(id)) end
        local t = c:timeout()
        if t and t > 60 then return t end
      until gettime() - t0 > 10
      error("the call never waited for its retry: timeout() " .. tostring(c:timeout()))
    end

    it("timeout() counts down to a retry that waits (Retry-After)", function()
      local c = helper.client(mock, { deadline = 300, timeout = 5 })
      local ids = new_jobs(c, 1)
      mock:script{ status = 503, headers = { ["Retry-After"] = "120" } }
      local cid = c:start("get_job", APP, ids[1])
      local t = until_retry_waits(c)
      assert.are.equal(1, #mock:requests() - 1, "the first attempt was answered, the retry not sent")
      assert.is_true(t <= 120, "timeout() while waiting for the retry: " .. tostring(t))
      -- it counts down: 0.05 s later it is at least 0.05 s less (and never more)
      for _ in c:poll(0.05) do error("unexpected result") end
      local t2 = c:timeout()
      assert.is_true(t2 <= t - 0.049, string.format("timeout() %.3f, then %.3f", t, t2))
      assert.is_true(c:cancel(cid))
      local got = drain(c, 1, 10)
      is_error(got[cid].err, "cancelled")
      assert.is_nil(c:timeout())
      c:close()
    end)

    it("a blocking call from inside a poll loop works; every result still comes once", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 3)
      local started = {}
      for i = 1, 3 do started[c:start("get_job", APP, ids[i])] = true end
      local seen, inner = 0, 0
      local t0 = gettime()
      while seen < 3 and gettime() - t0 < 10 do
        for id, res, err in c:poll(0.5) do
          assert.is_true(started[id], "unknown or repeated id " .. tostring(id))
          started[id] = nil
          assert.is_nil(err)
          assert.is_table(res)
          seen = seen + 1
          local job, e2 = c:get_job(APP, ids[1])
          assert.is_nil(e2)
          assert.are.equal(ids[1], job.job_id)
          inner = inner + 1
        end
      end
      assert.are.equal(3, seen)
      assert.are.equal(3, inner)
      assert.are.equal(0, c:pending())
      c:close()
    end)

    it("closing the client inside a poll loop ends the loop", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 2)
      c:start("get_job", APP, ids[1])
      c:start("get_job", APP, ids[2])
      local t0 = gettime()
      local loops = 0
      while gettime() - t0 < 10 do
        local closed = false
        for _ in c:poll(0.5) do
          loops = loops + 1
          c:close()
          closed = true
        end
        if closed then break end
      end
      assert.are.equal(1, loops)
      assert.has_error(function() c:poll(0) end)
    end)

    it("poll with nothing in flight returns at once with no results", function()
      local c = helper.client(mock)
      local elapsed, count = timed(function()
        local k = 0
        for _ in c:poll(60) do k = k + 1 end
        return k
      end)
      assert.are.equal(0, count)
      assert.is_true(elapsed < 10, string.format("poll(60) on an idle client took %.3f s", elapsed))
      c:close()
    end)

    it("a finished call is delivered exactly once", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 1)
      local cid = c:start("get_job", APP, ids[1])
      local got, n = drain(c, 1, 10)
      assert.are.equal(1, n)
      assert.are.equal(ids[1], got[cid].res.job_id)
      for id in c:poll(0) do error("delivered twice: " .. tostring(id)) end
      for id in c:poll(0.1) do error("delivered twice: " .. tostring(id)) end
      assert.are.equal(0, c:pending())
      c:close()
    end)

    it("start with invalid input: nil, err kind invalid, nothing sent, nothing pending", function()
      local c = helper.client(mock)
      local n0 = #mock:requests()
      local id, err = c:start("update_job", APP, "j1", { publish_param = { rtmp_urls = {} } })
      assert.is_nil(id)
      is_error(err, "invalid")
      assert.are.equal(0, c:pending())
      assert.are.equal(n0, #mock:requests())
      assert.has_error(function() c:start("fly_job", APP, "j1") end)
      c:close()
    end)

    it("errors arrive through poll like results", function()
      local c = helper.client(mock, { retries = 0 })
      local cid = c:start("get_job", APP, "missing")
      local got, n = drain(c, 1, 10)
      assert.are.equal(1, n)
      assert.is_nil(got[cid].res)
      is_error(got[cid].err, "api")
      assert.are.equal(404, got[cid].err.status)
      c:close()
    end)

    it("start honours the client's concurrency option", function()
      local c = helper.client(mock, { concurrency = 3 })
      local ids = new_jobs(c, 1)
      -- no answer before 3 are held (gather), however slowly they come; 4 would show in max_in_flight
      mock:config{ gather = 3, delay_all = 0.2 }
      for _ = 1, 7 do c:start("get_job", APP, ids[1]) end
      local got, n = drain(c, 7, 10)
      assert.are.equal(7, n)
      for _, r in pairs(got) do assert.is_nil(r.err) end
      assert.are.equal(3, mock:stats().max_in_flight)
      c:close()
    end)

    describe("cancel", function()
      it("a running call finishes with err.kind cancelled; the others are untouched", function()
        local c = helper.client(mock)
        local ids = new_jobs(c, 2)
        mock:config{ delay_all = 60 } -- a is held a minute: it is running when cancelled
        local a = c:start("get_job", APP, ids[1])
        local ok = eventually(function(s)
          for _ in c:poll(0.02) do error("nothing should be done yet") end
          return s.in_flight == 1
        end, 10)
        assert(ok, "the call never reached the mock")
        mock:config{ delay_all = 0 }
        local b = c:start("get_job", APP, ids[2])
        assert.is_true(c:cancel(a))
        assert.is_false(c:cancel(a), "cancelling twice")
        local got, n = drain(c, 2, 10)
        assert.are.equal(2, n)
        assert.is_nil(got[a].res)
        is_error(got[a].err, "cancelled")
        assert.is_nil(got[b].err)
        assert.are.equal(ids[2], got[b].res.job_id)
        assert.are.equal(0, c:pending())
        c:close()
      end)

      it("the cancelled result is available at once", function()
        local c = helper.client(mock)
        local ids = new_jobs(c, 1)
        mock:config{ delay_all = 60 }
        local a = c:start("get_job", APP, ids[1])
        assert.is_true(c:cancel(a))
        -- poll(0) yields it: one that waited for the held answer would take 60 s
        local elapsed, got = timed(function()
          local out = {}
          for id, res, err in c:poll(0) do out[id] = { res = res, err = err } end
          return out
        end)
        assert.is_true(elapsed < 10, string.format("%.3f s", elapsed))
        is_error(got[a] and got[a].err, "cancelled")
        c:close()
      end)

      it("a queued call (over the concurrency limit) is cancelled before it is sent", function()
        local c = helper.client(mock, { concurrency = 1 })
        local ids = new_jobs(c, 2)
        local n0 = #mock:requests()
        mock:config{ delay_all = 0.3 }
        local a = c:start("get_job", APP, ids[1])
        local b = c:start("get_job", APP, ids[2])
        assert.is_true(c:cancel(b))
        local got, n = drain(c, 2, 10)
        assert.are.equal(2, n)
        assert.are.equal(ids[1], got[a].res.job_id)
        is_error(got[b].err, "cancelled")
        assert.are.equal(1, #mock:requests() - n0)
        c:close()
      end)

      it("a call waiting for its retry is cancelled without another attempt", function()
        local c = helper.client(mock, { deadline = 300, timeout = 5 })
        local ids = new_jobs(c, 1)
        local n0 = #mock:requests()
        mock:script{ status = 503, headers = { ["Retry-After"] = "120" } }
        local a = c:start("get_job", APP, ids[1])
        until_retry_waits(c)
        assert.are.equal(1, #mock:requests() - n0)
        assert.is_true(c:cancel(a))
        local got = drain(c, 1, 10)
        is_error(got[a] and got[a].err, "cancelled")
        helper.sleep(0.1)
        assert.are.equal(1, #mock:requests() - n0)
        c:close()
      end)

      it("cancel of an unknown or finished id returns false", function()
        local c = helper.client(mock)
        local ids = new_jobs(c, 1)
        assert.is_false(c:cancel(12345))
        local a = c:start("get_job", APP, ids[1])
        local got = drain(c, 1, 10)
        assert.is_table(got[a])
        assert.is_false(c:cancel(a))
        c:close()
      end)
    end)

    describe("close with calls in flight", function()
      it("does not crash; the connections are closed; the client then raises", function()
        local base = mock:stats().open -- connections of earlier clients, and the stats request
        local c = helper.client(mock)
        local ids = new_jobs(c, 3)
        mock:config{ delay_all = 60 } -- held until the client goes away
        for _, id in ipairs(ids) do c:start("get_job", APP, id) end
        -- drive the calls onto the wire (poll yields nothing: the mock holds them for 1 s)
        local ok, st = eventually(function(s)
          for id in c:poll(0.02) do error("unexpected result for " .. tostring(id)) end
          return s.in_flight == 3
        end, 10)
        assert(ok, "the calls never reached the mock: " .. tostring(st and st.in_flight))
        c:close()
        c:close() -- idempotent
        assert.has_error(function() c:pending() end)
        assert.has_error(function() c:get_job(APP, ids[1]) end)
        assert.has_error(function() c:start("get_job", APP, ids[1]) end)
        assert.has_error(function() c:poll(0) end)
        assert.are.equal("rtc.client(closed)", tostring(c))
        -- the mock sees this client's connections go away
        local gone, st2 = eventually(function(s) return s.open <= base end, 10)
        assert(gone, "connections still open: " .. tostring(st2 and st2.open))
      end)

      it("garbage collection of a client with calls in flight does not crash", function()
        local base = mock:stats().open
        local function abandon() -- the client is unreachable once this returns
          local c = helper.client(mock)
          local ids = new_jobs(c, 1)
          mock:config{ delay_all = 60 } -- held until the client goes away
          c:start("get_job", APP, ids[1])
          c:start("get_job", APP, ids[1])
          local ok = eventually(function(s)
            for id in c:poll(0.02) do error("unexpected result for " .. tostring(id)) end
            return s.in_flight == 2
          end, 10)
          assert(ok, "the calls never reached the mock")
        end
        -- in a coroutine of its own, so that no stack slot (LuaJIT keeps stale ones) holds the client
        local co = coroutine.create(abandon)
        assert(coroutine.resume(co))
        co = nil -- luacheck: ignore 311
        collectgarbage()
        collectgarbage()
        local gone, st = eventually(function(s) return s.open <= base end, 10)
        assert(gone, "connections still open: " .. tostring(st and st.open))
        mock:config{ delay_all = 0 }
        local c2 = helper.client(mock)
        local job, err = c2:create_job(APP, CREATE)
        assert.is_nil(err)
        assert.is_string(job.job_id)
        c2:close()
      end)

      it("a <close> variable closes the client at the end of the scope (Lua 5.4)", function()
        -- compiled at run time: the syntax does not exist before Lua 5.4
        local chunk = (loadstring or load)([[
          local helper, mock, new_jobs, eventually = ...
          local base = mock:stats().open
          do
            local c <close> = helper.client(mock)
            local ids = new_jobs(c, 1)
            mock:config{ delay_all = 60 }
            c:start("get_job", "]] .. APP .. [[", ids[1])
            local ok = eventually(function(s)
              for id in c:poll(0.02) do error("unexpected result for " .. tostring(id)) end
              return s.in_flight == 1
            end, 10)
            assert(ok, "the call never reached the mock")
          end
          return base
        ]])
        if not chunk then pending("no <close> variables before Lua 5.4"); return end
        local base = chunk(helper, mock, new_jobs, eventually)
        local gone, st = eventually(function(s) return s.open <= base end, 10)
        assert(gone, "connections still open: " .. tostring(st and st.open))
      end)
    end)

    it("a batch while start()ed calls are in flight leaves those calls to poll", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 4)
      mock:script{ delay = 0.3, times = 2 } -- the two started calls arrive first
      local a = c:start("get_job", APP, ids[1])
      local b = c:start("get_job", APP, ids[2])
      local results, summary = c:batch({ { "get_job", APP, ids[3] }, { "get_job", APP, ids[4] } }, { concurrency = 2 })
      assert.are.same({ ok = 2, failed = 0 }, summary)
      assert.are.equal(2, #results)
      assert.are.equal(ids[3], results[1].result.job_id)
      assert.are.equal(ids[4], results[2].result.job_id)
      assert.are.equal(2, c:pending(), "the started calls are still the caller's")
      local got, n = drain(c, 2, 10)
      assert.are.equal(2, n)
      assert.are.equal(ids[1], got[a].res.job_id)
      assert.are.equal(ids[2], got[b].res.job_id)
      assert.are.equal(0, c:pending())
      c:close()
    end)

    it("a blocking call while start()ed calls are in flight leaves those calls to poll", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 2)
      mock:script{ delay = 0.2 }
      local a = c:start("get_job", APP, ids[1])
      local job, err = c:get_job(APP, ids[2])
      assert.is_nil(err)
      assert.are.equal(ids[2], job.job_id)
      assert.are.equal(1, c:pending())
      local got = drain(c, 1, 10)
      assert.are.equal(ids[1], got[a].res.job_id)
      c:close()
    end)

    it("two clients run independently", function()
      local c1 = helper.client(mock)
      local c2 = helper.aksk_client(mock)
      local ids = new_jobs(c1, 2)
      local a = c1:start("get_job", APP, ids[1])
      local b = c2:start("get_job", APP, ids[2])
      local g1 = drain(c1, 1, 10)
      local g2 = drain(c2, 1, 10)
      assert.are.equal(ids[1], g1[a].res.job_id)
      assert.are.equal(ids[2], g2[b].res.job_id)
      c1:close()
      c2:close()
    end)
  end)
end)
