-- rtc.cli.output: the output formats (json, ndjson, text, table), --query, and the printing of a
-- prepared request (--dry-run). Every string shown to a person goes through console.esc.
local console = require "rtc.cli.console"
local json = require "rtc.cli.json"
local jmespath = require "rtc.cli.jmespath"
local yaml = require "rtc.cli.yaml"

local esc, out = console.esc, console.out
local fields_of, field_named, sub_schema, is_array = json.fields_of, json.field_named, json.sub_schema, json.is_array

local M = {}

function M.format(o)
  if o.output == "yaml" then
    local ok, why = yaml.available()
    if not ok then console.usage_error("%s", why) end
  end
  if o.output then return o.output end
  if o.json then return "json" end
  return console.is_tty(1) and "table" or "json"
end

local function scalar_text(v)
  if type(v) == "table" then return json.encode(v) end
  if v == nil or v == json.null then return "" end
  if type(v) == "number" and (v ~= v or v == math.huge or v == -math.huge) then return "null" end
  if type(v) == "number" and v % 1 == 0 and v > -2^53 and v < 2^53 then return string.format("%d", v) end
  return tostring(v)
end
M.scalar_text = scalar_text

-- flattened "path<TAB>value" lines, in schema order
local function flatten(v, schema, prefix, lines, depth)
  depth = depth or 0
  if type(v) ~= "table" or depth > 32 then
    lines[#lines + 1] = { prefix, esc(scalar_text(v)) }
    return lines
  end
  if is_array(v) then
    for i = 1, #v do flatten(v[i], schema, prefix .. (prefix ~= "" and "." or "") .. (i - 1), lines, depth + 1) end
    return lines
  end
  local keys, seen = {}, {}
  for _, f in ipairs(fields_of(schema) or {}) do
    if rawget(v, f.name) ~= nil then keys[#keys + 1] = { f.name, sub_schema(f) } seen[f.name] = true end
  end
  local rest = {}
  for k in next, v do if not seen[k] then rest[#rest + 1] = k end end
  table.sort(rest, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(rest) do keys[#keys + 1] = { k } end
  for _, k in ipairs(keys) do
    flatten(rawget(v, k[1]), k[2], prefix .. (prefix ~= "" and "." or "") .. esc(tostring(k[1])), lines, depth + 1)
  end
  return lines
end

local function render_text(v, schema)
  if type(v) ~= "table" then return esc(scalar_text(v)) .. "\n" end
  local lines = {}
  for _, l in ipairs(flatten(v, schema, "", {})) do lines[#lines + 1] = l[1] .. "\t" .. l[2] end
  return #lines > 0 and (table.concat(lines, "\n") .. "\n") or ""
end

-- a scalar as one escaped cell, nil when there is nothing to show
local function field(v)
  if type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean" then return nil end
  v = scalar_text(v)
  if v == "" then return nil end
  return esc(v)
end
M.field = field

local function job_summary(job)
  local lines = {}
  local function row(label, value)
    if value then lines[#lines + 1] = string.format("  %-14s %s", label, value) end
  end
  local head = "job " .. (field(job.job_id) or "?") .. "  " .. (field(job.state) or "")
  if field(job.stop_reason) then head = head .. " (" .. field(job.stop_reason) .. ")" end
  lines[1] = head
  row("app", field(job.app_id))
  row("room / user", (field(job.room_id) or "-") .. " / " .. (field(job.user_id) or "-"))
  row("stream", field(job.stream_name))
  local video = {}
  if field(job.video_type) then video[#video + 1] = field(job.video_type) end
  if field(job.select_stream_type) then video[#video + 1] = field(job.select_stream_type) end
  if type(job.is_record_audio) == "boolean" then
    video[#video + 1] = job.is_record_audio and "audio on" or "audio off"
  end
  if field(job.max_idle_time) then video[#video + 1] = "max idle " .. field(job.max_idle_time) .. "s" end
  if #video > 0 then row("video", table.concat(video, ", ")) end
  local pp = type(job.publish_param) == "table" and job.publish_param or nil
  if pp and type(pp.rtmp_urls) == "table" then
    for i, u in ipairs(pp.rtmp_urls) do row(i == 1 and "publish" or "", field(u) or "?") end
  end
  local rp = type(job.record_param) == "table" and job.record_param or nil
  if rp then row("record rule", field(rp.record_rule_id)) end
  row("created", field(job.create_time))
  row("started", field(job.start_time))
  row("updated", field(job.update_time))
  row("stopped", field(job.stop_time))
  row("description", field(job.description))
  row("request id", field(job.request_id))
  return table.concat(lines, "\n") .. "\n"
end

local MAX_COLUMNS = 7

-- a list of objects as columns: their scalar fields, in schema order
function M.render_columns(items, schema)
  local any_table = false
  for _, it in ipairs(items) do if type(it) == "table" then any_table = true end end
  if not any_table then   -- a list of scalars: one a line
    local lines = {}
    for i, it in ipairs(items) do lines[i] = esc(scalar_text(it)) end
    return #lines > 0 and (table.concat(lines, "\n") .. "\n") or ""
  end
  -- the columns: scalar fields in schema order; a nested object shows as its first scalar field
  -- (an app's state as state.state, its auto_record_mode as auto_record_mode.mode)
  local cols = {}
  for _, f in ipairs(fields_of(schema) or {}) do
    if #cols >= MAX_COLUMNS then break end
    if f.type == "object" then
      for _, sf in ipairs(fields_of(f.fields) or {}) do
        if sf.type ~= "object" and sf.type ~= "array" then cols[#cols + 1] = { f.name, sf.name } break end
      end
    elseif f.type ~= "array" then
      cols[#cols + 1] = { f.name }
    end
  end
  if #cols == 0 then   -- no schema: every scalar key and every nested object's scalar keys, sorted
    local seen, names = {}, {}
    for _, it in ipairs(items) do
      if type(it) == "table" and not is_array(it) then
        for k, v in next, it do
          if type(v) == "table" and not is_array(v) then
            for k2, v2 in next, v do
              local n = tostring(k) .. "." .. tostring(k2)
              if type(v2) ~= "table" and not seen[n] then
                seen[n] = { tostring(k), tostring(k2) }
                names[#names + 1] = n
              end
            end
          elseif type(v) ~= "table" and not seen[k] then
            seen[k] = { tostring(k) } names[#names + 1] = tostring(k)
          end
        end
      end
    end
    table.sort(names)
    for i = 1, math.min(#names, MAX_COLUMNS) do cols[i] = seen[names[i]] end
  end
  local function cell(it, c)
    local v = rawget(it, c[1])
    if c[2] then v = type(v) == "table" and rawget(v, c[2]) or nil end
    return field(v) or "-"
  end
  local rows, width = { {} }, {}
  for i, c in ipairs(cols) do
    local head = table.concat(c, "."):upper()
    rows[1][i] = head
    width[i] = #head
  end
  for _, it in ipairs(items) do
    local r = {}
    for i, c in ipairs(cols) do
      r[i] = type(it) == "table" and cell(it, c) or esc(scalar_text(it))
      if #r[i] > 40 then r[i] = r[i]:sub(1, 39) .. "~" end
      width[i] = math.max(width[i], #r[i])
    end
    rows[#rows + 1] = r
  end
  local lines = {}
  for _, r in ipairs(rows) do
    local cells = {}
    for i = 1, #cols do cells[i] = (r[i] or "") .. string.rep(" ", width[i] - #(r[i] or "")) end
    lines[#lines + 1] = (table.concat(cells, "  "):gsub("%s+$", ""))
  end
  return table.concat(lines, "\n") .. "\n"
end

local function looks_like_job(schema)
  return field_named(schema, "job_id") and field_named(schema, "room_id") and field_named(schema, "user_id")
end

function M.render_table(v, schema)
  if type(v) ~= "table" then return esc(scalar_text(v)) .. "\n" end
  if is_array(v) then
    return M.render_columns(v, schema)
  end
  if looks_like_job(schema) then return job_summary(v) end
  local lines, width = flatten(v, schema, "", {}), 0
  for _, l in ipairs(lines) do width = math.max(width, #l[1]) end
  local s = {}
  for _, l in ipairs(lines) do s[#s + 1] = string.format("%-" .. width .. "s  %s", l[1], l[2]) end
  return #s > 0 and (table.concat(s, "\n") .. "\n") or ""
end

local function render(v, schema, fmt)
  if fmt == "json" or fmt == "ndjson" then return json.encode(v, schema) .. "\n" end
  if fmt == "text" then return render_text(v, schema) end
  if fmt == "yaml" then return yaml.encode(v, schema) end
  return M.render_table(v, schema)
end

-- --query: a JMESPath expression (rtc.cli.jmespath), compiled once. Returns the value and the
-- schema that still describes it (nil when the expression leaves the answer's shape).
function M.select_path(v, schema, ast)
  return jmespath.search(ast, v, schema)
end

-- the compiled --query (o.query_ast), or a usage error pointing at the column
function M.check_query(o)
  if o.query == nil or o.query_ast then return end
  local ok, ast = pcall(jmespath.parse, o.query)
  if not ok then console.usage_error("--query: %s", jmespath.error_text(ast, o.query)) end
  o.query_ast = ast
end

local function apply_query(o, v, schema)
  if o.query == nil then return true, v, schema end
  M.check_query(o)
  local ok, r, rs = pcall(jmespath.search, o.query_ast, v, schema)
  if not ok then
    for line in ("--query: " .. jmespath.error_text(r, o.query) .. "\n"):gmatch("([^\n]*)\n") do
      console.err_line(line)
    end
    return false
  end
  return true, r, rs
end
M.apply_query = apply_query

-- prints a value (its --query part) in a format; 0, or 1 when it cannot be printed
function M.emit(o, v, schema, fmt)
  local okq
  okq, v, schema = apply_query(o, v, schema)
  if not okq then return 2 end
  local ok, text = pcall(render, v, schema, fmt)
  if not ok then
    console.err_line("the answer cannot be printed: " .. tostring(text))
    return 1
  end
  out(text)
  return 0
end

local MASKED_HEADERS = { ["x-auth-token"] = true, ["x-security-token"] = true }

local REQUEST_SCHEMA = { fields = { { name = "method" }, { name = "url" }, { name = "headers" }, { name = "body" } } }

-- a prepared request, its token headers masked (--query applies to {method, url, headers, body});
-- the exit code
function M.show_request(o, req, fmt)
  local headers, names = {}, {}
  for k, v in pairs(type(req.headers) == "table" and req.headers or {}) do
    names[#names + 1] = k
    headers[k] = MASKED_HEADERS[tostring(k):lower()] and console.MASK or v
  end
  table.sort(names, function(a, b) return tostring(a):lower() < tostring(b):lower() end)
  local doc = { method = req.method, url = req.url, headers = headers, body = req.body ~= "" and req.body or nil }
  if o.query ~= nil or fmt == "yaml" then return M.emit(o, doc, REQUEST_SCHEMA, fmt) end
  if fmt == "json" or fmt == "ndjson" then
    out(json.encode(doc, REQUEST_SCHEMA) .. "\n")
    return 0
  end
  local s = { esc(tostring(req.method)) .. " " .. esc(tostring(req.url)) }
  for _, k in ipairs(names) do s[#s + 1] = esc(tostring(k)) .. ": " .. esc(tostring(headers[k])) end
  if req.body and req.body ~= "" then s[#s + 1] = "" s[#s + 1] = esc(req.body) end
  out(table.concat(s, "\n") .. "\n")
  return 0
end

return M
