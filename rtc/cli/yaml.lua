-- rtc.cli.yaml: --output yaml through lua-yaml (Debian's LibYAML binding, module "yaml"): the
-- value is walked here, its objects' keys in the schema's order (then the others, sorted) as
-- the JSON output has them, and LibYAML's emitter writes the events (quoting and escaping are
-- LibYAML's). Strings that would read back as another type (a number, true, null, ...) are quoted.
local json = require "rtc.cli.json"

local M = {}

local NULL = json.null

-- plain strings YAML 1.1 and 1.2 readers take for something else
local function looks_typed(s)
  if s == "" or tonumber(s) or s:match("^[-+]?%.?[iI][nN][fF]$") or s:match("^%.?[nN][aA][nN]$") then return true end
  local l = s:lower()
  for _, w in ipairs({ "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n" }) do
    if l == w then return true end
  end
  return s:match("^0[xob]") ~= nil or s:match("^%d+:%d") ~= nil
end

local function scalar_event(v)
  local t, style = type(v), "PLAIN"
  if v == nil or v == NULL then
    v = "null"
  elseif t == "number" then
    if v ~= v then v = ".nan"
    elseif v == math.huge then v = ".inf"
    elseif v == -math.huge then v = "-.inf"
    elseif v % 1 == 0 and v > -2^53 and v < 2^53 then v = string.format("%d", v)
    else v = string.format("%.17g", v) end
  elseif t == "boolean" then
    v = tostring(v)
  elseif t == "string" then
    if looks_typed(v) then style = "SINGLE_QUOTED"
    elseif v:find("\n", 1, true) then style = "DOUBLE_QUOTED" end
  else
    v, style = tostring(v), "DOUBLE_QUOTED"
  end
  return { type = "SCALAR", value = v, plain_implicit = true, quoted_implicit = true, style = style }
end

local function walk(emit, v, schema, depth)
  if type(v) ~= "table" or depth > 64 then return emit(scalar_event(type(v) == "table" and "..." or v)) end
  if json.is_array(v) or (next(v) == nil and schema and (schema.__items or schema.__array)) then
    emit { type = "SEQUENCE_START", style = "BLOCK" }
    for i = 1, #v do walk(emit, v[i], schema, depth + 1) end
    return emit { type = "SEQUENCE_END" }
  end
  emit { type = "MAPPING_START", style = "BLOCK" }
  local seen = {}
  for _, f in ipairs(json.fields_of(schema) or {}) do
    local val = rawget(v, f.name)
    if val ~= nil then
      seen[f.name] = true
      emit(scalar_event(f.name))
      local sub = json.sub_schema(f)
      if f.type == "array" then sub = { fields = json.fields_of(sub), __items = true } end
      walk(emit, val, sub, depth + 1)
    end
  end
  local rest = {}
  for k in next, v do if not seen[k] then rest[#rest + 1] = k end end
  table.sort(rest, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(rest) do
    emit(scalar_event(tostring(k)))
    walk(emit, rawget(v, k), nil, depth + 1)
  end
  return emit { type = "MAPPING_END" }
end

-- available() -> true, or false and why
function M.available()
  local ok, y = pcall(require, "yaml")
  if ok and type(y) == "table" and type(y.emitter) == "function" then return true end
  return false, "--output yaml needs lua-yaml, the LibYAML binding (Debian: apt-get install lua-yaml)"
end

-- encode(v, schema) -> one YAML document (starting with ---)
function M.encode(v, schema)
  local emitter = require("yaml").emitter()
  local function emit(ev)
    local ok, err = emitter.emit(ev)
    if not ok then error("yaml: " .. tostring(err), 0) end
    return err
  end
  emit { type = "STREAM_START", encoding = "UTF8" }
  emit { type = "DOCUMENT_START", implicit = false }
  walk(emit, v, schema, 0)
  emit { type = "DOCUMENT_END", implicit = true }
  return emit { type = "STREAM_END" }
end

return M
