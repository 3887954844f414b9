-- spec/support/fault.lua — mock/fault.lua (the fault-injecting server) for the specs: start one
-- (or a black hole), read what it received, stop it. Every server listens on 127.0.0.1 and is
-- stopped by the spec that started it (and watches the spec's process: it exits when that is gone).
local socket = require "socket"
local cjson = require "cjson"
local util = require "spec.support.util"
local proc = require "spec.support.proc"

local M = {}

local Fault = {}
Fault.__index = Fault

local function my_pid()
  local f = io.open("/proc/self/stat")
  if not f then return nil end
  local pid = f:read("*n")
  f:close()
  return pid
end

-- opts: late (seconds before a "late" answer), blackhole (never answer)
function M.start(opts)
  opts = opts or {}
  local cmd = string.format("%s %s/mock/fault.lua --port 0 --late %s%s --parent-pid %d", util.MOCK_LUA,
    util.ROOT, tostring(opts.late or 2), opts.blackhole and " --blackhole" or "", my_pid() or 1)
  local pid, port, out = proc.spawn_listener(cmd)
  assert(port, "the fault server did not start: " .. tostring(out))
  return setmetatable({ pid = pid, port = port, url = "http://127.0.0.1:" .. port }, Fault)
end

-- what the server received: requests, creates (user_id -> times processed), processed_creates,
-- stops, injected (fault -> count), connections
function Fault:stats()
  local c = assert(socket.connect("127.0.0.1", self.port))
  c:settimeout(10)
  c:send("GET /_fault/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
  local all = c:receive("*a")
  c:close()
  return cjson.decode(all:match("\r\n\r\n(.*)$"))
end

function Fault:stop()
  if self.pid then os.execute("kill " .. self.pid .. " 2>/dev/null") end
  self.pid = nil
end

-- a port nothing listens on (connections refused)
function M.dead_port() return util.dead_port() end

return M
