-- spec/client/tls_spec.lua — TLS verification (ca_file, ca_path, insecure) against a tiny nginx with
-- a self-signed certificate, and proxies (opts.proxy, http_proxy / no_proxy) against the mock.
-- Run: busted --lua=lua5.4 --cpath='build/lua5.4/?.so' spec/client/tls_spec.lua
-- Needs the openssl and nginx commands (Debian: openssl, nginx); skipped (pending) without.
local helper = require "spec.helper"
local rtc = require "rtc"
local socket = require "socket"
local sparkrtc = require "sparkrtc"

local APP = "app-tls"
local JOB = '{"job_id":"1","app_id":"' .. APP .. '","state":"RUNNING"}'

local q = helper.shell_quote
local read = helper.read_file
local free_port, dead_port = helper.free_port, helper.dead_port
local is_error = helper.is_error

local function have(cmd)
  return helper.sh_ok("command -v " .. cmd .. " >/dev/null 2>&1")
end

local function sh(cmd)
  assert(helper.sh_ok(cmd .. " >/dev/null 2>&1"), "command failed: " .. cmd)
end

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function wait_listening(port, seconds)
  local t0 = helper.gettime()
  while helper.gettime() - t0 < seconds do
    local c = socket.tcp()
    c:settimeout(0.2)
    local ok = c:connect("127.0.0.1", port)
    c:close()
    if ok then return true end
    helper.sleep(0.05)
  end
  return false
end

