-- rtc/ngx.lua: the rtc client for OpenResty, whose calls never block the nginx worker.
--
--   local rtc_ngx = require "rtc.ngx"
--   local client = rtc_ngx.new{ endpoint = ..., token = ... }  -- options of rtc.new, plus:
--     pool       = "rtc"    the nginx thread pool (`thread_pool rtc threads=N;`) the calls run in
--     subrequest = "/_rtc"  instead of the pool: each attempt is an ngx.location.capture of this
--                           internal location, which proxy_passes the prepared request
--     threads, max_queue    the pool's size as its `thread_pool` line says (else read from
--                           nginx.conf); max_pending (default: threads + max_queue, at most
--                           1024) must fit in it
--     shared_rate = "rtc_rate" a lua_shared_dict: opts.rate holds for all workers of this nginx
--                           together (one dict per rate), and a 429's Retry-After holds them all
--     upstream   = "rtc_api" (subrequest way) the upstream{} (with keepalive) that stands for the
--                           endpoint's host:port; a list: one per endpoint (failover)
--   local job, err = client:update_job(app_id, job_id, params)   -- as rtc.new(opts) would
--
-- The pool way (default): ngx.run_worker_thread runs the call in a pool thread, from
-- rewrite/access/content handlers and ngx.timer callbacks. Each pool thread has its own Lua VM,
-- kept between tasks, with one rtc client per option set: libcurl's connection pool, retries,
-- deadlines, failover, TLS and signing work as in a script. Options reach the threads as a
-- plain table, so functions (`debug`) are refused. Results and errors come back as plain tables
-- and get the module's metatables again (found by their __name in the registry, where
-- luaL_newmetatable keeps them), so tostring, fields and `err.kind` are what rtc gives.
--
-- The subrequest way: prepare → ngx.location.capture → decode, around client:policy() (retry
-- after backoff with ngx.sleep, Retry-After, failover, the deadline), in request handlers only
-- (a timer has no request to hang a subrequest on). nginx's own HTTP client does the I/O.

local rtc = require "rtc"

local ngx = rawget(_G, "ngx") -- nil outside nginx (constructing a client works there too)

local M = { _VERSION = rtc._VERSION }

local NGX_OPTIONS = { pool = true, subrequest = true, max_pending = true, threads = true,
                      max_queue = true, upstream = true, shared_rate = true }

-- calls of this worker in each pool (running or queued): pool -> { n = count, calls = { [token] =
-- time it is given back by at the latest } }. rtc.ngx refuses more than max_pending itself,
-- because lua-nginx-module 0.10.23 crashes the worker (a double free) when a task does not fit
-- in the pool's queue (thread_pool ... max_queue=); max_pending is checked against the pool's
-- threads + max_queue. A call gives its place back when it returns or raises; one whose request
-- ended while it waited (ngx.exit) never returns, so its place is taken back once its task must
-- have ended: once the tasks ahead of it must have ended, plus its own time (a call's deadline;
-- wait_job's timeout; a batch's calls).
local pending = {}

-- the thread pools the main nginx.conf declares: name -> { threads, max_queue } (nginx's
-- defaults: 32 and 65536), read once per worker. The file is the master's -c (its process
-- title keeps the command line), else <prefix>/conf/nginx.conf; includes are not followed.
local declared
local function declared_pools()
  if declared then return declared end
  declared = { default = { threads = 32, max_queue = 65536 } }
  if not (ngx and ngx.config and ngx.config.prefix) then return declared end
  local conf
  local f = io.open("/proc/self/stat")
  local ppid = f and (f:read("*a") or ""):match("^%d+ %b() %S+ (%d+)")
  if f then f:close() end
  f = ppid and io.open("/proc/" .. ppid .. "/cmdline", "rb")
  if f then
    local cmd = (f:read("*a") or ""):gsub("%z", " ")
    f:close()
    conf = cmd:match("%s%-c%s+(%S+)")
  end
  conf = conf or "conf/nginx.conf"
  if conf:sub(1, 1) ~= "/" then conf = ngx.config.prefix() .. conf end
  f = io.open(conf, "r")
  if not f then return declared end
  local text = (f:read("*a") or ""):gsub("#[^\n]*", "")
  f:close()
  for name, params in text:gmatch("thread_pool%s+([%w_%-]+)%s+([^;]*);") do
    declared[name] = { threads = tonumber(params:match("threads=(%d+)")) or 32,
                       max_queue = tonumber(params:match("max_queue=(%d+)")) or 65536 }
  end
  return declared
end

-- the calls of this worker running or queued in a pool (for tests and monitoring)
function M.pending(pool)
  local p = pending[pool or "rtc"]
  return p and p.n or 0
end

-- calls that are not operations but come along (batch runs in the pool too)
local POOL_METHODS = { "batch", "wait_job" }

local unpack = table.unpack or unpack -- luacheck: ignore 143 (5.1)

local function pack(...) return { n = select("#", ...), ... } end

