-- rtc.cli.join: the `join-signature` command: the join signature a backend hands a client
-- (rtc.join_signature; JOIN.md), printed with the values the client SDKs take and the expiry
-- as an RFC 3339 time, in every output format. Nothing is sent. Listed in rtc.cli.commands'
-- COMMAND_MODULES: M.commands() adds it.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local output = require "rtc.cli.output"
local flagrows = require "rtc.cli.flags"
local credentials = require "rtc.cli.credentials"
local client_of = require "rtc.cli.client"

local M = {}

M.ENV = "RTC_APP_KEY"

-- the order of the output: the five values the client SDKs take, then the expiry as a time
M.SCHEMA = { fields = { { name = "app_id" }, { name = "room_id" }, { name = "user_id" },
                        { name = "ctime" }, { name = "signature" }, { name = "expires_at" } } }

M.FLAGS = {
  { "ttl", "SECONDS", "validity from now: 1..43199 (default 7200)", type = "integer" },
  { "ctime", "UNIX", "the expiry itself instead of --ttl (UNIX seconds, at most 43199 s ahead)",
    type = "integer" },
  { "join", "SEP", "between the signed parts: '+' (default; the sample code) or '' (the formula)",
    choices = { "+", "" }, lower = true },
  { "app-key-file", "FILE", "read the app_key from FILE ('-' = stdin); else $" .. M.ENV },
}

-- the expiry as RFC 3339 UTC
function M.rfc3339(ctime) return os.date("!%Y-%m-%dT%H:%M:%SZ", ctime) end

function M.run(cmd, o, pos)
  flagrows.need_pos(cmd, pos, 3, 3)
  output.check_query(o)
  if o.ttl and o.ctime then console.usage_error("give --ttl or --ctime, not both") end
  local key = o.app_key_file and credentials.read_secret(o.app_key_file, "--app-key-file")
    or console.getenv(M.ENV)
  if not key then console.usage_error("'join-signature' needs the app_key: --app-key-file FILE or %s", M.ENV) end
  console.add_secret(key)
  local rtc = client_of.module()
  if type(rtc.join_signature) ~= "function" then
    console.err_line("the module 'rtc' has no join_signature(): it is older than this command")
    return 2
  end
  local app, room, user = pos[1], pos[2], pos[3]
  local ok, signature, ctime = pcall(rtc.join_signature, app, key, room, user,
                                     { ttl = o.ttl, ctime = o.ctime, join = o.join })
  if not ok or not signature then
    local e = ok and ctime or signature
    console.err_line(errors.text(e))
    return errors.failure_code(e)
  end
  local doc = { app_id = app, room_id = room, user_id = user, ctime = ctime, signature = signature,
                expires_at = M.rfc3339(ctime) }
  return output.emit(o, doc, M.SCHEMA, output.format(o))
end

-- the hook: the `join-signature` command, for the command table (rtc.cli.commands)
function M.commands()
  return { {
    name = "join-signature",
    usage = "join-signature APP ROOM USER [--ttl S | --ctime T] [--join SEP] [--app-key-file FILE]",
    summary = "Print the join signature of USER in ROOM of APP (nothing is sent).",
    args = { { name = "APP", help = "the app (app_id)" }, { name = "ROOM", help = "the room (room_id)" },
             { name = "USER", help = "the user who joins (user_id)" } },
    flags = M.FLAGS,
    notes = "Prints app_id, room_id, user_id, ctime (the expiry, UNIX seconds), signature and\n"
      .. "expires_at (the expiry, RFC 3339 UTC). The signature is lowercase hex HMAC-SHA256 with the\n"
      .. "app_key of APP+ROOM+USER+ctime (--join '' drops the '+'; see the README's 'Join signatures').\n"
      .. "The app_key comes from --app-key-file or $" .. M.ENV .. " (never from argv).",
    run = M.run } }
end

return M
