-- spec/support/signer.lua — an SDK-HMAC-SHA256 signer written for the specs from API.md, apart
-- from rtc's signer and from the mock's verifier, so that each can be checked against it.
local digest = require "openssl.digest"
local hmac = require "openssl.hmac"

local M = {}

local function tohex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function sha256hex(s) return tohex(digest.new("sha256"):final(s)) end
local function enc(s)
  return (s:gsub("[^A-Za-z0-9_.~-]", function(c) return string.format("%%%02X", c:byte()) end))
end
local function dec(s) return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) end

-- req = {method, path, query, headers (lowercase names), body}; adds x-sdk-date and
-- authorization; opts.signed: the header names to sign (default: all but authorization and
-- names with "_"). -> req, the canonical request
function M.sign(req, ak, sk, date, opts)
  opts = opts or {}
  local h = req.headers
  h["x-sdk-date"] = date
  local names = {}
  for k in pairs(h) do if not k:find("_") and k ~= "authorization" then names[#names + 1] = k end end
  if opts.signed then names = opts.signed end
  table.sort(names)
  local segs = {}
  for seg in (dec(req.path) .. "/"):gmatch("([^/]*)/") do segs[#segs + 1] = enc(seg) end
  local uri = table.concat(segs, "/")
  if uri:sub(-1) ~= "/" then uri = uri .. "/" end
  local q = {}
  for piece in (req.query or ""):gmatch("[^&]+") do
    local k, v = piece:match("^([^=]*)=?(.*)$")
    q[#q + 1] = { dec(k), dec(v) }
  end
  table.sort(q, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end)
  for i, p in ipairs(q) do q[i] = enc(p[1]) .. "=" .. enc(p[2]) end
  local hl = {}
  for _, n in ipairs(names) do hl[#hl + 1] = n .. ":" .. (h[n]:gsub("^%s+", ""):gsub("%s+$", "")) .. "\n" end
  local body = req.body or ""
  local payload = (h["x-sdk-content-sha256"] and body ~= "") and h["x-sdk-content-sha256"] or sha256hex(body)
  local creq = table.concat({ req.method, uri, table.concat(q, "&"), table.concat(hl),
    table.concat(names, ";"), payload }, "\n")
  local sts = "SDK-HMAC-SHA256\n" .. date .. "\n" .. sha256hex(creq)
  local sig = tohex(hmac.new(sk, "sha256"):final(sts))
  h["authorization"] = "SDK-HMAC-SHA256 Access=" .. ak .. ", SignedHeaders=" .. table.concat(names, ";")
    .. ", Signature=" .. sig
  return req, creq
end

-- unix seconds -> the X-Sdk-Date form, 20060102T150405Z
function M.sdk_date(t) return os.date("!%Y%m%dT%H%M%SZ", math.floor(t)) end

return M
