-- spec/support/receiver.lua — a recording-event receiver for the specs, run as its own process
-- (lua5.4 spec/support/receiver.lua --out FILE [--fail N]): listens on 127.0.0.1 (a free port,
-- printed as "listening on 127.0.0.1:PORT"), writes each request it gets as one JSON line
-- {method, target, headers (names lowercase), body} to FILE, and answers 200
-- {"status":1,"result":"success"} (500 to the first N requests with --fail N). It verifies
-- nothing: the specs check what it recorded with an HMAC of their own.
local socket = require "socket"
local cjson = require "cjson"

local out, fail = nil, 0
for i = 1, #arg do
  if arg[i] == "--out" then out = arg[i + 1] end
  if arg[i] == "--fail" then fail = tonumber(arg[i + 1]) end
end
assert(out, "--out FILE")
local server = assert(socket.bind("127.0.0.1", 0))
local _, port = server:getsockname()
io.stdout:write("listening on 127.0.0.1:", port, "\n")
io.stdout:flush()
local parent = os.getenv("RECEIVER_PARENT_PID")

local seen = 0
while true do
  server:settimeout(1)
  local c = server:accept()
  if parent and not io.open("/proc/" .. parent .. "/stat") then break end -- the spec is gone
  if c then
    c:settimeout(5)
    local line = c:receive("*l")
    local headers, len = {}, 0
    while true do
      local h = c:receive("*l")
      if not h or h == "" then break end
      local k, v = h:match("^([^:]+):%s*(.-)%s*$")
      if k then
        headers[k:lower()] = v
        if k:lower() == "content-length" then len = tonumber(v) end
      end
    end
    local body = len > 0 and c:receive(len) or ""
    local method, target = (line or ""):match("^(%S+) (%S+)")
    local f = io.open(out, "a")
    f:write(cjson.encode({ method = method, target = target, headers = headers, body = body }), "\n")
    f:close()
    seen = seen + 1
    local status = seen <= fail and "500 Internal Server Error" or "200 OK"
    local answer = '{"status":1,"result":"success"}'
    c:send("HTTP/1.1 " .. status .. "\r\nContent-Type: application/json\r\nContent-Length: " .. #answer
      .. "\r\nConnection: close\r\n\r\n" .. answer)
    c:close()
  end
end
