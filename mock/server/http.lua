-- mock/server/http.lua — HTTP/1.1 on one non-blocking socket, the mock's side: reading a request
-- (keep-alive, Content-Length and chunked bodies, trailers, Expect: 100-continue, size limits and
-- timeouts) and writing an answer. Waits go through mock/server/loop.lua.

local socket = require "socket"
local loop = require "server.loop"

local gettime = socket.gettime
local wait = loop.wait
local format, concat = string.format, table.concat

local H = {}

H.IDLE_TIMEOUT = 120   -- seconds a connection may wait between requests
H.IO_TIMEOUT = 60      -- seconds for reading a request / writing an answer
H.MAX_HEAD = 65536
H.MAX_BODY = 64 * 1024 * 1024

local IDLE_TIMEOUT, IO_TIMEOUT, MAX_HEAD, MAX_BODY = H.IDLE_TIMEOUT, H.IO_TIMEOUT, H.MAX_HEAD, H.MAX_BODY

local REASONS = { [100] = "Continue", [200] = "OK", [201] = "Created", [202] = "Accepted", [204] = "No Content",
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
  [408] = "Request Timeout", [411] = "Length Required", [413] = "Payload Too Large",
  [429] = "Too Many Requests", [431] = "Request Header Fields Too Large",
  [500] = "Internal Server Error", [502] = "Bad Gateway", [503] = "Service Unavailable",
  [504] = "Gateway Timeout" }

-- resp = {status, headers (name -> value, false = omitted), body}; keep: Connection: keep-alive
-- (else close); content_length: this Content-Length whatever the body.
-- -> the head (status line, headers in name order, then Server, Date, Content-Length and
-- Connection unless resp has them, and the blank line), the body
function H.head(resp, keep, content_length)
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

---------------------------------------------------------------------------------------------
-- a stream: the socket and what was read from it and not used yet
---------------------------------------------------------------------------------------------
local Stream = {}
Stream.__index = Stream

-- sock: a connected LuaSocket TCP socket with timeout 0
function H.stream(sock)
  return setmetatable({ sock = sock, buf = "" }, Stream)
end

-- reads what is there (waiting for some until deadline) onto buf
function Stream:fill(deadline)
  while true do
    local data, err, partial = self.sock:receive(65536)
    local got = data or partial
    if got and #got > 0 then self.buf = self.buf .. got; return true end
    if err ~= "timeout" and err ~= "wantread" then return nil, err or "closed" end
    if not wait("read", self.sock, deadline) then return nil, "timeout" end
  end
end

-- holds the answer `seconds` (nil or <= 0: not at all), watching the socket meanwhile: what the
-- client sends stays in buf for the next request; -> true after the hold, false as soon as the
-- client has gone away (a spec's held answer then ends with its client, not after the hold)
function Stream:hold(seconds)
  if not seconds or seconds <= 0 then return true end
  local deadline = gettime() + seconds
  while true do
    local ok, err = self:fill(deadline)
    if not ok then return err == "timeout" end
  end
end

-- -> one line without its LF or CRLF; nil, "too large" past MAX_HEAD, nil, err
function Stream:read_line(deadline)
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

-- -> the next n bytes; nil, err
function Stream:read_n(n, deadline)
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

-- writes all of data (by deadline, default IO_TIMEOUT from now) -> true; nil, err
function Stream:send(data, deadline)
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

-- -> a chunked body (its trailers read and dropped); false, status for a malformed one (400) or
-- one past MAX_BODY (413); nil, err
function Stream:read_chunked(deadline)
  local parts, total = {}, 0
  while true do
    local sl, err = self:read_line(deadline)
    if not sl then return nil, err end
    local size_hex = sl:match("^(%x+)")
    if not size_hex then return false, 400 end
    local n = tonumber(size_hex, 16)
    total = total + n
    if total > MAX_BODY then return false, 413 end
    if n == 0 then
      repeat -- trailers
        sl, err = self:read_line(deadline)
        if not sl then return nil, err end
      until sl == ""
      return concat(parts)
    end
    local data
    data, err = self:read_n(n, deadline)
    if not data then return nil, err end
    parts[#parts + 1] = data
    sl, err = self:read_line(deadline)
    if not sl then return nil, err end
    if sl ~= "" then return false, 400 end
  end
end

-- Reads one request: {method, target, version ("1.1"), headers (lowercase names; repeated ones
-- joined with ", "), keep (the connection may stay open), body}; {bad = status} for a broken one
-- (answer it and close); nil, why at the end of the connection.
function Stream:read_request()
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
    local body, why = self:read_chunked(deadline)
    if body == false then return { bad = why } end
    if not body then return nil, why end
    req.body = body
  elseif length > 0 then
    req.body, err = self:read_n(length, deadline)
    if not req.body then return nil, err end
  else
    req.body = ""
  end
  return req
end

return H
