-- spec/support/proc.lua — processes: shell commands, background listeners, /proc look-ups, the
-- examples' own test scripts.
local util = require "spec.support.util"
local socket = require "socket"

local shell_quote, read_file = util.shell_quote, util.read_file

local proc = {}

-- runs a shell command; returns its exit code, stdout and stderr. The exit status comes through
-- the pipe itself: io.popen's close gives none on Lua 5.1/LuaJIT. (A "2>&1" at the end of cmd
-- puts stderr into stdout.)
function proc.run(cmd)
  local err_file = os.tmpname()
  local p = assert(io.popen("(" .. cmd .. ") 2>" .. shell_quote(err_file) .. "; echo \"EXIT:$?\"", "r"))
  local all = p:read("*a")
  p:close()
  local out, code = all:match("^(.-)EXIT:(%d+)%s*$")
  local err = read_file(err_file) or ""
  os.remove(err_file)
  return tonumber(code), out or all, err
end

-- true when cmd exits 0 (os.execute: true, "exit", 0 on 5.2+; 0 on Lua 5.1 / LuaJIT)
function proc.sh_ok(cmd)
  local ok, how, code = os.execute(cmd)
  if type(ok) == "number" then return ok == 0 end
  return ok == true and how == "exit" and code == 0
end

function proc.my_pid()
  local s = read_file("/proc/self/stat")
  return s and tonumber(s:match("^(%d+)"))
end

-- state letter and start time (clock ticks since boot) of a process, or nil
function proc.proc_stat(pid)
  local s = read_file("/proc/" .. pid .. "/stat")
  if not s then return nil end
  local rest = s:match("^%d+ %b()%s+(.*)$")
  if not rest then return nil end
  local fields = {}
  for f in rest:gmatch("%S+") do fields[#fields + 1] = f end
  return fields[1], fields[20] -- state (field 3), starttime (field 22)
end

-- alive, not a zombie, and (when start is given) the same process that was started
function proc.pid_alive(pid, start)
  local state, st = proc.proc_stat(pid)
  return state ~= nil and state ~= "Z" and (start == nil or st == start)
end

-- Runs cmd (a shell command line) in the background (never a pipe whose close would wait for
-- it), its stdout to a temp file and its stderr to log_file (nil: with stdout), and waits at most
-- 10 s for it to print "listening on HOST:PORT". -> pid, port (nil when it never did), stdout
function proc.spawn_listener(cmd, log_file)
  local out_file = os.tmpname()
  local sh = assert(io.popen(cmd .. " >" .. shell_quote(out_file) .. " 2>"
    .. (log_file and shell_quote(log_file) or "&1") .. " </dev/null & echo $!", "r"))
  local pid = tonumber(sh:read("*l") or "")
  sh:close()
  local port, out
  local t0 = socket.gettime()
  while pid and socket.gettime() - t0 < 10 do
    out = read_file(out_file) or ""
    port = out:match("listening on [^:]+:(%d+)")
    if port or not proc.pid_alive(pid) then break end
    socket.sleep(0.005)
  end
  os.remove(out_file)
  return pid, tonumber(port), out
end

-- runs examples/<name>/test.sh and asserts that it exited 0 with "N passed, 0 failed", N > 0
function proc.assert_example_test(name)
  local script = "examples/" .. name .. "/test.sh"
  local code, out = proc.run("bash " .. shell_quote(util.ROOT .. "/" .. script) .. " 2>&1")
  local passed, failed = out:match("(%d+) passed, (%d+) failed")
  require("busted").assert(code == 0 and tonumber(failed) == 0 and tonumber(passed or 0) > 0,
    script .. " failed:\n" .. out)
end

return proc
