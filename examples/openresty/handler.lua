-- examples/openresty/handler.lua
--
-- Updating a SparkRTC individual stream job from inside OpenResty without
-- blocking the nginx worker.
--
-- The `rtc` module does everything except the network I/O here:
--   client:prepare("update_job", ...)  builds the signed request (method, url,
--                                       headers, body), nothing is sent;
--   client:decode("update_job", ...)   turns the HTTP answer into exactly what
--                                       client:update_job would have returned.
-- The I/O in between is done with ngx.socket.tcp (a cosocket): while the
-- upstream is slow, this worker keeps serving other requests.
--
-- client:update_job() / get_job() / ... use libcurl and BLOCK the calling OS
-- thread.  Never call them in a request handler (rewrite/access/content/
-- log/timer phases): one slow upstream answer would stall every request of
-- the worker.  They are fine in init_by_lua (see M.startup), in CLI scripts
-- (cli_style.lua) and in ngx.run_worker_thread.

local rtc = require "rtc"
local cjson = require "cjson.safe"

local ngx = ngx
local tcp = ngx.socket.tcp

local M = { _VERSION = "0.1.0" }

-- Tunables (milliseconds for ngx cosocket timeouts).
M.conf = {
  connect_timeout   = 5000,
  send_timeout      = 30000,
  read_timeout      = 30000,
  keepalive_timeout = 60000,   -- idle time of a pooled upstream connection
  keepalive_pool    = 32,      -- pooled connections per upstream, per worker
  max_body          = 1048576, -- refuse bigger upstream answers
  ssl_verify        = true,    -- needs lua_ssl_trusted_certificate in nginx.conf
}

local client          -- this worker's rtc client (built in init_worker)
M.startup = nil       -- result of the blocking startup call (see M.startup_check)

-- ---------------------------------------------------------------------------
-- client construction

-- Options from the environment.  nginx clears the environment of its
-- processes: every variable used here must be declared with `env NAME;` in
-- the main section of nginx.conf.
local function env_opts(overrides)
  local o = {}
  local function pick(key, envname)
    local v = overrides and overrides[key]
    if v == nil then v = os.getenv(envname) end
    if v ~= nil and v ~= "" then o[key] = v end
  end
  pick("endpoint", "RTC_ENDPOINT")
  pick("token", "RTC_AUTH_TOKEN")
  pick("ak", "HUAWEICLOUD_SDK_AK")
  pick("sk", "HUAWEICLOUD_SDK_SK")
  pick("project_id", "HUAWEICLOUD_SDK_PROJECT_ID")
  pick("security_token", "HUAWEICLOUD_SDK_SECURITY_TOKEN")
  if o.token then o.ak, o.sk, o.project_id, o.security_token = nil, nil, nil, nil end
  if overrides then
    for k, v in pairs(overrides) do if o[k] == nil then o[k] = v end end
  end
  return o
end
M.env_opts = env_opts

-- init_worker_by_lua: one client per worker.  Building it does no I/O.
-- (Do not share a client built in init_by_lua with the workers: it would be
-- forked together with whatever libcurl state it has.)
function M.init_worker(overrides)
  local ok, c = pcall(rtc.new, env_opts(overrides))
  if not ok then
    ngx.log(ngx.ERR, "rtc.new failed: ", tostring(c))
    return nil, c
  end
  client = c
  return c
end

function M.client() return client end

-- init_by_lua: the place where a BLOCKING call is harmless -- the master
-- process is not serving requests yet.  Fetches one job (ids from env
-- RTC_STARTUP_APP_ID / RTC_STARTUP_JOB_ID) to fail fast on bad credentials
-- or a wrong endpoint, and keeps the answer for the /startup location.
-- The client is closed before the workers are forked.
function M.startup_check(overrides)
  local app, job = os.getenv("RTC_STARTUP_APP_ID"), os.getenv("RTC_STARTUP_JOB_ID")
  if not app or not job then return nil end
  local c = rtc.new(env_opts(overrides))
  local res, err = c:get_job(app, job)             -- blocking libcurl call
  c:close()
  if res then
    M.startup = { ok = true, job = res }
  else
    M.startup = { ok = false, error = M.err_table(err) }
    ngx.log(ngx.WARN, "rtc startup check: ", tostring(err))
  end
  return M.startup
