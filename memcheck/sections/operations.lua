-- memcheck/sections/operations.lua: the four operations, token and AK/SK, plus debug logging.
-- memcheck/driver.lua runs the sections; memcheck/kit.lua holds what they share.
local kit = require "memcheck.kit"
local helper, check, eq, ok, failed = kit.helper, kit.check, kit.eq, kit.ok, kit.failed
local section, mock, APP = kit.section, kit.mock, kit.APP
local GOOD_CREATE, GOOD_UPDATE, opts = kit.GOOD_CREATE, kit.GOOD_UPDATE, kit.opts

local function lifecycle(c, label)
  local job = ok(label .. " create_job", c:create_job(APP, GOOD_CREATE))
  check(type(job.job_id) == "string" and #job.job_id > 0, label .. " create_job gives a job_id")
  eq(job.room_id, "room-1", label .. " create_job room_id")
  eq(job.max_idle_time, 30, label .. " create_job max_idle_time")
  check(math.type(job.max_idle_time) == "integer", label .. " max_idle_time is an integer")
  check(type(job.request_id) == "string", label .. " create_job request_id")
  check(tostring(job):find("rtc.job{", 1, true), label .. " job __tostring")
  local got = ok(label .. " get_job", c:get_job(APP, job.job_id))
  eq(got.job_id, job.job_id, label .. " get_job job_id")
  eq(got.state, "RUNNING", label .. " get_job state")
  local upd = ok(label .. " update_job", c:update_job(APP, job.job_id, GOOD_UPDATE))
  eq(upd.publish_param.rtmp_urls[2], "rtmps://b/c", label .. " update_job rtmp_urls[2]")
  eq(upd.record_param.record_rule_id, "5f5e172b9016ed5b0961a43", label .. " update_job rule")
  local stop = ok(label .. " stop_job", c:stop_job(APP, job.job_id))
  check(type(stop.request_id) == "string", label .. " stop_job request_id")
  -- a stopped job cannot be updated: HTTP 400 from the service
  local e = failed("api", 400, label .. " update stopped job", c:update_job(APP, job.job_id, GOOD_UPDATE))
  eq(e.code, "RTC.00001009", label .. " stopped job code")
  return job
end

section("token_ops", function()
  local c = helper.client(mock, opts())
  check(tostring(c):find("auth=token", 1, true), "client __tostring names token auth")
  check(not tostring(c):find("test-token", 1, true), "client __tostring hides the token")
  lifecycle(c, "token")
  -- numbers are accepted as ids (converted), unknown app: 404
  failed("api", 404, "numeric ids, unknown job", c:get_job(12345, 678))
  local e = failed("api", 404, "unknown app", c:get_job("no-such-app", "j"))
  eq(e.code, "RTC.00001003", "unknown app code")
  check(tostring(e):find("HTTP 404", 1, true), "api error __tostring")
  c:close()
  c:close() -- idempotent
  check(tostring(c) == "rtc.client(closed)", "closed client __tostring")
end)

section("aksk_ops", function()
  local c = helper.aksk_client(mock, opts())
  check(tostring(c):find("auth=aksk", 1, true), "client __tostring names aksk auth")
  check(not tostring(c):find("test-sk", 1, true), "client __tostring hides the sk")
  lifecycle(c, "aksk")
  c:close()
  -- a wrong SK: the gateway answers 401 APIGW.0301
  local bad = helper.aksk_client(mock, opts({ sk = "wrong-sk" }))
  local e = failed("api", 401, "aksk wrong sk", bad:get_job(APP, "j"))
  eq(e.code, "APIGW.0301", "wrong sk code")
  bad:close()
  -- a wrong token
  local badt = helper.client(mock, opts({ token = "wrong-token" }))
  failed("api", 401, "wrong token", badt:get_job(APP, "j"))
  badt:close()
end)

section("debug_logger", function()
  local lines = {}
  local c = helper.client(mock, opts({ debug = function(line) lines[#lines + 1] = line end,
    user_agent = "memcheck/1.0" }))
  local job = ok("create with debug", c:create_job(APP, GOOD_CREATE))
  ok("stop with debug", c:stop_job(APP, job.job_id))
  check(#lines >= 4, "the debug function saw the requests and answers")
  local all = table.concat(lines, "\n")
  check(all:find("> POST", 1, true) and all:find("< HTTP 201", 1, true), "debug lines")
  check(not all:find("test-token", 1, true) and all:find("X-Auth-Token: ****", 1, true),
    "the token is redacted in debug lines")
  c:close()
  -- a logger that raises must not fail the call
  local c2 = helper.aksk_client(mock, opts({ debug = function() error("logger broke") end,
    security_token = "sts-token" }))
  local r, e = c2:get_job(APP, "nope")
  check(r == nil and type(e) == "table", "a raising logger does not break the call")
  c2:close()
end)
