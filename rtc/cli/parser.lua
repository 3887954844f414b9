-- rtc.cli.parser: the command line, the help and the shell completions through lua-argparse
-- (Debian: lua-argparse), made from the command table (rtc.cli.commands: its operation commands
-- come from the module's operation rows) and the flag rows (rtc.cli.flags).
--
-- Global flags are taken before or after the command: argparse gives a command only its own
-- options, so every command also gets a hidden copy of each global flag, with its own target
-- (a command's options are reset when it is chosen: one target would lose what came before it);
-- parse() merges the two. Enum values are checked by rtc.cli.flags.convert (case-insensitive,
-- with a did-you-mean); argparse's own choices are set only in the parser the completions are
-- made from. Usage errors are rtc.cli.console.usage_error's: one line, a hint, exit 2.
local argparse = require "argparse"
local console = require "rtc.cli.console"
local flags = require "rtc.cli.flags"
local suggest = require "rtc.cli.suggest"

local PROG = console.PROG
local GLOBAL_FLAGS = flags.GLOBAL_FLAGS
local AFTER = "after_command_"   -- the target prefix of a global flag given after the command

local M = {}

M.EXIT_HELP = [[
Exit codes: 0 success; 1 the service answered an error (or an answer that cannot be decoded;
'wait': the job ended in another state); 2 usage error or invalid input (nothing was sent);
3 network error or timeout. A batch exits with the worst code among its jobs.]]

-- every environment variable the command reads (its own, then the module's credentials chain
-- and options), as the help and the man page list them
M.ENVIRONMENT = {
  { "RTC_ENDPOINT", "service endpoint(s), comma-separated (--endpoint wins)" },
  { "RTC_REGION", "service region (--region wins)" },
  { "RTC_AUTH_TOKEN", "token authentication (X-Auth-Token)" },
  { "HUAWEICLOUD_SDK_AK", "access key for AK/SK signing" },
  { "HUAWEICLOUD_SDK_SK", "secret key for AK/SK signing" },
  { "HUAWEICLOUD_SDK_PROJECT_ID", "project id (X-Project-Id)" },
  { "HUAWEICLOUD_SDK_SECURITY_TOKEN", "temporary credentials' security token" },
  { "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "the credentials file (default ~/.huaweicloud/credentials)" },
  { "RTC_PROFILE", "its section (default: basic; --profile wins)" },
  { "RTC_METADATA", "0: never ask the ECS metadata service for keys" },
  { "RTC_METADATA_URL", "the metadata service's address (default http://169.254.169.254)" },
  { "RTC_APP_KEY", "join-signature's app_key (--app-key-file wins)" },
  { "RTC_EVENTS_AUTH_KEY", "events: the record callback's auth_key (--auth-key-file wins)" },
  { "SOURCE_DATE_EPOCH", "--dry-run signs at this time (seconds since 1970)" },
  { "HOME", "where ~/.huaweicloud/credentials is" },
  { "http_proxy, https_proxy, no_proxy", "proxies, as libcurl reads them (--proxy wins)" },
  { "RTC_CPATH", "where bin/rtcjob looks for rtc.so first" },
}

function M.env_help()
  local lines = { "Environment (flags win over it; then the credentials file, as the SDKs read it):" }
  for _, e in ipairs(M.ENVIRONMENT) do lines[#lines + 1] = string.format("  %-34s %s", e[1], e[2]) end
  return table.concat(lines, "\n")
end

local function add_flag(p, row, how)
  local el
  if row[2] then
    el = p:option("--" .. row[1], row[3]):argname(row[2])
    if row.multi then el:count("*") end
    el:convert(function(val)
      if row.secret then console.add_secret(val) end
      local v, msg = flags.convert(row, val)
      if v == nil then return nil, "--" .. row[1] .. ": " .. (row.secret and "invalid value" or msg) end
      return v
    end)
    if how.complete and row.choices then el:choices(row.choices) end
  else
    el = p:flag("--" .. row[1], row[3])
  end
  el:target(how.prefix .. flags.key_of(row))
  if how.hidden then el:hidden(true) end
  return el
end

local function add_common(p)
  p:flag("-h --help", "show this help"):target("help")
  p:flag("-V --version", "print the version"):target("version")
end

local function wrap(words, indent, width)
  local lines, line = {}, indent
  for _, w in ipairs(words) do
    if #line + #w + 1 > width and line ~= indent then
      lines[#lines + 1] = line
      line = indent
    end
    line = line .. (line == indent and "" or " ") .. w
  end
  if line ~= indent then lines[#lines + 1] = line end
  return table.concat(lines, "\n")
end

local function global_summary()
  local words = {}
  for _, row in ipairs(GLOBAL_FLAGS) do
    words[#words + 1] = "--" .. row[1] .. (row[2] and (" " .. row[2]) or "") .. ","
  end
  words[#words] = words[#words]:sub(1, -2)
  return wrap(words, "  ", 96)
end

local function is_operation(cmd) return cmd.row ~= nil and not cmd.alias end

-- build(commands, how?) -> the argparse parser; how.complete: with the enums' choices (for the
-- completions only: they are checked by flags.convert when parsing)
function M.build(commands, how)
  how = how or {}
  local ops = {}
  for _, n in ipairs(commands.order) do
    if is_operation(commands.by_name[n]) then ops[#ops + 1] = n end
  end
  local p = argparse(PROG)
    :add_help(false)
    :require_command(false)
    :command_target("command")
    :help_max_width(100)
    :usage("Usage: " .. PROG .. " [GLOBAL FLAGS] COMMAND [ARGS] [FLAGS]")
    :description("Huawei SparkRTC (CloudRTC v2) from the shell: every API operation is a command.\n\n"
      .. "Operations (" .. PROG .. " OPERATION --help shows its arguments and flags):\n" .. wrap(ops, "  ", 96))
    :epilog("Secrets are never printed; --token-file/--sk-file keep them out of argv.\n"
      .. M.env_help() .. "\n" .. M.EXIT_HELP)
  add_common(p)
  for _, row in ipairs(GLOBAL_FLAGS) do add_flag(p, row, { prefix = "", complete = how.complete }) end
  for _, n in ipairs(commands.order) do
    local cmd = commands.by_name[n]
    local c = p:command(n)
      :summary(cmd.summary)
      :usage("Usage: " .. PROG .. " " .. cmd.usage)
      :description(cmd.summary .. (cmd.detail and ("\n(" .. cmd.detail .. ")") or ""))
      :epilog((cmd.notes and (cmd.notes .. "\n\n") or "")
        .. "Global flags (before or after the command; see '" .. PROG .. " --help'):\n"
        .. global_summary() .. "\n\n" .. M.env_help() .. "\n" .. M.EXIT_HELP)
      :add_help(false)
      :help_max_width(100)
    if is_operation(cmd) then c:hidden(true) end
    add_common(c)
    if cmd.args == nil then   -- a command that checks its own words
      c:argument("ARGS", "arguments"):args("*"):target("rest_args")
    end
    for i, a in ipairs(cmd.args or {}) do
      local arg = c:argument(a.name, a.help):args("?"):target("arg_" .. i)
      if how.complete and a.choices then arg:choices(a.choices) end
    end
    local own = {}
    for _, row in ipairs(cmd.flags) do
      own[row[1]] = true
      add_flag(c, row, { prefix = "", complete = how.complete })
    end
    for _, row in ipairs(GLOBAL_FLAGS) do
      if not own[row[1]] then add_flag(c, row, { prefix = AFTER, hidden = true, complete = how.complete }) end
    end
  end
  return p
end

-- the names a mistyped word is compared with: commands, or the flags where it stood
local function flag_names(cmd)
  local names = { "help", "version" }
  for _, row in ipairs(GLOBAL_FLAGS) do names[#names + 1] = row[1] end
  for _, row in ipairs(cmd and cmd.flags or {}) do names[#names + 1] = row[1] end
  return names
end

-- argparse's message, as this command words it: "flag" for option, our did-you-mean for its tip
local function usage_failure(commands, argv, msg)
  msg = tostring(msg):gsub("\nDid you mean.*$", "")
  -- the command, when one came before the word argparse refused
  local bad = msg:match("^unknown option '([^']*)'$")
  local cmd
  for _, a in ipairs(argv) do
    if bad and (a == bad or a:sub(1, #bad + 1) == bad .. "=") then break end
    if commands.by_name[a] then cmd = commands.by_name[a] break end
  end
  if cmd then console.set_help_hint(PROG .. " " .. cmd.name .. " --help") end
  local word = msg:match("^unknown command '(.*)'$")
  if word then console.usage_error("unknown command '%s'%s", word, suggest.hint(word, commands.order)) end
  word = msg:match("^unknown option '%-%-([^']*)'$") or msg:match("^unknown option '%-?([^']*)'$")
  if word then
    local full = msg:match("^unknown option '([^']*)'$")
    local hint = suggest.hint(word, flag_names(cmd), "--")
    if cmd then console.usage_error("unknown flag '%s' for '%s'%s", full, cmd.name, hint) end
    console.usage_error("unknown flag '%s'%s", full, hint)
  end
  if msg == "too many arguments" and cmd then
    console.usage_error("too many arguments; usage: %s %s", PROG, cmd.usage)
  end
  msg = msg:gsub("^option '", "flag '")
  console.usage_error("%s", msg)
end

-- parse(commands, argv) -> cmd (or nil), options, positional arguments; a usage error exits 2
function M.parse(commands, argv)
  local ok, r = M.build(commands):pparse(argv)
  if not ok then usage_failure(commands, argv, r) end
  local cmd = r.command and commands.by_name[r.command]
  if cmd then console.set_help_hint(PROG .. " " .. cmd.name .. " --help") end
  local o, pos = {}, {}
  for k, v in pairs(r) do
    if k:sub(1, #AFTER) == AFTER then
      local key = k:sub(#AFTER + 1)
      if type(v) == "table" and type(r[key]) == "table" then   -- repeatable: both lists
        local all = {}
        for _, x in ipairs(r[key]) do all[#all + 1] = x end
        for _, x in ipairs(v) do all[#all + 1] = x end
        o[key] = all
      elseif v ~= nil and v ~= false then
        o[key] = v
      end
    elseif k:match("^arg_%d+$") then
      pos[tonumber(k:sub(5))] = v
    elseif k == "rest_args" then
      pos = v
    elseif k ~= "command" and o[k] == nil then
      o[k] = v
    end
  end
  -- argparse gives an unused repeatable option an empty list and an unused flag false: as never
  -- given (a boolean field's value false stays)
  local is_flag = { help = true, version = true }
  for _, rows in ipairs({ GLOBAL_FLAGS, cmd and cmd.flags or {} }) do
    for _, row in ipairs(rows) do if not row[2] then is_flag[flags.key_of(row)] = true end end
  end
  for k, v in pairs(o) do
    if (v == false and is_flag[k]) or (type(v) == "table" and next(v) == nil) then o[k] = nil end
  end
  if cmd and cmd.args == nil then return cmd, o, pos end
  local list = {}
  for i = 1, #(cmd and cmd.args or {}) do if pos[i] ~= nil then list[#list + 1] = pos[i] end end
  return cmd, o, list
end

-- help(commands, cmd?) -> the main help, or a command's
function M.help(commands, cmd)
  local p = M.build(commands)
  if not cmd then return p:get_help() .. "\n" end
  for _, c in ipairs(p._commands) do
    if c._name == cmd.name then return c:get_help() .. "\n" end
  end
  return p:get_help() .. "\n"
end

M.SHELLS = { "bash", "zsh", "fish" }

-- completion(commands, shell) -> the script argparse makes from the same parser
function M.completion(commands, shell)
  local p = M.build(commands, { complete = true })
  if shell == "bash" then return p:get_bash_complete() end
  if shell == "zsh" then return p:get_zsh_complete() end
  return p:get_fish_complete()
end

return M
