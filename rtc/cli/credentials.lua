-- rtc.cli.credentials: the explicit credentials of the command line (--token/--token-file,
-- --ak/--sk/--sk-file, ...; the module's chain does the rest), the files and stdin they and the
-- other inputs are read from (stdin serves one flag only), and every secret read added to the
-- redaction list.
local console = require "rtc.cli.console"

local usage_error = console.usage_error

local M = {}

local stdin_used   -- the flag that reads stdin, once one does

function M.claim_stdin(what)
  if stdin_used and stdin_used ~= what then
    usage_error("stdin is already used by %s; %s cannot read it too", stdin_used, what)
  end
  stdin_used = what
end

-- the content of a file ('-': stdin) for the flag `what`
function M.read_input(path, what)
  local data
  if path == "-" then
    M.claim_stdin(what)
    data = io.stdin:read("*a")
  else
    local f, e = io.open(path, "rb")
    if not f then usage_error("cannot read %s: %s", what, tostring(e)) end
    data = f:read("*a")
    f:close()
  end
  return data or ""
end

function M.read_secret(path, what)
  local s = M.read_input(path, what):gsub("[\r\n]+$", "")
  if s == "" then usage_error("%s is empty", what) end
  console.add_secret(s)
  return s
end

-- the options for rtc.credentials() and rtc.new() from the parsed flags
function M.options(o)
  local c = {}
  if o.token and o.token_file then usage_error("give --token or --token-file, not both") end
  if o.sk and o.sk_file then usage_error("give --sk or --sk-file, not both") end
  c.token = o.token or (o.token_file and M.read_secret(o.token_file, "--token-file"))
  c.sk = o.sk or (o.sk_file and M.read_secret(o.sk_file, "--sk-file"))
  c.ak, c.project_id, c.security_token = o.ak, o.project_id, o.security_token
  if c.token and (c.ak or c.sk) then
    usage_error("conflicting credentials: a token and AK/SK were both given on the command line; use one kind")
  end
  c.profile, c.region = o.profile, o.region
  return c
end

-- The module says a credentials file others can read only on its debug lines: the command says
-- it always, once, on stderr. A debug function for rtc.credentials() and rtc.new(); on_other
-- gets every other line (nil: dropped).
local warned = false
function M.warning_filter(on_other)
  return function(line)
    if tostring(line):find("accessible by group or others", 1, true) then
      if not warned then
        warned = true
        io.stderr:write(console.esc_line(console.redact(console.PROG .. ": warning: "
          .. tostring(line):gsub("^rtc: ", ""))) .. "\n")
      end
    elseif on_other then
      on_other(line)
    end
  end
end

-- the credentials chain asked only for its warnings (sign, configure: they build no client)
function M.warn_about_file(rtc, o)
  if type(rtc.credentials) ~= "function" then return end
  pcall(rtc.credentials, { profile = o.profile, metadata = false, debug = M.warning_filter(nil) })
end

-- secrets of the environment are redacted too, even when not used
function M.redact_environment()
  console.add_secret(console.getenv("HUAWEICLOUD_SDK_SK"))
  console.add_secret(console.getenv("HUAWEICLOUD_SDK_SECURITY_TOKEN"))
  console.add_secret(console.getenv("RTC_AUTH_TOKEN"))
  console.add_secret(console.getenv("RTC_APP_KEY")) -- join-signature's app_key
  console.add_secret(console.getenv("RTC_EVENTS_AUTH_KEY")) -- events' auth_key
end

return M
