-- mock/server/conn.lua — one connection of the mock: reads its requests (mock/server/http.lua),
-- answers the /_mock/ routes (mock/sparkrtc/control.lua) and the API's (mock/sparkrtc.lua), each
-- API answer played as the next queued script says (delay, stall, drip, reset, raw bytes, ...).

local socket = require "socket"
local sparkrtc = require "sparkrtc"
local control = require "sparkrtc.control"
local http = require "server.http"
local loop = require "server.loop"
local deliver = require "server.deliver"

local json = sparkrtc.json
local gettime = socket.gettime
local sleep = loop.sleep
local format = string.format

local C = {}

local Conn = {}
Conn.__index = Conn

-- --verbose: one line on stderr
local function trace(srv, ...)
  if srv.verbose then io.stderr:write(format("%.3f ", gettime()), ...); io.stderr:write("\n") end
end

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

-- /_mock/config gather = N: the answer waits until N API requests have been held at once since
-- the reset (so a spec sees its calls in flight together however slowly a loaded machine sends
-- them), at most GATHER_LIMIT seconds; once one request has waited that long, none waits any more
local GATHER_LIMIT = 10
local function gather(srv, state, stats)
  local want = state.gather
  if not want or want <= 0 or state.gathered then return end
  local t0 = gettime()
  while stats.max_in_flight < want and srv.state == state do
    if gettime() - t0 >= GATHER_LIMIT then break end
    sleep(0.01)
  end
  state.gathered = true
end

-- an API request, logged and counted, answered as its script says -> keep the connection open?
function Conn:api_request(req)
  local srv = self.srv
  local stats, state, limiter = srv.stats, srv.state, srv.limiter
  if self.generation ~= srv.generation then
    self.generation = srv.generation
    stats.connections = stats.connections + 1
  end
  stats.requests = stats.requests + 1
  state.log[#state.log + 1] = json.object({ method = req.method, target = req.target,
    path = req.path, query = req.query, headers = copy_headers(req.headers), body = req.body },
    { "method", "target", "path", "query", "headers", "body" })
  stats.in_flight = stats.in_flight + 1
  if stats.in_flight > stats.max_in_flight then stats.max_in_flight = stats.in_flight end
  self.held = srv.generation

  -- the gateway's rate limit answers first (and takes no script)
  local admitted, retry_after = limiter:admit(gettime())
  local s = admitted and srv.pop_script() or {}
  local resp
  if not admitted then
    resp = sparkrtc.api_error(429, "APIGW.0308", format("The throttling threshold has been reached: "
      .. "policy user over ratelimit, limit:%d, time:1 second", limiter.rate))
    resp.headers["Retry-After"] = tostring(retry_after)
  elseif s.status then
    resp = { status = s.status, headers = { ["X-request-Id"] = sparkrtc.random_hex(32) }, body = s.body or "" }
    if resp.body ~= "" then resp.headers["Content-Type"] = "application/json;charset=utf-8" end
  else
    resp = srv.api:handle(req)
    -- the recording events this call queued start on their way now, before the answer (the
    -- loop may accept and answer the next request in this very round)
    deliver.drain(srv, self.sched)
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
  trace(srv, req.method, " ", req.target, " -> ", tostring(resp.status))

  local stream = self.stream
  gather(srv, state, stats)
  local delay = s.delay or state.delay_all
  if not stream:hold(delay) then return false end -- the client is gone: nothing to answer
  if s.close_before_response then return false end
  if s.raw then
    stream:send(s.raw)
    return false
  end
  if not stream:hold(s.stall_before_headers) then return false end
  local keep = req.keep and not s.close and not s.content_length and not s.reset_mid_body
  local head, body = http.head(resp, keep, s.content_length)
  local ok
  if s.reset_mid_body then
    if not s.content_length and #body < 2 then
      head = http.head(resp, false, #body + 16)
    end
    stream:send(head .. body:sub(1, math.floor(#body / 2)))
    return false
  elseif s.stall_mid_body then
    local data = head .. body
    local cut = #head + math.floor(#body / 2)
    ok = stream:send(data:sub(1, cut))
    if ok and stream:hold(s.stall_mid_body) then
      ok = stream:send(data:sub(cut + 1))
    else
      ok = false
    end
  elseif s.drip then
    local data = head .. body
    ok = true
    for i = 1, #data do
      ok = stream:send(data:sub(i, i))
      if not ok then break end
      if i < #data then sleep(s.drip) end
    end
  else
    ok = stream:send(head .. body)
  end
  self:release()
  return ok and keep
end

-- the held request is answered (or its connection gone)
function Conn:release()
  if self.held == self.srv.generation then self.srv.stats.in_flight = self.srv.stats.in_flight - 1 end
  self.held = nil
end

function Conn:serve()
  local srv, stream = self.srv, self.stream
  while true do
    local req = stream:read_request()
    if not req then return end
    if req.bad then
      local resp = sparkrtc.response(req.bad, json.encode({ error_code = "RTC.00001002",
        error_msg = "MalformedRequest" }))
      local head, body = http.head(resp, false)
      stream:send(head .. body)
      return
    end
    req.path, req.query = sparkrtc.split_target(req.target)
    local keep
    if req.path == "/_mock" or req.path:sub(1, 7) == "/_mock/" then
      local resp = control.handle(srv, req)
      local head, body = http.head(resp, req.keep)
      keep = stream:send(head .. body) and req.keep
      trace(srv, req.method, " ", req.target, " -> ", tostring(resp.status))
    else
      keep = self:api_request(req)
    end
    if not keep or not srv.running then return end
  end
end

function Conn:close()
  if self.closed then return end
  self.closed = true
  self.sched:forget(self.stream.sock)
  self.stream.sock:close()
  self.srv.open_count = self.srv.open_count - 1
end

-- sock: a newly accepted socket (timeout 0); srv: mock/server/state.lua's; sched: the
-- mock/server/loop.lua loop it runs in -> the function that serves it to the end, for a coroutine
function C.new(sock, srv, sched)
  local self = setmetatable({ stream = http.stream(sock), srv = srv, sched = sched, generation = -1 }, Conn)
  srv.open_count = srv.open_count + 1
  return function()
    local ok, err = pcall(Conn.serve, self)
    if not ok then io.stderr:write("mock: connection failed: ", tostring(err), "\n") end
    self:release()
    self:close()
  end
end

return C
