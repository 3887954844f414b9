-- mock/sparkrtc/verify.lua — SDK-HMAC-SHA256 verification (API.md's algorithm, written here
-- independently of the module's signer): canonical request, string to sign, signature check,
-- and the X-Sdk-Date parser.

local B = require "sparkrtc.base"

local M = {}

local floor, concat = math.floor, table.concat
local hex, pct_decode, pct_encode, trim, split_target = B.hex, B.pct_decode, B.pct_encode, B.trim, B.split_target
local default_clock = B.clock
M.sha256, M.hmac_sha256 = B.sha256, B.hmac_sha256

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

-- "20060102T150405Z" -> seconds since the epoch (UTC), or nil
function M.parse_sdk_date(s)
  local Y, m, d, H, Mi, S = tostring(s):match("^(%d%d%d%d)(%d%d)(%d%d)T(%d%d)(%d%d)(%d%d)Z$")
  if not Y then return nil end
  Y, m, d, H, Mi, S = tonumber(Y), tonumber(m), tonumber(d), tonumber(H), tonumber(Mi), tonumber(S)
  if m < 1 or m > 12 or d < 1 or d > 31 or H > 23 or Mi > 59 or S > 60 then return nil end
  return days_from_civil(Y, m, d) * 86400 + H * 3600 + Mi * 60 + S
end

---------------------------------------------------------------------------------------------
-- SDK-HMAC-SHA256 verification (API.md algorithm, implemented here independently)
---------------------------------------------------------------------------------------------
local function canonical_uri(path)
  local decoded = pct_decode(path) or path
  local segs = {}
  for seg in (decoded .. "/"):gmatch("([^/]*)/") do segs[#segs + 1] = pct_encode(seg) end
  local uri = concat(segs, "/")
  if uri:sub(-1) ~= "/" then uri = uri .. "/" end
  return uri
end

local function canonical_query(query)
  if not query or query == "" then return "" end
  local pairs_ = {}
  for piece in query:gmatch("[^&]+") do
    local k, v = piece:match("^([^=]*)=(.*)$")
    if not k then k, v = piece, "" end
    pairs_[#pairs_ + 1] = { pct_decode(k) or k, pct_decode(v) or v }
  end
  table.sort(pairs_, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local out = {}
  for i, p in ipairs(pairs_) do out[i] = pct_encode(p[1]) .. "=" .. pct_encode(p[2]) end
  return concat(out, "&")
end

-- canonical request of req = {method, path|target, query, headers (lowercase), body} for the
-- given list of (lowercase) signed header names
function M.canonical_request(req, signed, sha256)
  sha256 = sha256 or M.sha256
  local h = req.headers or {}
  local path, query = req.path, req.query
  if not path then path, query = split_target(req.target) end
  local lines = {}
  for _, name in ipairs(signed) do
    lines[#lines + 1] = name .. ":" .. trim(h[name] or "") .. "\n"
  end
  local body = req.body or ""
  local payload
  if h["x-sdk-content-sha256"] and body ~= "" then
    payload = h["x-sdk-content-sha256"]
  else
    payload = hex(sha256(body))
  end
  return concat({ tostring(req.method):upper(), canonical_uri(path), canonical_query(query),
    concat(lines), concat(signed, ";"), payload }, "\n")
end

-- M.verify_signature(req, keys, opts) -> true, canonical_request | nil, why
--   keys: map AK -> SK, or function(ak) -> sk
--   opts.now: the verifier's clock in seconds (default: the real clock); false: no clock check
--   opts.max_skew: seconds (default 900)
function M.verify_signature(req, keys, opts)
  opts = opts or {}
  local sha256, hmac = opts.sha256 or M.sha256, opts.hmac_sha256 or M.hmac_sha256
  local h = req.headers or {}
  local authz = h["authorization"]
  if not authz or authz == "" then return nil, "missing Authorization header" end
  local alg, rest = authz:match("^%s*(%S+)%s+(.-)%s*$")
  if alg ~= "SDK-HMAC-SHA256" then return nil, "unsupported authorization scheme" end
  local params = {}
  for piece in (rest .. ","):gmatch("([^,]*),") do
    local k, v = piece:match("^%s*([%w%-_]+)%s*=%s*(.-)%s*$")
    if k then params[k:lower()] = v end
  end
  local ak, sh, sig = params.access, params.signedheaders, params.signature
  if not ak or ak == "" or not sh or sh == "" or not sig or sig == "" then
    return nil, "malformed Authorization header"
  end
  local sk
  if type(keys) == "function" then sk = keys(ak) else sk = keys and keys[ak] end
  if not sk then return nil, "unknown access key" end
  local signed, has_date = {}, false
  for name in sh:gmatch("[^;]+") do
    name = trim(name):lower()
    signed[#signed + 1] = name
    if name == "x-sdk-date" then has_date = true end
  end
  local date = h["x-sdk-date"]
  if not date then return nil, "missing X-Sdk-Date header" end
  if not has_date then return nil, "x-sdk-date is not among the signed headers" end
  local t = M.parse_sdk_date(date)
  if not t then return nil, "malformed X-Sdk-Date" end
  if opts.now ~= false then
    local now = opts.now or default_clock()
    if math.abs(t - now) > (opts.max_skew or 900) then
      return nil, "X-Sdk-Date is more than 15 minutes off"
    end
  end
  for _, name in ipairs(signed) do
    if h[name] == nil then return nil, "signed header " .. name .. " is missing" end
  end
  local creq = M.canonical_request(req, signed, sha256)
  local sts = "SDK-HMAC-SHA256\n" .. date .. "\n" .. hex(sha256(creq))
  local expected = hex(hmac(sk, sts))
  if expected ~= sig then return nil, "signature mismatch", creq end
  return true, creq
end


return M
