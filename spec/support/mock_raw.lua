-- spec/support/mock_raw.lua — mock/server.lua through raw LuaSocket connections (requests written
-- byte for byte, answers read by hand), and what the mock's specs send, for
-- spec/mock/server_spec.lua, helper_spec.lua and sparkrtc_spec.lua.
local socket = require "socket"
local cjson = require "cjson"

local function decode(body) return cjson.decode(body) end

local JOBS = "/v2/apps/app1/individual-stream-jobs"
local CREATE = '{"room_id":"room1","user_id":"user1","record_param":{"record_rule_id":"rule1"}}'

-- timeout: of each receive (10 s by default: only a broken mock waits that long)
local function connect(mock, timeout)
  local c = assert(socket.connect("127.0.0.1", mock.port))
  c:settimeout(timeout or 10)
  return c
end

local function request_text(method, path, headers, body)
  local lines = { method .. " " .. path .. " HTTP/1.1", "Host: 127.0.0.1" }
  local has_cl = false
  for k, v in pairs(headers or {}) do
    lines[#lines + 1] = k .. ": " .. v
    if k:lower() == "content-length" or k:lower() == "transfer-encoding" then has_cl = true end
  end
  if body and not has_cl then lines[#lines + 1] = "Content-Length: " .. #body end
  return table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")
end

local AUTH = { ["X-Auth-Token"] = "test-token" }

local function send(c, method, path, headers, body)
  assert(c:send(request_text(method, path, headers or AUTH, body)))
end

-- -> {status, headers, body} | nil, err, partial
local function read_head(c)
  local line, err = c:receive("*l")
  if not line then return nil, err end
  local resp = { status = tonumber(line:match("^HTTP/1%.1 (%d+)")), headers = {}, line = line }
  while true do
    local h, e = c:receive("*l")
    if not h then return nil, e end
    if h == "" then break end
    local k, v = h:match("^([^:]+):%s*(.*)$")
    resp.headers[k:lower()] = v
  end
  return resp
end

local function read_response(c)
  local resp, err = read_head(c)
  if not resp then return nil, err end
  local n = tonumber(resp.headers["content-length"] or "0")
  resp.body = ""
  if n > 0 then
    local body, e, partial = c:receive(n)
    if not body then return nil, e, resp, partial end
    resp.body = body
  end
  return resp
end

local function roundtrip(mock, method, path, headers, body)
  local c = connect(mock)
  send(c, method, path, headers, body)
  local r = assert(read_response(c))
  c:close()
  return r
end

-- polls fn until it is true, at most timeout seconds (10 by default: the bound of a broken case,
-- never reached by a working one, however loaded the machine)
local function wait_until(fn, timeout)
  local t0 = socket.gettime()
  while socket.gettime() - t0 < (timeout or 10) do
    if fn() then return true end
    socket.sleep(0.01)
  end
  return false
end

return {
  decode = decode, JOBS = JOBS, CREATE = CREATE, connect = connect, request_text = request_text,
  AUTH = AUTH, send = send, read_head = read_head, read_response = read_response,
  roundtrip = roundtrip, wait_until = wait_until,
}
