-- rtc.cli.events: the `events` command: the recording events SparkRTC POSTs to the record
-- callback (rtc.events.verify, README "Recording events").
--   rtcjob events verify --rand R --timestamp T --signature S [--auth-key-file F|-] < body
--       the event, typed, in the chosen output (exit 0); a refused one: the error (exit 1)
--   rtcjob events listen --port N [--count N]
--       a receiver on 127.0.0.1: each verified event on stdout as one JSON line; answers 200
--       {"status":1,"result":"success"}, 401/400 (refused), 405 (not a POST); needs LuaSocket
-- The key: --auth-key-file FILE ('-' = stdin) or RTC_EVENTS_AUTH_KEY; --unsigned for callbacks
-- without one. Listed in rtc.cli.commands' COMMAND_MODULES: M.commands() is the one hook.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local json = require "rtc.cli.json"
local flagrows = require "rtc.cli.flags"
local suggest = require "rtc.cli.suggest"
local output = require "rtc.cli.output"
local credentials = require "rtc.cli.credentials"
local client_of = require "rtc.cli.client"

local usage_error, getenv, out = console.usage_error, console.getenv, console.out

local SUCCESS = '{"status":1,"result":"success"}'
local MAX_BODY = 1048576

local FLAGS = {
  { "auth-key-file", "FILE", "read the callback's auth_key from FILE ('-' = stdin); default: RTC_EVENTS_AUTH_KEY" },
  { "unsigned", nil, "accept callbacks without signature headers (an app without auth_key)" },
  { "max-age", "SECONDS", "how far X-Rtc-Timestamp may be from now (default 300)", type = "count" },
  { "no-max-age", nil, "do not check X-Rtc-Timestamp against the clock" },
  { "rand", "VALUE", "verify: the X-Rtc-Rand header" },
  { "timestamp", "VALUE", "verify: the X-Rtc-Timestamp header" },
  { "signature", "HEX", "verify: the X-Rtc-Signature header" },
  { "body-file", "FILE", "verify: read the body from FILE ('-' = stdin, the default)" },
  { "port", "N", "listen: the port on 127.0.0.1 (0: a free one, printed on stderr)", type = "count" },
  { "count", "N", "listen: exit 0 after N verified events", type = "positive" },
}

-- the key (a string), or false with --unsigned
local function auth_key(o)
  if o.unsigned then
    if o.auth_key_file then usage_error("give --auth-key-file or --unsigned, not both") end
    return false
  end
  local key = o.auth_key_file and credentials.read_secret(o.auth_key_file, "--auth-key-file")
    or getenv("RTC_EVENTS_AUTH_KEY")
  if not key then
    usage_error("events: the callback's auth_key is needed: --auth-key-file FILE, RTC_EVENTS_AUTH_KEY, "
      .. "or --unsigned")
  end
  console.add_secret(key)
  return key
end

local function verify_opts(o)
  if o.no_max_age and o.max_age then usage_error("give --max-age or --no-max-age, not both") end
  if o.no_max_age then return { max_age = false } end
  return { max_age = o.max_age }
end

local function schema()
  local s = client_of.module().events.schema()
  s.fields[#s.fields + 1] = { name = "x_rtc", type = "object",
    fields = { { name = "rand" }, { name = "timestamp" }, { name = "signature" } } }
  return s
end

local function run_verify(cmd, o, pos)
  flagrows.need_pos(cmd, pos, 1, 1)
  local rtc = client_of.module()
  local key = auth_key(o)
  local headers = { ["X-Rtc-Rand"] = o.rand, ["X-Rtc-Timestamp"] = o.timestamp,
                    ["X-Rtc-Signature"] = o.signature }
  local body = credentials.read_input(o.body_file or "-", o.body_file and "--body-file" or "the body (stdin)")
  output.check_query(o)
  local event, err = rtc.events.verify(headers, body, key, verify_opts(o))
  if not event then
    console.err_line(errors.text(err))
    return errors.exit_code(err)
  end
  return output.emit(o, event, schema(), output.format(o))
end

