-- luacheck: max line length 160
-- spec/client/faults_spec.lua — the client against mock/fault.lua, a server that breaks each
-- request as the request asks (spec/support/fault.lua): a create is on the wire at most once per
-- attempt and never processed twice, err.sent says when a request may have reached the server,
-- cut-off answers and garbage status lines are transport errors, failover gets past a black hole
-- and later calls avoid it, "already done" answers after a lost one are success, a proxy's
-- CONNECT failure, wait_* bounded by its own timeout; then a scaled-down run of a few thousand
-- calls (nothing lost, nothing processed twice, error kinds as injected). No timing is asserted
-- beyond wide bounds (a loaded machine stays far inside them).
local rtc = require "rtc"
local fault = require "spec.support.fault"

local APP = "app-f"
local function create(c, fault_name, user)
  return c:create_job(APP, { room_id = fault_name, user_id = user, record_param = { record_rule_id = "r" } })
end

-- the outcome a create gets for each fault, and whether the request may have reached the server
local CREATE_EXPECT = {
  ok = { "ok" },
  reset_before = { "transport", true }, reset_after = { "transport", true }, close = { "transport", true },
  cut_headers = { "transport", true }, cut_body = { "transport", true }, cut_chunked = { "transport", true },
  huge_length = { "transport", true }, garbage = { "transport", true }, late = { "timeout", true },
  truncated_json = { "decode" }, s500 = { "api" }, s502 = { "api" }, s503 = { "api" }, s504 = { "api" },
}

