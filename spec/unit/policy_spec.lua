-- The retry policy, pure: a table of cases for policy:decide (time and the random draw are
-- arguments), then the same rules seen through the libcurl engine.
local helper = require "spec.helper"
local rtc = require "rtc"

describe("policy", function()
  local p = rtc.policy{ retries = 2, backoff_base = 1, backoff_max = 4, deadline = 10,
                        endpoint = { "http://a", "http://b" } }

  local function o(t)
    local out = { operation = "get_job", attempt = 1, sent = true, started = 100, now = 100,
                  endpoint = 1, random = 0.5 }
    for k, v in pairs(t) do out[k] = v end
    return out
  end

  -- { name, outcome, expected decision }
  local cases = {
    { "2xx: done", o{ status = 200 }, { retry = false, kind = "ok" } },
    { "404: done, api", o{ status = 404 }, { retry = false, kind = "api" } },
    { "503 on GET: retried with jitter", o{ status = 503 },
      { retry = true, delay = 0.5, endpoint = 1 } },
    { "429 attempt 2: base*2 cap, jitter", o{ status = 429, attempt = 2 },
      { retry = true, delay = 1, endpoint = 1 } },
    { "jitter scales the cap (attempt 2: below 2 s)",
      o{ status = 503, attempt = 2, random = 0.99, started = 0, now = 0 },
      { retry = true, delay = 1.98, endpoint = 1 } },
    { "retries exhausted", o{ status = 503, attempt = 3 }, { retry = false, kind = "api" } },
    { "503 on POST after sending: not retried", o{ operation = "create_job", status = 503 },
      { retry = false, kind = "api" } },
    { "Retry-After beyond the jitter wins", o{ status = 503, retry_after = 3 },
      { retry = true, delay = 3, endpoint = 1 } },
    { "Retry-After past the deadline: give up", o{ status = 503, retry_after = 20 },
      { retry = false, kind = "api" } },
    { "Retry-After as RFC 9110 digits", o{ status = 503, retry_after = "3" },
      { retry = true, delay = 3, endpoint = 1 } },
    { "Retry-After 0x3 is not valid: ignored", o{ status = 503, retry_after = "0x3" },
      { retry = true, delay = 0.5, endpoint = 1 } },
    { "Retry-After as an HTTP date", o{ status = 503, now = 1445412480, started = 1445412480,
      retry_after = "Wed, 21 Oct 2015 07:28:03 GMT" }, { retry = true, delay = 3, endpoint = 1 } },
    { "deadline passed", o{ status = 503, started = 0, now = 10 }, { retry = false, kind = "api" } },
    { "connect failure: next endpoint at once", o{ error = "connect", sent = false },
      { retry = true, delay = 0, endpoint = 2 } },
    { "connect failure on the last endpoint: back off, wrap around",
      o{ error = "connect", sent = false, attempt = 2, endpoint = 2 },
      { retry = true, delay = 1, endpoint = 1 } },
    { "connect failure on POST: retried (nothing sent)",
      o{ operation = "create_job", error = "connect", sent = false },
      { retry = true, delay = 0, endpoint = 2 } },
    { "timeout with nothing sent counts as connect", o{ error = "timeout", sent = false },
      { retry = true, delay = 0, endpoint = 2 } },
    { "timeout after sending on GET: retried on the next endpoint at once", o{ error = "timeout" },
      { retry = true, delay = 0, endpoint = 2 } },
    { "timeout after sending on GET, last endpoint: back off, wrap around",
      o{ error = "timeout", attempt = 2, endpoint = 2 }, { retry = true, delay = 1, endpoint = 1 } },
    { "timeout after sending on POST: not retried", o{ operation = "create_job", error = "timeout" },
      { retry = false, kind = "timeout" } },
    { "transport error on GET: retried", o{ error = "transport" }, { retry = true, delay = 0.5, endpoint = 1 } },
    { "configuration errors are never retried", o{ error = "config", sent = false },
      { retry = false, kind = "transport" } },
  }

  describe("endpoint health (failed, succeeded, pick: time is an argument)", function()
    local function three() return rtc.policy{ endpoint = { "http://a", "http://b", "http://c" } } end

    it("a failed endpoint is avoided for 30 s, then tried again", function()
      local h = three()
      assert.are.equal(1, h:pick(100))
      assert.are.equal(30, h:failed(1, 100))
      assert.are.equal(2, h:pick(100))
      assert.are.equal(2, h:pick(129.9))
      assert.are.equal(1, h:pick(130))
    end)

    it("each failure in a row doubles the time, up to 480 s; an answer forgets them", function()
      local h = three()
      local got = {}
      for i = 1, 6 do got[i] = h:failed(2, 0) end
      assert.are.same({ 30, 60, 120, 240, 480, 480 }, got)
      h:succeeded(2)
      assert.are.equal(30, h:failed(2, 0))
    end)

    it("pick starts from the endpoint asked for and skips the avoided ones, wrapping", function()
      local h = three()
      h:failed(3, 0)
      assert.are.equal(1, h:pick(1, 3))
      assert.are.equal(2, h:pick(1, 2))
    end)

    it("when every endpoint is avoided, the one whose time is over first is tried", function()
      local h = three()
      h:failed(1, 10)
      h:failed(2, 0)
      h:failed(3, 5)
      assert.are.equal(2, h:pick(20))
    end)

    it("refuses an endpoint out of range and a time that is not finite", function()
      local h = three()
      assert.has_error(function() h:failed(4, 0) end)
      assert.has_error(function() h:pick(0 / 0) end)
      assert.has_error(function() h:pick(1, 0) end)
    end)
  end)

  for _, case in ipairs(cases) do
    it(case[1], function()
      local d = p:decide(case[2])
      if case[3].delay then
        assert.is_true(math.abs(d.delay - case[3].delay) < 1e-9, "delay " .. tostring(d.delay))
        d.delay = case[3].delay
      end
      assert.are.same(case[3], d)
    end)
  end

  it("the backoff is capped by backoff_max", function()
    local q = rtc.policy{ retries = 10, backoff_base = 1, backoff_max = 4, deadline = 1000 }
    local d = q:decide(o{ status = 503, attempt = 8, random = 0.5 })
    assert.are.same({ retry = true, delay = 2, endpoint = 1 }, d) -- 0.5 * min(4, 128)
  end)

  -- the backoff as a whole, by table: full jitter over a cap that doubles with each attempt up
  -- to backoff_max (the engine's specs see these decisions in its debug lines: retries_spec.lua)
  it("full jitter: delay = random * min(backoff_max, backoff_base * 2^(attempt - 1))", function()
    local q = rtc.policy{ retries = 10, backoff_base = 0.1, backoff_max = 5, deadline = 1000 }
    local caps = {}
    for attempt = 1, 10 do
      local cap = math.min(5, 0.1 * 2 ^ (attempt - 1))
      caps[attempt] = cap
      for _, r in ipairs{ 0, 0.25, 0.5, 0.75, 0.999 } do
        local d = q:decide(o{ status = 503, attempt = attempt, random = r })
        assert.is_true(d.retry, "attempt " .. attempt)
        assert.are.equal(1, d.endpoint)
        assert.is_true(math.abs(d.delay - r * cap) < 1e-9,
          string.format("attempt %d, random %g: delay %.6f, want %.6f", attempt, r, d.delay, r * cap))
      end
    end
    -- the caps: 0.1, 0.2, 0.4, ... doubling until backoff_max holds them at 5
    assert.are.same({ 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, 5, 5 }, caps)
  end)

  it("is pure: the same outcome gives the same decision", function()
    for _ = 1, 5 do assert.are.same(p:decide(o{ status = 503 }), p:decide(o{ status = 503 })) end
  end)

  it("endpoints() lists the base URLs (a fresh table)", function()
    local e = p:endpoints()
    assert.are.same({ "http://a", "http://b" }, e)
    e[1] = "x"
    assert.are.same({ "http://a", "http://b" }, p:endpoints())
  end)

  it("refuses outcomes it cannot judge", function()
    assert.has_error(function() p:decide(o{ operation = "nope", status = 200 }) end)
    assert.has_error(function() p:decide(o{ error = "weird" }) end)
    assert.has_error(function() p:decide(o{}) end)
  end)

  local function raises(f, want)
    local ok, e = pcall(f)
    assert.is_false(ok)
    assert.truthy(tostring(e):find(want, 1, true), tostring(e))
  end

  it("refuses every outcome field that is not what it says, naming the field", function()
    local nan, inf = 0 / 0, math.huge
    raises(function() p:decide(o{ status = 503, random = nan }) end, "outcome.random")
    raises(function() p:decide(o{ status = 503, random = 1 }) end, "outcome.random")
    raises(function() p:decide(o{ status = 503, random = -0.1 }) end, "outcome.random")
    raises(function() p:decide(o{ status = 503, now = nan }) end, "outcome.now")
    raises(function() p:decide(o{ status = 503, now = inf }) end, "outcome.now")
    raises(function() p:decide(o{ status = 503, started = nan }) end, "outcome.started")
    raises(function() p:decide(o{ status = 503, attempt = nan }) end, "outcome.attempt")
    raises(function() p:decide(o{ status = 503, attempt = 1.5 }) end, "outcome.attempt")
    raises(function() p:decide(o{ status = "503" }) end, "outcome.status")
    raises(function() p:decide(o{ status = nan }) end, "outcome.status")
    raises(function() p:decide(o{ status = 503, sent = "yes" }) end, "outcome.sent")
    raises(function() p:decide(o{ status = 503, retry_after = {} }) end, "outcome.retry_after")
    raises(function() p:decide(o{ status = 503, retry_after = nan }) end, "outcome.retry_after")
    raises(function() p:decide(o{ status = 503, endpoint = "1" }) end, "outcome.endpoint")
    raises(function() p:decide(o{ error = 5 }) end, "outcome.error")
  end)

  it("reads the outcome raw: a metamethod never stands in for a field", function()
    local t = setmetatable(o{}, { __index = function() return 503 end })
    raises(function() p:decide(t) end, "needs a status or an error")
  end)

  it("rtc.policy{} refuses out-of-range numbers with a message, not a format error", function()
    raises(function() rtc.policy{ retries = 0 / 0 } end, "retries: expected a number from 0 to 10")
    raises(function() rtc.policy{ deadline = -1 } end, "deadline: expected a number from")
    raises(function() rtc.policy{ backoff_max = math.huge } end, "backoff_max: expected a number from")
    raises(function() rtc.policy{ rate = "1" } end, "rate: expected a number, got string")
  end)

  it("rtc.policy{} refuses unknown options, as rtc.new does", function()
    raises(function() rtc.policy{ retrys = 1 } end, 'unknown option "retrys" (did you mean "retries"?)')
    raises(function() rtc.policy{ zzzzzzzzzz = 1 } end, 'unknown option "zzzzzzzzzz"')
    raises(function() rtc.policy{ [1] = 1 } end, "option names must be strings")
  end)

  describe("through the engine", function()
    local mock
    helper.mock_suite({}, function(m) mock = m end)

    it("client:policy() carries the client's settings", function()
      local c = helper.client(mock, { retries = 1, endpoint = { mock.url, "http://127.0.0.1:1" } })
      assert.are.same({ mock.url, "http://127.0.0.1:1" }, c:policy():endpoints())
      local d = c:policy():decide{ operation = "get_job", attempt = 2, status = 503, now = 0, started = 0 }
      assert.are.same({ retry = false, kind = "api" }, d)
      c:close()
    end)

    it("Retry-After: 0x3 is not honoured as 3 s", function()
      -- the decision itself, from the debug line a client with two endpoints writes for each
      -- retry ("retry 2 on endpoint 1 (...) in D s"; a 503 stays on the endpoint that answered)
      local lines = {}
      local c = helper.client(mock, { retries = 1, backoff_base = 0.01, backoff_max = 0.01,
        endpoint = { mock.url, "http://127.0.0.1:" .. helper.dead_port() },
        debug = function(l) lines[#lines + 1] = l end })
      mock:script{ status = 503, headers = { ["Retry-After"] = "0x3" }, times = 1 }
      mock:seed_job("app", { job_id = "j" })
      local job, err = c:get_job("app", "j")
      assert.is_nil(err)
      assert.are.equal("j", job.job_id)
      assert.are.equal(2, #mock:requests())
      local delay
      for _, l in ipairs(lines) do delay = delay or tonumber(l:match("^retry 2 on endpoint 1 %(.-%) in ([%d.]+) s")) end
      assert.is_number(delay, table.concat(lines, "\n"))
      assert.is_true(delay <= 0.01, "the retry waited " .. delay .. " s, the backoff's cap is 0.01 s")
      c:close()
    end)

    it("a proxy of a scheme libcurl cannot use is refused at rtc.new", function()
      local ok, err = pcall(helper.client, mock, { retries = 3, proxy = "file:///nothing" })
      assert.is_false(ok)
      helper.is_error(err, "invalid")
      assert.truthy(tostring(err):find("proxy", 1, true))
    end)

    it("a configuration error (a CA file that holds no certificate) is not retried", function()
      -- (one that does not exist is refused by rtc.new itself)
      local url = mock.url:gsub("^http:", "https:")
      local not_ca = helper.write_temp("not a certificate\n")
      finally(function() os.remove(not_ca) end)
      local c = helper.client(mock, { endpoint = url, retries = 3, ca_file = not_ca,
                                      backoff_base = 0.001, backoff_max = 0.001 })
      local _, err = c:get_job("app", "j")
      helper.is_error(err, "transport")
      assert.is_true(err.attempts == nil or err.attempts == 1, tostring(err.attempts))
      c:close()
    end)
  end)
end)
