-- memcheck/sections/retries.lua: retries, Retry-After, deadline, failover. memcheck/driver.lua
-- runs the sections; memcheck/kit.lua holds what they share.
local kit = require "memcheck.kit"
local helper, rtc, clock, check, eq, ok = kit.helper, kit.rtc, kit.clock, kit.check, kit.eq, kit.ok
local failed, gc, section, mock, REFUSED = kit.failed, kit.gc, kit.section, kit.mock, kit.REFUSED
local APP, GOOD_CREATE, GOOD_UPDATE, opts = kit.APP, kit.GOOD_CREATE, kit.GOOD_UPDATE, kit.opts
local requests_count = kit.requests_count

section("retries", function()
  local c = helper.client(mock, opts({ retries = 3, backoff_base = 0.05, backoff_max = 0.2 }))
  local job = ok("create for retries", helper.client(mock, opts()):create_job(APP, GOOD_CREATE))
  gc() -- that unnamed client goes through __gc
  local before = requests_count()
  mock:script{ status = 503, body = '{"error_code":"X","error_msg":"busy"}', times = 2 }
  local got = ok("503, 503, then 200", c:get_job(APP, job.job_id))
  eq(got.job_id, job.job_id, "retried get_job result")
  eq(requests_count() - before, 3, "three requests for one call")
  -- Retry-After in seconds and as an HTTP date (in the past: no wait)
  mock:script{ { status = 429, body = "", headers = { ["Retry-After"] = "0" } },
               { status = 503, body = "", headers = { ["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT" } } }
  ok("Retry-After honoured", c:get_job(APP, job.job_id))
  -- retries run out: the last answer is the error
  mock:script{ status = 500, body = '{"error_code":"E","error_msg":"down"}', times = 4 }
  local e = failed("api", 500, "retries exhausted", c:update_job(APP, job.job_id, GOOD_UPDATE))
  eq(e.attempts, 4, "1 + 3 retries")
  -- a transport failure mid-way, then success (the mock applies the request before it
  -- misbehaves, so this is done with an idempotent read)
  mock:script{ close_before_response = true }
  ok("closed connection, then 200", c:get_job(APP, job.job_id))
  ok("stop after retries", c:stop_job(APP, job.job_id))
  c:close()
  mock:reset()
end)

section("deadline", function()
  -- the deadline cuts an attempt short: timeout
  local c = helper.client(mock, { timeout = 30, deadline = 1.5, retries = 5 })
  mock:script{ stall_before_headers = 60 } -- let go when the client leaves
  local t = clock()
  failed("timeout", nil, "deadline during an attempt", c:get_job(APP, "j"))
  check(clock() - t < 30, "the deadline bounded the call") -- unbounded: a minute
  c:close()
  -- the deadline stops the retries: the last answer is returned
  local c2 = helper.client(mock, { timeout = 30, deadline = 1.0, retries = 10, backoff_base = 0.6,
    backoff_max = 0.6 })
  mock:script{ status = 503, body = '{"error_code":"X","error_msg":"busy"}', times = 20,
    headers = { ["Retry-After"] = "0.4" } }
  local e = failed("api", 503, "deadline ends the retries", c2:get_job(APP, "j"))
  check((e.attempts or 1) < 11, "fewer attempts than retries allow")
  c2:close()
  mock:reset()
end)

section("failover", function()
  local lines = {}
  local c = rtc.new(opts({ endpoint = { REFUSED, mock.url }, token = "test-token", retries = 2,
    debug = function(l) lines[#lines + 1] = l end }))
  local job = ok("failover create", c:create_job(APP, GOOD_CREATE))
  ok("failover get (preferred endpoint)", c:get_job(APP, job.job_id))
  check(table.concat(lines, "\n"):find("127.0.0.1:1/", 1, true), "the refused endpoint was tried")
  c:close()
  -- every endpoint down: transport after trying each
  local c2 = rtc.new(opts({ endpoint = { REFUSED, "http://127.0.0.1:2", "http://127.0.0.1:3" },
    token = "t", retries = 4, backoff_base = 0.01, backoff_max = 0.02 }))
  local e = failed("transport", nil, "all endpoints refused", c2:get_job(APP, "j"))
  eq(e.attempts, 5, "all endpoints, all retries")
  c2:close()
  -- an endpoint with a path prefix (the mock knows no such prefix: 404)
  local c3 = helper.client(mock, opts({ endpoint = mock.url .. "/gw/" }))
  failed("api", 404, "prefixed endpoint", c3:get_job(APP, "j"))
  c3:close()
end)
