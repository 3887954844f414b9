-- mock/server.lua — the mock SparkRTC server: mock/sparkrtc.lua behind a LuaSocket loop.
--
--   lua5.4 mock/server.lua --port 8080 [--host 127.0.0.1] [--token T]... [--aksk AK:SK]...
--          [--project-id P] [--unknown-app A]... [--delay-all S] [--no-auth] [--no-tokens]
--          [--no-aksk] [--any-project] [--strict] [--seed] [--rate N] [--rule-location L]...
--          [--pid-file F] [--parent-pid PID] [--verbose]
--
-- One non-blocking loop (socket.select), one coroutine per connection, timers for delayed
-- answers, HTTP/1.1 keep-alive, Content-Length and chunked request bodies, Expect: 100-continue.
-- Prints "listening on HOST:PORT" on stdout once ready (--port 0 picks a free port).
-- Control routes under /_mock/ (never authenticated): see mock/README.md.
-- Runs on Lua 5.1/LuaJIT .. 5.4.

-- the mock's modules (sparkrtc.lua, sparkrtc/*.lua) sit next to this file, wherever it is run from
local dir = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = dir .. "/?.lua;" .. package.path

local socket = require "socket"
local sparkrtc = require "sparkrtc"
local ratelimit = require "sparkrtc.ratelimit"
local control = require "sparkrtc.control"
local json = sparkrtc.json

local gettime = socket.gettime
local format, concat = string.format, table.concat

local USAGE = [[
usage: lua5.4 mock/server.lua --port PORT [options]
  --port N            port to listen on (0: a free one)             [8080]
  --host H            address to bind                               [127.0.0.1]
  --token T           accepted X-Auth-Token (repeatable)            [test-token]
  --aksk AK:SK        accepted access key and secret (repeatable)   [test-ak:test-sk]
  --project-id P      required X-Project-Id with AK/SK              [test-project]
  --any-project       accept any non-empty X-Project-Id
  --no-tokens         accept no token        --no-aksk   accept no AK/SK
  --no-auth           no authentication at all
  --unknown-app A     app id answered with 404 (repeatable)         [no-such-app]
  --strict            apps must be created; job record rules must exist
  --seed              start with app my-app, rule my-rule, RUNNING job my-job
  --rate N            answer 429 past N API requests per second     [0: no limit]
  --rule-location L   accepted obs_addr.location (repeatable)       [cn-north-4]
  --offset-items      list offsets count items (default: pages)
  --delay-all S       delay every API answer by S seconds
  --pid-file F        write the process id to F
  --parent-pid PID    exit when process PID is gone
  --verbose           log every request on stderr
]]

