-- rtc.cli.output: the output formats (json, ndjson, text, table), --query, and the printing of a
-- prepared request (--dry-run). Every string shown to a person goes through console.esc.
local console = require "rtc.cli.console"
local json = require "rtc.cli.json"

local esc, out = console.esc, console.out
local fields_of, field_named, sub_schema, is_array = json.fields_of, json.field_named, json.sub_schema, json.is_array

local M = {}

function M.format(o)
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

-- a list of objects as columns: their scalar fields, in schema order
function M.render_columns(items, schema)
  local cols = {}
  for _, f in ipairs(fields_of(schema) or {}) do
    if f.type ~= "object" and f.type ~= "array" and #cols < 6 then cols[#cols + 1] = f.name end
  end
  if #cols == 0 then
    local seen = {}
    for _, it in ipairs(items) do
      if type(it) == "table" then
        for k, v in next, it do
          if type(k) == "string" and type(v) ~= "table" and not seen[k] then seen[k] = true cols[#cols + 1] = k end
        end
      end
    end
    table.sort(cols)
    while #cols > 6 do cols[#cols] = nil end
  end
  local rows, width = { {} }, {}
  for i, c in ipairs(cols) do rows[1][i] = c:upper() width[i] = #c end
  for _, it in ipairs(items) do
    local r = {}
    for i, c in ipairs(cols) do
      r[i] = type(it) == "table" and (field(rawget(it, c)) or "-") or esc(scalar_text(it))
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
  return M.render_table(v, schema)
end

-- --query: FIELD[.FIELD...]; numeric parts index arrays from 0. Returns the value and its schema.
function M.select_path(v, schema, path)
  local sch = schema
  for part in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    local n = part:match("^%d+$") and tonumber(part)
    if n and is_array(v) then
      v = v[n + 1]
    else
      local f = field_named(sch, part)
      v = rawget(v, part)
      sch = sub_schema(f)
      if f and f.type == "array" then sch = { fields = fields_of(sch), __array = true } end
    end
  end
  return v, sch
end

function M.check_query(q)
  if q and not q:match("^[%w_%-]+[%w_%-%.]*$") or (q and (q:find("%.%.") or q:find("%.$"))) then
    console.usage_error("--query: expected FIELD[.FIELD...], got '%s'", q)
  end
end

-- prints a value (its --query part) in a format; 0, or 1 when it cannot be printed
function M.emit(o, v, schema, fmt)
  if o.query then v, schema = M.select_path(v, schema, o.query) end
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

-- a prepared request, its token headers masked
function M.show_request(req, fmt)
  local headers, names = {}, {}
  for k, v in pairs(type(req.headers) == "table" and req.headers or {}) do
    names[#names + 1] = k
    headers[k] = MASKED_HEADERS[tostring(k):lower()] and "****" or v
  end
  table.sort(names, function(a, b) return tostring(a):lower() < tostring(b):lower() end)
  if fmt == "json" or fmt == "ndjson" then
    out(json.encode({ method = req.method, url = req.url, headers = headers,
                      body = req.body ~= "" and req.body or nil }, REQUEST_SCHEMA) .. "\n")
    return
  end
  local s = { esc(tostring(req.method)) .. " " .. esc(tostring(req.url)) }
  for _, k in ipairs(names) do s[#s + 1] = esc(tostring(k)) .. ": " .. esc(tostring(headers[k])) end
  if req.body and req.body ~= "" then s[#s + 1] = "" s[#s + 1] = esc(req.body) end
  out(table.concat(s, "\n") .. "\n")
end

return M