-- the operations, from the module's rows
local function operation_names()
  local names = {}
  for _, row in ipairs(rtc.operations()) do names[#names + 1] = row.name end
  return names
end

---------------------------------------------------------------------------------------------
-- options: a plain table that can cross to a pool thread
---------------------------------------------------------------------------------------------

-- the first value below v that cannot cross to a pool thread -> its path (from path) and why, or
-- nil; paths are only built on the way back from a bad value (this runs on every call)
local function find_unplain(v, seen)
  local t = type(v)
  if t == "function" or t == "userdata" or t == "thread" then return "", "is a " .. t end
  if t ~= "table" then return nil end
  if seen[v] then return "", "refers to itself" end
  seen[v] = true
  for k, x in pairs(v) do
    local kt = type(k)
    if kt ~= "string" and kt ~= "number" then return "", "has a key of type " .. kt end
    if type(x) == "table" or type(x) == "function" or type(x) == "userdata" or type(x) == "thread" then
      local sub, why = find_unplain(x, seen)
      if sub then return (kt == "number" and "[" .. k .. "]" or "." .. k) .. sub, why end
    end
  end
  seen[v] = nil
  return nil
end

local function check_plain(v, path, seen, what)
  local t = type(v)
  if t ~= "table" and t ~= "function" and t ~= "userdata" and t ~= "thread" then return end
  local sub, why = find_unplain(v, seen)
  if not sub then return end
  what = what or "option "
  path = path .. sub
  if why:sub(1, 5) == "is a " then
    error(string.format("rtc.ngx: %s%s %s: only plain data (strings, numbers, booleans, "
      .. "tables) reaches the pool threads%s", what, path, why,
      path == "debug" and "; log from the caller instead" or ""), 4)
  end
  error("rtc.ngx: " .. what .. path .. " " .. why, 4)
end

-- the same options give the same key, and different options different keys: every value is
-- written with its type and length (t<count>:<pairs> for a table, keys sorted), so no value can
-- pass for a delimiter (the cache key of the pool threads' clients; it holds the secrets, so it
-- lives in memory only and is never logged)
local function key_of(v, out)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) < type(b)
    end)
    out[#out + 1] = "t" .. #keys .. ":"
    for _, k in ipairs(keys) do
      key_of(k, out)
      key_of(v[k], out)
    end
    return out
  end
  local s
  if t == "number" then
    s = (math.type and math.type(v) == "integer") and string.format("%d", v)
        or string.format("%.17g", v)
  else
    s = tostring(v)
  end
  out[#out + 1] = t:sub(1, 1) .. #s .. ":" .. s
  return out
end

-- the key of an option set (a string)
function M._key(opts)
  return table.concat(key_of(opts, {}))
end

---------------------------------------------------------------------------------------------
-- results across VMs: metatables are left behind; their names travel with the values
---------------------------------------------------------------------------------------------

-- records {path, name} for every table with a named metatable, down to a batch's entries
local function mark(v, path, marks, depth)
  if type(v) ~= "table" then return end
  local mt = getmetatable(v)
  if type(mt) == "table" and type(rawget(mt, "__name")) == "string" then
    marks[#marks + 1] = { path = { unpack(path) }, name = rawget(mt, "__name") }
  end
  if depth >= 2 then return end
  for k, x in pairs(v) do
    if type(x) == "table" then
      path[#path + 1] = k
      mark(x, path, marks, depth + 1)
      path[#path] = nil
    end
  end
end

local registry = debug.getregistry()

local function restore(values, marks)
  for _, m in ipairs(marks) do
    local t = values
    for _, k in ipairs(m.path) do t = t and t[k] end
    local mt = registry[m.name]
    if type(t) == "table" and type(mt) == "table" and rawget(mt, "__name") == m.name then
      setmetatable(t, mt)
    end
  end
end

local function rtc_error(kind, message)
  local err = { kind = kind, message = message, attempts = 0 }
  restore({ err }, { { path = { 1 }, name = "rtc.error" } })
  return err
end

---------------------------------------------------------------------------------------------
-- inside a pool thread (its own VM): one cached client per option set
---------------------------------------------------------------------------------------------

local thread_clients, thread_count = {}, 0
local MAX_THREAD_CLIENTS = 32 -- option sets kept per pool thread; beyond, one is closed

-- what a pool task gives back: the values, and where the named metatables were
local function thread_answer(ok, ...)
  if not ok then return { raise = tostring((...)) } end
  local values, marks = { n = select("#", ...), ... }, {}
  mark(values, {}, marks, -1)
  return { values = values, marks = marks }
end

-- ngx.run_worker_thread(pool, "rtc.ngx", "_thread_call", key, opts, method, args): opts may be
-- nil (they are not copied across on every call); a thread that has no client for key then
-- answers { need_opts = true } and the worker calls again with them
function M._thread_call(key, opts, method, args)
  local client = thread_clients[key]
  if not client then
    if opts == nil then return { need_opts = true } end
    local ok, c = pcall(rtc.new, opts)
    if not ok then return { raise = tostring(c) } end
    if thread_count >= MAX_THREAD_CLIENTS then
      local old_key, old = next(thread_clients)
      thread_clients[old_key] = nil
      old:close()
      thread_count = thread_count - 1
    end
    client, thread_clients[key] = c, c
    thread_count = thread_count + 1
  end
  local fn = client[method]
  if type(fn) ~= "function" then return { raise = "rtc.ngx: the client has no method " .. method } end
  return thread_answer(pcall(fn, client, unpack(args, 1, args.n)))
end

---------------------------------------------------------------------------------------------
-- the client, in the worker
---------------------------------------------------------------------------------------------

local Client = {}
Client.__index = Client
Client.__name = "rtc.ngx.client"

function Client:__tostring()
  return string.format("rtc.ngx.client (%s %s)", self.subrequest and "subrequest" or "pool",
    self.subrequest or self.pool)
end

---------------------------------------------------------------------------------------------
-- one rate for one nginx (opts.shared_rate): a token bucket of one in a lua_shared_dict, the
-- same for every worker; a 429's Retry-After holds them all
---------------------------------------------------------------------------------------------

local SHARED_NEXT, SHARED_HOLD, SHARED_LOCK = "rtc.ngx:next", "rtc.ngx:hold", "rtc.ngx:lock"

-- runs fn(dict) with the dict's lock: a key add() makes atomically across workers, held for a
-- few dict calls, expiring by itself should its worker die holding it
local function with_lock(dict, fn, ...)
  for _ = 1, 1000000 do
    if dict:add(SHARED_LOCK, true, 0.1) then
      local r = fn(dict, ...)
      dict:delete(SHARED_LOCK)
      return r
    end
  end
  return fn(dict, ...) -- a lock older than 0.1 s has expired: never reached in practice
end

-- reserves the next slot (1/rate after the one before, not before a hold) -> its time
local function reserve(dict, interval, now)
  local slot = math.max(now, dict:get(SHARED_NEXT) or 0, dict:get(SHARED_HOLD) or 0)
  dict:set(SHARED_NEXT, slot + interval, 3600)
  return slot
end

local function extend_hold(dict, till)
  if till > (dict:get(SHARED_HOLD) or 0) then dict:set(SHARED_HOLD, till, 3600) end
end

-- waits (ngx.sleep: the worker goes on serving) for this attempt's slot
local function shared_wait(self)
  local dict, interval = self.shared, self.interval
  while true do
    ngx.update_time()
    local now = ngx.now()
    local slot = with_lock(dict, reserve, interval, now)
    if slot <= now then return end
    ngx.sleep(slot - now)
    ngx.update_time() -- a 429 came while we slept: its hold wins over our slot
    local hold = dict:get(SHARED_HOLD)
    if not hold or hold <= ngx.now() then return end
  end
end

local function shared_hold(self, seconds)
  ngx.update_time()
  with_lock(self.shared, extend_hold, ngx.now() + math.min(seconds, self.opts.deadline or 60))
end

-- How long a call's task may run in a pool thread: a call's deadline; wait_job its own timeout
-- (rtc's default 300 s) and one more look; a batch one deadline per call (the worst case).
local function task_time(self, method, args)
  local deadline = (tonumber(self.opts.deadline) or 60) + 1
  if method == "wait_job" then
    local o = args[4]
    return (type(o) == "table" and tonumber(o.timeout) or 300) + deadline
  elseif method == "batch" then
    return deadline * math.max(1, type(args[1]) == "table" and #args[1] or 1)
  end
  return deadline
end

-- one task in the pool: -> the method's values, packed. The call takes a place of max_pending
-- (see pending above) and gives it back on every way out: it returns, raises, or its phase
-- refuses worker threads (pcall).
local function pool_run(self, key, opts, method, args)
  local pool = self.pool
  local slots = pending[pool]
  if not slots then slots = { n = 0, calls = {} }; pending[pool] = slots end
  if slots.n >= self.max_pending then -- take back the places of calls whose request ended
    local now = ngx.now()
    for token, by in pairs(slots.calls) do
      if by < now then slots.calls[token] = nil; slots.n = slots.n - 1 end
    end
  end
  if slots.n >= self.max_pending then
    return pack(nil, rtc_error("transport", string.format('rtc.ngx: thread pool "%s" is full: %d calls '
      .. "of this worker are running or queued (max_pending); raise `thread_pool %s threads=N "
      .. "max_queue=M;` in nginx.conf and opts.max_pending (at most threads + max_queue)",
      pool, slots.n, pool)))
  end
  -- its task starts, at the latest, once the tasks ahead of it (pending) have ended
  local token, start = {}, ngx.now()
  for _, by in pairs(slots.calls) do start = math.max(start, by) end
  slots.calls[token] = start + task_time(self, method, args)
  slots.n = slots.n + 1
  local called, ok, res = pcall(ngx.run_worker_thread, pool, "rtc.ngx", "_thread_call", key, nil,
    method, args)
  if called and ok and res.need_opts then -- this thread's first call with these options
    called, ok, res = pcall(ngx.run_worker_thread, pool, "rtc.ngx", "_thread_call", key, opts,
      method, args)
  end
  if slots.calls[token] then slots.calls[token] = nil; slots.n = slots.n - 1 end
  if not called then
    error(string.format('rtc.ngx: %s cannot run in thread pool "%s" here: %s (call it from a '
      .. "rewrite, access or content handler, or an ngx.timer)", method, pool, tostring(ok)), 4)
  end
  if not ok then
    local msg = tostring(res)
    if msg:find("not found", 1, true) or msg:find("no thread pool", 1, true) then
      error(string.format('rtc.ngx: no thread pool "%s" (%s): add `thread_pool %s threads=16;` '
        .. "to the main section of nginx.conf (or pass opts.pool)", pool, msg, pool), 4)
    end
    return pack(nil, rtc_error("transport", string.format('rtc.ngx: the call could not run in thread '
      .. 'pool "%s": %s', pool, msg)))
  end
  if res.raise then error(res.raise, 4) end
  restore(res.values, res.marks)
  return res.values
end

-- the options of one attempt on endpoint k (the shared rate's pool way: the worker retries)
local function attempt_opts(self, k)
  local cache = self.attempts_by_endpoint
  if not cache[k] then
    local o = {}
    for name, v in pairs(self.opts) do o[name] = v end
    o.retries = 0
    if type(self.opts.endpoint) == "table" then o.endpoint = self.opts.endpoint[k] end
    cache[k] = { key = M._key(o), opts = o }
  end
  return cache[k]
end

local policy_of

-- the pool way under a shared rate: every attempt takes a slot of the shared bucket, so the
-- retries run here (the policy decides), one attempt per pool task
local function pool_call_shared(self, method, args)
  local policy = policy_of(self)
  local started, attempt, endpoint = ngx.now(), 1, 1
  while true do
    shared_wait(self)
    local a = attempt_opts(self, endpoint)
    local values = pool_run(self, a.key, a.opts, method, args)
    local err = values[2]
    if values[1] ~= nil or type(err) ~= "table" or
        not (err.kind == "api" or err.kind == "transport" or err.kind == "timeout") then
      return unpack(values, 1, values.n)
    end
    ngx.update_time()
    local outcome = { operation = method, attempt = attempt, started = started, now = ngx.now(),
                      endpoint = endpoint }
    if err.kind == "api" then
      outcome.status, outcome.sent, outcome.retry_after = err.status, true, err.retry_after
      if err.status == 429 and err.retry_after then shared_hold(self, err.retry_after) end
    else
      outcome.error, outcome.sent = err.kind, true
    end
    local d = policy:decide(outcome)
    if not d.retry then
      err.attempts = attempt
      return nil, err
    end
    if d.delay and d.delay > 0 then ngx.sleep(d.delay) end
    attempt, endpoint = attempt + 1, d.endpoint or endpoint
  end
end

local IS_OPERATION = {}
for _, op in ipairs(operation_names()) do IS_OPERATION[op] = true end

local function pool_call(self, method, ...)
  if not (ngx and ngx.run_worker_thread) then
    error("rtc.ngx: ngx.run_worker_thread is not available (lua-nginx-module >= 0.10.21 "
      .. "on Linux, nginx built --with-threads)", 3)
  end
  local args = pack(...)
  for i = 1, args.n do
    if args[i] ~= nil and args[i] ~= ngx.null then
      check_plain(args[i], "#" .. i .. " of " .. method, {}, "argument ")
    end
  end
  if self.shared and IS_OPERATION[method] then return pool_call_shared(self, method, args) end
  local values = pool_run(self, self.key, self.opts, method, args)
  return unpack(values, 1, values.n)
end

-- a local rtc client for the pure steps (prepare, decode, policy): no I/O
local function local_client(self)
  if not self.pure then self.pure = rtc.new(self.opts) end
  return self.pure
end

function Client:prepare(...) return local_client(self):prepare(...) end
function Client:decode(...) return local_client(self):decode(...) end
function Client:policy(...)
  local c = local_client(self)
  if type(c.policy) ~= "function" then
    error("rtc.ngx: this rtc has no client:policy() (the retry policy's Lua face)", 2)
  end
  return c:policy(...)
end

-- one policy object per client: its bucket (opts.rate, a 429's hold) is shared by every call
-- of this client in this worker
policy_of = function(self)
  if not self.shared_policy then self.shared_policy = self:policy() end
  return self.shared_policy
end

function Client:close()
  if self.pure then self.pure:close(); self.pure = nil end
end
Client.__gc = Client.close
Client.__close = Client.close

---------------------------------------------------------------------------------------------
-- the subrequest way: prepare, capture, decode, around the policy
---------------------------------------------------------------------------------------------

local HTTP_METHOD = {}
if ngx then
  for _, m in ipairs{ "GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH" } do
    HTTP_METHOD[m] = ngx["HTTP_" .. m]
  end
end

-- Retry-After as RFC 9110 allows it, delta-seconds (digits only) or an HTTP date; anything else
-- (a hostile "1e999", "-5", "0x3") is no Retry-After at all, as the libcurl way reads it
local function retry_after(h)
  for k, v in pairs(h) do
    if type(k) == "string" and k:lower() == "retry-after" then
      if type(v) == "table" then v = v[1] end
      if type(v) ~= "string" then return nil end
      if v:match("^%d+$") then return math.min(tonumber(v), 86400) end
      local t = ngx.parse_http_time(v) -- an HTTP date
      return t and math.max(0, t - ngx.time()) or nil
    end
  end
  return nil
end

-- The internal location takes the prepared request from nginx variables that each capture sets
-- (ngx.location.capture's `vars`): $rtc_url, $rtc_host (the TLS name) and one per header the
-- signer gives, which its proxy_set_header lines send; `proxy_pass_request_headers off` keeps the
-- caller's own headers (cookies, tokens) from the service. No Lua runs there before the
-- upstream is asked: nginx's proxy module builds the request from them.
-- (the headers rtc's signer gives, as client:prepare names them; a spec holds them equal)
local HEADER_VARS = {
  { "Host", "rtc_h_host" }, { "Content-Type", "rtc_h_content_type" },
  { "Authorization", "rtc_h_authorization" }, { "X-Sdk-Date", "rtc_h_x_sdk_date" },
  { "X-Project-Id", "rtc_h_x_project_id" }, { "X-Security-Token", "rtc_h_x_security_token" },
  { "X-Auth-Token", "rtc_h_x_auth_token" }, { "User-Agent", "rtc_h_user_agent" },
}
-- every variable, in the order rtc/ngx/subrequest.conf declares them
M.SUBREQUEST_VARS = { "rtc_url", "rtc_host", "rtc_body", "rtc_h_content_length" }
M.SUBREQUEST_HEADERS = {}
for i, hv in ipairs(HEADER_VARS) do
  M.SUBREQUEST_VARS[i + 4], M.SUBREQUEST_HEADERS[i] = hv[2], hv[1]
end

-- where endpoint k's requests go: through its upstream{} (the Host header and the TLS name stay
-- the endpoint's), or to the address itself
local function target_of(self, url, k)
  local t = self.targets[k]
  if not (t and string.find(url, t.origin, 1, true) == 1) then -- first call, or another origin
    local origin = url:match("^https?://[^/]+") or ""
    local upstream, host = self.upstreams[k], origin:match("^https?://(.*)$") or ""
    t = { origin = origin, tls_name = host:match("^%[(.-)%]") or host:match("^[^:]+") or "",
          base = upstream and origin:match("^https?://") .. upstream or origin }
    self.targets[k] = t
  end
  return t.base .. url:sub(#t.origin + 1), t.tls_name
end

-- the error a subrequest location that does not do its part raises (a setting to fix: nothing
-- reached the service)
local function location_error(self, why)
  return string.format("rtc.ngx: the subrequest location %s %s: it must include "
    .. "rtc/ngx/subrequest.conf (installed next to rtc/ngx.lua), which declares the variables "
    .. "rtc.ngx gives each subrequest ($%s) and sends them as the request; see the README's "
    .. "`location = /_rtc`", self.subrequest, why, table.concat(M.SUBREQUEST_VARS, ", $"))
end

-- one attempt on endpoint k: -> status, headers, body (an answer) or nil, error kind, sent, why
local function capture(self, req, k)
  local method = HTTP_METHOD[req.method]
  if not method then return nil, "config", false end
  local url, tls_name = target_of(self, req.url, k)
  local body = req.body
  -- Content-Length with a body, and for a POST without one (an empty POST, as libcurl sends it:
  -- start_app, stop_app, remove_room); none for a GET or DELETE
  local length = body ~= "" and tostring(#body) or (req.method == "POST" and "0" or "")
  local vars = { rtc_url = url, rtc_host = tls_name, rtc_body = body, rtc_h_content_length = length }
  local headers = req.headers
  for i = 1, #HEADER_VARS do -- every variable given: "" sends no header
    local hv = HEADER_VARS[i]
    vars[hv[2]] = headers[hv[1]] or ""
  end
  local ctx = { rtc_capture = true } -- the header filter's word on the answer (proxy_header)
  -- the body goes as a variable too (proxy_set_body): a capture's `body` would copy the
  -- handler's headers into the subrequest, which sends none of them
  local ok, res = pcall(ngx.location.capture, self.subrequest, { method = method, ctx = ctx, vars = vars })
  if not ok then -- a phase without subrequests (a timer), or no location declares the variables
    local phase = ngx.get_phase()
    if phase ~= "rewrite" and phase ~= "access" and phase ~= "content" then
      error(string.format("rtc.ngx: the subrequest way needs a request: call it from a rewrite, "
        .. "access or content handler, not %s (%s); the pool way works in timers too", phase, tostring(res)), 0)
    end
    error(location_error(self, "could not be given the request (" .. tostring(res) .. ")"), 0)
  end
  -- the include's header filter says it ran: else the location answered without it (no such
  -- location, or one without the include; the variables are declared by another location)
  if not ctx.rtc_location then
    error(location_error(self, "answered (HTTP " .. tostring(res.status) .. ") without "
      .. "rtc/ngx/subrequest.conf's header filter: it lacks the include, or does not exist"), 0)
  end
  if ctx.rtc_config then error(location_error(self, ctx.rtc_config), 0) end
  if ctx.rtc_failed then return nil, ctx.rtc_failed, ctx.rtc_sent, ctx.rtc_why end
  if res.truncated then return nil, "transport", true end
  -- res.header as nginx gives it: decode and retry_after read names in any case and lists
  return res.status, res.header or {}, res.body or ""
end

-- the count of arguments an operation takes before its optional opts table
local ARITY = {}
for _, row in ipairs(rtc.operations()) do
  ARITY[row.name] = #row.params + ((row.body or row.query) and 1 or 0)
end

-- what an attempt that got no answer says (outcome.error: proxy_header's word)
local FAILURE = { connect = "could not connect to the service", timeout = "the service did not answer in time",
                  transport = "the connection failed after the request was sent (no whole answer)" }

local NO_RETRY = { retry = false }

local function subrequest_call(self, op, ...)
  if not (ngx and ngx.location and ngx.location.capture) then
    error("rtc.ngx: the subrequest way needs a request (rewrite, access or content handlers)", 3)
  end
  local client = self.pure or local_client(self)
  local policy = self.shared_policy or policy_of(self)
  local started = ngx.now()
  local attempt, endpoint, args = 1, 1, nil
  -- the first attempt: endpoint 1, now (the arguments as given; copied only for a retry, or
  -- when there are more than the operation takes: rtc ignores those, prepare would read the
  -- next one as its {now, endpoint})
  local n = ARITY[op] or select("#", ...) -- (an unknown op: prepare raises, naming it)
  local req, err
  if select("#", ...) <= n then
    req, err = client:prepare(op, ...)
  else
    args = pack(...)
    req, err = client:prepare(op, unpack(args, 1, n))
  end
  while true do
    if not req then return nil, err end
    local wait = self.paced and policy:take(ngx.now()) or 0
    if self.shared then shared_wait(self) end
    while wait > 0 do -- the rate limit, or a 429's hold: never blocks the worker
      ngx.sleep(wait)
      ngx.update_time()
      wait = policy:take(ngx.now())
    end
    local status, headers, body, why = capture(self, req, endpoint)
    -- a 2xx is never retried: nothing to weigh
    local d, outcome = status and status >= 200 and status < 300 and NO_RETRY, nil
    if not d then
      ngx.update_time()
      outcome = { operation = op, attempt = attempt, started = started, now = ngx.now(),
                  endpoint = endpoint }
      if status then
        -- Retry-After only counts with a 429 or a 5xx
        outcome.status, outcome.sent = status, true
        if status == 429 or status >= 500 then outcome.retry_after = retry_after(headers) end
        if status == 429 and outcome.retry_after and self.shared then -- every worker waits
          shared_hold(self, outcome.retry_after)
        elseif status == 429 and outcome.retry_after and policy.hold then -- the whole client waits
          policy:hold(ngx.now() + math.min(outcome.retry_after, self.opts and self.opts.deadline or 60))
          self.paced = true
        end
      else
        outcome.error, outcome.sent = headers, body
      end
      d = policy:decide(outcome)
    end
    if status and not d.retry then
      local result, derr = client:decode(op, status, headers, body)
      if derr then derr.attempts = attempt end
      return result, derr
    elseif not d.retry then
      local kind = d.kind or (outcome.error == "timeout" and "timeout" or "transport")
      local e = rtc_error(kind, string.format("%s through %s (endpoint %d%s; error.log has why)",
        FAILURE[outcome.error] or outcome.error, self.subrequest, endpoint, why and ": " .. why or ""))
      e.attempts = attempt
      -- as the libcurl way: the request went out, its answer was lost (what was asked may be done)
      if outcome.sent then e.sent = true end
      return nil, e
    end
    if d.delay and d.delay > 0 then ngx.sleep(d.delay) end
    attempt, endpoint = attempt + 1, d.endpoint or endpoint
    -- the next attempt: its endpoint and time, in the opts slot after the operation's arguments
    args = args or pack(...)
    args[n + 1] = { now = ngx.time(), endpoint = endpoint }
    req, err = client:prepare(op, unpack(args, 1, n + 1))
  end
end

-- header_filter_by_lua of the internal location: tells an answer of the upstream from nginx's
-- own 502/504 (no upstream header was received), through the subrequest's ngx.ctx
--   header_filter_by_lua_block { require("rtc.ngx").proxy_header() }
function M.proxy_header()
  local ctx = ngx.ctx
  if not ctx.rtc_capture then return end
  ctx.rtc_location = true -- the location includes subrequest.conf (capture checks it)
  local status = ngx.status
  if status < 500 then return end -- nginx's own answers here are 502 and 504 (and 500)
  local addr = ngx.var.upstream_addr
  if status == 500 and (addr == nil or addr == "") then -- failed before any upstream was asked
    local url = ngx.var.rtc_url
    if not (url and url:match("^https?://")) then
      ctx.rtc_config = ctx.rtc_config or "gave proxy_pass no URL: $rtc_url is empty there (a "
        .. "`set $rtc_url ...;` of the location overwrites what rtc.ngx gives; the include declares it)"
      return
    end
  end
  local header_time = ngx.var.upstream_header_time
  if header_time and header_time:match("%d") and not header_time:match("^[%s,:-]*$") then
    -- several attempts of nginx's own proxy_next_upstream would be listed; the last answered
    if not header_time:match("%-%s*$") then return end
  end
  ctx.rtc_failed = status == 504 and "timeout" or (status >= 500 and "transport") or nil
  if not ctx.rtc_failed then return end
  local sent = ngx.var.upstream_bytes_sent or ""
  ctx.rtc_sent = sent:match("[1-9]") ~= nil
  if ctx.rtc_failed == "transport" and not ctx.rtc_sent then ctx.rtc_failed = "connect" end
  if ctx.rtc_failed == "connect" and (addr == nil or addr == "") then -- no address was tried
    ctx.rtc_why = "nginx found no address for its host, a name that needs opts.upstream (an "
      .. "upstream{} of that name) or a `resolver` in nginx.conf"
  end
end

-- the location of the README before rtc/ngx/subrequest.conf called this in its rewrite phase:
-- such a location now fails the call with this word on what to change (nothing is sent)
function M.proxy()
  local ctx = ngx.ctx
  if ctx.rtc_capture then
    ctx.rtc_config = "calls rtc.ngx.proxy(), which is gone (as are its `set $rtc_url \"\";` and "
      .. "proxy_pass lines)"
  end
  ngx.log(ngx.ERR, "rtc.ngx.proxy() is gone: the subrequest location includes rtc/ngx/subrequest.conf instead")
  return ngx.exit(ngx.HTTP_INTERNAL_SERVER_ERROR)
end

local function light_batch(self, calls, opts, call_fn)
  opts = opts or {}
  local results, summary = {}, { ok = 0, failed = 0 }
  local next_i, width = 1, math.max(1, math.min(opts.concurrency or 16, #calls))
  local raised, did_raise = nil, false
  local function worker()
    while next_i <= #calls and not did_raise do
      local i = next_i
      next_i = i + 1
      local call = calls[i]
      local ok, r, err = pcall(call_fn, self, call[1], unpack(call, 2, call.n or #call))
      if not ok then raised, did_raise = r, true; return end
      results[i] = r and { result = r } or { err = err }
      if r then summary.ok = summary.ok + 1 else summary.failed = summary.failed + 1 end
    end
  end
  local threads = {}
  for w = 1, width do threads[w] = ngx.thread.spawn(worker) end
  for w = 1, width do ngx.thread.wait(threads[w]) end
  -- a call that raised (misuse, a broken subrequest location) raises out of the batch, as it
  -- would out of the call, once the others have ended: its entry would be missing otherwise
  if did_raise then error(raised, 0) end
  return results, summary
end

-- each_<item>: rtc.pager's walk (pure), each page's call made by this client, on either way (a
-- C iterator could not call a method that yields)
local function each(self, op, ...)
  local ask, answer = rtc.pager(op, ...)
  local items, i, over = nil, 0, false
  return function()
    while true do
      if items and i < #items then
        i = i + 1
        return items[i]
      end
      if over then return nil end
      local args = ask()
      if not args then
        over = true
        return nil
      end
      local page, err = self[op](self, unpack(args, 1, args.n))
      items, err = answer(page, err)
      i = 0
      if not items then -- raised, as rtc's each_<item> does: a failed walk is no short list
        over = true
        error(err, 0)
      end
    end
  end
end

---------------------------------------------------------------------------------------------

local OPERATIONS = operation_names()

for _, op in ipairs(OPERATIONS) do
  Client[op] = function(self, ...)
    if self.subrequest then return subrequest_call(self, op, ...) end
    return pool_call(self, op, ...)
  end
end
for _, m in ipairs(POOL_METHODS) do
  Client[m] = function(self, ...)
    if m == "batch" and self.shared and not self.subrequest then -- every call paced here
      local calls, bopts = ...
      return light_batch(self, calls, bopts, pool_call)
    end
    if self.subrequest then
      if m == "batch" then
        local calls, bopts = ...
        return light_batch(self, calls, bopts, subrequest_call)
      end
      error("rtc.ngx: " .. m .. " is not available on the subrequest way", 2)
    end
    return pool_call(self, m, ...)
  end
end

for _, row in ipairs(rtc.operations()) do
  if type(row.list) == "table" and row.list.item then
    local op = row.name
    Client["each_" .. row.list.item] = function(self, ...) return each(self, op, ...) end
  end
end

-- the recording events' receiver for content handlers (rtc/ngx/events.lua)
M.events = require "rtc.ngx.events"

-- the operation names this client has methods for
function M.operations()
  return { unpack(OPERATIONS) }
end

function M.new(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #1 to 'rtc.ngx.new' (table expected, got " .. type(opts) .. ")", 2)
  end
  local plain = {}
  for k, v in pairs(opts or {}) do
    if not NGX_OPTIONS[k] then plain[k] = v end
  end
  for k, v in pairs(plain) do check_plain(v, k, {}) end
  local o = opts or {}
  local self = setmetatable({ opts = plain, key = M._key(plain), pool = o.pool or "rtc",
                              subrequest = o.subrequest, max_pending = o.max_pending }, Client)
  if self.max_pending ~= nil and (type(self.max_pending) ~= "number" or self.max_pending < 1) then
    error("rtc.ngx: opts.max_pending: expected a number >= 1", 2)
  end
  for _, k in ipairs({ "threads", "max_queue" }) do
    if o[k] ~= nil and (type(o[k]) ~= "number" or o[k] < (k == "threads" and 1 or 0) or o[k] % 1 ~= 0) then
      error("rtc.ngx: opts." .. k .. ": expected a whole number, as `thread_pool` in nginx.conf declares it", 2)
    end
  end
  -- the pool's size: as told, else as nginx.conf declares it; max_pending fits in it
  local size = (o.threads or o.max_queue) and { threads = o.threads or 1, max_queue = o.max_queue or 0 }
  if not size and ngx and not self.subrequest then size = declared_pools()[self.pool] end
  local cap = size and size.threads + size.max_queue
  if cap and self.max_pending and self.max_pending > cap then
    error(string.format('rtc.ngx: opts.max_pending (%d) is more than thread pool "%s" holds '
      .. "(threads %d + max_queue %d): a task past its queue crashes the worker", self.max_pending,
      self.pool, size.threads, size.max_queue), 2)
  end
  if ngx and not cap and not self.subrequest and self.max_pending then
    error(string.format('rtc.ngx: opts.max_pending: the size of thread pool "%s" is not known '
      .. "(not declared in the main nginx.conf): pass opts.threads and opts.max_queue as its "
      .. "`thread_pool` line declares them", self.pool), 2)
  end
  -- unknown pool: one call at a time is the only number that fits every pool
  self.max_pending = self.max_pending or (cap and math.min(cap, 1024)) or (ngx and 1) or 1024
  if type(self.pool) ~= "string" then error("rtc.ngx: opts.pool: expected a thread pool name", 2) end
  if self.subrequest ~= nil and type(self.subrequest) ~= "string" then
    error("rtc.ngx: opts.subrequest: expected an internal location such as \"/_rtc\"", 2)
  end
  local up = (opts or {}).upstream
  if type(up) == "string" then up = { up } end
  if up ~= nil and type(up) ~= "table" then
    error("rtc.ngx: opts.upstream: expected the name of an upstream{} (or a list, one per endpoint)", 2)
  end
  for k, name in pairs(up or {}) do -- each goes into $rtc_url as its host
    if type(name) ~= "string" or not name:match("^[%w][%w_.:%-]*$") then
      error(string.format("rtc.ngx: opts.upstream%s: expected the name of an upstream{} (letters, "
        .. "digits, '_', '-', '.', ':'), got %s", up == o.upstream and "[" .. tostring(k) .. "]" or "",
        type(name) == "string" and string.format("%q", name) or type(name)), 2)
    end
  end
  self.upstreams, self.targets = up or {}, {}
  local shared_name = (opts or {}).shared_rate
  if shared_name ~= nil then
    if type(shared_name) ~= "string" then
      error("rtc.ngx: opts.shared_rate: expected the name of a lua_shared_dict", 2)
    end
    if type(plain.rate) ~= "number" or plain.rate <= 0 then
      error("rtc.ngx: opts.shared_rate needs opts.rate (requests per second, > 0)", 2)
    end
    self.shared = ngx and ngx.shared and ngx.shared[shared_name]
    if ngx and ngx.shared and not self.shared then
      error(string.format('rtc.ngx: opts.shared_rate: no lua_shared_dict "%s" (add `lua_shared_dict %s 64k;` '
        .. "to the http section of nginx.conf)", shared_name, shared_name), 2)
    end
    -- the clients below this one do not pace themselves: rtc.ngx paces every attempt
    self.interval, self.attempts_by_endpoint = 1 / plain.rate, {}
    plain.rate = nil
    self.key = M._key(plain)
  end
  -- the subrequest way asks the policy for a slot only when it may have to wait: a rate, or
  -- once a 429 held the client (policy:hold)
  self.paced = (not self.shared) and plain.rate ~= nil
  -- options are checked here, in the worker, so that mistakes surface where they are made
  local ok, err = pcall(rtc.new, plain)
  if not ok then error(err, 2) end
  err:close()
  return self
end

return M