local function base64(s)
  local b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  return ((s:gsub(".", function(x)
    local r, byte = "", x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

-------------------------------------------------------------------------------------------------
describe("TLS", function()
  local available = have("openssl") and have("nginx")
  local dir, good_port, wrong_port, nginx_pid
  local good_cert, wrong_cert, hashed_dir

  setup(function()
    if not available then return end
    dir = os.tmpname()
    os.remove(dir)
    sh("mkdir -p " .. q(dir) .. "/hashed " .. q(dir) .. "/logs")
    good_cert, wrong_cert = dir .. "/good.pem", dir .. "/wrong.pem"
    -- a certificate for 127.0.0.1 and localhost, and one for another name only
    sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost" ..
      " -addext " .. q("subjectAltName=IP:127.0.0.1,DNS:localhost") ..
      " -keyout " .. q(dir .. "/good.key") .. " -out " .. q(good_cert))
    sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=wrong.example" ..
      " -addext " .. q("subjectAltName=DNS:wrong.example") ..
      " -keyout " .. q(dir .. "/wrong.key") .. " -out " .. q(wrong_cert))
    -- a CA directory for ca_path: the certificate under its subject-hash name
    hashed_dir = dir .. "/hashed"
    local hp = io.popen("openssl x509 -noout -hash -in " .. q(good_cert))
    local hash = hp:read("*l")
    hp:close()
    assert(hash and hash:match("^%x+$"), "openssl x509 -hash failed")
    sh("cp " .. q(good_cert) .. " " .. q(hashed_dir .. "/" .. hash .. ".0"))

    local function server(port, name)
      return ([[
    server {
      listen 127.0.0.1:%d ssl;
      ssl_certificate %s/%s.pem;
      ssl_certificate_key %s/%s.key;
      location / {
        default_type application/json;
        add_header X-request-Id tls-req-1 always;
        return 200 '%s';
      }
    }]]):format(port, dir, name, dir, name, JOB)
    end
    -- free_port's ports may be taken before nginx binds them (others test on this machine too):
    -- nginx then fails to start, and is started again with new ones
    local started
    for _ = 1, 3 do
      good_port, wrong_port = free_port(), free_port()
      write(dir .. "/nginx.conf", ([[
worker_processes 1;
pid %s/nginx.pid;
error_log %s/logs/error.log;
events { worker_connections 64; }
http {
  access_log %s/logs/access.log;
  client_body_temp_path %s/body;
  proxy_temp_path %s/proxy;
  fastcgi_temp_path %s/fastcgi;
  uwsgi_temp_path %s/uwsgi;
  scgi_temp_path %s/scgi;
%s
%s
}
]]):format(dir, dir, dir, dir, dir, dir, dir, dir, server(good_port, "good"), server(wrong_port, "wrong")))
      started = helper.sh_ok("nginx -e " .. q(dir .. "/logs/error.log") .. " -p " .. q(dir) .. " -c "
        .. q(dir .. "/nginx.conf") .. " >/dev/null 2>&1")
      if started or not (read(dir .. "/logs/error.log") or ""):find("in use", 1, true) then break end
    end
    assert(started, "nginx did not start: " .. tostring(read(dir .. "/logs/error.log")))
    -- it listens once started (the master binds before it returns); 20 s is a bound only a
    -- broken start reaches
    assert(wait_listening(good_port, 20) and wait_listening(wrong_port, 20),
      "nginx did not start: " .. tostring(read(dir .. "/logs/error.log")))
    nginx_pid = tonumber((read(dir .. "/nginx.pid") or ""):match("%d+"))
  end)

  teardown(function()
    if nginx_pid then
      os.execute("kill " .. nginx_pid .. " 2>/dev/null")
      local t0 = helper.gettime()
      while read("/proc/" .. nginx_pid .. "/stat") and helper.gettime() - t0 < 10 do helper.sleep(0.05) end
    end
    if dir and dir:match("^/tmp/") then os.execute("rm -rf " .. q(dir)) end
  end)

  local function client(opts)
    local o = { token = "t", retries = 0, timeout = 5 }
    for k, v in pairs(opts) do o[k] = v end
    return rtc.new(o)
  end

  local function ok_call(c)
    local job, err = c:get_job(APP, "1")
    assert.is_nil(err)
    assert.are.equal("1", job.job_id)
    assert.are.equal("RUNNING", job.state)
    assert.are.equal("tls-req-1", job.request_id)
    c:close()
  end

  local function refused(c)
    local job, err = c:get_job(APP, "1")
    assert.is_nil(job)
    is_error(err, "transport")
    local m = err.message:lower()
    assert.truthy(m:find("certificate", 1, true) or m:find("host name", 1, true), err.message)
    assert.are.equal(1, err.attempts) -- another attempt cannot mend a certificate
    c:close()
  end

  local function need()
    if not available then pending("openssl or nginx is not installed") end
    return available
  end

  it("refuses a self-signed certificate by default (kind transport, about the certificate)", function()
    if not need() then return end
    refused(client{ endpoint = "https://127.0.0.1:" .. good_port })
    refused(client{ endpoint = "https://localhost:" .. good_port })
  end)

  it("succeeds with ca_file = the certificate (IP and DNS names)", function()
    if not need() then return end
    ok_call(client{ endpoint = "https://127.0.0.1:" .. good_port, ca_file = good_cert })
    ok_call(client{ endpoint = "https://localhost:" .. good_port, ca_file = good_cert })
  end)

  it("succeeds with ca_path = a hashed CA directory", function()
    if not need() then return end
    ok_call(client{ endpoint = "https://127.0.0.1:" .. good_port, ca_path = hashed_dir })
  end)

  it("succeeds with insecure = true", function()
    if not need() then return end
    ok_call(client{ endpoint = "https://127.0.0.1:" .. good_port, insecure = true })
  end)

  it("refuses a trusted certificate for another host name", function()
    if not need() then return end
    refused(client{ endpoint = "https://127.0.0.1:" .. wrong_port, ca_file = wrong_cert })
  end)

  it("refuses a certificate that ca_file does not vouch for", function()
    if not need() then return end
    refused(client{ endpoint = "https://127.0.0.1:" .. wrong_port, ca_file = good_cert })
  end)

  it("insecure = true skips the host name check too", function()
    if not need() then return end
    ok_call(client{ endpoint = "https://127.0.0.1:" .. wrong_port, insecure = true })
  end)

  it("a client that trusts the certificate keeps working across calls (connection reuse)", function()
    if not need() then return end
    local c = client{ endpoint = "https://127.0.0.1:" .. good_port, ca_file = good_cert }
    for _ = 1, 5 do
      local job, err = c:get_job(APP, "1")
      assert.is_nil(err)
      assert.are.equal("1", job.job_id)
    end
    c:close()
  end)
end)

-------------------------------------------------------------------------------------------------
describe("proxy", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  local TARGET = "http://example.invalid/v2/apps/" .. APP .. "/individual-stream-jobs/j1"

  it("opts.proxy: the request reaches the proxy in absolute form, Host of the endpoint", function()
    local c = rtc.new{ endpoint = "http://example.invalid", token = "test-token", proxy = mock.url, retries = 0 }
    local _, err = c:get_job(APP, "j1")
    -- the mock does not route absolute-form targets: a 404 from it proves the request went there
    is_error(err, "api")
    assert.are.equal(404, err.status)
    local reqs = mock:requests()
    assert.are.equal(1, #reqs)
    assert.are.equal("GET", reqs[1].method)
    assert.are.equal(TARGET, reqs[1].target)
    assert.are.equal("example.invalid", reqs[1].headers.host)
    assert.are.equal("test-token", reqs[1].headers["x-auth-token"])
    c:close()
  end)

  it("opts.proxy with AK/SK: the signature covers the origin's path and Host", function()
    local c = rtc.new{ endpoint = "http://example.invalid", ak = mock.ak, sk = mock.sk,
      project_id = mock.project_id, proxy = mock.url, retries = 0 }
    c:get_job(APP, "j1")
    local r = mock:requests()[1]
    assert.is_table(r)
    local origin = {}
    for k, v in pairs(r) do origin[k] = v end
    origin.target = r.target:match("^https?://[^/]+(/.*)$")
    origin.path, origin.query = sparkrtc.split_target(origin.target)
    local ok, why = sparkrtc.verify_signature(origin, mock.aksk)
    assert(ok, why)
    c:close()
  end)

  it("opts.proxy with user and password sends Proxy-Authorization", function()
    local proxy = "http://user:secret@127.0.0.1:" .. mock.port
    local c = rtc.new{ endpoint = "http://example.invalid", token = "test-token", proxy = proxy, retries = 0 }
    c:get_job(APP, "j1")
    local r = mock:requests()[1]
    assert.is_table(r)
    assert.are.equal("Basic " .. base64("user:secret"), r.headers["proxy-authorization"])
    assert.is_nil(tostring(c):find("secret", 1, true))
    c:close()
  end)

  it("a proxy that refuses connections: kind transport", function()
    local c = rtc.new{ endpoint = "http://example.invalid", token = "t", proxy = "http://127.0.0.1:" .. dead_port(),
      retries = 1, backoff_base = 0.01, backoff_max = 0.02 }
    local _, err = c:get_job(APP, "j1")
    is_error(err, "transport")
    assert.are.equal(2, err.attempts)
    c:close()
  end)

  describe("from the environment (libcurl's http_proxy / no_proxy)", function()
    local script

    setup(function()
      script = os.tmpname()
      write(script, [[
local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
package.cpath = cpath .. ";" .. package.cpath
local rtc = require "rtc"
local opts = { endpoint = arg[1], token = "test-token", retries = 0, timeout = 3 }
if arg[2] and arg[2] ~= "" then opts.proxy = arg[2] end
local c = rtc.new(opts)
local res, err = c:get_job("]] .. APP .. [[", "j1")
io.write(res and "ok" or (tostring(err.kind) .. " " .. tostring(err.status or 0)), "\n")
c:close()
]])
    end)
    teardown(function() if script then os.remove(script) end end)

    -- -> the one output line of the subprocess
    local function run(env, endpoint, proxy)
      local parts = { "env -u http_proxy -u HTTP_PROXY -u no_proxy -u NO_PROXY -u all_proxy -u ALL_PROXY" }
      for k, v in pairs(env) do parts[#parts + 1] = k .. "=" .. q(v) end
      parts[#parts + 1] = q(helper.LUA) .. " " .. q(script) .. " " .. q(endpoint) .. " " .. q(proxy or "")
      local _, out = helper.run(table.concat(parts, " ") .. " 2>&1")
      return out
    end

    it("http_proxy sends the call through the proxy", function()
      local out = run({ http_proxy = mock.url }, "http://example.invalid")
      assert.are.equal("api 404\n", out)
      local reqs = mock:requests()
      assert.are.equal(1, #reqs)
      assert.are.equal(TARGET, reqs[1].target)
    end)

    it("no_proxy exempts a host: the call goes direct", function()
      local dead = "http://127.0.0.1:" .. dead_port()
      -- through the proxy: the mock sees the absolute target of the dead host
      local out = run({ http_proxy = mock.url }, dead)
      assert.are.equal("api 404\n", out)
      assert.are.equal(1, #mock:requests())
      assert.are.equal(dead .. "/v2/apps/" .. APP .. "/individual-stream-jobs/j1", mock:requests()[1].target)
      -- exempted: straight to the dead host, connection refused, the mock sees nothing more
      out = run({ http_proxy = mock.url, no_proxy = "127.0.0.1" }, dead)
      assert.are.equal("transport 0\n", out)
      assert.are.equal(1, #mock:requests())
    end)

    it("opts.proxy wins over http_proxy", function()
      local out = run({ http_proxy = "http://127.0.0.1:" .. dead_port() }, "http://example.invalid", mock.url)
      assert.are.equal("api 404\n", out)
      assert.are.equal(1, #mock:requests())
    end)
  end)
end)
