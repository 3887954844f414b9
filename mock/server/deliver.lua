-- mock/server/deliver.lua — the mock's sending side of the recording events: it takes what the
-- API queued (api:take_outbox(), mock/sparkrtc/events.lua) and POSTs each event to its callback
-- URL in the background of the select loop (server/loop.lua): a non-blocking connect, the
-- request, the status line, no API answer ever waiting for it. One worker per URL keeps each
-- receiver's events in order. A delivery that fails (no connection, timeout, a status other
-- than 200) is tried again after 0.5, 1 and 2 s (4 attempts). Only loopback addresses are
-- called unless the server runs with --allow-callbacks-to-any; https:// is not spoken (the mock
-- has no TLS client): such deliveries fail at once. GET /_mock/deliveries lists them all.

local socket = require "socket"
local http = require "server.http"
local loop = require "server.loop"

local gettime = socket.gettime
local format = string.format

local D = {}

D.BACKOFF = { 0.5, 1, 2 }    -- seconds before attempts 2, 3, 4
D.TIMEOUT = 5                -- seconds for one attempt (connect, send, status line)
D.MAX_LISTED = 1000          -- GET /_mock/deliveries keeps the newest

-- "http://host[:port]/path" -> host, port, target; or nil, why
local function parse_url(url)
  local scheme, rest = url:match("^(%a+)://(.*)$")
  scheme = scheme and scheme:lower()
  if scheme == "https" then return nil, "https:// is not supported by the mock (no TLS client)" end
  if scheme ~= "http" then return nil, "not an http:// URL" end
  local authority, target = rest:match("^([^/?#]*)(.*)$")
  authority = authority:gsub("^.*@", "")
  local host, port = authority:match("^%[(.+)%]:?(%d*)$")
  if not host then host, port = authority:match("^([^:]+):?(%d*)$") end
  if not host or host == "" then return nil, "no host" end
  target = target:gsub("#.*$", "")
  if target == "" or target:sub(1, 1) == "?" then target = "/" .. target end
  return host, tonumber(port ~= "" and port or "80"), target
end
D.parse_url = parse_url

local function is_loopback(host)
  host = host:lower()
  return host == "localhost" or host == "::1" or host:match("^127%.%d+%.%d+%.%d+$") ~= nil
end
D.is_loopback = is_loopback

-- one attempt -> HTTP status; nil, why
local function attempt(d, host, port, target)
  local deadline = gettime() + D.TIMEOUT
  local sock = host:find(":", 1, true) and socket.tcp6() or socket.tcp()
  if not sock then return nil, "no socket" end
  sock:settimeout(0)
  local ok, err = sock:connect(host, port)
  if not ok and err == "timeout" then
    if not loop.wait("write", sock, deadline) then sock:close(); return nil, "connect timeout" end
    ok, err = sock:connect(host, port)
    if err == "already connected" then ok = true end
  end
  if not ok then sock:close(); return nil, "connect: " .. tostring(err) end
  local lines = { format("POST %s HTTP/1.1", target), format("Host: %s:%d", host:find(":", 1, true)
    and "[" .. host .. "]" or host, port), "Connection: close", "User-Agent: rtcjob-mock/events",
    format("Content-Length: %d", #d.body) }
  for k, v in pairs(d.headers) do lines[#lines + 1] = k .. ": " .. v end
  local stream = http.stream(sock)
  local sent, serr = stream:send(table.concat(lines, "\r\n") .. "\r\n\r\n" .. d.body, deadline)
  if not sent then sock:close(); return nil, "send: " .. tostring(serr) end
  local line, lerr = stream:read_line(deadline)
  sock:close()
  if not line then return nil, "no answer: " .. tostring(lerr) end
  local status = tonumber(line:match("^HTTP/%d%.%d (%d%d%d)"))
  if not status then return nil, "not an HTTP answer" end
  return status
end

-- delivers the records of queue in order, each with its retries
local function worker(srv, queue)
  return function()
    while #queue.items > 0 do
      local d = table.remove(queue.items, 1)
      local host, port, target = parse_url(d.url)
      if not host then
        d.state, d.error = "failed", port
      elseif not is_loopback(host) and not srv.callbacks_to_any then
        d.state = "refused"
        d.error = "not a loopback address (the mock calls others only with --allow-callbacks-to-any)"
      else
        while true do
          d.attempts = d.attempts + 1
          local status, why = attempt(d, host, port, target)
          d.status, d.error = status, why
          if status == 200 then d.state = "delivered"; break end
          if not why then d.error = format("HTTP %d (200 expected)", status) end
          if d.attempts > #D.BACKOFF then d.state = "failed"; break end
          loop.sleep(D.BACKOFF[d.attempts])
        end
      end
      if srv.verbose then
        io.stderr:write(format("%.3f deliver %s %s: %s %s\n", gettime(), d.event, d.url, d.state,
          d.error or tostring(d.status)))
      end
    end
    queue.running = false
  end
end

-- after each round of the loop: starts (or feeds) a worker for each URL with new events
function D.drain(srv, sched)
  local box = srv.api:take_outbox()
  if #box == 0 then return end
  srv.deliveries = srv.deliveries or {}
  srv.queues = srv.queues or {}
  for _, e in ipairs(box) do
    local d = { url = e.url, event = e.event, job_id = e.job_id, signed = e.signed,
      headers = e.headers, body = e.body, attempts = 0, state = "pending" }
    local list = srv.deliveries
    list[#list + 1] = d
    if #list > D.MAX_LISTED then table.remove(list, 1) end
    local q = srv.queues[e.url]
    if not q then q = { items = {} }; srv.queues[e.url] = q end
    q.items[#q.items + 1] = d
    if not q.running then
      q.running = true
      sched:resume(coroutine.create(worker(srv, q)))
    end
  end
end

return D
