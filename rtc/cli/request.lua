-- rtc.cli.request: the arguments of one call of an operation (path parameters, then the body
-- from --params and the field flags, or the query options), and --dry-run: the call prepared and
-- printed, nothing sent.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local json = require "rtc.cli.json"
local output = require "rtc.cli.output"
local flagrows = require "rtc.cli.flags"
local credentials = require "rtc.cli.credentials"

local unpack = table.unpack or unpack
local usage_error, fields_of = console.usage_error, json.fields_of

local M = {}

local function read_params(o)
  if not o.params then return nil end
  local text = o.params
  if text == "-" then text = credentials.read_input("-", "--params -")
  elseif text:sub(1, 1) == "@" then text = credentials.read_input(text:sub(2), "--params " .. text) end
  local ok, v = pcall(json.decode, text)
  if not ok then
    -- cjson counts characters from 1; the command line counts from 0
    local msg = tostring(v):gsub("at character (%d+)", function(n)
      return string.format("at offset %d (0-based)", tonumber(n) - 1)
    end)
    usage_error("--params: not JSON (%s)", msg)
  end
  if type(v) ~= "table" or json.is_array(v) then usage_error("--params: expected a JSON object") end
  return v
end

-- the body (or the query options) of a call: --params, then the field flags over it
function M.call_table(cmd, o)
  local row = cmd.row
  local tbl
  if fields_of(row.body) then
    tbl = read_params(o) or {}
  elseif fields_of(row.query) then
    tbl = {}
  end
  for _, fl in ipairs(cmd.flags) do
    if (fl.body or fl.query) and o[flagrows.key_of(fl)] ~= nil then tbl[fl.field] = o[flagrows.key_of(fl)] end
  end
  if cmd.build then tbl = cmd.build(o, tbl) end
  return tbl
end

-- the arguments of a method call: the path parameters, then the table (if any); and their count
function M.call_args(params, tbl)
  local all = {}
  for i, a in ipairs(params) do all[i] = a end
  if tbl ~= nil then all[#params + 1] = tbl end
  return all, #params + (tbl ~= nil and 1 or 0)
end

-- the time a request is signed at (SOURCE_DATE_EPOCH fixes it)
function M.now()
  local fixed = tonumber(console.getenv("SOURCE_DATE_EPOCH") or "")
  return fixed or os.time()
end

-- client:prepare(op, params..., tbl, {now}) as a pcall: ok, request or nil, err
function M.prepare(client, row, params, tbl)
  local all, n = M.call_args(params, tbl)
  -- prepare's options come after the table, where the operation takes one (a body or a query)
  if tbl == nil and (row.body or row.query) then n = n + 1 end
  all[n + 1] = { now = M.now() }
  return pcall(client.prepare, client, row.name, unpack(all, 1, n + 1))
end

-- prints the prepared request; the exit code
function M.dry_run(o, client, row, params, tbl, fmt)
  local ok, req, e = M.prepare(client, row, params, tbl)
  if not ok or not req then
    local failure = ok and e or req
    console.err_line(errors.text(failure))
    return errors.failure_code(failure)
  end
  return output.show_request(o, req, fmt)
end

return M
