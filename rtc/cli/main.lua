-- rtc.cli.main: rtcjob's main: the command table, the command line (lua-argparse, through
-- rtc.cli.parser), then the command's run. Any error it raises is a bug: reported on one line,
-- exit 2.
local console = require "rtc.cli.console"
local parser = require "rtc.cli.parser"
local credentials = require "rtc.cli.credentials"
local client_of = require "rtc.cli.client"
local commands_of = require "rtc.cli.commands"

local out = console.out

local function main(argv)
  credentials.redact_environment()
  local commands = commands_of.build()

  if argv[1] == nil then io.stderr:write(parser.help(commands)) return 2 end
  local cmd, o, pos = parser.parse(commands, argv)
  -- wait's --timeout meant how long to wait before --wait-timeout existed: kept, with a note
  if cmd == commands.by_name.wait and o.timeout and not o.wait_timeout then
    io.stderr:write(console.PROG .. ": note: 'wait --timeout' is deprecated; use --wait-timeout"
      .. " (--timeout will be the time of one attempt, as for every other command)\n")
    o.wait_timeout, o.timeout = o.timeout, nil
  end
  if o.version then
    out(console.PROG .. " " .. tostring(client_of.module()._VERSION) .. "\n")
    return 0
  end
  if o.help then
    out(parser.help(commands, cmd))
    return 0
  end
  if not cmd then console.usage_error("no command given") end
  return cmd.run(cmd, o, pos)
end

-- run(argv): runs the command and exits with its code
return function(argv)
  local ok, code = xpcall(function() return main(argv) end, debug.traceback)
  if not ok then
    console.err_line("internal error (a bug; please report it): " .. tostring(code))
    console.exit(2)
  end
  console.exit(code or 0)
end