describe("faults", function()
  local srv
  -- each attempt gets 2 s (a loaded machine answers well within it), "late" answers come after 5
  setup(function() srv = fault.start{ late = 5 } end)
  teardown(function() if srv then srv:stop() end end)

  local function client(opts)
    local o = { endpoint = srv.url, token = "t", timeout = 2, retries = 2, backoff_base = 0.01,
                backoff_max = 0.02 }
    for k, v in pairs(opts or {}) do o[k] = v end
    return rtc.new(o)
  end

  describe("a create", function()
    for name, want in pairs(CREATE_EXPECT) do
      it(name .. ": " .. want[1] .. (want[2] and ", err.sent" or "") .. ", one attempt, processed at most once", function()
        local c = client()
        local user = "one-" .. name
        local job, err = create(c, name, user)
        c:close()
        if want[1] == "ok" then
          assert.truthy(job, tostring(err))
        else
          assert.is_nil(job)
          assert.are.equal(want[1], err.kind, tostring(err))
          assert.are.equal(want[2], err.sent, tostring(err))
          assert.are.equal(1, err.attempts)
        end
        assert.truthy((srv:stats().creates[user] or 0) <= 1)
      end)
    end

    it("is never re-sent by libcurl on a reused connection that dies (0 of 50 processed twice)", function()
      local c = client{ retries = 0 }
      for i = 1, 50 do
        assert(c:get_job(APP, "ok~" .. i)) -- a kept-alive connection the create could reuse
        local _, err = create(c, "close", "reuse-" .. i)
        assert.are.equal(1, err.attempts)
        assert.is_true(err.sent)
      end
      c:close()
      local creates, twice = srv:stats().creates, 0
      for i = 1, 50 do
        assert.truthy(creates["reuse-" .. i], "create " .. i .. " never arrived")
        if creates["reuse-" .. i] > 1 then twice = twice + 1 end
      end
      assert.are.equal(0, twice)
    end)

    it("that never left (refused) is retried, on the next endpoint", function()
      local c = client{ endpoint = { "http://127.0.0.1:" .. fault.dead_port(), srv.url } }
      local job, err = create(c, "ok", "refused-then-ok")
      c:close()
      assert.truthy(job, tostring(err))
      assert.are.equal(1, srv:stats().creates["refused-then-ok"])
    end)
  end)

  describe("a get", function()
    it("a cut-off header block is a transport error, retried: attempts 3", function()
      local c = client()
      local job, err = c:get_job(APP, "cut_headers~g1")
      c:close()
      assert.is_nil(job)
      assert.are.equal("transport", err.kind)
      assert.are.equal(3, err.attempts)
      assert.is_true(err.sent)
      assert.truthy(tostring(err):find("cut off", 1, true), tostring(err))
    end)

    it("retries = 0 makes exactly one attempt, also after a reset", function()
      local c = client{ retries = 0 }
      local before = srv:stats().injected.reset_after or 0
      local _, err = c:get_job(APP, "reset_after~g2")
      c:close()
      assert.are.equal(1, err.attempts)
      assert.are.equal(before + 1, srv:stats().injected.reset_after)
    end)

    it("a garbage status line is the server's fault (transport), retried to success", function()
      local c = client()
      local job, err = c:get_job(APP, "garbage_once~g3")
      c:close()
      assert.truthy(job, tostring(err))
    end)
  end)

  describe("a stop whose answer was lost", function()
    it("JobDone on the retry is success, result.already = true", function()
      local c = client()
      local res, err = c:stop_job(APP, "reset_after_once~s1")
      assert.truthy(res, tostring(err))
      assert.is_true(res.already)
      -- without an earlier attempt that may have stopped it, JobDone stays an error
      res, err = c:stop_job(APP, "reset_after_once~s1")
      c:close()
      assert.is_nil(res)
      assert.are.equal("api", err.kind)
      assert.are.equal("RTC.00001009", err.code)
    end)
  end)

  describe("failover", function()
    local hole
    setup(function() hole = fault.start{ blackhole = true } end)
    teardown(function() if hole then hole:stop() end end)

    it("gets past {refused, black hole, good}; later calls avoid the black hole (>= 96% reach the good one)", function()
      local lines = {}
      local c = client{ endpoint = { "http://127.0.0.1:" .. fault.dead_port(), hole.url, srv.url },
                        timeout = 2, debug = function(l) lines[#lines + 1] = l end }
      local calls = {}
      for i = 1, 200 do calls[i] = { "get_job", APP, "ok~fo" .. i } end
      local results, summary = c:batch(calls, { concurrency = 8 })
      c:close()
      assert.truthy(summary.ok >= 192, "reached the good endpoint: " .. summary.ok .. " of 200")
      assert.are.equal(200, #results)
      -- the black hole cost the first calls in flight one timeout each, not every call
      assert.truthy((hole:stats().injected.blackhole or 0) <= 16)
      local said = table.concat(lines, "\n")
      assert.truthy(said:find("avoided by later calls", 1, true), said:sub(1, 2000))
      assert.truthy(said:find("no answer in time", 1, true))
    end)
  end)

  describe("a proxy", function()
    it("that cannot reach the endpoint (502 to CONNECT): the create never left, retried on the next", function()
      local c = client{ endpoint = { "https://a.invalid", srv.url }, proxy = srv.url }
      local job, err = create(c, "ok", "via-proxy")
      c:close()
      assert.truthy(job, tostring(err))
      assert.are.equal(1, srv:stats().creates["via-proxy"])
    end)

    it("that closes without answering CONNECT: the create never left (no err.sent), retried", function()
      local c = client{ endpoint = "https://pclose.invalid", proxy = srv.url }
      local before = srv:stats().injected.connect_close or 0
      local job, err = create(c, "ok", "via-silent-proxy")
      c:close()
      assert.is_nil(job)
      assert.is_nil(err.sent, tostring(err))
      assert.are.equal(3, err.attempts, tostring(err))
      assert.are.equal(before + 3, srv:stats().injected.connect_close)
    end)

    it("that has not answered CONNECT when the attempt times out: the create moves on to the next endpoint", function()
      local c = client{ endpoint = { "https://phang.invalid", srv.url }, proxy = srv.url }
      local job, err = create(c, "ok", "via-hung-proxy")
      c:close()
      assert.truthy(job, tostring(err))
      assert.are.equal(1, srv:stats().creates["via-hung-proxy"])
    end)

    for _, code in ipairs({ 407, 403 }) do
      it("answering " .. code .. " to CONNECT: kind config, status " .. code .. ", not retried", function()
        local c = client{ endpoint = "https://p" .. code .. ".invalid", proxy = srv.url }
        local before = srv:stats().injected["connect_" .. code] or 0
        local job, err = c:get_job(APP, "ok~p")
        c:close()
        assert.is_nil(job)
        assert.are.equal("config", err.kind, tostring(err))
        assert.are.equal(code, err.status)
        assert.are.equal(1, err.attempts)
        assert.are.equal(before + 1, srv:stats().injected["connect_" .. code])
      end)
    end
  end)

  it("http_version takes \"1.1\" or \"2\"; anything else is refused, naming it", function()
    for _, v in ipairs({ "1.1", "2" }) do
      local c = client{ http_version = v }
      assert(c:get_job(APP, "ok~hv"))
      c:close()
    end
    local ok, err = pcall(rtc.new, { endpoint = srv.url, token = "t", http_version = "3" })
    assert.is_false(ok)
    assert.are.equal("http_version", err.field)
  end)

  it("libcurl's own re-send of a GET counts against retries (retries = 1: two on the wire)", function()
    local c = client{ retries = 1 }
    assert(c:get_job(APP, "ok~resend")) -- a kept-alive connection libcurl re-sends on when it dies
    local before = srv:stats().injected.close or 0
    local job, err = c:get_job(APP, "close~resend")
    c:close()
    assert.is_nil(job)
    assert.are.equal(2, err.attempts, tostring(err))
    assert.are.equal(2, (srv:stats().injected.close or 0) - before)
  end)

  it("wait_job never runs past its own timeout when get_job hangs", function()
    local slow = fault.start{ late = 30 }
    local c = rtc.new{ endpoint = slow.url, token = "t", timeout = 20, retries = 0 }
    local t0 = require("socket").gettime()
    local job, err = c:wait_job(APP, "late~w1", "STOPPED", { timeout = 1 })
    local elapsed = require("socket").gettime() - t0
    c:close()
    slow:stop()
    assert.is_nil(job)
    assert.are.equal("timeout", err.kind)
    -- a look that ran to the attempt's own timeout would take 20 s
    assert.truthy(elapsed < 10, "took " .. elapsed .. " s")
  end)

  it("wait_job does not wait out a Retry-After past its own timeout", function()
    local c = client{ timeout = 5, deadline = 60 }
    local t0 = require("socket").gettime()
    local job, err = c:wait_job(APP, "s429_long~w2", "RUNNING", { timeout = 0.2 })
    local elapsed = require("socket").gettime() - t0
    c:close()
    assert.is_nil(job)
    assert.are.equal(429, err.status, tostring(err))
    assert.are.equal(1, err.attempts, tostring(err))
    -- a retry after Retry-After: 30 (inside the client's deadline) would start at 30 s
    assert.truthy(elapsed < 15, "took " .. elapsed .. " s")
  end)

  it("wait_job does not wait out a 429's hold of the client past its own timeout", function()
    local c = client{ timeout = 5, deadline = 60, retries = 0 }
    local _, held = c:get_job(APP, "s429_long~hold") -- Retry-After: 30 holds every call of c
    assert.are.equal(429, held.status)
    local t0 = require("socket").gettime()
    local job, err = c:wait_job(APP, "ok~w3", "NEVER", { timeout = 0.2 })
    local elapsed = require("socket").gettime() - t0
    c:close()
    assert.is_nil(job)
    assert.are.equal("timeout", err.kind, tostring(err))
    assert.truthy(elapsed < 15, "took " .. elapsed .. " s")
  end)

  it("a scaled-down run: 1,500 calls, nothing lost, nothing processed twice, kinds as injected", function()
    local GET_FAULTS = { "ok", "reset_before_once", "reset_after_once", "close_once", "cut_headers_once",
      "cut_body_once", "cut_chunked_once", "huge_length_once", "garbage_once", "late_once", "s500_once",
      "s502_once", "s503_once", "s504_once", "truncated_json" }
    local CREATE_FAULTS = {}
    for name in pairs(CREATE_EXPECT) do CREATE_FAULTS[#CREATE_FAULTS + 1] = name end
    table.sort(CREATE_FAULTS)
    local calls, expect = {}, {}
    for i = 1, 1500 do
      if i % 3 == 0 then
        local f = CREATE_FAULTS[i % #CREATE_FAULTS + 1]
        calls[i] = { "create_job", APP, { room_id = f, user_id = "run-" .. i, record_param = { record_rule_id = "r" } } }
        expect[i] = CREATE_EXPECT[f]
      else
        local f = GET_FAULTS[i % #GET_FAULTS + 1]
        calls[i] = { "get_job", APP, f .. "~run" .. i }
        expect[i] = f == "truncated_json" and { "decode" } or { "ok" }
      end
    end
    local c = client()
    local results, summary = c:batch(calls, { concurrency = 32 })
    c:close()
    assert.are.equal(1500, #results)
    assert.are.equal(1500, summary.ok + summary.failed)
    local wrong = {}
    for i, r in ipairs(results) do
      local got = r.result and "ok" or r.err.kind
      if got ~= expect[i][1] or (r.err and r.err.sent ~= expect[i][2]) then
        wrong[#wrong + 1] = i .. " " .. calls[i][1] .. ": " .. tostring(r.err or "ok")
      end
    end
    assert.are.same({}, wrong)
    local twice = 0
    for user, n in pairs(srv:stats().creates) do
      if user:match("^run%-") and n > 1 then twice = twice + 1 end
    end
    assert.are.equal(0, twice)
  end)
end)
