-- mock/sparkrtc/base.lua — what every resource of the mock shares: JSON, time, percent-coding,
-- responses and error bodies, field checks, query parameters and pages. No state, no sockets.

local B = {}

local floor, format, concat = math.floor, string.format, table.concat

---------------------------------------------------------------------------------------------
-- JSON: lua-cjson (a private instance), plus the one thing it cannot say: whether an empty
-- table was [] or {}. The top-level value is tagged from the text; nested empty containers
-- count as both (an empty rtmp_urls or an empty object is refused either way).
---------------------------------------------------------------------------------------------
local cjson = require("cjson").new()
cjson.decode_invalid_numbers(false)
local json = {}
B.json = json

local ARRAY_MT = { __jsontype = "array" }
local OBJECT_MT = { __jsontype = "object" }
json.null = cjson.null

function json.array(t) return setmetatable(t or {}, ARRAY_MT) end
-- order: accepted for the callers' sake; lua-cjson writes keys in its own order
function json.object(t) return setmetatable(t or {}, OBJECT_MT) end

local function jtype(v)
  if type(v) ~= "table" then return nil end
  local mt = getmetatable(v)
  if mt and mt.__jsontype then return mt.__jsontype end
  local n = 0
  for k in pairs(v) do
    if type(k) ~= "number" then return "object" end
    n = n + 1
  end
  if n == 0 then return "empty" end
  return n == #v and "array" or "object"
end
function json.is_array(v) local t = jtype(v) return t == "array" or t == "empty" end
function json.is_object(v) local t = jtype(v) return t == "object" or t == "empty" end
json.type = jtype

-- json.decode(text) -> value | nil, message
function json.decode(s)
  local ok, v = pcall(cjson.decode, s)
  if not ok then return nil, tostring(v) end
  local first = s:match("^%s*(.)")
  if type(v) == "table" then setmetatable(v, first == "[" and ARRAY_MT or OBJECT_MT) end
  return v
end

-- lua-cjson writes every empty table as {}: an empty table tagged with json.array goes through
-- as a sentinel string (control characters, which cjson escapes) and comes out as []
local EMPTY_LIST = "\1[]\1"
local function mark_empty(v)
  if type(v) ~= "table" then return v end
  if getmetatable(v) == ARRAY_MT and next(v) == nil then return EMPTY_LIST end
  local out = {}
  for k, x in pairs(v) do out[k] = mark_empty(x) end
  return out
end

-- lua-cjson writes "/" as "\/"; the service does not. Safe on cjson's output: it never writes
-- a bare "/" after an escaped backslash, so every "\/" here is one escaped slash.
function json.encode(v)
  local s = cjson.encode(mark_empty(v)):gsub("\\/", "/")
  return (s:gsub('"\\u0001%[%]\\u0001"', "[]"))
end

---------------------------------------------------------------------------------------------
-- hex, crypto, time, percent-encoding, random ids
---------------------------------------------------------------------------------------------
function B.hex(bin)
  return (bin:gsub(".", function(c) return format("%02x", c:byte()) end))
end

local crypto_digest, crypto_hmac
function B.sha256(data)
  crypto_digest = crypto_digest or require("openssl.digest")
  return crypto_digest.new("sha256"):final(data)
end
function B.hmac_sha256(key, data)
  crypto_hmac = crypto_hmac or require("openssl.hmac")
  return crypto_hmac.new(key, "sha256"):final(data)
end

function B.clock()
  local ngx = rawget(_G, "ngx") -- inside nginx's Lua module
  if ngx and ngx.now then return ngx.now() end
  local ok, socket = pcall(require, "socket")
  if ok and socket.gettime then return socket.gettime() end
  return os.time()
end

-- 2006-01-02T15:04:05.075Z
function B.iso_time(t)
  local sec = floor(t)
  local ms = floor((t - sec) * 1000 + 0.5)
  if ms >= 1000 then sec = sec + 1; ms = 0 end
  return os.date("!%Y-%m-%dT%H:%M:%S", sec) .. format(".%03dZ", ms)
end

