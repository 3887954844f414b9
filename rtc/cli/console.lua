-- rtc.cli.console: what rtcjob prints for a person. Secrets are redacted (whatever their
-- length), control characters escaped, one line per error; usage errors exit 2 with a hint.
local M = {}

M.PROG = "rtcjob"

local SECRETS = {}

function M.add_secret(s)
  if type(s) ~= "string" or s == "" then return end
  for _, known in ipairs(SECRETS) do if known == s then return end end
  SECRETS[#SECRETS + 1] = s
  table.sort(SECRETS, function(a, b) return #a > #b end)   -- the longest first
end

-- A secret is masked wherever it appears. A short one (under 8 bytes: a test key, "x") is
-- masked where it stands as a word of its own, so that masking "S" does not also eat every "S"
-- of "SDK-HMAC-SHA256"; a long one anywhere, even inside other text.
local SHORT = 8

function M.redact(s)
  s = tostring(s)
  for i = 1, #SECRETS do
    local secret = SECRETS[i]
    local pat = secret:gsub("[^%w]", "%%%0")
    if #secret < SHORT then
      -- word edges: %f[%w] before a secret that starts with a word character, %f[%W] after one
      -- that ends with one (a secret of punctuation is matched as it is)
      if secret:sub(1, 1):match("%w") then pat = "%f[%w]" .. pat end
      if secret:sub(-1):match("%w") then pat = pat .. "%f[%W]" end
    end
    s = s:gsub(pat, "****")   -- the module's one masking style (RTC_MASK)
  end
  return s
end

local ESCAPES = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\27"] = "\\e", ["\\"] = "\\\\" }

local function escape_with(pattern)
  return function(s)
    s = tostring(s):gsub(pattern, function(c)
      return ESCAPES[c] or string.format("\\x%02X", c:byte())
    end)
    return (s:gsub("\194([\128-\159])", function(c) return string.format("\\u00%02X", c:byte()) end))
  end
end

-- control characters (C0, DEL, and C1 as UTF-8) become visible escapes, the module's way
-- (\n, \e, \x07, \u009B); esc also doubles backslashes so that a value's text reads back
-- exactly; esc_line leaves them, for lines that hold the module's own (already escaped) error text
M.esc = escape_with("[%z\1-\31\127\\]")
M.esc_line = escape_with("[%z\1-\31\127]")

function M.out(s) io.stdout:write(M.redact(s)) end
function M.err_line(s) io.stderr:write(M.esc_line(M.redact(M.PROG .. ": " .. tostring(s))) .. "\n") end

function M.exit(code)
  io.stdout:flush()
  io.stderr:flush()
  os.exit(code)
end

-- the help a usage error points to: the command's once the command is known
local help_hint = M.PROG .. " --help"

function M.set_help_hint(s) help_hint = s end

function M.usage_error(fmt, ...)
  M.err_line(string.format(fmt, ...))
  io.stderr:write("Try '" .. help_hint .. "'.\n")
  M.exit(2)
end

function M.is_tty(fd)
  local a, _, c = os.execute("test -t " .. fd)
  if type(a) == "number" then return a == 0 end   -- Lua 5.1: the status
  return a == true and (c == nil or c == 0)
end

-- an environment variable, an empty one being unset
function M.getenv(name)
  local v = os.getenv(name)
  if v == "" then return nil end
  return v
end

-- the module's debug text may hold a whole request: one stderr line per line of it
function M.debug_line(text)
  for line in (tostring(text) .. "\n"):gmatch("([^\n]*)\n") do
    io.stderr:write(M.esc_line(M.redact(M.PROG .. ": debug: " .. line:gsub("\r$", ""))) .. "\n")
  end
end

return M
