-- rtc.cli.man: the man page (roff) of rtcjob, written from the same command table and flag rows
-- as the help (argparse makes no man pages). `make man` writes it to man/rtcjob.1.
local flags = require "rtc.cli.flags"
local parser = require "rtc.cli.parser"

local M = {}

local function roff(s)
  s = tostring(s):gsub("\\", "\\e"):gsub("%-", "\\-")
  return (s:gsub("\n([.'])", "\n\\&%1"):gsub("^([.'])", "\\&%1"))
end

local function flag_left(row) return "--" .. row[1] .. (row[2] and (" " .. row[2]) or "") end

local function man_flags(rows)
  local s = {}
  for _, r in ipairs(rows) do
    s[#s + 1] = ".TP\n.B " .. roff(flag_left(r)) .. "\n" .. roff(r[3])
  end
  return table.concat(s, "\n")
end

-- page(commands, version): the man page in roff
function M.page(commands, version)
  local s = { ".TH RTCJOB 1 \"\" \"rtcjob " .. roff(tostring(version)) .. "\" \"User Commands\"",
    ".SH NAME", "rtcjob \\- Huawei SparkRTC (CloudRTC v2) from the shell",
    ".SH SYNOPSIS", ".B rtcjob", "[\\fIGLOBAL FLAGS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR] [\\fIFLAGS\\fR]",
    ".SH DESCRIPTION",
    "Every operation of the API is a command, made from the operation table of the rtc module;"
      .. " a few short aliases and the commands wait, sign, configure, join\\-signature, events,"
      .. " completion, man and help are added.",
    ".SH COMMANDS" }
  for _, n in ipairs(commands.order) do
    local c = commands.by_name[n]
    s[#s + 1] = ".SS " .. roff(n)
    s[#s + 1] = ".B rtcjob " .. roff(c.usage)
    s[#s + 1] = ".PP\n" .. roff(c.summary) .. (c.detail and (" (" .. roff(c.detail) .. ")") or "")
    if #c.flags > 0 then s[#s + 1] = man_flags(c.flags) end
    if c.notes then s[#s + 1] = ".PP\n" .. roff(c.notes) end
  end
  s[#s + 1] = ".SH GLOBAL FLAGS\nThey may come before or after the command."
  s[#s + 1] = man_flags(flags.GLOBAL_FLAGS)
  s[#s + 1] = ".SH ENVIRONMENT"
  for _, e in ipairs(parser.ENVIRONMENT) do s[#s + 1] = ".TP\n.B " .. roff(e[1]) .. "\n" .. roff(e[2]) end
  s[#s + 1] = ".SH FILES\n.TP\n.B ~/.huaweicloud/credentials\n"
    .. roff("the credentials file (INI; a [profile] section per account) that 'rtcjob configure' writes")
  s[#s + 1] = ".SH EXIT STATUS\n" .. roff(parser.EXIT_HELP)
  return table.concat(s, "\n") .. "\n"
end

return M
