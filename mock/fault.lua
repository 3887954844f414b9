-- mock/fault.lua — a fault-injecting SparkRTC server for the reliability specs and bench (127.0.0.1
-- only). It answers create_job, get_job and stop_job, and breaks each request as the request
-- itself asks, so a test knows what it injected:
--
--   create_job: the body's room_id names the fault; user_id is the create's unique key
--   get_job / stop_job: the job_id is "<fault>~<anything>"
--
-- Faults: ok, reset_before (RST once the head is read, before the body: nothing processed),
-- reset_after (processed, then RST), close (processed, then FIN with no answer), cut_headers
-- (processed, a status line and half a header, FIN), cut_body (Content-Length 100, 20 bytes,
-- FIN), cut_chunked (a chunked body never terminated), truncated_json (a whole answer whose JSON
-- is cut), s500 / s502 / s503 / s504, s429 (Retry-After: 1), s429_long (Retry-After: 30), late
-- (processed, answered after --late seconds), garbage (an HTTP/0.9-style line), huge_length
-- (Content-Length 2 GB, a short body, FIN). A "_once" suffix (reset_after_once) injects the
-- fault the first time that key is seen and answers normally afterwards. --blackhole: every
-- connection is accepted, its request read, and never answered.
--
--   lua5.4 mock/fault.lua [--port 0] [--late 2] [--blackhole] [--parent-pid PID]
--
-- Prints "listening on 127.0.0.1:PORT". GET /_fault/stats answers what it received: requests,
-- creates processed per user_id (a value over 1 is a create processed twice), stops processed,
-- and the faults injected by name.

local dir = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
package.path = dir .. "/?.lua;" .. package.path

local socket = require "socket"
local cjson = require "cjson"
local http = require "server.http"
local loop = require "server.loop"

local opts = { port = 0, late = 2 }
do
  local i = 1
  while arg[i] do
    local a = arg[i]
    if a == "--port" then opts.port = tonumber(arg[i + 1]); i = i + 1
    elseif a == "--late" then opts.late = tonumber(arg[i + 1]); i = i + 1
    elseif a == "--parent-pid" then opts.parent_pid = arg[i + 1]; i = i + 1
    elseif a == "--blackhole" then opts.blackhole = true
    else io.stderr:write("fault: unknown argument ", a, "\n"); os.exit(2) end
    i = i + 1
  end
end

local stats = { requests = 0, creates = {}, processed_creates = 0, stops = 0, injected = {},
  connections = 0 }
local jobs = {}       -- job_id -> state
local seen = {}       -- keys seen, for the _once faults
local next_job = 0

local function json_answer(status, body, extra)
  local headers = { ["Content-Type"] = "application/json", ["X-request-Id"] = "fault-" .. stats.requests }
  for k, v in pairs(extra or {}) do headers[k] = v end
  return { status = status, headers = headers, body = body and cjson.encode(body) or "" }
end

local function job_body(id, room, user, state)
  return { job_id = id, room_id = room or "room", user_id = user or "user", state = state or "RUNNING",
    create_time = "2026-01-01T00:00:00.000Z" }
end

-- the fault a request asks for, and whether it applies this time (the _once ones)
local function fault_of(name, key)
  name = name or "ok"
  local base = name:match("^(.-)_once$")
  if base then
    if seen[key] then return "ok" end
    seen[key] = true
    name = base
  end
  return name
end

