-- mock/server/loop.lua — the mock's scheduler: one socket.select loop, coroutines that wait for
-- a readable or writable socket or for a time, so a slow or delayed answer never holds up the
-- other connections.

local socket = require "socket"

local gettime = socket.gettime

local L = {}

-- In a coroutine the loop runs: wait until sock is readable (kind "read") or writable ("write"),
-- or until deadline ("sleep"; deadline may be nil for the others).
-- -> true when the socket is ready (or the sleep is over), false when the deadline came first.
function L.wait(kind, sock, deadline)
  return coroutine.yield(kind, sock, deadline)
end

-- false once the process pid is gone or a zombie: a server started by a test ends with it
function L.parent_alive(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if not f then return false end
  local s = f:read("*a") or ""
  f:close()
  return not s:match("^%d+ %b() Z")
end

function L.sleep(seconds)
  if seconds and seconds > 0 then L.wait("sleep", nil, gettime() + seconds) end
end

local Loop = {}
Loop.__index = Loop

function L.new()
  return setmetatable({
    readers = {}, writers = {}, -- socket -> wait entry
    timers = {},                -- the wait entries with a deadline
  }, Loop)
end

-- runs co until it waits (or ends), then files what it waits for
function Loop:resume(co, ...)
  local ok, kind, sock, deadline = coroutine.resume(co, ...)
  if not ok then
    io.stderr:write("mock: coroutine failed: ", tostring(kind), "\n")
    return
  end
  if coroutine.status(co) == "dead" then return end
  local entry = { co = co, sock = sock, kind = kind, deadline = deadline }
  if kind == "read" then self.readers[sock] = entry
  elseif kind == "write" then self.writers[sock] = entry end
  if deadline then self.timers[#self.timers + 1] = entry end
end

-- sock is being closed: nothing waits for it any more
function Loop:forget(sock)
  self.readers[sock] = nil
  self.writers[sock] = nil
end

-- One round: waits (a second at most) for the listener, the sockets waited for and the first
-- timer; for each new connection c (non-blocking, TCP_NODELAY) runs on_accept(c)'s function in a
-- coroutine of its own; wakes the coroutines whose socket is ready or whose deadline has passed.
function Loop:step(listener, on_accept)
  local readers, writers = self.readers, self.writers
  local recvt, sendt = { listener }, {}
  for s in pairs(readers) do recvt[#recvt + 1] = s end
  for s in pairs(writers) do sendt[#sendt + 1] = s end
  local now = gettime()
  local timeout = 1
  for _, e in ipairs(self.timers) do
    if not e.done then
      local d = e.deadline - now
      if d < timeout then timeout = d end
    end
  end
  if timeout < 0 then timeout = 0 end
  local r, w = socket.select(recvt, sendt, timeout)
  for _, s in ipairs(r or {}) do
    if s == listener then
      while true do
        local c = listener:accept()
        if not c then break end
        c:settimeout(0)
        pcall(c.setoption, c, "tcp-nodelay", true)
        self:resume(coroutine.create(on_accept(c)))
      end
    else
      local e = readers[s]
      if e then readers[s] = nil; e.done = true; self:resume(e.co, true) end
    end
  end
  for _, s in ipairs(w or {}) do
    local e = writers[s]
    if e then writers[s] = nil; e.done = true; self:resume(e.co, true) end
  end
  if #self.timers > 0 then
    now = gettime()
    local due, keep = {}, {}
    for _, e in ipairs(self.timers) do
      if not e.done then
        if e.deadline <= now then due[#due + 1] = e else keep[#keep + 1] = e end
      end
    end
    self.timers = keep
    for _, e in ipairs(due) do
      e.done = true
      if e.kind == "read" then readers[e.sock] = nil elseif e.kind == "write" then writers[e.sock] = nil end
      self:resume(e.co, e.kind == "sleep")
    end
  end
end

return L