-- one request from a connected socket -> method, headers (names lowercase; a repeated one a
-- list, which verify refuses), body; or nil, the status to answer
local function read_request(c)
  local line = c:receive("*l")
  local method = line and line:match("^(%u+) ")
  if not method then return nil, 400 end
  local headers, len = {}, 0
  for _ = 1, 200 do
    local h = c:receive("*l")
    if not h then return nil, 400 end
    if h == "" then
      if headers["transfer-encoding"] then return nil, 411 end
      if len > MAX_BODY then return nil, 413 end
      local body = len > 0 and c:receive(len) or ""
      if not body then return nil, 400 end
      return method, headers, body
    end
    local k, v = h:match("^([^:]+):%s*(.-)%s*$")
    if k then
      k = k:lower()
      if headers[k] == nil then headers[k] = v
      elseif type(headers[k]) == "table" then table.insert(headers[k], v)
      else headers[k] = { headers[k], v } end
      if k == "content-length" then len = tonumber(v) or 0 end
    end
  end
  return nil, 431
end

local REASONS = { [200] = "OK", [400] = "Bad Request", [401] = "Unauthorized", [405] = "Method Not Allowed",
  [411] = "Length Required", [413] = "Payload Too Large", [431] = "Request Header Fields Too Large" }

local function answer(c, status, kind, message)
  local body = status == 200 and SUCCESS or json.encode({ status = 0, result = kind, message = message })
  c:send(string.format("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s"
    .. "Connection: close\r\n\r\n%s", status, REASONS[status] or "Error", #body,
    status == 405 and "Allow: POST\r\n" or "", body))
end

local function run_listen(cmd, o, pos)
  flagrows.need_pos(cmd, pos, 1, 1)
  if not o.port then usage_error("events listen: --port N is needed (0: a free one)") end
  if o.port > 65535 then usage_error("--port: expected 0..65535, got %d", o.port) end
  local ok, socket = pcall(require, "socket")
  if not ok then
    console.err_line("events listen needs LuaSocket (apt-get install lua-socket)")
    return 2
  end
  local rtc = client_of.module()
  local key, opts, sch = auth_key(o), verify_opts(o), schema()
  local server, err = socket.bind("127.0.0.1", o.port)
  if not server then
    console.err_line("cannot listen on 127.0.0.1:" .. o.port .. ": " .. tostring(err))
    return 3
  end
  local _, port = server:getsockname()
  io.stderr:write(console.PROG .. ": listening on 127.0.0.1:" .. tostring(port) .. "\n")
  io.stderr:flush()
  local verified = 0
  while not o.count or verified < o.count do
    local c = server:accept()
    if c then
      c:settimeout(10)
      local method, headers, body = read_request(c)
      if not method then
        answer(c, headers, "request", "malformed request")
      elseif method ~= "POST" then
        answer(c, 405, "method", "recording events are POSTed")
      else
        local event, verr = rtc.events.verify(headers, body, key, opts)
        if event then
          out(json.encode(event, sch) .. "\n")
          io.stdout:flush()
          verified = verified + 1
          answer(c, 200)
        else
          console.err_line(errors.text(verr))
          answer(c, verr.kind == "signature" and 401 or 400, verr.kind, verr.message)
        end
      end
      c:close()
    end
  end
  server:close()
  return 0
end

local ACTIONS = { "verify", "listen" }

local M = {}

-- the hook: the `events` command, for the command table (rtc.cli.commands)
function M.commands()
  return { {
    name = "events",
    usage = "events verify --rand R --timestamp T --signature S [--auth-key-file F] < BODY"
      .. "   |   events listen --port N [--count N]",
    summary = "Verify a recording event (verify), or receive them on 127.0.0.1 (listen).",
    args = { { name = "ACTION", help = "verify (one callback, the body on stdin) or listen (a receiver)",
               choices = ACTIONS } },
    flags = FLAGS,
    notes = "The key: --auth-key-file FILE ('-' = stdin) or RTC_EVENTS_AUTH_KEY; --unsigned for an app\n"
      .. "without auth_key. verify prints the event (exit 0) or the error (exit 1: signature, decode).",
    run = function(cmd, o, pos)
      if pos[1] == "verify" then return run_verify(cmd, o, pos) end
      if pos[1] == "listen" then return run_listen(cmd, o, pos) end
      usage_error("events: expected 'verify' or 'listen', got '%s'%s", tostring(pos[1] or ""),
        pos[1] and suggest.hint(pos[1], ACTIONS) or "")
    end,
  } }
end

return M
