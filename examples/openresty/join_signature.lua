-- examples/openresty/join_signature.lua -- a signature distribution location: a backend hands
-- its clients what they join a SparkRTC room with (the provider's advice: sign on your server,
-- so that app_key never ships inside an app). See the README's "Join signatures".
--
--   env RTC_APP_ID;  env RTC_APP_KEY;  env RTC_JOIN_SECRET;     (nginx.conf, main level)
--   location = /join-signature {
--       content_by_lua_block { require("join_signature").handle() }
--   }
--
--   GET /join-signature?room_id=ROOM&user_id=USER   (header X-Join-Secret: see authenticate)
--   -> 200 {"app_id":..,"room_id":..,"user_id":..,"ctime":..,"signature":..}: the five values
--          the client SDKs take (ctime: the expiry, UNIX seconds, now + M.TTL)
--   -> 400 {"error":{"kind":"invalid","field":"room_id","message":"room_id: must not be empty"}}
--   -> 401 {"error":{"kind":"unauthorized",...}}   405 not GET   500 RTC_APP_ID/RTC_APP_KEY unset
--
-- rtc.join_signature is pure (no I/O): calling the blocking `rtc` module here never blocks the
-- worker. The time is nginx's (ngx.time()), given to it as opts.now.
local rtc = require "rtc"
local cjson = require "cjson.safe"

local M = {}

M.TTL = 7200   -- the provider's recommended validity (2 hours); at most 43199
M.JOIN = "+"   -- "+" as the provider's sample code; "" for plain concatenation (README)

local function answer(status, doc)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.header["Cache-Control"] = "no-store"   -- a signature is a credential: never cached
  ngx.say(cjson.encode(doc))
  return ngx.exit(status)
end

local function refuse(status, kind, message, field)
  return answer(status, { error = { kind = kind, message = message, field = field } })
end

-- ===== AUTHENTICATE THE CALLER: the operator's choice; replace this function =====
-- Anyone who gets a signature can join the room as that user, so only callers you trust may
-- get one: a session cookie, a JWT, mTLS, or (as here) a backend service that knows a shared
-- secret sent as X-Join-Secret (RTC_JOIN_SECRET). When the caller is the end user, sign for the
-- user_id your authentication says (not one the query names): return it from here instead.
function M.authenticate()
  local secret, given = os.getenv("RTC_JOIN_SECRET"), ngx.var.http_x_join_secret
  if not secret or secret == "" or not given then return false end
  -- compared as digests: the time taken says nothing about how much of the secret matched
  return ngx.sha1_bin(given) == ngx.sha1_bin(secret)
end
-- ===== end of the part to replace =====

-- a query argument as one string (a repeated or value-less one is no id)
local function arg_string(args, name)
  local v = args[name]
  if v == nil then return "" end
  if type(v) ~= "string" then return nil end
  return v
end

function M.handle()
  if ngx.req.get_method() ~= "GET" then
    ngx.header["Allow"] = "GET"
    return refuse(405, "method", "use GET")
  end
  if not M.authenticate() then return refuse(401, "unauthorized", "not allowed to get a signature") end
  local app_id, app_key = os.getenv("RTC_APP_ID"), os.getenv("RTC_APP_KEY")
  if not app_id or app_id == "" or not app_key or app_key == "" then
    ngx.log(ngx.ERR, "join_signature: set RTC_APP_ID and RTC_APP_KEY (and `env` them in nginx.conf)")
    return refuse(500, "config", "the signature service is not configured")
  end
  local args = ngx.req.get_uri_args(16)   -- decoded: the ids as the client SDKs send them
  local room_id, user_id = arg_string(args, "room_id"), arg_string(args, "user_id")
  if not room_id then return refuse(400, "invalid", "room_id: expected one value", "room_id") end
  if not user_id then return refuse(400, "invalid", "user_id: expected one value", "user_id") end
  local signature, ctime = rtc.join_signature(app_id, app_key, room_id, user_id,
                                              { ttl = M.TTL, now = ngx.time(), join = M.JOIN })
  if not signature then
    local err = ctime   -- nil, err: the field named; never any part of the key
    return refuse(400, err.kind, err.message, err.field)
  end
  return answer(200, { app_id = app_id, room_id = room_id, user_id = user_id, ctime = ctime,
                       signature = signature })
end

return M
