-- rtc.cli.batch: one operation for every job id of a list (--jobs FILE), through client:batch:
-- shared parameters checked once before anything is sent, ndjson lines as each job finishes (or
-- in input order with --ordered), a progress line on a terminal, and the worst exit code.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local json = require "rtc.cli.json"
local output = require "rtc.cli.output"
local credentials = require "rtc.cli.credentials"
local client_of = require "rtc.cli.client"
local request = require "rtc.cli.request"
local yaml = require "rtc.cli.yaml"

local esc, out, err_line = console.esc, console.out, console.err_line
local field, scalar_text = output.field, output.scalar_text

-- the --query part of one job's answer (an evaluation error is reported, the value is null)
local function query_value(o, res, schema)
  local _, v = output.apply_query(o, res, schema)
  return v
end

local M = {}

local function read_job_ids(path)
  local data = credentials.read_input(path, path == "-" and "--jobs -" or "the job list")
  local ids = {}
  for line in data:gmatch("[^\r\n]+") do
    local id = line:match("^%s*(.-)%s*$")
    if id ~= "" and id:sub(1, 1) ~= "#" then ids[#ids + 1] = id end
  end
  if #ids == 0 then console.usage_error("no job ids in %s", path == "-" and "stdin" or path) end
  return ids
end

local function batch_item(o, row, id, r)
  local item
  if r.err then
    item = { job_id = id, ok = false, error = errors.table(r.err) }
  else
    local res = r.result
    if o.query then
      item = { job_id = id, ok = true, value = query_value(o, res, row.response) }
    elseif json.fields_of(row.response) then
      item = { job_id = id, ok = true, job = res }
    else
      item = { job_id = id, ok = true, request_id = type(res) == "table" and res.request_id or nil }
    end
  end
  return item
end

local NO_RESULT = { err = { kind = "cancelled", message = "no result" } }

-- run(o, cmd, params, tbl): params are the path parameters before the job id
function M.run(o, cmd, params, tbl)
  local row = cmd.row
  local fmt = output.format(o)
  local ids = read_job_ids(o.jobs)
  local client = client_of.new(o)
  local item_schema = { fields = { { name = "job_id" }, { name = "ok" }, { name = "value" },
    { name = "job", type = "object", fields = row.response }, { name = "request_id" },
    { name = "error", type = "object", fields = errors.SCHEMA } } }
  local function call_of(id)
    local a = {}
    for i, v in ipairs(params) do a[i] = v end
    a[#a + 1] = id
    return a
  end
  if o.dry_run then
    local code = 0
    for _, id in ipairs(ids) do code = math.max(code, request.dry_run(o, client, row, call_of(id), tbl, fmt)) end
    pcall(client.close, client)
    return code
  end
  -- validate the shared parameters once: a bad value fails before anything is sent
  local okp, req, e = request.prepare(client, row, call_of(ids[1]), tbl)
  if not okp or (not req and type(e) == "table" and e.kind == "invalid") then
    err_line(errors.text(okp and e or req))
    pcall(client.close, client)
    return 2
  end

  local calls = {}
  for i, id in ipairs(ids) do
    local c = call_of(id)
    table.insert(c, 1, row.name)
    if tbl ~= nil then c[#c + 1] = tbl end
    calls[i] = c
  end
  local tty_err = fmt ~= "ndjson" and console.is_tty(2)
  local code, failed, done = 0, 0, 0
  local lines, next_out = {}, 1   -- ndjson: finished lines by index; the next one in input order
  local function line_of(i, r)
    local ok, s = pcall(json.encode, batch_item(o, row, ids[i], r), item_schema)
    if not ok then
      s = json.encode(batch_item(o, row, ids[i], { err = { kind = "decode",
        message = "the answer cannot be printed: " .. tostring(s) } }), item_schema)
    end
    return s
  end
  local function progress(_, total, index, result, err)
    done = done + 1
    if err then
      failed = failed + 1
      code = math.max(code, errors.exit_code(err))
    end
    if fmt == "ndjson" and type(index) == "number" then
      lines[index] = line_of(index, { result = result, err = err })
      if not o.ordered then
        out(lines[index] .. "\n")
      else
        while lines[next_out] do out(lines[next_out] .. "\n") next_out = next_out + 1 end
      end
      io.stdout:flush()
    elseif tty_err then
      io.stderr:write(string.format("\r %d/%d done, %d failed", done, total, failed))
      io.stderr:flush()
    end
  end
  local ok, results, summary = pcall(client.batch, client, calls, {
    concurrency = o.concurrency or 16, progress = progress })
  if not ok then
    err_line(errors.text(results))
    pcall(client.close, client)
    return errors.failure_code(results)
  end
  if tty_err then io.stderr:write("\n") end
  pcall(client.close, client)

  results = type(results) == "table" and results or {}
  code = 0
  local items, text = {}, {}
  local nfailed = 0
  for i, id in ipairs(ids) do
    local r = results[i] or NO_RESULT
    if r.err then
      nfailed = nfailed + 1
      code = math.max(code, errors.exit_code(r.err))
      if fmt ~= "table" then err_line(id .. ": " .. errors.text(r.err)) end
      text[#text + 1] = string.format("%-24s FAILED  %s", esc(id), console.esc_line(console.redact(errors.text(r.err))))
    else
      local res = type(r.result) == "table" and r.result or {}
      if o.query then
        text[#text + 1] = esc(id) .. "\t" .. esc(scalar_text(query_value(o, res, row.response)))
      elseif not json.fields_of(row.response) then
        text[#text + 1] = string.format("%-24s done  (request %s)", esc(id), field(res.request_id) or "-")
      else
        text[#text + 1] = string.format("%-24s ok  %s  (request %s)", esc(id), field(res.state) or "",
          field(res.request_id) or "-")
      end
    end
    if fmt == "json" then items[#items + 1] = line_of(i, r) end
    if fmt == "yaml" then items[#items + 1] = batch_item(o, row, id, r) end
  end
  if fmt == "ndjson" then
    -- lines the progress never reported (there should be none) go now, in input order
    for i = 1, #ids do
      if not lines[i] then
        lines[i] = line_of(i, results[i] or NO_RESULT)
        if not o.ordered then out(lines[i] .. "\n") end
      end
    end
    if o.ordered then for i = next_out, #ids do out(lines[i] .. "\n") end end
  end
  local nok = #ids - nfailed
  if type(summary) == "table" and type(summary.ok) == "number" then nok = summary.ok end
  if fmt == "yaml" then
    out(yaml.encode({ results = items, ok = nok, failed = nfailed }, { fields = {
      { name = "results", type = "array", item_fields = item_schema }, { name = "ok" }, { name = "failed" } } }))
  elseif fmt == "json" then
    out('{"results":[' .. table.concat(items, ",") .. '],"ok":' .. string.format("%d", nok)
      .. ',"failed":' .. string.format("%d", nfailed) .. "}\n")
  elseif fmt ~= "ndjson" then
    if #text > 0 then out(table.concat(text, "\n") .. "\n") end
    if fmt == "table" then out(string.format("%d jobs: %d ok, %d failed\n", #ids, nok, nfailed)) end
  end
  if nfailed > 0 and fmt == "table" then
    err_line(string.format("%d of %d jobs failed", nfailed, #ids))
  end
  return code
end

return M