-- 2020/07/16 15:11:55 GMT+08:00 (the OBS operations' format)
function B.obs_time(t)
  return os.date("!%Y/%m/%d %H:%M:%S", floor(t) + 8 * 3600) .. " GMT+08:00"
end

-- percent-decode; nil when a '%' is not followed by two hex digits
function B.pct_decode(s)
  if s:find("%%[^%x]") or s:find("%%%x[^%x]") or s:find("%%%x?$") then return nil end
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- every byte but A-Z a-z 0-9 - _ . ~, hex uppercase
function B.pct_encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return format("%%%02X", c:byte()) end))
end

local random_seeded = false
function B.random_hex(n)
  if not random_seeded then
    random_seeded = true
    if not _VERSION:find("5%.4") then
      math.randomseed(os.time() + floor(os.clock() * 1e6) + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
    end
  end
  local t = {}
  for i = 1, n do t[i] = format("%x", math.random(0, 15)) end
  return concat(t)
end

function B.trim(s) return (tostring(s):gsub("^%s+", ""):gsub("%s+$", "")) end

-- split a request target into raw path and raw query
function B.split_target(target)
  target = target or "/"
  local path, query = target:match("^([^?#]*)%??([^#]*)")
  return path or target, query or ""
end

-- raw query -> { name = decoded value } (the last of repeated names wins), or nil on bad escapes
function B.parse_query(query)
  local out = {}
  for piece in (query or ""):gmatch("[^&]+") do
    local k, v = piece:match("^([^=]*)=(.*)$")
    if not k then k, v = piece, "" end
    k, v = B.pct_decode(k), B.pct_decode(v) -- "+" stays "+", as in the signature's canonical query
    if not k or not v then return nil end
    out[k] = v
  end
  return out
end

-- raw path -> list of percent-decoded segments (nil if some segment cannot be decoded)
function B.segments(path)
  if path:sub(1, 1) ~= "/" then return nil end
  local segs = {}
  for seg in (path:sub(2) .. "/"):gmatch("([^/]*)/") do
    local d = B.pct_decode(seg)
    if not d then return nil end
    segs[#segs + 1] = d
  end
  return segs
end

---------------------------------------------------------------------------------------------
-- responses
---------------------------------------------------------------------------------------------
B.MSG = {
  ["RTC.00001002"] = "MalformedRequestBody",
  ["RTC.00001003"] = "InvalidParameterValue",
  ["RTC.00001005"] = "MissingParameter",
  ["RTC.00001006"] = "JobRunning: job exists and is not over",
  ["RTC.00001009"] = "JobDone: task canceled or completed",
  ["RTC.00001013"] = "RuleForbidenDelete: record rule is in use",
  ["RTC.00001016"] = "AppDeactivation",
  ["RTC.00001017"] = "AppsExceed: app num exceed",
  ["RTC.00001020"] = "AppExist: app exists",
}

-- body: a JSON string, a table (encoded), or nil/"" (no body, no Content-Type)
function B.response(status, body)
  local headers = { ["X-request-Id"] = B.random_hex(32) }
  if type(body) == "table" then body = json.encode(body) end
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/json;charset=utf-8"
  else
    body = ""
  end
  return { status = status, headers = headers, body = body }
end

-- the documented error body; field (optional) is named in error_msg after a colon
function B.api_error(status, code, msg)
  return B.response(status, json.encode(json.object({ error_code = code, error_msg = msg or B.MSG[code] })))
end

-- 400 with the field named after the message: "MissingParameter: obs_addr.bucket"
function B.field_error(code, field)
  return B.api_error(400, code, B.MSG[code] .. ": " .. tostring(field))
end

function B.not_found() return B.api_error(404, "RTC.00001003") end

---------------------------------------------------------------------------------------------
-- field checks: each returns nil when fine, else code, field path
---------------------------------------------------------------------------------------------
local INVALID, MISSING = "RTC.00001003", "RTC.00001005"
B.INVALID, B.MISSING = INVALID, MISSING

function B.present(v) return v ~= nil and v ~= json.null end
local present = B.present

function B.set_of(list)
  local s = {}
  for _, v in ipairs(list or {}) do s[v] = true end
  return s
end

function B.unknown_key(obj, allowed)
  for k in pairs(obj) do if not allowed[k] then return k end end
end

function B.is_int(v) return type(v) == "number" and v == floor(v) and v > -2^53 and v < 2^53 end

-- Checks the fields of obj against rows {name, kind, required, check} (kind: "string",
-- "nonempty", "boolean", "integer", "number", "object", "array"; check(v, path) -> code, path
-- for more), refuses unknown keys. Missing comes before invalid, in row order.
function B.check_fields(obj, rows, prefix)
  local function path(name) return prefix and (prefix .. "." .. name) or name end
  if not json.is_object(obj) then return INVALID, prefix or "body" end
  local allowed = {}
  for _, r in ipairs(rows) do allowed[r[1]] = true end
  local u = B.unknown_key(obj, allowed)
  if u then return INVALID, path(u) end
  for _, r in ipairs(rows) do
    if r[3] and not present(obj[r[1]]) then return MISSING, path(r[1]) end
  end
  for _, r in ipairs(rows) do
    local name, kind, check = r[1], r[2], r[4]
    local v = obj[name]
    if present(v) then
      local ok
      if kind == "string" then ok = type(v) == "string"
      elseif kind == "nonempty" then ok = type(v) == "string" and v ~= ""
      elseif kind == "boolean" then ok = type(v) == "boolean"
      elseif kind == "integer" then ok = B.is_int(v)
      elseif kind == "number" then ok = type(v) == "number"
      elseif kind == "object" then ok = json.is_object(v)
      elseif kind == "array" then ok = json.is_array(v)
      else ok = true end
      if not ok then return INVALID, path(name) end
      if check then
        local code, f = check(v, path(name))
        if code then return code, f end
      end
    end
  end
end

-- checks for check_fields rows
function B.one_of(list)
  local s = B.set_of(list)
  return function(v, p) if not s[v] then return INVALID, p end end
end
function B.range(lo, hi, also)
  return function(v, p) if not (v == also or (v >= lo and v <= hi)) then return INVALID, p end end
end
function B.s3_uri(v, p)
  if not v:match("^s3://[^/%s]+/%S+$") then return INVALID, p end
end

-- body text -> object | nil, error response (400 RTC.00001002 for no body or not an object)
function B.parse_body(body)
  if body == nil or body == "" then return nil, B.api_error(400, "RTC.00001002") end
  local v = json.decode(body)
  if not json.is_object(v) then return nil, B.api_error(400, "RTC.00001002") end
  return v
end

-- the request's body checked against rows -> object | nil, error response (the first refusal)
function B.checked_body(c, rows)
  local b, err = B.parse_body(c.req.body)
  if not b then return nil, err end
  local code, field = B.check_fields(b, rows)
  if code then return nil, B.field_error(code, field) end
  return b
end

---------------------------------------------------------------------------------------------
-- query parameters and pages
---------------------------------------------------------------------------------------------
-- decimal text -> integer within lo..hi | nil
local function query_int(s, lo, hi)
  if not s:match("^%-?%d+$") or #s > 15 then return nil end
  local n = tonumber(s)
  if n < lo or (hi and n > hi) then return nil end
  return n
end

B.MAX_LIMIT, B.DEFAULT_LIMIT = 100, 100

-- offset (a page number from 0) and limit (1..100, default 100) of a list request ->
-- offset, limit | nil, error response
function B.page_params(q)
  local offset, limit = 0, B.DEFAULT_LIMIT
  if q.offset ~= nil then
    offset = query_int(q.offset, 0)
    if not offset then return nil, B.api_error(400, INVALID, "InvalidParameterValue: offset") end
  end
  if q.limit ~= nil then
    limit = query_int(q.limit, 1, B.MAX_LIMIT)
    if not limit then return nil, B.api_error(400, INVALID, "InvalidParameterValue: limit") end
  end
  return offset, limit
end

-- items offset*limit+1 .. offset*limit+limit of list (offset a page number), or with
-- offset_items items offset+1 .. offset+limit, as a JSON array
function B.page(list, offset, limit, offset_items)
  local out = json.array({})
  local first = offset_items and offset or offset * limit
  for i = first + 1, math.min(#list, first + limit) do out[#out + 1] = list[i] end
  return out
end

-- a shallow copy tagged as a JSON object
function B.copy(t)
  local out = json.object({})
  for k, v in pairs(t) do out[k] = v end
  return out
end

return B
