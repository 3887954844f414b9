-- rtc.cli.json: the command's JSON. Output through lua-dkjson (Debian: lua-dkjson), which keeps
-- a key order: objects are written with their keys in schema order (then the others, sorted),
-- so outputs diff cleanly. Input (--params) through a private lua-cjson instance, the project's
-- JSON library (the caller's settings never leak in). Also the schema look-ups every output
-- needs (the schemas are the module's operation rows).
local cjson = require "cjson"
local dkjson = require "dkjson"

local M = {}

-- the arrays --query makes are marked, so that an empty one is still []
local jmespath_array = require("rtc.cli.jmespath").ARRAY

local json = cjson.new()

M.null = cjson.null
M.decode = json.decode

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

-- A view of v for dkjson: each object a copy whose metatable gives its key order (__jsonorder:
-- the schema's fields, then the other keys sorted), each array marked as one (__jsontype), so
-- that an empty list is [] where the schema or --query says it is a list. The answer's own
-- tables (and their metatables) are never touched.
local function view(v, schema, depth)
  if type(v) ~= "table" then
    if v == cjson.null then return dkjson.null end
    if type(v) == "number" and (v ~= v or v == math.huge or v == -math.huge) then return dkjson.null end
    if type(v) == "function" or type(v) == "thread" or type(v) == "userdata" then return tostring(v) end
    -- a whole float (cjson decodes every number as one) prints as an integer, as cjson wrote it
    if math.type and math.type(v) == "float" and v % 1 == 0 and v > -2^53 and v < 2^53 then
      return math.tointeger(v)
    end
    return v
  end
  if depth > 64 then return dkjson.null end
  if M.is_array(v) or (next(v) == nil and (getmetatable(v) == jmespath_array
      or (schema and (schema.__array or schema.__items)))) then
    local a = {}
    for i = 1, #v do a[i] = view(v[i], schema, depth + 1) end
    return setmetatable(a, { __jsontype = "array" })
  end
  local copy, order, seen = {}, {}, {}
  for _, f in ipairs(M.fields_of(schema) or {}) do
    local val = rawget(v, f.name)
    if val ~= nil and not seen[f.name] then
      seen[f.name] = true
      order[#order + 1] = f.name
      local sub = M.sub_schema(f)
      if f.type == "array" then sub = { fields = M.fields_of(sub), __items = true } end
      copy[f.name] = view(val, sub, depth + 1)
    end
  end
  local rest = {}
  for k in next, v do if not seen[k] then rest[#rest + 1] = k end end
  table.sort(rest, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(rest) do
    local key = tostring(k)
    order[#order + 1] = key
    copy[key] = view(rawget(v, k), nil, depth + 1)
  end
  return setmetatable(copy, { __jsonorder = order, __jsontype = "object" })
end

-- encode(v, schema): v as JSON text (dkjson), its objects' keys in the schema's order
function M.encode(v, schema)
  local text = dkjson.encode(view(v, schema, 0))
  return text
end

return M
