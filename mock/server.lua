-- mock/server.lua — the mock SparkRTC server: mock/sparkrtc.lua behind a LuaSocket loop.
--
--   lua5.4 mock/server.lua --port 8080 [--host 127.0.0.1] [--token T]... [--aksk AK:SK]...
--          [--project-id P] [--unknown-app A]... [--delay-all S] [--no-auth] [--no-tokens]
--          [--no-aksk] [--any-project] [--strict] [--seed] [--rate N] [--rule-location L]...
--          [--pid-file F] [--parent-pid PID] [--allow-callbacks-to-any] [--verbose]
--
-- One non-blocking loop (socket.select), one coroutine per connection, timers for delayed
-- answers, HTTP/1.1 keep-alive, Content-Length and chunked request bodies, Expect: 100-continue.
-- Prints "listening on HOST:PORT" on stdout once ready (--port 0 picks a free port).
-- Control routes under /_mock/ (never authenticated): see mock/README.md.
-- Runs on Lua 5.4, 5.3 and LuaJIT (a wait inside a connection needs a yield across pcall, which plain Lua 5.1 lacks).
--
-- This file starts it: the command line (server/options.lua), the listening socket, the pid
-- file, the watch on the parent, and the loop (server/loop.lua) that runs each connection
-- (server/conn.lua: HTTP in server/http.lua, what /_mock/ steers in server/state.lua).

-- the mock's modules (sparkrtc.lua, sparkrtc/*.lua, server/*.lua) sit next to this file,
-- wherever it is run from
local dir = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = dir .. "/?.lua;" .. package.path

local socket = require "socket"
local sparkrtc = require "sparkrtc"
local options = require "server.options"
local state = require "server.state"
local conn = require "server.conn"
local loop = require "server.loop"

local gettime = socket.gettime

local opts, cfg, status = options.parse(arg)
if not opts then
  (status == 0 and io.stdout or io.stderr):write(cfg)
  os.exit(status)
end

local srv = state.new(sparkrtc.new(cfg), cfg, opts)
srv.callbacks_to_any = opts.callbacks_to_any

local server, err = socket.bind(opts.host, opts.port, 128)
if not server then
  io.stderr:write("mock: cannot listen on ", opts.host, ":", tostring(opts.port), ": ", tostring(err), "\n")
  os.exit(1)
end
server:settimeout(0)
local _, port = server:getsockname()

local function my_pid()
  local f = io.open("/proc/self/stat")
  if not f then return nil end
  local pid = f:read("*n")
  f:close()
  return pid
end

if opts.pid_file then
  local f = io.open(opts.pid_file, "w")
  if f then f:write(tostring(my_pid() or ""), "\n"); f:close() end
end

io.stdout:write(string.format("listening on %s:%s\n", opts.host, tostring(port)))
io.stdout:flush()

local sched = loop.new()
local function on_accept(sock)
  srv.stats.accepted = srv.stats.accepted + 1
  return conn.new(sock, srv, sched)
end

local next_watch = gettime() + 1
while srv.running do
  sched:step(server, on_accept)
  if opts.parent_pid and gettime() >= next_watch then
    next_watch = gettime() + 1
    if not loop.parent_alive(opts.parent_pid) then
      io.stderr:write("mock: parent process ", opts.parent_pid, " is gone, exiting\n")
      srv.stop()
    end
  end
end
-- let the last answer (e.g. of /_mock/shutdown) go out
server:close()
os.exit(0)