end

-- ---------------------------------------------------------------------------
-- HTTP/1.1 over a cosocket

local function parse_url(url)
  local scheme, rest = url:match("^(%a[%w+.-]*)://(.*)$")
  if not scheme then return nil, "cannot parse URL " .. url end
  scheme = scheme:lower()
  if scheme ~= "http" and scheme ~= "https" then
    return nil, "unsupported URL scheme " .. scheme
  end
  local authority, path = rest:match("^([^/?#]*)(.*)$")
  authority = authority:gsub("^.*@", "")           -- drop userinfo
  path = path:gsub("#.*$", "")
  if path == "" or path:sub(1, 1) == "?" then path = "/" .. path end
  local host, port
  if authority:sub(1, 1) == "[" then                 -- IPv6 literal
    host, port = authority:match("^(%[[^%]]+%]):?(%d*)$")
  else
    host, port = authority:match("^([^:]+):?(%d*)$")
  end
  if not host then return nil, "cannot parse URL host in " .. url end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  return { scheme = scheme, host = host, port = port, path = path,
           authority = authority }
end
M.parse_url = parse_url

local function has_header(headers, name)
  name = name:lower()
  for k in pairs(headers) do
    if type(k) == "string" and k:lower() == name then return true end
  end
  return false
end

local function build_request(req, u)
  local body = req.body or ""
  local out = { req.method, " ", u.path, " HTTP/1.1\r\n" }
  local headers = req.headers or {}
  if not has_header(headers, "host") then
    out[#out + 1] = "Host: " .. u.authority .. "\r\n"
  end
  for name, value in pairs(headers) do
    local lname = name:lower()
    if lname ~= "connection" and lname ~= "transfer-encoding" then
      value = tostring(value)
      if name:find("[%c:]") or value:find("[\r\n]") then
        return nil, "refusing header with control characters: " .. name
      end
      out[#out + 1] = name .. ": " .. value .. "\r\n"
    end
  end
  if not has_header(headers, "content-length")
     and (#body > 0 or req.method == "PUT" or req.method == "POST") then
    out[#out + 1] = "Content-Length: " .. #body .. "\r\n"
  end
  out[#out + 1] = "Connection: keep-alive\r\n\r\n"
  out[#out + 1] = body
  return out
end

-- reads an answer: returns status, headers (lowercase names), body, keepalive
local function read_response(sock, method, max_body)
  local status, headers, line, err, http10
  repeat                                            -- skip 1xx answers
    line, err = sock:receive("*l")
    if not line then return nil, err end
    local ver, code = line:match("^HTTP/(%d%.%d) (%d%d%d)")
    if not code then return nil, "bad status line: " .. line:sub(1, 80) end
    http10 = ver == "1.0"
    status = tonumber(code)
    headers = {}
    while true do
      line, err = sock:receive("*l")
      if not line then return nil, err end
      if line == "" then break end
      local name, value = line:match("^([^:]+):%s*(.-)%s*$")
      if name then
        name = name:lower()
        headers[name] = headers[name] and (headers[name] .. ", " .. value) or value
      end
    end
  until status >= 200

  local conn = (headers["connection"] or ""):lower()
  local keepalive = not conn:find("close", 1, true)
                    and (not http10 or conn:find("keep-alive", 1, true) ~= nil)
  local body = ""
  local te = (headers["transfer-encoding"] or ""):lower()
  if method == "HEAD" or status == 204 or status == 304 then
    body = ""
  elseif te:find("chunked", 1, true) then
    local parts, total = {}, 0
    while true do
      line, err = sock:receive("*l")
      if not line then return nil, err end
      local size = tonumber(line:match("^%s*(%x+)"), 16)
      if not size then return nil, "bad chunk size line" end
      if size == 0 then
        repeat                                      -- trailers
          line, err = sock:receive("*l")
          if not line then return nil, err end
        until line == ""
        break
      end
      total = total + size
      if total > max_body then return nil, "body exceeds max_body", "decode" end
      local data
      data, err = sock:receive(size)
      if not data then return nil, err end
      parts[#parts + 1] = data
      data, err = sock:receive(2)                   -- CRLF after each chunk
      if not data then return nil, err end
    end
    body = table.concat(parts)
  elseif headers["content-length"] then
    local n = tonumber(headers["content-length"])
    if not n or n < 0 then return nil, "bad Content-Length" end
    if n > max_body then return nil, "body exceeds max_body", "decode" end
    if n > 0 then
      body, err = sock:receive(n)
      if not body then return nil, err end
    end
  else                                              -- delimited by close
    keepalive = false
    local parts, total = {}, 0
    while true do
      local data
      data, err = sock:receiveany(65536)
      if not data then
        if err == "closed" then break end
        return nil, err
      end
      total = total + #data
      if total > max_body then return nil, "body exceeds max_body", "decode" end
      parts[#parts + 1] = data
    end
    body = table.concat(parts)
  end
  return status, headers, body, keepalive
end

-- One HTTP exchange for a prepared request.  Returns status, headers, body
-- or nil, message, kind ("transport" | "timeout" | "decode").
function M.send(req, conf)
  conf = conf or M.conf
  local u, perr = parse_url(req.url)
  if not u then return nil, perr, "invalid" end
  local request, berr = build_request(req, u)
  if not request then return nil, berr, "invalid" end

  local pool = table.concat({ "rtc", u.scheme, u.host, u.port,
                              tostring(conf.ssl_verify) }, ":")
  local last_err
  for _ = 1, 2 do                 -- 2nd try only after a stale pooled connection
    local sock = tcp()
    sock:settimeouts(conf.connect_timeout, conf.send_timeout, conf.read_timeout)
    local ok, err = sock:connect(u.host, u.port, { pool = pool })
    if not ok then
      return nil, "connect to " .. u.authority .. " failed: " .. tostring(err),
             err == "timeout" and "timeout" or "transport"
    end
    local reused = sock:getreusedtimes() > 0
    if u.scheme == "https" and not reused then
      local sni = u.host:match("^%[") and nil or u.host
      ok, err = sock:sslhandshake(nil, sni, conf.ssl_verify)
      if not ok then
        sock:close()
        return nil, "TLS handshake with " .. u.authority .. " failed: " .. tostring(err),
               "transport"
      end
    end
    ok, err = sock:send(request)
    local status, headers, body, keepalive, kind
    if ok then
      status, headers, body, keepalive = read_response(sock, req.method, conf.max_body)
      if not status then err, kind = headers, body end
    end
    if status then
      if keepalive then
        sock:setkeepalive(conf.keepalive_timeout, conf.keepalive_pool)
      else
        sock:close()
      end
      return status, headers, body
    end
    sock:close()
    last_err = err
    -- A pooled connection the upstream closed meanwhile fails at once with
    -- "closed"; retry once on a fresh connection.  Anything else is final.
    if not (reused and (err == "closed" or err == "connection reset by peer")) then
      return nil, tostring(err), kind or (err == "timeout" and "timeout" or "transport")
    end
  end
  return nil, tostring(last_err), "transport"
end

-- ---------------------------------------------------------------------------
-- rtc error object -> plain table (for JSON)

local ERR_FIELDS = { "kind", "status", "code", "message", "request_id", "attempts", "field" }

function M.err_table(err)
  if type(err) ~= "table" then return { kind = "internal", message = tostring(err) } end
  local t = {}
  for _, k in ipairs(ERR_FIELDS) do t[k] = err[k] end
  t.error = tostring(err)
  return t
end

local function respond(status, tbl)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  local s, eerr = cjson.encode(tbl)
  if not s then
    ngx.status = 500
    s = cjson.encode({ kind = "internal", message = "cannot encode answer: " .. tostring(eerr) })
  end
  ngx.say(s)
  return ngx.exit(ngx.status)
end

-- ---------------------------------------------------------------------------
-- the generic non-blocking call: prepare -> cosocket -> decode

-- Returns exactly what client[op](...) would return (result or nil, err),
-- but without blocking the worker.
function M.call(op, ...)
  if not client then
    return nil, { kind = "internal", message = "rtc client not initialised (init_worker failed?)" }
  end
  local req, err = client:prepare(op, ...)
  if not req then return nil, err end
  local status, headers, body = M.send(req)
  if not status then
    -- headers = message, body = kind; shaped like the module's error objects
    return nil, setmetatable({ kind = body, message = headers, attempts = 1 },
                             { __tostring = function(e) return e.kind .. ": " .. e.message end })
  end
  return client:decode(op, status, headers, body)
end

-- ---------------------------------------------------------------------------
-- content handlers

local function read_json_body()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if not data then
    local file = ngx.req.get_body_file()
    if file then
      local f = io.open(file, "rb")
      if f then data = f:read("*a"); f:close() end
    end
  end
  if not data or data == "" then return nil, "empty request body" end
  local t, derr = cjson.decode(data)
  if type(t) ~= "table" then return nil, "request body is not a JSON object: " .. tostring(derr) end
  return t
end

-- The method, app_id and job_id of a request to one of the locations below, or nil once it
-- has been answered: 405 for a method not in `allowed` (e.g. { "PUT", "POST" }), 400 without
-- the app_id and job_id query arguments.
local function job_request(allowed)
  local method = ngx.req.get_method()
  local known = false
  for _, m in ipairs(allowed) do known = known or m == method end
  if not known then
    ngx.header["Allow"] = table.concat(allowed, ", ")
    respond(405, { kind = "invalid", message = "use " .. table.concat(allowed, " or ") })
    return nil
  end
  local args = ngx.req.get_uri_args()
  local app, job = args.app_id, args.job_id
  if type(app) ~= "string" or type(job) ~= "string" then
    respond(400, { kind = "invalid", message = "app_id and job_id query arguments are required" })
    return nil
  end
  return method, app, job
end

-- PUT|POST with app_id, job_id and the update params as a JSON body: app, job, params, or nil
-- once it has been answered (405 / 400).
local function update_request()
  local method, app, job = job_request({ "PUT", "POST" })
  if not method then return nil end
  local params, perr = read_json_body()
  if not params then
    respond(400, { kind = "invalid", message = perr })
    return nil
  end
  return app, job, params
end

-- answers what M.call returned: 200 + the result, or the error with 400 (invalid: nothing was
-- sent upstream) or 502 (the upstream call failed)
local function respond_result(res, err)
  if not res then
    local t = M.err_table(err)
    return respond(t.kind == "invalid" and 400 or 502, t)
  end
  return respond(200, res)
end

-- location /update: PUT|POST /update?app_id=A&job_id=J, body = update params,
--   e.g. {"publish_param":{"rtmp_urls":["rtmp://x/live/s"]}}
-- 200 + job JSON; 400 + error JSON for bad input (nothing sent upstream);
-- 502 + error JSON when the upstream call failed (api, transport, timeout, decode).
function M.update()
  local app, job, params = update_request()
  if not app then return end
  local res, err = M.call("update_job", app, job, params)
  if res and res.request_id then ngx.header["X-Upstream-Request-Id"] = res.request_id end
  return respond_result(res, err)
end

-- location /job: GET /job?app_id=A&job_id=J -> get_job; DELETE -> stop_job
-- ({"request_id": ...}; the upstream answers 204 without a body).
function M.job()
  local method, app, job = job_request({ "GET", "DELETE" })
  if not method then return end
  return respond_result(M.call(method == "GET" and "get_job" or "stop_job", app, job))
end

-- location /update_thread: the same contract as /update, but the call runs the blocking
-- libcurl API in a pool thread (see thread.lua); needs `thread_pool rtc threads=N;`.
function M.update_thread()
  local app, job, params = update_request()
  if not app then return end
  local ok, status, body = ngx.run_worker_thread("rtc", "thread", "update_job",
                                                 app, job, cjson.encode(params))
  if not ok then
    return respond(500, { kind = "internal", message = "worker thread: " .. tostring(status) })
  end
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(body)
  return ngx.exit(status)
end

-- location /startup: what the blocking init_by_lua call found.
function M.startup_status()
  if not M.startup then
    return respond(404, { kind = "invalid", message = "no startup check configured" })
  end
  return respond(M.startup.ok and 200 or 502, M.startup)
end

return M
