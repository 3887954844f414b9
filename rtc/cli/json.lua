-- rtc.cli.json: JSON through a private lua-cjson instance (the caller's settings never leak in);
-- its "\/" escape is undone as the module does. Objects are written with their keys in schema
-- order (then the others, sorted), each key and scalar encoded by cjson, so outputs diff cleanly.
-- Also the schema look-ups every output needs (the schemas are the module's operation rows).
local cjson = require "cjson"

local M = {}

-- the arrays --query makes are marked, so that an empty one is still []
local jmespath_array = require("rtc.cli.jmespath").ARRAY

local json = cjson.new()
json.encode_invalid_numbers("null")   -- an inf or NaN from a broken answer never stops the output

M.null = cjson.null
M.decode = json.decode

local function json_scalar(v)
  return (json.encode(v):gsub("\\/", "/"))
end

function M.fields_of(schema)
  if type(schema) ~= "table" then return nil end
  if type(schema.fields) == "table" then return schema.fields end
  if schema[1] ~= nil then return schema end   -- a bare list of fields
  return nil
end

function M.field_named(schema, name)
  for _, f in ipairs(M.fields_of(schema) or {}) do
    if f.name == name then return f end
  end
  return nil
end

-- the schema of a field's value (object) or of its items (array of objects)
function M.sub_schema(f)
  if type(f) ~= "table" then return nil end
  if f.type == "array" then return f.item_fields end
  return f.fields
end

function M.is_array(t)
  if getmetatable(t) == jmespath_array then return true end
  local n = 0
  for k in next, t do
    if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then return false end
    n = n + 1
  end
  return n > 0 and n == #t
end

local function encode(v, schema, depth)
  depth = depth or 0
  if type(v) ~= "table" then
    if type(v) == "function" or type(v) == "thread" or (type(v) == "userdata" and v ~= cjson.null) then
      return json_scalar(tostring(v))
    end
    return json_scalar(v)
  end
  if depth > 64 then return "null" end
  if M.is_array(v) then
    local parts = {}
    for i = 1, #v do parts[i] = encode(v[i], schema, depth + 1) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  if next(v) == nil then
    local f = (getmetatable(v) == jmespath_array or (schema and (schema.__array or schema.__items))) and "[]"
    return f or "{}"
  end
  local parts, seen = {}, {}
  for _, f in ipairs(M.fields_of(schema) or {}) do
    local val = rawget(v, f.name)
    if val ~= nil then
      seen[f.name] = true
      local sub = M.sub_schema(f)
      if f.type == "array" and type(val) == "table" and next(val) == nil then
        parts[#parts + 1] = json_scalar(f.name) .. ":[]"
      else
        parts[#parts + 1] = json_scalar(f.name) .. ":" .. encode(val, sub, depth + 1)
      end
    end
  end
  local rest = {}
  for k in next, v do
    if not seen[k] then rest[#rest + 1] = k end
  end
  table.sort(rest, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(rest) do
    parts[#parts + 1] = json_scalar(tostring(k)) .. ":" .. encode(rawget(v, k), nil, depth + 1)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- encode(v, schema): v as JSON text, its objects' keys in the schema's order
function M.encode(v, schema) return encode(v, schema, 0) end

return M