---------------------------------------------------------------------------------------------
-- options
---------------------------------------------------------------------------------------------
local opts = { port = 8080, host = "127.0.0.1", delay_all = 0, rate = 0 }
local cfg = {}
do
  local i = 1
  local function val(name)
    i = i + 1
    local v = arg[i]
    if v == nil then io.stderr:write("missing value for ", name, "\n", USAGE); os.exit(2) end
    return v
  end
  while arg[i] do
    local a = arg[i]
    if a == "--port" then opts.port = tonumber(val(a))
    elseif a == "--host" then opts.host = val(a)
    elseif a == "--token" then cfg.tokens = cfg.tokens or {}; cfg.tokens[#cfg.tokens + 1] = val(a)
    elseif a == "--no-tokens" then cfg.tokens = cfg.tokens or {}
    elseif a == "--aksk" then
      local v = val(a)
      local ak, sk = v:match("^([^:]+):(.*)$")
      if not ak then io.stderr:write("--aksk wants AK:SK\n"); os.exit(2) end
      cfg.aksk = cfg.aksk or {}; cfg.aksk[ak] = sk
    elseif a == "--no-aksk" then cfg.aksk = cfg.aksk or {}
    elseif a == "--project-id" then cfg.project_id = val(a)
    elseif a == "--any-project" then cfg.project_id = false
    elseif a == "--no-auth" then cfg.auth = false
    elseif a == "--unknown-app" then
      cfg.unknown_apps = cfg.unknown_apps or {}
      cfg.unknown_apps[#cfg.unknown_apps + 1] = val(a)
    elseif a == "--delay-all" then opts.delay_all = tonumber(val(a)) or 0
    elseif a == "--strict" then cfg.strict = true
    elseif a == "--seed" then cfg.seed = true
    elseif a == "--offset-items" then cfg.offset_items = true
    elseif a == "--rate" then
      opts.rate = tonumber(val(a))
      if not opts.rate or opts.rate < 0 then io.stderr:write("--rate wants a number >= 0\n"); os.exit(2) end
    elseif a == "--rule-location" then
      cfg.rule_locations = cfg.rule_locations or {}
      cfg.rule_locations[#cfg.rule_locations + 1] = val(a)
    elseif a == "--pid-file" then opts.pid_file = val(a)
    elseif a == "--parent-pid" then opts.parent_pid = tonumber(val(a))
    elseif a == "--verbose" or a == "-v" then opts.verbose = true
    elseif a == "--help" or a == "-h" then io.stdout:write(USAGE); os.exit(0)
    else io.stderr:write("unknown option ", a, "\n", USAGE); os.exit(2) end
    i = i + 1
  end
  if not opts.port then io.stderr:write("bad --port\n"); os.exit(2) end
end

local api = sparkrtc.new(cfg)

local function log(...)
  if opts.verbose then io.stderr:write(format("%.3f ", gettime()), ...); io.stderr:write("\n") end
end

---------------------------------------------------------------------------------------------
-- state steered by /_mock/
---------------------------------------------------------------------------------------------
local state -- reset() fills it
local stats
local open_connections = 0
local generation = 0
local running = true -- false: /_mock/shutdown or the parent is gone

local limiter

local function reset()
  generation = generation + 1
  api:configure({ clock_offset = 0, strict = cfg.strict or false, offset_items = cfg.offset_items or false,
    rule_locations = cfg.rule_locations or { "cn-north-4" } })
  api:reset()
  state = { log = {}, scripts = {}, delay_all = opts.delay_all }
  limiter = ratelimit.new(opts.rate)
  -- requests held from before the reset no longer count (see Conn:release)
  stats = { connections = 0, requests = 0, in_flight = 0, max_in_flight = 0, accepted = 0 }
end

-- what the control routes see and steer (state, stats and limiter are replaced by reset)
local srv = { api = api }
local function refresh()
  srv.state, srv.stats, srv.limiter = state, stats, limiter
end
function srv.reset() reset(); refresh() end
function srv.open() return open_connections end
function srv.stop() running = false end
srv.reset()

local function pop_script()
  local s = state.scripts[1]
  if not s then return nil end
  s.remaining = s.remaining - 1
  if s.remaining <= 0 then table.remove(state.scripts, 1) end
  return s.behaviour
end

---------------------------------------------------------------------------------------------
-- scheduler: coroutines wait for readable/writable sockets or for a time
---------------------------------------------------------------------------------------------
local readers, writers = {}, {} -- socket -> wait entry
local timers = {}               -- list of wait entries with a deadline

local function wait(kind, sock, deadline)
  return coroutine.yield(kind, sock, deadline)
end

local function sleep(seconds)
  if seconds and seconds > 0 then wait("sleep", nil, gettime() + seconds) end
end

local function resume(co, ...)
  local ok, kind, sock, deadline = coroutine.resume(co, ...)
  if not ok then
    io.stderr:write("mock: coroutine failed: ", tostring(kind), "\n")
    return
  end
  if coroutine.status(co) == "dead" then return end
  local entry = { co = co, sock = sock, kind = kind, deadline = deadline }
  if kind == "read" then readers[sock] = entry
  elseif kind == "write" then writers[sock] = entry end
  if deadline then timers[#timers + 1] = entry end
end

---------------------------------------------------------------------------------------------
-- a connection
---------------------------------------------------------------------------------------------
local IDLE_TIMEOUT = 120   -- seconds a connection may wait between requests
local IO_TIMEOUT = 60      -- seconds for reading a request / writing an answer
local MAX_HEAD = 65536
local MAX_BODY = 64 * 1024 * 1024

local Conn = {}
Conn.__index = Conn

function Conn:fill(deadline)
  while true do
    local data, err, partial = self.sock:receive(65536)
    local got = data or partial
    if got and #got > 0 then self.buf = self.buf .. got; return true end
    if err ~= "timeout" and err ~= "wantread" then return nil, err or "closed" end
    if not wait("read", self.sock, deadline) then return nil, "timeout" end
  end
end

function Conn:read_line(deadline)
  while true do
    local i = self.buf:find("\n", 1, true)
    if i then
      local line = self.buf:sub(1, i - 1):gsub("\r$", "")
      self.buf = self.buf:sub(i + 1)
      return line
    end
    if #self.buf > MAX_HEAD then return nil, "too large" end
    local ok, err = self:fill(deadline)
    if not ok then return nil, err end
  end
end

function Conn:read_n(n, deadline)
  local parts, got = {}, 0
  while true do
    if #self.buf > 0 then
      local take = self.buf:sub(1, n - got)
      self.buf = self.buf:sub(#take + 1)
      parts[#parts + 1] = take
      got = got + #take
    end
    if got >= n then return concat(parts) end
    local ok, err = self:fill(deadline)
    if not ok then return nil, err end
  end
end

function Conn:send(data, deadline)
  local i, n = 1, #data
  deadline = deadline or gettime() + IO_TIMEOUT
  while i <= n do
    local last, err, partial = self.sock:send(data, i)
    if last then
      i = last + 1
    elseif err == "timeout" or err == "wantwrite" then
      i = (partial or i - 1) + 1
      if i <= n and not wait("write", self.sock, deadline) then return nil, "timeout" end
    else
      return nil, err
    end
  end
  return true
end

function Conn:close()
  if self.closed then return end
  self.closed = true
  readers[self.sock] = nil
  writers[self.sock] = nil
  self.sock:close()
  open_connections = open_connections - 1
end

local REASONS = { [100] = "Continue", [200] = "OK", [201] = "Created", [202] = "Accepted", [204] = "No Content",
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
  [408] = "Request Timeout", [411] = "Length Required", [413] = "Payload Too Large",
  [429] = "Too Many Requests", [431] = "Request Header Fields Too Large",
  [500] = "Internal Server Error", [502] = "Bad Gateway", [503] = "Service Unavailable",
  [504] = "Gateway Timeout" }

-- resp = {status, headers (name -> value, false = omitted), body}; content_length override
local function serialize(resp, keep, content_length)
  local status = tonumber(resp.status) or 200
  local lines = { format("HTTP/1.1 %d %s", status, REASONS[status] or "Status") }
  local have = {}
  local names = {}
  for name in pairs(resp.headers or {}) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local v = resp.headers[name]
    have[name:lower()] = true
    if v ~= false then lines[#lines + 1] = name .. ": " .. tostring(v) end
  end
  local body = resp.body or ""
  if not have["server"] then lines[#lines + 1] = "Server: sparkrtc-mock" end
  if not have["date"] then lines[#lines + 1] = "Date: " .. os.date("!%a, %d %b %Y %H:%M:%S GMT") end
  if not have["content-length"] then
    if content_length then
      lines[#lines + 1] = "Content-Length: " .. string.format("%d", content_length)
    elseif status ~= 204 and status ~= 304 and not (status >= 100 and status < 200) then
      lines[#lines + 1] = "Content-Length: " .. #body
    end
  end
  if not have["connection"] then lines[#lines + 1] = "Connection: " .. (keep and "keep-alive" or "close") end
  return concat(lines, "\r\n") .. "\r\n\r\n", body
end

local function simple(status, obj)
  local r = sparkrtc.response(status, obj ~= nil and json.encode(obj) or nil)
  return r
end

-- read one request; nil, why at the end of the connection; {bad = status} for a broken one
function Conn:read_request()
  local line, err
  repeat
    line, err = self:read_line(gettime() + IDLE_TIMEOUT)
    if not line then
      if err == "too large" then return { bad = 431 } end
      return nil, err
    end
  until line ~= ""
  local deadline = gettime() + IO_TIMEOUT
  local method, target, major, minor = line:match("^(%u+) (%S+) HTTP/(%d)%.(%d)$")
  if not method then return { bad = 400 } end
  local req = { method = method, target = target, headers = {}, version = major .. "." .. minor }
  req.path, req.query = sparkrtc.split_target(target)
  local size = #line
  while true do
    local h
    h, err = self:read_line(deadline)
    if not h then
      if err == "too large" then return { bad = 431 } end
      return nil, err
    end
    if h == "" then break end
    size = size + #h
    if size > MAX_HEAD then return { bad = 431 } end
    local name, value = h:match("^([^:%s]+):%s*(.-)%s*$")
    if not name then return { bad = 400 } end
    name = name:lower()
    if req.headers[name] then req.headers[name] = req.headers[name] .. ", " .. value
    else req.headers[name] = value end
  end
  local h = req.headers
  local conn_hdr = (h["connection"] or ""):lower()
  if req.version == "1.1" then req.keep = not conn_hdr:find("close", 1, true)
  else req.keep = conn_hdr:find("keep-alive", 1, true) ~= nil end

  local te = h["transfer-encoding"]
  local chunked = te and te:lower():find("chunked", 1, true)
  local length = 0
  if not chunked and h["content-length"] then
    if not h["content-length"]:match("^%d+$") then return { bad = 400 } end
    length = tonumber(h["content-length"])
    if length > MAX_BODY then return { bad = 413 } end
  end
  if (chunked or length > 0) and (h["expect"] or ""):lower() == "100-continue" and req.version == "1.1" then
    local ok = self:send("HTTP/1.1 100 Continue\r\n\r\n")
    if not ok then return nil, "closed" end
  end
  if chunked then
    local parts, total = {}, 0
    while true do
      local sl
      sl, err = self:read_line(deadline)
      if not sl then return nil, err end
      local size_hex = sl:match("^(%x+)")
      if not size_hex then return { bad = 400 } end
      local n = tonumber(size_hex, 16)
      total = total + n
      if total > MAX_BODY then return { bad = 413 } end
      if n == 0 then
        repeat -- trailers
          sl, err = self:read_line(deadline)
          if not sl then return nil, err end
        until sl == ""
        break
      end
      local data
      data, err = self:read_n(n, deadline)
      if not data then return nil, err end
      parts[#parts + 1] = data
      sl, err = self:read_line(deadline)
      if not sl then return nil, err end
      if sl ~= "" then return { bad = 400 } end
    end
    req.body = concat(parts)
  elseif length > 0 then
    req.body, err = self:read_n(length, deadline)
    if not req.body then return nil, err end
  else
    req.body = ""
  end
  return req
end

---------------------------------------------------------------------------------------------
-- an API request, with its scripted behaviour (the /_mock/ routes: mock/sparkrtc/control.lua)
---------------------------------------------------------------------------------------------
local function copy_headers(h)
  local out = json.object({})
  for k, v in pairs(h) do out[k] = v end
  return out
end

local function set_header(headers, name, value)
  for k in pairs(headers) do
    if k:lower() == name:lower() then headers[k] = nil end
  end
  headers[name] = value
end

-- -> keep the connection open?
function Conn:api_request(req)
  if self.generation ~= generation then
    self.generation = generation
    stats.connections = stats.connections + 1
  end
  stats.requests = stats.requests + 1
  state.log[#state.log + 1] = json.object({ method = req.method, target = req.target,
    path = req.path, query = req.query, headers = copy_headers(req.headers), body = req.body },
    { "method", "target", "path", "query", "headers", "body" })
  stats.in_flight = stats.in_flight + 1
  if stats.in_flight > stats.max_in_flight then stats.max_in_flight = stats.in_flight end
  self.held = generation

  -- the gateway's rate limit answers first (and takes no script)
  local admitted, retry_after = limiter:admit(gettime())
  local s = admitted and pop_script() or {}
  local resp
  if not admitted then
    resp = sparkrtc.api_error(429, "APIGW.0308", format("The throttling threshold has been reached: "
      .. "policy user over ratelimit, limit:%d, time:1 second", limiter.rate))
    resp.headers["Retry-After"] = tostring(retry_after)
  elseif s.status then
    resp = { status = s.status, headers = { ["X-request-Id"] = sparkrtc.random_hex(32) }, body = s.body or "" }
    if resp.body ~= "" then resp.headers["Content-Type"] = "application/json;charset=utf-8" end
  else
    resp = api:handle(req)
    if s.body ~= nil then
      resp.body = s.body
      if s.body ~= "" and not resp.headers["Content-Type"] then
        resp.headers["Content-Type"] = "application/json;charset=utf-8"
      end
    end
  end
  if resp.mock_error then io.stderr:write("mock: handler error: ", resp.mock_error, "\n") end
  if s.headers then
    for k, v in pairs(s.headers) do
      if v == false then set_header(resp.headers, k, false) else set_header(resp.headers, k, tostring(v)) end
    end
  end
  log(req.method, " ", req.target, " -> ", tostring(resp.status))

  local delay = s.delay or state.delay_all
  sleep(delay)
  if s.close_before_response then return false end
  if s.raw then
    self:send(s.raw)
    return false
  end
  sleep(s.stall_before_headers)
  local keep = req.keep and not s.close and not s.content_length and not s.reset_mid_body
  local head, body = serialize(resp, keep, s.content_length)
  local ok
  if s.reset_mid_body then
    if not s.content_length and #body < 2 then
      head = serialize(resp, false, #body + 16)
    end
    self:send(head .. body:sub(1, math.floor(#body / 2)))
    return false
  elseif s.stall_mid_body then
    local data = head .. body
    local cut = #head + math.floor(#body / 2)
    ok = self:send(data:sub(1, cut))
    if ok then
      sleep(s.stall_mid_body)
      ok = self:send(data:sub(cut + 1))
    end
  elseif s.drip then
    local data = head .. body
    ok = true
    for i = 1, #data do
      ok = self:send(data:sub(i, i))
      if not ok then break end
      if i < #data then sleep(s.drip) end
    end
  else
    ok = self:send(head .. body)
  end
  self:release()
  return ok and keep
end

-- the held request is answered (or its connection gone)
function Conn:release()
  if self.held == generation then stats.in_flight = stats.in_flight - 1 end
  self.held = nil
end

function Conn:serve()
  while true do
    local req = self:read_request()
    if not req then return end
    if req.bad then
      local resp = simple(req.bad, { error_code = "RTC.00001002", error_msg = "MalformedRequest" })
      local head, body = serialize(resp, false)
      self:send(head .. body)
      return
    end
    local keep
    if req.path == "/_mock" or req.path:sub(1, 7) == "/_mock/" then
      local resp = control.handle(srv, req)
      local head, body = serialize(resp, req.keep)
      keep = self:send(head .. body) and req.keep
      log(req.method, " ", req.target, " -> ", tostring(resp.status))
    else
      keep = self:api_request(req)
    end
    if not keep or not running then return end
  end
end

local function connection(sock)
  local self = setmetatable({ sock = sock, buf = "", generation = -1 }, Conn)
  open_connections = open_connections + 1
  return coroutine.create(function()
    local ok, err = pcall(Conn.serve, self)
    if not ok then io.stderr:write("mock: connection failed: ", tostring(err), "\n") end
    self:release()
    self:close()
  end)
end

---------------------------------------------------------------------------------------------
-- main loop
---------------------------------------------------------------------------------------------
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

io.stdout:write(format("listening on %s:%s\n", opts.host, tostring(port)))
io.stdout:flush()

local function parent_alive()
  local f = io.open("/proc/" .. opts.parent_pid .. "/stat")
  if not f then return false end
  local s = f:read("*a") or ""
  f:close()
  return not s:match("^%d+ %b() Z")
end

local next_watch = gettime() + 1
while running do
  local recvt, sendt = { server }, {}
  for s in pairs(readers) do recvt[#recvt + 1] = s end
  for s in pairs(writers) do sendt[#sendt + 1] = s end
  local now = gettime()
  local timeout = 1
  for _, e in ipairs(timers) do
    if not e.done then
      local d = e.deadline - now
      if d < timeout then timeout = d end
    end
  end
  if timeout < 0 then timeout = 0 end
  local r, w = socket.select(recvt, sendt, timeout)
  for _, s in ipairs(r or {}) do
    if s == server then
      while true do
        local c = server:accept()
        if not c then break end
        c:settimeout(0)
        pcall(c.setoption, c, "tcp-nodelay", true)
        stats.accepted = stats.accepted + 1
        resume(connection(c))
      end
    else
      local e = readers[s]
      if e then readers[s] = nil; e.done = true; resume(e.co, true) end
    end
  end
  for _, s in ipairs(w or {}) do
    local e = writers[s]
    if e then writers[s] = nil; e.done = true; resume(e.co, true) end
  end
  if #timers > 0 then
    now = gettime()
    local due, keep = {}, {}
    for _, e in ipairs(timers) do
      if not e.done then
        if e.deadline <= now then due[#due + 1] = e else keep[#keep + 1] = e end
      end
    end
    timers = keep
    for _, e in ipairs(due) do
      e.done = true
      if e.kind == "read" then readers[e.sock] = nil elseif e.kind == "write" then writers[e.sock] = nil end
      resume(e.co, e.kind == "sleep")
    end
  end
  if opts.parent_pid and gettime() >= next_watch then
    next_watch = gettime() + 1
    if not parent_alive() then
      io.stderr:write("mock: parent process ", opts.parent_pid, " is gone, exiting\n")
      running = false
    end
  end
end
-- let the last answer (e.g. of /_mock/shutdown) go out
server:close()
os.exit(0)
