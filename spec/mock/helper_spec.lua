-- luacheck: max line length 160
-- spec/mock/helper_spec.lua — spec/helper.lua's own mock (spec/support/mock.lua): its credentials,
-- its control routes, and a stop for good.
local helper = require "spec.helper"
local socket = require "socket"
local R = require "spec.support.mock_raw"
local CREATE, AUTH, roundtrip, wait_until = R.CREATE, R.AUTH, R.roundtrip, R.wait_until

describe("spec.helper", function()
  it("starts a mock with its own credentials and stops it for good", function()
    local m = helper.start_mock{ tokens = { "t1", "t2" }, aksk = { AK = "SK" }, project_id = "p1",
      unknown_apps = { "dead" } }
    assert.are.equal("t1", m.token)
    assert.are.equal("AK", m.ak)
    assert.are.equal("SK", m.sk)
    assert.are.equal("p1", m.project_id)
    assert.are.equal(404, roundtrip(m, "GET", "/v2/apps/a/individual-stream-jobs/x", { ["X-Auth-Token"] = "t2" }).status)
    assert.are.equal(401, roundtrip(m, "GET", "/v2/apps/a/individual-stream-jobs/x", AUTH).status)
    assert.are.equal(201, roundtrip(m, "POST", "/v2/apps/no-such-app/individual-stream-jobs",
      { ["X-Auth-Token"] = "t1" }, CREATE).status)
    assert.are.equal(404, roundtrip(m, "POST", "/v2/apps/dead/individual-stream-jobs",
      { ["X-Auth-Token"] = "t1" }, CREATE).status)
    local pid = m.pid
    m:stop()
    m:stop() -- idempotent
    local f = io.open("/proc/" .. pid .. "/stat")
    local st = f and f:read("*a")
    if f then f:close() end
    assert.is_true(st == nil or st:match("^%d+ %b() Z") ~= nil)
    assert.is_nil(socket.connect("127.0.0.1", m.port))
  end)

  it("the server exits by itself once its parent process is gone", function()
    local out = os.tmpname()
    local parent = io.popen("sleep 0.3 & echo $!")
    local ppid = tonumber(parent:read("*l"))
    parent:close()
    local sh = io.popen(helper.MOCK_LUA .. " mock/server.lua --port 0 --parent-pid " .. ppid
      .. " >" .. out .. " 2>/dev/null </dev/null & echo $!")
    local pid = tonumber(sh:read("*l"))
    sh:close()
    local function gone()
      local g = io.open("/proc/" .. pid .. "/stat")
      if not g then return true end
      local st = g:read("*a")
      g:close()
      return st:match("^%d+ %b() Z") ~= nil
    end
    local started = wait_until(function()
      local f = io.open(out)
      local line = f and f:read("*l")
      if f then f:close() end
      return line and line:match("^listening on 127%.0%.0%.1:%d+$")
    end)
    os.remove(out)
    local exited = wait_until(gone) -- it looks once a second: 10 s is a bound only a broken watch reaches
    if not exited then os.execute("kill " .. pid) end
    assert.truthy(started)
    assert.is_true(exited)
  end)
end)