-- processes the request (the server's side effect) -> the answer it would give
local function process(req, body)
  local path = req.target:gsub("%?.*$", "")
  if req.method == "POST" and path:match("^/v2/apps/[^/]+/individual%-stream%-jobs$") then
    local user = body and body.user_id or "?"
    stats.creates[user] = (stats.creates[user] or 0) + 1
    stats.processed_creates = stats.processed_creates + 1
    next_job = next_job + 1
    local id = "job" .. next_job
    jobs[id] = "RUNNING"
    return json_answer(201, job_body(id, body and body.room_id, user))
  end
  local id = path:match("^/v2/apps/[^/]+/individual%-stream%-jobs/([^/]+)$")
  if id and req.method == "GET" then return json_answer(200, job_body(id, nil, nil, jobs[id])) end
  if id and req.method == "DELETE" then
    if jobs[id] == "STOPPED" then
      return json_answer(400, { error_code = "RTC.00001009", error_msg = "JobDone: task canceled or completed" })
    end
    jobs[id] = "STOPPED"
    stats.stops = stats.stops + 1
    return { status = 204, headers = { ["X-request-Id"] = "fault-" .. stats.requests }, body = "" }
  end
  return json_answer(404, { error_code = "RTC.00001003", error_msg = "no such route" })
end

local function reset(sock)
  pcall(sock.setoption, sock, "linger", { on = true, timeout = 0 })
  sock:close()
end

local function serve(sock)
  return function()
    local stream = http.stream(sock)
    while true do
      local req = stream:read_request()
      if not req or req.bad then sock:close(); return end
      stats.requests = stats.requests + 1
      -- as a proxy: CONNECT to a host named p407... or p403... is refused with that status,
      -- any other CONNECT fails as a proxy that cannot reach the host (502); an absolute URL
      -- (a plain http request through the proxy) is served here
      req.target = req.target:gsub("^https?://[^/]+", "")
      if req.method == "CONNECT" then
        -- a host named pclose... or phang...: no answer to CONNECT (FIN, or none ever)
        local silent = req.target:match("^p(close)") or req.target:match("^p(hang)")
        if silent then
          stats.injected["connect_" .. silent] = (stats.injected["connect_" .. silent] or 0) + 1
          if silent == "hang" then loop.sleep(86400) end
          sock:close()
          return
        end
        local code = tonumber(req.target:match("^p(%d%d%d)")) or 502
        stats.injected["connect_" .. code] = (stats.injected["connect_" .. code] or 0) + 1
        stream:send(string.format("HTTP/1.1 %d Proxy Says No\r\nContent-Length: 0\r\n\r\n", code))
        sock:close()
        return
      end
      if req.target == "/_fault/stats" then
        local body = cjson.encode(stats)
        local head = http.head({ status = 200, headers = { ["Content-Type"] = "application/json" }, body = body }, true)
        stream:send(head .. body)
      elseif opts.blackhole then
        stats.injected.blackhole = (stats.injected.blackhole or 0) + 1
        loop.sleep(86400)
        sock:close()
        return
      else
        local body = req.body ~= "" and select(2, pcall(cjson.decode, req.body)) or nil
        if type(body) ~= "table" then body = nil end
        local path = req.target:gsub("%?.*$", "")
        local name, key
        if req.method == "POST" then
          name, key = body and body.room_id, body and body.user_id
        else
          local id = path:match("/individual%-stream%-jobs/([^/]+)$") or ""
          name, key = id:match("^([%w_]+)~"), req.method .. id
        end
        local fault = fault_of(name, key or "")
        stats.injected[fault] = (stats.injected[fault] or 0) + 1
        if fault == "reset_before" then reset(sock); return end
        local resp
        if fault == "s500" or fault == "s502" or fault == "s503" or fault == "s504" then
          resp = json_answer(tonumber(fault:sub(2)), { error_code = "SYS.0500", error_msg = "injected" })
        elseif fault == "s429" or fault == "s429_long" then
          resp = json_answer(429, { error_code = "APIGW.0308", error_msg = "too many" },
                             { ["Retry-After"] = fault == "s429" and "1" or "30" })
        else
          resp = process(req, body)
        end
        if fault == "reset_after" then reset(sock); return end
        if fault == "close" then sock:close(); return end
        local head, rbody = http.head(resp, req.keep)
        if fault == "cut_headers" then
          stream:send(head:sub(1, head:find("\r\n", 1, true) + 12)); sock:close(); return
        elseif fault == "cut_body" then
          stream:send(http.head(resp, false, 100) .. ("x"):rep(20)); sock:close(); return
        elseif fault == "huge_length" then
          stream:send(http.head(resp, false, 2147483648) .. rbody:sub(1, 10)); sock:close(); return
        elseif fault == "cut_chunked" then
          resp.headers["Transfer-Encoding"] = "chunked"
          resp.headers["Content-Length"] = false
          local h = http.head(resp, false)
          stream:send(h .. string.format("%x\r\n%s\r\n", #rbody, rbody)); sock:close(); return
        elseif fault == "truncated_json" then
          local cut = rbody:sub(1, math.max(1, math.floor(#rbody / 2)))
          resp.body = cut
          local h2, b2 = http.head(resp, req.keep)
          stream:send(h2 .. b2)
        elseif fault == "garbage" then
          stream:send("SPARKRTC/0.9 200 WHAT\r\n\r\n{}"); sock:close(); return
        elseif fault == "late" then
          loop.sleep(opts.late)
          if not stream:send(head .. rbody) then sock:close(); return end
        else
          if not stream:send(head .. rbody) then sock:close(); return end
        end
      end
      if not req.keep then sock:close(); return end
    end
  end
end

local server = assert(socket.bind("127.0.0.1", opts.port, 256))
server:settimeout(0)
local _, port = server:getsockname()
io.stdout:write(string.format("listening on 127.0.0.1:%s\n", tostring(port)))
io.stdout:flush()

local sched = loop.new()
local next_watch = socket.gettime() + 1
while true do
  sched:step(server, function(sock)
    stats.connections = stats.connections + 1
    return serve(sock)
  end)
  if opts.parent_pid and socket.gettime() >= next_watch then
    next_watch = socket.gettime() + 1
    if not loop.parent_alive(opts.parent_pid) then os.exit(0) end
  end
end
