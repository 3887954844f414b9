-- luacheck: max line length 160
-- spec/mock/server_flags_spec.lua — mock/server.lua over HTTP, started with the flags under test:
-- --seed, --strict and the other flags, the control routes, the rate limit and /_mock/stats.
local helper = require "spec.helper"
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"
local M = require "spec.support.mock_api"
local RULE, rule_with, job_body = M.RULE, M.rule_with, M.job_body

---------------------------------------------------------------------------------------------
-- over HTTP: mock/server.lua started with the flags under test
---------------------------------------------------------------------------------------------
local Server = {}
Server.__index = Server

-- starts mock/server.lua --port 0 with args (a list); -> server {url, pid}
local function start_server(args)
  local cmd = { helper.MOCK_LUA, helper.shell_quote(helper.ROOT .. "/mock/server.lua"), "--port", "0" }
  local stat = helper.read_file("/proc/self/stat")
  if stat then cmd[#cmd + 1] = "--parent-pid " .. stat:match("^(%d+)") end
  for _, a in ipairs(args or {}) do cmd[#cmd + 1] = helper.shell_quote(a) end
  local pid, port, log = helper.spawn_listener(table.concat(cmd, " "))
  assert(port, "mock did not start: " .. tostring(log))
  return setmetatable({ url = "http://127.0.0.1:" .. port, pid = pid }, Server)
end

-- -> status, body (decoded when JSON), headers
function Server:call(method, path, body, headers)
  local h = { ["x-auth-token"] = "test-token", ["content-type"] = "application/json;charset=utf-8" }
  for k, v in pairs(headers or {}) do h[k] = v end
  if type(body) == "table" then body = cjson.encode(body) end
  if body then h["content-length"] = tostring(#body) end
  local chunks = {}
  local _, status, rh = http.request{ url = self.url .. path, method = method, headers = h,
    source = body and ltn12.source.string(body) or nil, sink = ltn12.sink.table(chunks) }
  local text = table.concat(chunks)
  local ok_json, v = pcall(cjson.decode, text)
  return status, (ok_json and v) or text, rh or {}
end

-- alive and not a zombie
local function alive(pid)
  local s = helper.read_file("/proc/" .. pid .. "/stat")
  return s ~= nil and not s:match("^%d+ %b() Z")
end

function Server:stop()
  pcall(self.call, self, "POST", "/_mock/shutdown")
  local t0 = socket.gettime()
  while alive(self.pid) and socket.gettime() - t0 < 2 do socket.sleep(0.01) end
  if alive(self.pid) then os.execute("kill " .. self.pid .. " 2>/dev/null") end
end

describe("mock server: --seed", function()
  local srv
  lazy_setup(function() srv = start_server({ "--seed" }) end)
  lazy_teardown(function() srv:stop() end)

  it("starts with app my-app, rule my-rule and the RUNNING job my-job", function()
    local status, job = srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")
    assert.are.equal(200, status)
    assert.are.equal("RUNNING", job.state)
    assert.are.equal("room-100", job.room_id)
    assert.are.equal("user001", job.user_id)
    assert.are.equal("s_my-job_room-100_user001", job.stream_name)
    assert.are.same({ record_rule_id = "my-rule" }, job.record_param)
    local _, app = srv:call("GET", "/v2/apps/my-app")
    assert.are.equal("my-app", app.app_name)
    local _, rule = srv:call("GET", "/v2/apps/my-app/record-rules/my-rule")
    assert.are.equal("rtc-records", rule.obs_addr.bucket)
    assert.are.same({ "HLS", "MP4" }, rule.record_formats)
    -- the seeded rule is the app's only one: jobs must name it
    assert.are.equal(400, (srv:call("POST", "/v2/apps/my-app/individual-stream-jobs", job_body("other"))))
    assert.are.equal(201, (srv:call("POST", "/v2/apps/my-app/individual-stream-jobs", job_body("my-rule"))))
    -- the README's update example
    local st, u = srv:call("PUT", "/v2/apps/my-app/individual-stream-jobs/my-job", { publish_param = { rtmp_urls = { "rtmp://live.example/app/s" } } })
    assert.are.equal(200, st)
    assert.are.equal("RUNNING", u.state)
  end)

  it("comes back after /_mock/reset", function()
    srv:call("DELETE", "/v2/apps/my-app/individual-stream-jobs/my-job")
    assert.are.equal("STOPPED", select(2, srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")).state)
    srv:call("POST", "/_mock/reset")
    assert.are.equal("RUNNING", select(2, srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")).state)
    local _, l = srv:call("GET", "/v2/apps")
    assert.are.equal(1, l.count)
  end)
end)

describe("mock server: flags and control routes", function()
  local srv
  lazy_setup(function() srv = start_server({ "--strict", "--rule-location", "cn-north-4", "--rule-location", "cn-east-2" }) end)
  lazy_teardown(function() srv:stop() end)
  before_each(function() srv:call("POST", "/_mock/reset") end)

  it("--strict: apps must be created, jobs need a rule; /_mock/config strict=false relaxes it until the reset", function()
    assert.are.equal(404, (srv:call("POST", "/v2/apps/x/individual-stream-jobs", job_body())))
    local _, a = srv:call("POST", "/v2/apps", { app_name = "a" })
    assert.are.equal(400, (srv:call("POST", "/v2/apps/" .. a.app_id .. "/individual-stream-jobs", job_body())))
    assert.are.equal(200, (srv:call("POST", "/_mock/config", { strict = false })))
    assert.are.equal(201, (srv:call("POST", "/v2/apps/x/individual-stream-jobs", job_body())))
    srv:call("POST", "/_mock/reset")
    assert.are.equal(404, (srv:call("POST", "/v2/apps/x/individual-stream-jobs", job_body())))
  end)

  it("--rule-location widens obs_addr.location; /_mock/config rule_locations too", function()
    local _, a = srv:call("POST", "/v2/apps", { app_name = "a" })
    local rules = "/v2/apps/" .. a.app_id .. "/record-rules"
    assert.are.equal(201, (srv:call("POST", rules, rule_with({ ["obs_addr.location"] = "cn-east-2" }))))
    assert.are.equal(400, (srv:call("POST", rules, rule_with({ ["obs_addr.location"] = "cn-south-1" }))))
    srv:call("POST", "/_mock/config", { rule_locations = { "cn-south-1" } })
    assert.are.equal(201, (srv:call("POST", rules, rule_with({ ["obs_addr.location"] = "cn-south-1" }))))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { rule_locations = {} })))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { strict = "yes" })))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { rate = -1 })))
    assert.are.equal(400, (srv:call("POST", "/_mock/config", { offset_items = 1 })))
  end)

  it("/_mock/config offset_items switches how both lists read offset, until the reset", function()
    srv:call("POST", "/_mock/config", { strict = false, rule_locations = { "cn-north-4", "cn-east-2" } })
    for i = 1, 3 do srv:call("POST", "/v2/apps", { app_name = "a" .. i }) end
    srv:call("POST", "/v2/apps/a/record-rules", RULE)
    srv:call("POST", "/v2/apps/a/record-rules", rule_with({ ["obs_addr.location"] = "cn-east-2" }))
    assert.are.equal("a2", select(2, srv:call("GET", "/v2/apps?offset=1&limit=1")).apps[1].app_name)
    assert.are.equal(0, #select(2, srv:call("GET", "/v2/apps/a/record-rules?offset=1&limit=2")).rules)
    srv:call("POST", "/_mock/config", { offset_items = true })
    assert.are.equal("a3", select(2, srv:call("GET", "/v2/apps?offset=2&limit=1")).apps[1].app_name)
    assert.are.equal(3, #select(2, srv:call("GET", "/v2/apps?offset=1&limit=10")).apps) -- a2, a3, a
    assert.are.equal(1, #select(2, srv:call("GET", "/v2/apps/a/record-rules?offset=1&limit=2")).rules)
    srv:call("POST", "/_mock/reset")
    srv:call("POST", "/_mock/config", { strict = false })
    srv:call("POST", "/v2/apps", { app_name = "b1" })
    srv:call("POST", "/v2/apps", { app_name = "b2" })
    assert.are.equal(0, #select(2, srv:call("GET", "/v2/apps?offset=1&limit=2")).apps)
  end)

  it("/_mock/seed puts the seed state in at run time", function()
    local st, ids = srv:call("POST", "/_mock/seed")
    assert.are.equal(200, st)
    assert.are.same({ app_id = "my-app", rule_id = "my-rule", job_id = "my-job" }, ids)
    assert.are.equal("RUNNING", select(2, srv:call("GET", "/v2/apps/my-app/individual-stream-jobs/my-job")).state)
  end)

  it("sends 202 and 204 with no body, 200 with no body for the bucket authority", function()
    local _, a = srv:call("POST", "/v2/apps", { app_name = "a" })
    local st, body, h = srv:call("POST", "/v2/apps/" .. a.app_id .. "/rooms/r/dismiss")
    assert.are.same({ 202, "" }, { st, body })
    assert.is_nil(h["content-type"])
    assert.are.equal(32, #h["x-request-id"])
    st, body = srv:call("PUT", "/v2/rtc-ops/buckets/authentication", { bucket = "rtc-records", operation = 0, location = "cn-north-4" },
      { ["content-type"] = "application/json" })
    assert.are.same({ 200, "" }, { st, body })
    st, body = srv:call("DELETE", "/v2/apps/" .. a.app_id)
    assert.are.same({ 204, "" }, { st, body })
  end)
end)

describe("mock server: rate limit", function()
  local srv
  lazy_setup(function() srv = start_server({ "--rate", "2" }) end)
  lazy_teardown(function() srv:stop() end)
  before_each(function() srv:call("POST", "/_mock/reset") end)

  -- requests until the first 429 (at most n): -> sent, the 429's body and headers
  local function until_429(n)
    for i = 1, n do
      local st, body, h = srv:call("GET", "/v2/apps")
      if st == 429 then return i, body, h end
      assert.are.equal(200, st)
    end
    return n
  end

  it("--rate N: past N requests in a second, 429 with Retry-After and the gateway's error body", function()
    local sent, body, h = until_429(40)
    assert.is_table(body, "no 429 in 40 requests")
    assert.is_true(sent >= 3)
    assert.are.equal("APIGW.0308", body.error_code)
    assert.truthy(body.error_msg:find("limit:2", 1, true))
    local ra = tonumber(h["retry-after"])
    assert.are.equal(1, ra, tostring(h["retry-after"]))
    local _, s = srv:call("GET", "/_mock/stats")
    assert.are.equal(2, s.rate)
    assert.are.equal(1, s.limited)
    assert.are.equal(sent, s.requests)
    assert.are.equal(2, s.max_window)
    assert.is_true(s.max_per_second <= 2)
    local total, limited = 0, 0
    for _, p in ipairs(s.per_second) do
      assert.is_number(p.second)
      assert.are.equal(p.requests, p.accepted + p.limited)
      total, limited = total + p.requests, limited + p.limited
    end
    assert.are.same({ sent, 1 }, { total, limited })
  end)

  it("a 429 takes no script; /_mock/config rate changes the limit at run time (0: off)", function()
    srv:call("POST", "/_mock/script", { status = 503 })
    assert.are.equal(503, (srv:call("GET", "/v2/apps")))
    local sent = until_429(40)
    assert.is_true(sent < 40)
    srv:call("POST", "/_mock/config", { rate = 0 })
    for _ = 1, 10 do assert.are.equal(200, (srv:call("GET", "/v2/apps"))) end
    local _, s = srv:call("GET", "/_mock/stats")
    assert.are.equal(0, s.rate)
    assert.are.equal(1, s.limited)
    srv:call("POST", "/_mock/reset") -- back to --rate 2
    assert.are.equal(2, select(2, srv:call("GET", "/_mock/stats")).rate)
  end)

  it("control routes are never limited, and per-second counts run without a limit", function()
    srv:call("POST", "/_mock/config", { rate = 0 })
    for _ = 1, 5 do srv:call("GET", "/v2/rtc-ops/buckets") end
    for _ = 1, 20 do assert.are.equal(200, (srv:call("GET", "/_mock/health"))) end
    local _, s = srv:call("GET", "/_mock/stats")
    local total = 0
    for _, p in ipairs(s.per_second) do total = total + p.accepted end
    assert.are.equal(5, total)
    assert.are.equal(0, s.limited)
    assert.is_true(s.max_window >= 1 and s.max_window <= 5)
  end)
end)
