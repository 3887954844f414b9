-- rtc.cli.configure: `rtcjob configure [--profile NAME]`, as `aws configure` and `hcloud
-- configure`: writes the section NAME (default basic) of the credentials file the official SDKs
-- and the module read (HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials; INI:
-- "[section]" then "ak = ...", "sk = ...", "project_id = ..."; see src/core/auth/rtc_profile.c).
-- The other sections, and the section's other keys, are kept. The file is written whole to a
-- new file that mktemp(1) creates 0600 beside it, then renamed over it: never a moment when it
-- is readable by others or half written. The secret key is read without echo on a terminal
-- (stty -echo), else from stdin or --sk-file; it is never printed.
local console = require "rtc.cli.console"
local credentials = require "rtc.cli.credentials"
local flagrows = require "rtc.cli.flags"

local usage_error, getenv = console.usage_error, console.getenv

local M = {}

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

function M.path()
  local p = getenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
  if p then return p end
  local home = getenv("HOME")
  if not home then usage_error("configure: no HOME; set HUAWEICLOUD_SDK_CREDENTIALS_FILE") end
  return home .. "/.huaweicloud/credentials"
end

-- one line of stdin; on a terminal after a prompt on stderr, and without echo when secret
local function ask(prompt, secret, tty)
  if tty then
    io.stderr:write(prompt)
    io.stderr:flush()
    if secret then os.execute("stty -echo 2>/dev/null") end
  end
  local line = io.stdin:read("*l")
  if tty and secret then
    os.execute("stty echo 2>/dev/null")
    io.stderr:write("\n")
  end
  return line and line:gsub("\r$", ""):match("^%s*(.-)%s*$") or nil
end

-- the file's text with [section] holding values (other keys and sections kept)
function M.merge(text, section, values, order)
  local out, in_section, found = {}, false, false
  local function add_values()
    for _, k in ipairs(order) do
      if values[k] then out[#out + 1] = k .. " = " .. values[k] end
    end
  end
  for line in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
    local name = line:match("^%s*%[%s*(.-)%s*%]%s*$")
    if name then
      if in_section then
        while #out > 0 and out[#out]:match("^%s*$") do out[#out] = nil end
        add_values()
        out[#out + 1] = ""
      end
      in_section = name == section
      found = found or in_section
      out[#out + 1] = line
    else
      local key = line:match("^%s*([^=#;%s]+)%s*=")
      if not (in_section and key and values[key] ~= nil) then out[#out + 1] = line end
    end
  end
  if in_section then
    while #out > 0 and out[#out]:match("^%s*$") do out[#out] = nil end
    add_values()
  elseif not found then
    while #out > 0 and out[#out]:match("^%s*$") do out[#out] = nil end
    if #out > 0 then out[#out + 1] = "" end
    out[#out + 1] = "[" .. section .. "]"
    add_values()
  end
  return table.concat(out, "\n") .. "\n"
end

local ORDER = { "ak", "sk", "project_id", "security_token" }

local function run(cmd, o, pos)
  flagrows.need_pos(cmd, pos, 0, 0)
  local section = o.profile or getenv("RTC_PROFILE") or "basic"
  if not section:match("^[%w_%.%-]+$") then
    usage_error("--profile: expected letters, digits, '_', '.' or '-', got '%s'", section)
  end
  local tty = console.is_tty(0)
  if o.sk and o.sk_file then usage_error("give --sk or --sk-file, not both") end
  local values = { ak = o.ak, project_id = o.project_id, security_token = o.security_token }
  values.sk = o.sk or (o.sk_file and credentials.read_secret(o.sk_file, "--sk-file"))
  if o.sk_file == "-" then tty = false end
  if not values.ak then values.ak = ask("Access key (AK): ", false, tty) end
  if not values.sk then
    if o.sk_file ~= "-" then credentials.claim_stdin("the secret key") end
    values.sk = ask("Secret key (SK, not shown): ", true, tty)
  end
  if not values.project_id and (tty or not o.ak) then
    values.project_id = ask("Project id (empty: none): ", false, tty)
  end
  for _, k in ipairs(ORDER) do
    if values[k] == "" then values[k] = nil end
    if values[k] and values[k]:find("[%c]") then usage_error("configure: %s holds a control character", k) end
  end
  console.add_secret(values.sk)
  console.add_secret(values.security_token)
  if not values.ak then usage_error("configure: no access key given (--ak, or on stdin)") end
  if not values.sk then usage_error("configure: no secret key given (--sk-file, or on stdin)") end

  local path = M.path()
  local dir = path:match("^(.*)/[^/]*$") or "."
  local f = io.open(path, "rb")
  local text = ""
  if f then text = f:read("*a") or "" f:close() end
  if not os.execute("mkdir -p -m 0700 " .. shell_quote(dir) .. " 2>/dev/null") and not io.open(dir .. "/.") then
    console.err_line("configure: cannot create " .. dir)
    return 1
  end
  local p = io.popen("mktemp " .. shell_quote(path .. ".XXXXXX") .. " 2>/dev/null")
  local tmp = p and p:read("*l")
  if p then p:close() end
  if not tmp or tmp == "" then
    console.err_line("configure: cannot create a file in " .. dir)
    return 1
  end
  local w = io.open(tmp, "wb")
  local ok = w and w:write(M.merge(text, section, values, ORDER)) and w:close()
  if not ok or not os.execute("mv -f " .. shell_quote(tmp) .. " " .. shell_quote(path)) then
    os.remove(tmp)
    console.err_line("configure: cannot write " .. path)
    return 1
  end
  io.stderr:write(console.PROG .. ": wrote [" .. section .. "] (ak" .. (values.project_id and ", project_id" or "")
    .. ", sk) to " .. path .. " (mode 0600)\n")
  return 0
end

function M.commands()
  return { {
    name = "configure",
    usage = "configure [--profile NAME] [--ak AK] [--sk-file FILE|-] [--project-id ID]",
    summary = "Write a profile of the credentials file the SDKs read (0600; the SK never shown).",
    args = {},
    flags = {},
    notes = "Asks for what the flags do not give: on a terminal with prompts (the secret key without\n"
      .. "echo), else one value a line on stdin (ak, sk, project_id). The file is\n"
      .. "HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials; its other sections stay.",
    run = run } }
end

return M
