-- rtc.cli.commands: the command table. Every operation of rtc.operations() is a command (its
-- name, arguments, flags, enums and help come from the operation's row); then the commands of
-- the modules of COMMAND_MODULES (the aliases, wait, sign, configure, ...); then completion, man
-- and help. rtc.cli.parser makes the argparse parser, the help and the completions of it.
--
-- Adding commands: write a module rtc/cli/<name>.lua that returns
--   { commands = function(ctx) return { command, ... } end }
-- and add its name to COMMAND_MODULES (the one place). ctx = { by_name = the commands so far
-- (the operations', to build on), rtc = the module }. A command is
--   { name, usage, summary, detail?, notes?, flags = { flag rows (rtc.cli.flags) },
--     args = { { name = "APP_ID", help = ..., choices? }, ... } (absent: any number of words, its
--     run checks them; choices on the first: sub-commands such as "events verify|listen"),
--     run(cmd, o, pos) -> exit code,
--     row? (an operation's row, for its aliases), alias?, batch?, check(o)?, build(o, tbl)? }
local console = require "rtc.cli.console"
local suggest = require "rtc.cli.suggest"
local json = require "rtc.cli.json"
local flagrows = require "rtc.cli.flags"
local client_of = require "rtc.cli.client"
local operation = require "rtc.cli.operation"

local cli_name, fields_of, need_pos = flagrows.cli_name, json.fields_of, flagrows.need_pos

-- the modules that add commands, in help order
local COMMAND_MODULES = {
  "rtc.cli.aliases",     -- create, update, get, stop
  "rtc.cli.wait",        -- wait
  "rtc.cli.sign",        -- sign
  "rtc.cli.configure",   -- configure
  "rtc.cli.join",        -- join-signature
  "rtc.cli.events",      -- events verify|listen
}

local M = {}

M.COMMAND_MODULES = COMMAND_MODULES

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

-- A field flag never takes the name of a global flag (or of the command's own --params, --all,
-- --jobs, ...): update-obs-bucket-authority's body field project_id is --body-project-id, so that
-- --project-id stays the signing project (X-Project-Id) and a body field never changes it.
local RESERVED = { help = true, version = true }
for _, list in ipairs({ flagrows.GLOBAL_FLAGS, flagrows.BATCH_FLAGS, { flagrows.PARAMS_FLAG, flagrows.ALL_FLAG } }) do
  for _, r in ipairs(list) do RESERVED[r[1]] = true end
end

local function unreserved(fl, where)
  if fl and RESERVED[fl[1]] then
    fl.renamed_from = fl[1]
    fl[1] = (where == "body field" and "body-" or "query-") .. fl[1]
    fl[3] = fl[3] .. " (not --" .. fl.renamed_from .. ", the global flag)"
  end
  return fl
end

local function operation_command(row)
  local flags, body_flags, query_flags = {}, {}, {}
  local body_fields = fields_of(row.body)
  if body_fields then flags[#flags + 1] = flagrows.PARAMS_FLAG end
  for _, f in ipairs(body_fields or {}) do
    local fl = unreserved(field_flag(f, "body field"), "body field")
    if fl then fl.body = true flags[#flags + 1] = fl body_flags[#body_flags + 1] = fl end
  end
  for _, f in ipairs(fields_of(row.query) or {}) do
    local fl = unreserved(field_flag(f, "query parameter"), "query parameter")
    if fl then fl.query = true flags[#flags + 1] = fl query_flags[#query_flags + 1] = fl end
  end
  if type(row.list) == "table" and row.list.item then flags[#flags + 1] = flagrows.ALL_FLAG end
  local params = row.params or {}
  local batch = params[#params] == "job_id"
  if batch then for _, b in ipairs(flagrows.BATCH_FLAGS) do flags[#flags + 1] = b end end
  local usage = cli_name(row.name)
  for _, p in ipairs(params) do usage = usage .. " " .. p:upper() end
  if body_fields then usage = usage .. " [--params JSON|@FILE|-]" end
  if #query_flags > 0 or #body_flags > 0 then usage = usage .. " [flags]" end
  if batch then
    usage = usage .. "   |   " .. cli_name(row.name)
    for i = 1, #params - 1 do usage = usage .. " " .. params[i]:upper() end
    usage = usage .. " --jobs FILE"
  end
  local positional = {}
  for i, p in ipairs(params) do
    positional[i] = { name = p:upper(), help = "path parameter " .. p .. ((batch and i == #params)
      and " (or --jobs FILE)" or "") }
  end
  return {
    row = row, flags = flags, usage = usage, batch = batch, args = positional,
    summary = row.summary or (row.method .. " " .. row.path),
    detail = string.format("%s %s -> %s", row.method, row.path, tostring(row.success or "")),
    run = operation.run,
  }
end

local function add_builtins(commands, add_command)
  local by_name = commands.by_name
  add_command("completion", { usage = "completion bash|zsh|fish",
    summary = "Print the completion script of a shell (made by argparse from the command table).",
    args = { { name = "SHELL", help = "bash, zsh or fish", choices = { "bash", "zsh", "fish" } } },
    notes = "Installed by make install: share/bash-completion/completions/rtcjob,\n"
      .. "share/zsh/site-functions/_rtcjob, share/fish/vendor_completions.d/rtcjob.fish.",
    flags = {}, run = function(c, _, pos)
      need_pos(c, pos, 1, 1)
      local shell = pos[1]:lower()
      local parser = require "rtc.cli.parser"
      local ok = false
      for _, sh in ipairs(parser.SHELLS) do ok = ok or sh == shell end
      if not ok then
        console.usage_error("completion: expected bash, zsh or fish, got '%s'%s", pos[1],
          suggest.hint(pos[1], parser.SHELLS))
      end
      console.out(parser.completion(commands, shell))
      return 0
    end })
  add_command("man", { usage = "man", summary = "Print the man page (roff), made from this help.",
    flags = {}, args = {}, run = function(c, _, pos)
      need_pos(c, pos, 0, 0)
      console.out(require("rtc.cli.man").page(commands, client_of.module()._VERSION))
      return 0
    end })
  add_command("help", { usage = "help [COMMAND]", summary = "Show the help of a command.",
    args = { { name = "COMMAND", help = "a command" } },
    flags = {}, run = function(c, _, pos)
      need_pos(c, pos, 0, 1)
      if pos[1] and not by_name[pos[1]] then
        console.usage_error("unknown command '%s'%s", pos[1], suggest.hint(pos[1], commands.order))
      end
      console.out(require("rtc.cli.parser").help(commands, by_name[pos[1]]))
      return 0
    end })
end

-- build() -> { by_name = {name -> command}, order = {names in help order} }
function M.build()
  local rtc = client_of.module()
  if type(rtc.operations) ~= "function" then
    console.err_line("the module 'rtc' has no operations(): it is older than this command")
    console.exit(2)
  end
  local commands = { by_name = {}, order = {} }
  local function add_command(name, cmd)
    -- two modules giving one name: the later would hide the earlier (and argparse get it twice)
    if commands.by_name[name] then error("rtc.cli.commands: command '" .. name .. "' is defined twice") end
    cmd.name = name
    commands.by_name[name] = cmd
    commands.order[#commands.order + 1] = name
  end
  for _, row in ipairs(rtc.operations()) do
    add_command(cli_name(row.name), operation_command(row))
  end
  local ctx = { by_name = commands.by_name, rtc = rtc }
  for _, mod in ipairs(COMMAND_MODULES) do
    for _, cmd in ipairs(require(mod).commands(ctx)) do add_command(cmd.name, cmd) end
  end
  add_builtins(commands, add_command)
  return commands
end

return M
