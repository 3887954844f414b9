-- rtc.cli.commands: the command table. Every operation of rtc.operations() is a command (its
-- name, arguments, flags, enums and help come from the operation's row), then the aliases and
-- the commands wait, sign, completion, man and help.
local console = require "rtc.cli.console"
local suggest = require "rtc.cli.suggest"
local json = require "rtc.cli.json"
local args = require "rtc.cli.args"
local client_of = require "rtc.cli.client"
local operation = require "rtc.cli.operation"
local add_aliases = require "rtc.cli.aliases"
local help = require "rtc.cli.help"
local run_wait = require "rtc.cli.wait"
local run_sign = require "rtc.cli.sign"

local cli_name, fields_of, need_pos = args.cli_name, json.fields_of, args.need_pos

local M = {}

-- a flag row for one field of a body or of the query (scalars and arrays of scalars)
local function field_flag(f, where)
  local ft = f.type
  local row
  if ft == "array" and (f.items == "string" or f.items == "integer" or f.items == "number") then
    row = { cli_name(f.name), f.items == "string" and "VALUE" or "N", where .. " " .. f.name .. " (repeatable)",
            multi = true, type = f.items }
  elseif ft == "string" or ft == "integer" or ft == "number" or ft == "boolean" then
    local meta = ft == "boolean" and "true|false" or (ft == "string" and "VALUE" or "N")
    local text = where .. " " .. f.name
    if f.enum then
      meta = table.concat(f.enum, "|")
      if #meta > 28 then meta = "VALUE" text = text .. ": " .. table.concat(f.enum, ", ") end
    end
    if f.min and f.max then text = text .. string.format(" (%s..%s)", tostring(f.min), tostring(f.max)) end
    if f.required then text = text .. " (required)" end
    row = { cli_name(f.name), meta, text, type = ft, choices = f.enum, min = f.min, max = f.max }
  else
    return nil
  end
  row.field = f.name
  return row
end

local function operation_command(row)
  local flags, body_flags, query_flags = {}, {}, {}
  local body_fields = fields_of(row.body)
  if body_fields then flags[#flags + 1] = args.PARAMS_FLAG end
  for _, f in ipairs(body_fields or {}) do
    local fl = field_flag(f, "body field")
    if fl then fl.body = true flags[#flags + 1] = fl body_flags[#body_flags + 1] = fl end
  end
  for _, f in ipairs(fields_of(row.query) or {}) do
    local fl = field_flag(f, "query parameter")
    if fl then fl.query = true flags[#flags + 1] = fl query_flags[#query_flags + 1] = fl end
  end
  if type(row.list) == "table" and row.list.item then flags[#flags + 1] = args.ALL_FLAG end
  local params = row.params or {}
  local batch = params[#params] == "job_id"
  if batch then for _, b in ipairs(args.BATCH_FLAGS) do flags[#flags + 1] = b end end
  local usage = cli_name(row.name)
  for _, p in ipairs(params) do usage = usage .. " " .. p:upper() end
  if body_fields then usage = usage .. " [--params JSON|@FILE|-]" end
  if #query_flags > 0 or #body_flags > 0 then usage = usage .. " [flags]" end
  if batch then
    usage = usage .. "   |   " .. cli_name(row.name)
    for i = 1, #params - 1 do usage = usage .. " " .. params[i]:upper() end
    usage = usage .. " --jobs FILE"
  end
  return {
    row = row, flags = flags, usage = usage, batch = batch,
    summary = row.summary or (row.method .. " " .. row.path),
    detail = string.format("%s %s -> %s", row.method, row.path, tostring(row.success or "")),
    run = operation.run,
  }
end

-- A job's states, as API-v2-operations.md documents them (the Go SDK's enum): the module checks
-- no answer's state against a list (a new state must not break old clients), so its row has none.
local DOCUMENTED_JOB_STATES = { "INIT", "RUNNING", "STOPPED" }

local function add_utilities(commands, add_command)
  local by_name = commands.by_name
  local get = by_name["get-job"]
  local f = get and json.field_named(get.row.response, "state")
  local states = f and f.enum or DOCUMENTED_JOB_STATES
  add_command("wait", {
    usage = "wait APP JOB --state " .. table.concat(states, "|") .. " [--wait-timeout S]",
    summary = "Poll a job until it is in STATE (0), ends elsewhere (1) or --wait-timeout passes (3).",
    flags = { { "state", table.concat(states, "|"), "the state to wait for (checked before anything is sent)",
                choices = states },
              { "wait-timeout", "SECONDS", "how long to wait in all (default 300); --timeout stays the"
                .. " time of one attempt", type = "seconds" } },
    notes = "'wait --timeout S' used to mean --wait-timeout S: it still does, with a deprecation note.",
    run = run_wait })
  add_command("sign", {
    usage = "sign METHOD URL [--body STRING | --body-file F] [--header K:V]... [--canonical]",
    summary = "Print the SDK-HMAC-SHA256 signed headers of a request (nothing is sent).",
    flags = {
      { "body", "STRING", "request body" },
      { "body-file", "FILE", "read the request body from FILE ('-' = stdin)" },
      { "header", "K:V", "a request header to sign (repeatable), e.g. X-Sdk-Date:20200608T023900Z",
        multi = true, type = "header" },
      { "canonical", nil, "also print the canonical request" },
    },
    notes = "Prints one 'Name: value' line per header to add to the request (JSON with --json).\n"
      .. "X-Sdk-Date (UTC, YYYYMMDDTHHMMSSZ) and Host are added unless given with --header.",
    run = run_sign })
  add_command("completion", { usage = "completion bash",
    summary = "Print the bash completion script (source it, or install it as completion/rtcjob).",
    flags = {}, run = function(c, _, pos)
      need_pos(c, pos, 1, 1)
      if pos[1] ~= "bash" then console.usage_error("completion: only 'bash' is supported, got '%s'", pos[1]) end
      console.out(help.bash_completion(commands))
      return 0
    end })
  add_command("man", { usage = "man", summary = "Print the man page (roff), made from this help.",
    flags = {}, run = function(c, _, pos)
      need_pos(c, pos, 0, 0)
      console.out(help.man_page(commands, client_of.module()._VERSION))
      return 0
    end })
  add_command("help", { usage = "help [COMMAND]", summary = "Show the help of a command.",
    flags = {}, run = function(c, _, pos)
      need_pos(c, pos, 0, 1)
      if pos[1] and not by_name[pos[1]] then
        console.usage_error("unknown command '%s'%s", pos[1], suggest.hint(pos[1], commands.order))
      end
      console.out(pos[1] and help.command_help(by_name[pos[1]]) or help.main_help(commands))
      return 0
    end })
end

-- build() -> { by_name = {name -> command}, order = {names in help order} }; a command:
-- { name, usage, summary, detail?, notes?, flags, run(cmd, o, pos), row? (its operation),
--   alias?, batch?, check(o)?, build(o, tbl)? }
function M.build()
  local rtc = client_of.module()
  if type(rtc.operations) ~= "function" then
    console.err_line("the module 'rtc' has no operations(): it is older than this command")
    console.exit(2)
  end
  local commands = { by_name = {}, order = {} }
  local function add_command(name, cmd)
    cmd.name = name
    commands.by_name[name] = cmd
    commands.order[#commands.order + 1] = name
  end
  for _, row in ipairs(rtc.operations()) do
    add_command(cli_name(row.name), operation_command(row))
  end
  add_aliases(commands.by_name, add_command)
  add_utilities(commands, add_command)
  return commands
end

return M
