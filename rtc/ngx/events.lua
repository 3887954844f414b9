-- rtc/ngx/events.lua: the recording events' receiver for OpenResty, re-exported as
-- require("rtc.ngx").events. Called from a content handler, it handles the current request:
--
--   location = /rtc-events {
--       content_by_lua_block {
--           require("rtc.ngx").events{
--               auth_key = os.getenv("RTC_EVENTS_AUTH_KEY"),  -- or false: unsigned callbacks
--               handler  = function(event) ngx.log(ngx.NOTICE, event.event_type) end,
--               dedup    = "rtc_events",                      -- optional lua_shared_dict
--           }
--       }
--   }
--
-- It reads the whole body (from memory, or from the file nginx buffered it to), checks it with
-- rtc.events.verify (opts.max_age as there), calls handler(event), and answers:
--   200 {"status":1,"result":"success"}   the handler ran (or the delivery was seen before)
--   401 bad or missing signature, timestamp outside max_age     (err.kind "signature")
--   400 a body that is not an event                             (err.kind "decode")
--   405 a method other than POST (Allow: POST)
--   500 the handler raised (logged at error level)
-- Error answers are JSON too: {"status":0,"result":KIND,"message":...} (never the key).
-- dedup names a lua_shared_dict: a signed delivery whose X-Rtc-Rand and X-Rtc-Timestamp were
-- seen in the last max(2 * max_age, 600) seconds is answered 200 without running the handler
-- again; when the handler raises, the delivery is forgotten so that a retry runs it. Unsigned
-- deliveries (auth_key false) carry nothing that names them and are never dropped.

local rtc = require "rtc"
local cjson = require "cjson"

local ngx = rawget(_G, "ngx")

local SUCCESS = '{"status":1,"result":"success"}' -- the provider's guide's example answer
local MAX_HEADERS = 1000 -- ngx.req.get_headers' default 100 could leave the X-Rtc-* ones out

local function answer(status, kind, message)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  if status == 200 then return ngx.say(SUCCESS) end
  ngx.say(cjson.encode({ status = 0, result = kind, message = message }))
end

local function read_body()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if body then return body end
  local path = ngx.req.get_body_file() -- past client_body_buffer_size (or client_body_in_file_only)
  if not path then return "" end
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  body = f:read("*a")
  f:close()
  return body
end

local function check_opts(o)
  if type(o) ~= "table" then
    error("bad argument #1 to 'rtc.ngx.events' (table expected, got " .. type(o) .. ")", 3)
  end
  if type(o.auth_key) ~= "string" and o.auth_key ~= false then
    error("rtc.ngx.events: opts.auth_key: expected the callback's auth_key, or false for "
      .. "unsigned callbacks, got " .. type(o.auth_key), 3)
  end
  if type(o.handler) ~= "function" then
    error("rtc.ngx.events: opts.handler: expected a function(event), got " .. type(o.handler), 3)
  end
  if o.dedup ~= nil and (type(o.dedup) ~= "string" or not ngx.shared[o.dedup]) then
    error("rtc.ngx.events: opts.dedup: expected the name of a lua_shared_dict, got "
      .. tostring(o.dedup), 3)
  end
  if o.max_age ~= nil and o.max_age ~= false and type(o.max_age) ~= "number" then
    error("rtc.ngx.events: opts.max_age: expected seconds or false", 3)
  end
end

return function(opts)
  check_opts(opts)
  if ngx.req.get_method() ~= "POST" then
    ngx.header["Allow"] = "POST"
    return answer(405, "method", "recording events are POSTed")
  end
  local body, rerr = read_body()
  if not body then
    ngx.log(ngx.ERR, "rtc.ngx.events: cannot read the buffered body: ", rerr)
    return answer(500, "internal", "cannot read the body")
  end
  local headers = ngx.req.get_headers(MAX_HEADERS, true)
  local event, err = rtc.events.verify(headers, body, opts.auth_key,
    { max_age = opts.max_age, now = ngx.now() })
  if not event then
    ngx.log(ngx.WARN, "rtc.ngx.events: refused: ", tostring(err))
    return answer(err.kind == "signature" and 401 or 400, err.kind, err.message)
  end
  local dict, key = opts.dedup and ngx.shared[opts.dedup], nil
  if dict and event.x_rtc.rand and event.x_rtc.timestamp then
    local max_age = opts.max_age == nil and 300 or opts.max_age or 0
    key = "rtc.events " .. event.x_rtc.rand .. " " .. event.x_rtc.timestamp
    local ok, derr = dict:add(key, true, math.max(2 * max_age, 600))
    if not ok and derr == "exists" then
      ngx.log(ngx.INFO, "rtc.ngx.events: a delivery seen before, handler not run again")
      return answer(200)
    end
  end
  local ok, herr = pcall(opts.handler, event)
  if not ok then
    if key then dict:delete(key) end
    ngx.log(ngx.ERR, "rtc.ngx.events: the handler raised: ", tostring(herr))
    return answer(500, "handler", "the handler failed")
  end
  return answer(200)
end
