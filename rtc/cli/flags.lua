-- rtc.cli.flags: the flag rows (one row adds one flag:
--   { name, METAVAR (nil: boolean), help, type=, multi=, secret=, choices=, min=, max= })
-- and the conversion of a flag's value (case-insensitive enums with a did-you-mean, integers,
-- ranges, seconds, NAME:VALUE headers). rtc.cli.parser makes lua-argparse options of them.
local console = require "rtc.cli.console"
local suggest = require "rtc.cli.suggest"

local usage_error = console.usage_error

local M = {}

M.OUTPUTS = { "json", "ndjson", "text", "table", "yaml" }

M.GLOBAL_FLAGS = {
  { "output", "FORMAT", "json, ndjson, text, table, yaml (default: table on a tty, else json)",
    choices = M.OUTPUTS, lower = true },
  { "json", nil, "same as --output json" },
  { "query", "JMESPATH", "print what a JMESPath expression selects: 'apps[*].app_id'" },
  { "dry-run", nil, "print the prepared, signed request (secrets masked); send nothing" },
  { "debug", nil, "on stderr: the credentials' source, each request and answer (headers, body)" },
  { "endpoint", "URL", "service endpoint; repeat or comma-separate for failover", multi = true },
  { "region", "REGION", "service region, e.g. cn-north-4 (--endpoint wins)" },
  { "profile", "NAME", "section of the credentials file (default: basic)" },
  { "token", "TOKEN", "token authentication (X-Auth-Token)", secret = true },
  { "token-file", "FILE", "read the token from FILE ('-' = stdin)" },
  { "ak", "AK", "access key for AK/SK signing" },
  { "sk", "SK", "secret key for AK/SK signing", secret = true },
  { "sk-file", "FILE", "read the secret key from FILE ('-' = stdin)" },
  { "project-id", "ID", "project id (X-Project-Id) for AK/SK signing" },
  { "security-token", "TOKEN", "temporary credentials' security token", secret = true },
  { "timeout", "SECONDS", "timeout of one attempt (fractions ok)", type = "seconds" },
  { "connect-timeout", "SECONDS", "timeout of connecting", type = "seconds" },
  { "deadline", "SECONDS", "time for the whole call, retries included", type = "seconds" },
  { "retries", "N", "retries after a failed attempt (default 2)", type = "count" },
  { "proxy", "URL", "HTTP(S) proxy, e.g. http://proxy:3128" },
  { "ca-file", "FILE", "CA bundle for TLS verification" },
  { "insecure", nil, "dangerous: skip TLS certificate and host checks" },
}

M.BATCH_FLAGS = {
  { "jobs", "FILE", "run for every job id in FILE (one a line, '#' comments; '-' = stdin)" },
  { "concurrency", "N", "requests in flight in a batch (default 16)", type = "positive" },
  { "ordered", nil, "ndjson batches: print in input order (default: as each finishes)" },
}

M.PARAMS_FLAG = { "params", "JSON", "the request body: JSON, @FILE or - (stdin)" }
M.ALL_FLAG = { "all", nil, "walk every page and print every item" }

-- an API name as a command or flag name (create_job -> create-job)
function M.cli_name(s) return (s:gsub("_", "-")) end
-- the key of a flag's value in the parsed options (--rtmp-url -> rtmp_url)
function M.key_of(row) return (row[1]:gsub("-", "_")) end

function M.convert(row, val)
  local t = row.type
  if row.choices then
    local cmp = row.lower and val:lower() or val:upper()
    for _, c in ipairs(row.choices) do if c == cmp or c == val then return c end end
    return nil, "expected one of " .. table.concat(row.choices, ", ") .. ", got '" .. val .. "'"
      .. suggest.hint(val, row.choices)
  elseif t == "integer" or t == "count" or t == "positive" then
    local n = val:match("^%s*[+-]?%d+%s*$") and tonumber(val)
    if not n then return nil, "expected an integer, got '" .. val .. "'" end
    if t == "count" and n < 0 then return nil, "expected 0 or more, got '" .. val .. "'" end
    if t == "positive" and n < 1 then return nil, "expected 1 or more, got '" .. val .. "'" end
    if (row.min and n < row.min) or (row.max and n > row.max) then
      return nil, string.format("expected %s..%s, got '%s'", tostring(row.min or ""), tostring(row.max or ""), val)
    end
    return math.floor(n)
  elseif t == "number" then
    local n = tonumber(val)
    if not n or n ~= n or n == math.huge or n == -math.huge then
      return nil, "expected a number, got '" .. val .. "'"
    end
    return n
  elseif t == "boolean" then
    local v = val:lower()
    if v == "true" then return true elseif v == "false" then return false end
    return nil, "expected true or false, got '" .. val .. "'"
  elseif t == "seconds" then
    local n = tonumber(val)
    if not n or n ~= n or n <= 0 or n == math.huge then
      return nil, "expected a number of seconds > 0, got '" .. val .. "'"
    end
    return n
  elseif t == "header" then
    local k, v = val:match("^%s*([^:%s][^:]-)%s*:%s*(.-)%s*$")
    if not k then return nil, "expected NAME:VALUE" end
    return { k, v }
  end
  if val == "" then return nil, "empty value" end
  return val
end

-- between min and max positional arguments, or a usage error
function M.need_pos(cmd, pos, min, max)
  if #pos < min then
    usage_error("missing arguments; usage: %s %s", console.PROG, cmd.usage)
  elseif #pos > max then
    usage_error("'%s': unexpected argument '%s'", cmd.name, pos[max + 1])
  end
end

return M
