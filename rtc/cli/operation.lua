-- rtc.cli.operation: running the command of an operation: one call (or --dry-run), every page of
-- a list (--all), or a batch over job ids (--jobs), and printing the answer in the chosen format.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local json = require "rtc.cli.json"
local output = require "rtc.cli.output"
local flagrows = require "rtc.cli.flags"
local credentials = require "rtc.cli.credentials"
local client_of = require "rtc.cli.client"
local request = require "rtc.cli.request"
local batch = require "rtc.cli.batch"

local unpack = table.unpack or unpack
local esc, out, err_line, usage_error = console.esc, console.out, console.err_line, console.usage_error
local emit, field = output.emit, output.field

local M = {}

local function list_items_field(row)
  local list = type(row.list) == "table" and row.list or {}
  return json.field_named(row.response, list.items)
end

local function run_all(o, client, row, params, tbl, fmt)
  local list = row.list
  local f = list.items and list_items_field(row)
  local item_schema = f and (f.item_fields or f.fields)
  local iter_name = "each_" .. list.item
  if type(client[iter_name]) ~= "function" then
    err_line("the module has no " .. iter_name .. " for --all")
    return 2
  end
  local all, n = request.call_args(params, tbl)
  local ok, step, state, ctl = pcall(client[iter_name], client, unpack(all, 1, n))
  if not ok then
    err_line(errors.text(step))
    return errors.failure_code(step)
  end
  local items = {}
  while true do
    -- a page that fails is raised by the step (a failed walk is never a short list)
    local stepped, item, e = pcall(step, state, ctl)
    if not stepped then item, e = nil, item end
    if item == nil then
      if e then
        if fmt ~= "ndjson" and #items > 0 then emit(o, { [list.items] = items }, row.response, fmt) end
        err_line(errors.text(e))
        return errors.exit_code(e)
      end
      break
    end
    ctl = item
    if fmt == "ndjson" then
      emit(o, item, item_schema, fmt)
      io.stdout:flush()
    else
      items[#items + 1] = item
    end
  end
  if fmt == "ndjson" then return 0 end
  if fmt == "table" and not o.query then
    out(output.render_columns(items, item_schema))
    return 0
  end
  local doc = { [list.items] = items }
  if list.total then doc[list.total] = #items end
  return emit(o, doc, row.response, fmt)
end

-- the answer of an operation without a response body: its path parameters and request id
local function emit_done(o, cmd, params, res, fmt)
  local doc, schema = {}, { fields = {} }
  for i, p in ipairs(cmd.row.params or {}) do
    doc[p] = params[i]
    schema.fields[i] = { name = p }
  end
  doc.request_id = type(res) == "table" and res.request_id or nil
  if fmt == "table" and not o.query then
    out(cmd.name .. " " .. esc(table.concat(params, " ")) .. ": done"
      .. (field(doc.request_id) and (" (request " .. field(doc.request_id) .. ")") or "") .. "\n")
    return 0
  end
  return emit(o, doc, schema, fmt)
end

-- one page of a list in table format: its items as columns, then the page's other fields
local function emit_page(row, res)
  local f = list_items_field(row)
  local ok1, text = pcall(output.render_columns, rawget(res, row.list.items), f.item_fields or f.fields)
  local rest = {}
  for k, v in next, res do if k ~= row.list.items then rest[k] = v end end
  local ok2, tail = pcall(output.render_table, rest, row.response)
  if ok1 and ok2 then out(text .. tail) return 0 end
  err_line("the answer cannot be printed: " .. tostring(ok1 and tail or text))
  return 1
end

local function run_single(o, cmd, params, tbl)
  local row = cmd.row
  local fmt = output.format(o)
  local client = client_of.new(o)
  local code
  if o.dry_run then
    code = request.dry_run(o, client, row, params, tbl, fmt)
  elseif o.all then
    code = run_all(o, client, row, params, tbl, fmt)
  else
    local all, n = request.call_args(params, tbl)
    local ok, res, e = pcall(client[row.name], client, unpack(all, 1, n))
    if not ok then e, res = res, nil end
    if not res then
      err_line(errors.text(e))
      code = errors.failure_code(e)
    elseif not json.fields_of(row.response) then
      code = emit_done(o, cmd, params, res, fmt)
    elseif fmt == "table" and not o.query and type(row.list) == "table" and list_items_field(row)
           and type(res) == "table" and type(rawget(res, row.list.items)) == "table" then
      code = emit_page(row, res)
    else
      code = emit(o, res, row.response, fmt)
    end
  end
  pcall(client.close, client)
  return code
end

-- the run function of an operation's command (and of its alias): cmd, options, positionals
function M.run(cmd, o, pos)
  local params = cmd.row.params or {}
  output.check_query(o)
  if cmd.check then cmd.check(o) end
  if o.ordered and not o.jobs then usage_error("--ordered needs --jobs FILE") end
  if o.jobs then
    flagrows.need_pos(cmd, pos, #params - 1, #params - 1)
    if o.jobs == "-" then credentials.claim_stdin("--jobs -") end
    return batch.run(o, cmd, pos, request.call_table(cmd, o))
  end
  if o.concurrency then usage_error("--concurrency needs --jobs FILE") end
  flagrows.need_pos(cmd, pos, #params, #params)
  return run_single(o, cmd, pos, request.call_table(cmd, o))
end

return M
