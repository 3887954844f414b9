-- mock/metadata.lua — a small ECS metadata service for the credentials specs (LuaSocket).
--
--   lua5.4 mock/metadata.lua --port 0 [--lifetime S] [--mode MODE] [--parent-pid PID]
--
-- Prints "listening on 127.0.0.1:PORT" once ready. Serves, one connection at a time:
--   PUT /meta-data/latest/api/token      a session token (X-Metadata-Token-Ttl-Seconds required)
--   GET /openstack/latest/securitykey    {"credential": {"access", "secret", "securitytoken",
--                                         "expires_at"}}: keys number n = 1, 2, ... are
--                                         META-AK-000n / meta-sk-n / meta-st-n, each valid for
--                                         --lifetime seconds (default 3600) from when it was asked
--   GET /openstack/latest/meta_data.json {"project_id": "meta-project"}
-- Modes (--mode, or POST /_meta/mode/<mode>): normal; imdsv1 (the token route answers 404);
-- session (the securitykey route wants the session token); not-json; no-credential; expired;
-- bad-time; bad-date (expires_at "2099-02-31T-1:-1:-1Z": digits, days and ranges wrong); bad-ak
-- (an access key the signer refuses, "A, K"); error (securitykey answers 500); token-403 (the
-- token route answers 403).
-- Control: GET /_meta/stats -> {"token_puts", "key_gets", "with_session", "meta_gets"};
-- POST /_meta/shutdown. Binds 127.0.0.1 only.

local socket = require "socket"
local cjson = require "cjson"

local opts = { port = 0, lifetime = 3600, mode = "normal" }
do
  local i = 1
  while arg[i] do
    local k, v = arg[i], arg[i + 1]
    if k == "--port" then opts.port = tonumber(v)
    elseif k == "--lifetime" then opts.lifetime = tonumber(v)
    elseif k == "--mode" then opts.mode = v
    elseif k == "--parent-pid" then opts.parent = v
    else io.stderr:write("usage: lua5.4 mock/metadata.lua --port N [--lifetime S] [--mode M]\n"); os.exit(2) end
    i = i + 2
  end
end

local stats = { token_puts = 0, key_gets = 0, with_session = 0, meta_gets = 0 }
local issued, sessions = 0, {}

local function utc(t)
  return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(t)) .. ".000000Z"
end

local function answer(c, status, body, ctype)
  body = body or ""
  c:send(("HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s")
    :format(status, ctype or "application/json", #body, body))
end

local function securitykey(headers)
  local mode = opts.mode
  local session = headers["x-metadata-token"]
  if session and sessions[session] then stats.with_session = stats.with_session + 1 end
  if mode == "session" and not (session and sessions[session]) then return 401, '{"error":"token"}' end
  if mode == "error" then return 500, "internal error" end
  if mode == "not-json" then return 200, "<html>not json</html>" end
  if mode == "no-credential" then return 200, '{"something":"else"}' end
  issued = issued + 1
  local expires = socket.gettime() + opts.lifetime
  if mode == "expired" then expires = socket.gettime() - 60 end
  local cred = {
    access = ("META-AK-%04d"):format(issued), secret = "meta-sk-" .. issued,
    securitytoken = "meta-st-" .. issued, expires_at = utc(expires),
  }
  if mode == "bad-time" then cred.expires_at = "tomorrow" end
  if mode == "bad-date" then cred.expires_at = "2099-02-31T-1:-1:-1Z" end
  if mode == "bad-ak" then cred.access = "A, K" end
  return 200, cjson.encode({ credential = cred })
end

local function handle(c)
  c:settimeout(5)
  local line = c:receive("*l")
  if not line then return end
  local method, path = line:match("^(%u+) (%S+) HTTP/1%.[01]$")
  local headers = {}
  while true do
    local h = c:receive("*l")
    if not h or h == "" then break end
    local k, v = h:match("^([^:]+):%s*(.-)%s*$")
    if k then headers[k:lower()] = v end
  end
  local len = tonumber(headers["content-length"] or "0") or 0
  if len > 0 then c:receive(len) end
  if not method then return answer(c, 400, "bad request", "text/plain") end
  if method == "PUT" and path == "/meta-data/latest/api/token" then
    stats.token_puts = stats.token_puts + 1
    if opts.mode == "imdsv1" then return answer(c, 404, "not found", "text/plain") end
    if opts.mode == "token-403" then return answer(c, 403, "forbidden", "text/plain") end
    if not headers["x-metadata-token-ttl-seconds"] then return answer(c, 400, "ttl?", "text/plain") end
    local tok = ("session-%d-%d"):format(stats.token_puts, math.random(1e6))
    sessions[tok] = true
    return answer(c, 200, tok, "text/plain")
  elseif method == "GET" and path == "/openstack/latest/securitykey" then
    stats.key_gets = stats.key_gets + 1
    return answer(c, securitykey(headers))
  elseif method == "GET" and path == "/openstack/latest/meta_data.json" then
    stats.meta_gets = stats.meta_gets + 1
    return answer(c, 200, cjson.encode({ project_id = "meta-project", uuid = "i-1" }))
  elseif method == "GET" and path == "/_meta/stats" then
    return answer(c, 200, cjson.encode(stats))
  elseif method == "POST" and path:match("^/_meta/mode/") then
    opts.mode = path:match("^/_meta/mode/(.*)$")
    return answer(c, 200, "{}")
  elseif method == "POST" and path == "/_meta/shutdown" then
    answer(c, 200, "{}")
    return "stop"
  end
  return answer(c, 404, "not found", "text/plain")
end

local server = assert(socket.bind("127.0.0.1", opts.port))
server:settimeout(0.5)
io.stdout:write(("listening on 127.0.0.1:%d\n"):format(select(2, server:getsockname())))
io.stdout:flush()
math.randomseed(os.time())
while true do
  local c = server:accept()
  if c then
    local ok, r = pcall(handle, c)
    c:close()
    if not ok then io.stderr:write("metadata mock: ", tostring(r), "\n") end
    if r == "stop" then break end
  elseif opts.parent then
    local f = io.open("/proc/" .. opts.parent .. "/stat")
    if not f then break end -- the spec run that started it is gone
    f:close()
  end
end
server:close()
