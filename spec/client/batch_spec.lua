-- spec/client/batch_spec.lua — client:batch: order, partial failure, the concurrency limit, progress.
-- start / poll / pending / timeout / cancel / close with calls in flight: start_poll_spec.lua.
local helper = require "spec.helper"
local C = require "spec.support.concurrency"

local timed, is_error = helper.timed, helper.is_error
local APP, CREATE, UPDATE = C.APP, C.CREATE, C.UPDATE
local get_calls, new_jobs = C.get_calls, C.new_jobs

describe("concurrency", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)
  before_each(C.settle(function() return mock end))

  -------------------------------------------------------------------------------------------
  describe("batch", function()
    it("returns results in the order of the calls, with a summary", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 6)
      -- the first request to arrive is held back: it finishes last, yet stays first
      mock:script{ delay = 0.3 }
      local calls = get_calls(ids)
      local results, summary = c:batch(calls, { concurrency = 6 })
      assert.are.equal(6, #results)
      for i, id in ipairs(ids) do
        assert.is_nil(results[i].err)
        assert.are.equal(id, results[i].result.job_id, "results[" .. i .. "]")
      end
      assert.are.same({ ok = 6, failed = 0 }, summary)
      c:close()
    end)

    it("partial failure never stops the others", function()
      local c = helper.client(mock, { retries = 0 })
      local ids = new_jobs(c, 3)
      local calls = {
        { "get_job", APP, ids[1] },
        { "get_job", APP, "no-such-job" },                       -- 404
        { "update_job", APP, ids[2], UPDATE },
        { "update_job", APP, ids[2], { publish_param = { rtmp_urls = { "http://x" } } } }, -- invalid
        { "get_job", "no-such-app", ids[1] },                    -- 404 (unknown app)
        { "stop_job", APP, ids[3] },
        { "create_job", APP, CREATE },
        { "update_job", APP, ids[1], {} },                       -- invalid: nothing to update
      }
      local n0 = #mock:requests()
      local results, summary = c:batch(calls, { concurrency = 3 })
      assert.are.equal(#calls, #results)
      assert.are.equal(ids[1], results[1].result.job_id)
      is_error(results[2].err, "api")
      assert.are.equal(404, results[2].err.status)
      assert.are.equal("rtmp://live.example.com/app/stream", results[3].result.publish_param.rtmp_urls[1])
      is_error(results[4].err, "invalid")
      assert.are.equal("publish_param.rtmp_urls[1]", results[4].err.field)
      is_error(results[5].err, "api")
      assert.is_table(results[6].result)
      assert.is_nil(results[6].err)
      assert.is_string(results[7].result.job_id)
      is_error(results[8].err, "invalid")
      for i, r in ipairs(results) do
        assert.is_true((r.result == nil) ~= (r.err == nil), "results[" .. i .. "] has exactly one of result/err")
      end
      assert.are.same({ ok = 4, failed = 4 }, summary)
      -- invalid entries send nothing: 6 requests for 8 calls
      assert.are.equal(6, #mock:requests() - n0)
      c:close()
    end)

    it("a misused entry (not a table, unknown operation) raises before anything is sent", function()
      local c = helper.client(mock)
      local n0 = #mock:requests()
      assert.has_error(function() c:batch({ { "get_job", APP, "j1" }, "get_job" }) end)
      assert.has_error(function() c:batch({ { "get_job", APP, "j1" }, { "fly_job", APP, "j1" } }) end)
      assert.are.equal(n0, #mock:requests())
      -- still usable
      local results, summary = c:batch({ { "get_job", APP, "nope" } })
      is_error(results[1].err, "api")
      assert.are.same({ ok = 0, failed = 1 }, summary)
      c:close()
    end)

    it("an entry with a wrong argument type raises, sends nothing, and leaves no stray calls", function()
      local c = helper.client(mock, { retries = 0 })
      local ids = new_jobs(c, 1)
      local n0 = #mock:requests()
      local ok = pcall(c.batch, c, { { "get_job", APP, ids[1] }, { "get_job", APP, {} } })
      assert.is_false(ok)
      ok = pcall(c.batch, c, { { "get_job", APP, ids[1] }, { "update_job", APP, ids[1], "not a table" } })
      assert.is_false(ok)
      assert.are.equal(0, c:pending())
      -- the next batch is whole: its own results only, all of them, and only its requests
      local calls = get_calls(ids, 4)
      local results, summary = c:batch(calls, { concurrency = 1 })
      assert.are.equal(4, #results)
      for i = 1, 4 do
        assert.is_table(results[i], "results[" .. i .. "]")
        assert.are.equal(ids[1], results[i].result and results[i].result.job_id)
      end
      assert.are.same({ ok = 4, failed = 0 }, summary)
      assert.are.equal(4, #mock:requests() - n0)
      for id in c:poll(0) do error("stray result " .. tostring(id)) end
      c:close()
    end)

    it("entries are built as the batch goes, not all up front: an invalid last entry is answered "
      .. "after the first calls finished", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 1)
      local calls = get_calls(ids, 10)
      calls[11] = { "get_job", APP, "" }
      local order = {}
      local results, summary = c:batch(calls, { concurrency = 1,
        progress = function(done, _, index) order[done] = index end })
      assert.are.same({ ok = 10, failed = 1 }, summary)
      is_error(results[11].err, "invalid")
      -- concurrency 1 keeps two calls queued: entry 11 is built (and answered) only after
      -- entries 1 .. 8 are done; when everything was built first it was answered first
      local at
      for done, index in ipairs(order) do if index == 11 then at = done end end
      assert.is_true(at >= 9, "entry 11 answered as number " .. tostring(at))
      c:close()
    end)

    it("an empty batch returns at once", function()
      local c = helper.client(mock)
      local elapsed, results, summary = timed(c.batch, c, {}, { deadline = 60 })
      assert.are.same({}, results)
      assert.are.same({ ok = 0, failed = 0 }, summary)
      -- one that waited for something would wait for its 60 s deadline; a loaded machine adds
      -- tenths of a second
      assert.is_true(elapsed < 10, string.format("%.3f s", elapsed))
      c:close()
    end)

    it("honours the concurrency limit: 20 calls, concurrency 4 -> at most 4 in flight", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 4)
      -- no answer before 4 are held at once (gather), however slowly they come; then 0.2 s each
      mock:config{ gather = 4, delay_all = 0.2 }
      local calls = get_calls(ids, 20)
      local elapsed, results, summary = timed(c.batch, c, calls, { concurrency = 4 })
      assert.are.same({ ok = 20, failed = 0 }, summary)
      assert.are.equal(20, #results)
      assert.are.equal(4, mock:stats().max_in_flight)
      -- 5 waves of 0.2 s at least (a lower bound)
      assert.is_true(elapsed >= 0.95, string.format("%.3f s: more than 4 at a time?", elapsed))
      c:close()
    end)

    it("concurrency 1 runs one call at a time", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 2)
      mock:config{ delay_all = 0.05 }
      local calls = get_calls(ids, 6)
      local _, summary = c:batch(calls, { concurrency = 1 })
      assert.are.same({ ok = 6, failed = 0 }, summary)
      assert.are.equal(1, mock:stats().max_in_flight)
      c:close()
    end)

    it("without opts.concurrency, the client's concurrency option is the limit", function()
      local c = helper.client(mock, { concurrency = 2 })
      local ids = new_jobs(c, 2)
      mock:config{ gather = 2, delay_all = 0.1 }
      local calls = get_calls(ids, 8)
      local _, summary = c:batch(calls)
      assert.are.same({ ok = 8, failed = 0 }, summary)
      assert.are.equal(2, mock:stats().max_in_flight)
      c:close()
    end)

    it("uses several calls at once when allowed (concurrency 8 -> 8 in flight)", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 1)
      -- gather: the answers wait until 8 are held at once (10 s at most), so 8 in flight shows in
      -- max_in_flight however slowly a loaded machine sends them; one at a time never gets there
      mock:config{ gather = 8, delay_all = 0.2 }
      local calls = get_calls(ids, 8)
      local _, summary = c:batch(calls, { concurrency = 8 })
      assert.are.same({ ok = 8, failed = 0 }, summary)
      assert.are.equal(8, mock:stats().max_in_flight)
      c:close()
    end)

    it("calls progress once per call with (done, total, index, result, err)", function()
      local c = helper.client(mock, { retries = 0 })
      local ids = new_jobs(c, 3)
      local calls = {
        { "get_job", APP, ids[1] },
        { "get_job", APP, "missing" },
        { "update_job", APP, ids[2], { record_param = {} } }, -- invalid
        { "get_job", APP, ids[3] },
        { "stop_job", APP, ids[2] },
      }
      local seen = {}
      local results = c:batch(calls, { concurrency = 2, progress = function(done, total, index, res, err)
        seen[#seen + 1] = { done = done, total = total, index = index, res = res, err = err }
      end })
      assert.are.equal(#calls, #seen)
      local indexes = {}
      for k, s in ipairs(seen) do
        assert.are.equal(k, s.done)
        assert.are.equal(#calls, s.total)
        assert.is_nil(indexes[s.index], "index " .. s.index .. " reported twice")
        indexes[s.index] = true
        assert.are.equal(results[s.index].result, s.res)
        assert.are.equal(results[s.index].err, s.err)
        assert.is_true((s.res == nil) ~= (s.err == nil))
      end
      for i = 1, #calls do assert.is_true(indexes[i], "index " .. i .. " never reported") end
      c:close()
    end)

    it("a progress callback that raises does not stop the batch", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 3)
      local n = 0
      local calls = get_calls(ids)
      local results, summary = c:batch(calls, { progress = function() n = n + 1; error("boom") end })
      assert.are.equal(3, n)
      assert.are.same({ ok = 3, failed = 0 }, summary)
      assert.are.equal(ids[3], results[3].result.job_id)
      c:close()
    end)

    it("the client refuses to be used from inside progress, and survives", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 2)
      local inner = {}
      local calls = { { "get_job", APP, ids[1] }, { "get_job", APP, ids[2] } }
      local _, summary = c:batch(calls, { progress = function()
        inner[#inner + 1] = { pcall(c.get_job, c, APP, ids[1]) }
      end })
      assert.are.same({ ok = 2, failed = 0 }, summary)
      assert.are.equal(2, #inner)
      for _, r in ipairs(inner) do
        assert.is_false(r[1])
        assert.truthy(tostring(r[2]):find("busy", 1, true), tostring(r[2]))
      end
      local job, err = c:get_job(APP, ids[2])
      assert.is_nil(err)
      assert.are.equal(ids[2], job.job_id)
      c:close()
    end)

    -- close() from a callback is deferred until the batch returns; what has not finished by then
    -- is cancelled (nothing more is sent)
    it("close() from inside progress is deferred: the batch ends, then the client is closed", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 2)
      local closes = {}
      local calls = { { "get_job", APP, ids[1] }, { "get_job", APP, ids[2] } }
      local results, summary = c:batch(calls, { progress = function()
        closes[#closes + 1] = pcall(c.close, c)
      end })
      assert.are.equal(2, summary.ok + summary.failed)
      assert.is_true(summary.ok >= 1)
      for i = 1, 2 do
        local r = results[i]
        if r.result then assert.are.equal(ids[i], r.result.job_id)
        else helper.is_error(r.err, "cancelled") end
      end
      assert.are.same({ true, true }, closes)
      assert.are.equal("rtc.client(closed)", tostring(c))
      local ok, e = pcall(c.get_job, c, APP, ids[1])
      assert.is_false(ok)
      assert.truthy(tostring(e):find("closed", 1, true), tostring(e))
    end)

    it("retries inside a batch", function()
      local c = helper.client(mock, { backoff_base = 0.01, backoff_max = 0.02 })
      local ids = new_jobs(c, 4)
      mock:script{ status = 503, times = 2 }
      local calls = get_calls(ids)
      local results, summary = c:batch(calls, { concurrency = 2 })
      assert.are.same({ ok = 4, failed = 0 }, summary)
      for i, id in ipairs(ids) do assert.are.equal(id, results[i].result.job_id) end
      c:close()
    end)

    it("200 calls with concurrency 16", function()
      local c = helper.client(mock)
      local ids = new_jobs(c, 10)
      local calls = get_calls(ids, 200)
      local results, summary = c:batch(calls, { concurrency = 16 })
      assert.are.same({ ok = 200, failed = 0 }, summary)
      for i = 1, 200 do assert.are.equal(ids[(i - 1) % 10 + 1], results[i].result.job_id) end
      assert.is_true(mock:stats().max_in_flight <= 16)
      c:close()
    end)
  end)
end)
