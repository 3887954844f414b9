-- spec/helper.lua — shared by every spec: module paths, the mock SparkRTC server, clients.
--
--   local helper = require "spec.helper"
--   local mock = helper.start_mock{ tokens = {"test-token"}, aksk = { ["test-ak"] = "test-sk" },
--                                   project_id = "test-project" }  -- all optional (these are the defaults)
--   mock.port, mock.url            -- "http://127.0.0.1:PORT"
--   mock:reset()                   -- clears jobs, request log, scripts, counters, config
--   mock:script{ status = 503, body = "busy" }    -- or a list of such tables; see mock/README.md
--   mock:config{ delay_all = 0.02 }               -- also clock_offset = seconds
--   mock:requests()                -- { {method, target, path, query, headers (lowercase), body}, … }
--   mock:stats()                   -- { connections, requests, in_flight, max_in_flight, accepted, open }
--   mock:jobs()                    -- { [app_id] = { [job_id] = job } }
--   mock:seed_job(app_id, { job_id = "j1", room_id = "r", user_id = "u", state = "RUNNING" }) -> job
--   mock:request(method, path, { headers = {…}, body = "…" })  -> status, body, headers (raw call)
--   mock:stop()
--   helper.client(mock, opts) / helper.aksk_client(mock, opts) -- rtc.new against the mock
--   helper.mock_suite(opts, set)   -- inside a describe: one mock (and client) for its tests, see below
--   helper.LUA                     -- interpreter running the specs (env RTC_LUA, default "lua5.4")
--   helper.sleep(seconds), helper.gettime(), helper.stop_all()
--   helper.timed(f, ...)           -> elapsed seconds, then everything f returned
--   helper.free_port()             -- a loopback port nothing listens on (bound, then closed)
--   helper.is_error(err, kind)     -- asserts an rtc.error (of that kind, when given)
--   helper.plain(t, skip)          -- a deep copy without metatables (skip: a top-level key left out)
--   helper.shell_quote(s), helper.read_file(path) (nil when unreadable), helper.file_exists(path)
--   helper.run(cmd)                -> exit code, stdout, stderr of a shell command (any Lua)
--   helper.sh_ok(cmd)              -- the command exits 0
--   helper.skipped(reason)         -- inside a describe: pending("skipped: " .. reason) when reason
--   helper.assert_example_test(name) -- examples/<name>/test.sh ran and every check passed

local helper = {}

helper.LUA = os.getenv("RTC_LUA") or "lua5.4"
-- the interpreter that runs mock/server.lua (env RTC_MOCK_LUA; it also runs under luajit)
helper.MOCK_LUA = os.getenv("RTC_MOCK_LUA") or "lua5.4"

-- the repository root, from this file's own path (spec/helper.lua)
local function root_dir()
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) == "@" then
    local d = src:sub(2):match("^(.*)/spec/[^/]*$")
    if d then return d end
    if src:sub(2):match("^spec/[^/]*$") then return "." end
  end
  return "."
end
helper.ROOT = root_dir()

do
  local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
  if not package.cpath:find(cpath, 1, true) then package.cpath = cpath .. ";" .. package.cpath end
  local paths = "./?.lua;./mock/?.lua;"
  if helper.ROOT ~= "." then paths = paths .. helper.ROOT .. "/?.lua;" .. helper.ROOT .. "/mock/?.lua;" end
  if not package.path:find("./mock/?.lua", 1, true) then package.path = paths .. package.path end
end

local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"

helper.sleep = socket.sleep
helper.gettime = socket.gettime

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

helper.shell_quote = shell_quote
helper.read_file = read_file

function helper.file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- runs a shell command; returns its exit code, stdout and stderr. The exit status comes through
-- the pipe itself: io.popen's close gives none on Lua 5.1/LuaJIT. (A "2>&1" at the end of cmd
-- puts stderr into stdout.)
function helper.run(cmd)
  local err_file = os.tmpname()
  local p = assert(io.popen("(" .. cmd .. ") 2>" .. shell_quote(err_file) .. "; echo \"EXIT:$?\"", "r"))
  local all = p:read("*a")
  p:close()
  local out, code = all:match("^(.-)EXIT:(%d+)%s*$")
  local err = read_file(err_file) or ""
  os.remove(err_file)
  return tonumber(code), out or all, err
end

-- true when cmd exits 0 (os.execute: true, "exit", 0 on 5.2+; 0 on Lua 5.1 / LuaJIT)
function helper.sh_ok(cmd)
  local ok, how, code = os.execute(cmd)
  if type(ok) == "number" then return ok == 0 end
  return ok == true and how == "exit" and code == 0
end

local function my_pid()
  local s = read_file("/proc/self/stat")
  return s and tonumber(s:match("^(%d+)"))
end

-- state letter and start time (clock ticks since boot) of a process, or nil
local function proc_stat(pid)
  local s = read_file("/proc/" .. pid .. "/stat")
  if not s then return nil end
  local rest = s:match("^%d+ %b()%s+(.*)$")
  if not rest then return nil end
  local fields = {}
  for f in rest:gmatch("%S+") do fields[#fields + 1] = f end
  return fields[1], fields[20] -- state (field 3), starttime (field 22)
end

-- alive, not a zombie, and (when start is given) the same process that was started
local function pid_alive(pid, start)
  local state, st = proc_stat(pid)
  return state ~= nil and state ~= "Z" and (start == nil or st == start)
end

local live = setmetatable({}, { __mode = "k" }) -- mocks not yet stopped

local Mock = {}
Mock.__index = Mock

-- one HTTP exchange with the mock: -> status, body, headers | nil, err
local function http_call(url, method, headers, body, timeout)
  local chunks = {}
  headers = headers or {}
  if body then headers["content-length"] = tostring(#body) end
  local old = http.TIMEOUT
  http.TIMEOUT = timeout or 5
  local ok, status, resp_headers = http.request{
    url = url, method = method, headers = headers,
    source = body and ltn12.source.string(body) or nil,
    sink = ltn12.sink.table(chunks),
  }
  http.TIMEOUT = old
  if not ok then return nil, status end
  return status, table.concat(chunks), resp_headers
end

function Mock:control(method, path, obj, want)
  local body = obj ~= nil and cjson.encode(obj) or nil
  local status, text = http_call(self.url .. path, method,
    body and { ["content-type"] = "application/json" } or nil, body, 5)
  if not status then error("mock control " .. method .. " " .. path .. " failed: " .. tostring(text), 2) end
  if status ~= (want or 200) then
    error("mock control " .. method .. " " .. path .. ": HTTP " .. tostring(status) .. " " .. tostring(text), 2)
  end
  return cjson.decode(text)
end

function Mock:reset() self:control("POST", "/_mock/reset"); return self end

-- one behaviour table, or a list of them (queued in order)
function Mock:script(s)
  if s[1] ~= nil then
    for _, one in ipairs(s) do self:control("POST", "/_mock/script", one) end
  else
    self:control("POST", "/_mock/script", s)
  end
  return self
end

function Mock:config(c) self:control("POST", "/_mock/config", c); return self end
function Mock:requests() return self:control("GET", "/_mock/requests") end
-- the requests the API got, the /_mock/ control routes left out; since: skip the first `since`
-- of the whole log (a mark taken earlier with #mock:requests())
function Mock:api_requests(since)
  local list, all = {}, self:requests()
  for i = (since or 0) + 1, #all do
    local r = all[i]
    if not tostring(r.path or r.target):match("^/_mock") then list[#list + 1] = r end
  end
  return list
end
function Mock:stats() return self:control("GET", "/_mock/stats") end
function Mock:jobs() return self:control("GET", "/_mock/jobs") end

-- put a job straight into the mock's store: fields as given (job_id, room_id, user_id, state, …),
-- the rest filled like a create; returns the job as the API would answer it
function Mock:seed_job(app_id, fields)
  return self:control("POST", "/_mock/jobs", { app_id = app_id, job = fields or {} }, 201)
end

-- a raw HTTP request to the mock (socket.http; "Connection: close")
function Mock:request(method, path, o)
  o = o or {}
  local headers = {}
  for k, v in pairs(o.headers or {}) do headers[k:lower()] = v end
  return http_call(self.url .. path, method, headers, o.body, o.timeout or 5)
end

-- the server's stderr so far
function Mock:log() return read_file(self.log_file) or "" end

function Mock:stop()
  if self.stopped then return end
  self.stopped = true
  live[self] = nil
  local pid, start = self.pid, self.start
  if pid and pid_alive(pid, start) then
    http_call(self.url .. "/_mock/shutdown", "POST", nil, "", 1)
    local t0 = socket.gettime()
    while pid_alive(pid, start) and socket.gettime() - t0 < 1 do socket.sleep(0.01) end
    if pid_alive(pid, start) then
      os.execute("kill " .. pid .. " 2>/dev/null")
      t0 = socket.gettime()
      while pid_alive(pid, start) and socket.gettime() - t0 < 1 do socket.sleep(0.01) end
      if pid_alive(pid, start) then os.execute("kill -9 " .. pid .. " 2>/dev/null") end
    end
  end
  if self.log_file then os.remove(self.log_file) end
end

-- no sockets here: it runs from finalizers, also while the state closes (LuaJIT crashes when
-- a socket is made then)
function Mock:kill()
  if self.stopped then return end
  self.stopped = true
  live[self] = nil
  if self.pid and pid_alive(self.pid, self.start) then os.execute("kill " .. self.pid .. " 2>/dev/null") end
  if self.log_file then os.remove(self.log_file) end
end

function helper.stop_all()
  local list = {}
  for m in pairs(live) do list[#list + 1] = m end
  for _, m in ipairs(list) do pcall(m.stop, m) end
end

-- Runs cmd (a shell command line) in the background (never a pipe whose close would wait for
-- it), its stdout to a temp file and its stderr to log_file (nil: with stdout), and waits at most
-- 10 s for it to print "listening on HOST:PORT". -> pid, port (nil when it never did), stdout
function helper.spawn_listener(cmd, log_file)
  local out_file = os.tmpname()
  local sh = assert(io.popen(cmd .. " >" .. shell_quote(out_file) .. " 2>"
    .. (log_file and shell_quote(log_file) or "&1") .. " </dev/null & echo $!", "r"))
  local pid = tonumber(sh:read("*l") or "")
  sh:close()
  local port, out
  local t0 = socket.gettime()
  while pid and socket.gettime() - t0 < 10 do
    out = read_file(out_file) or ""
    port = out:match("listening on [^:]+:(%d+)")
    if port or not pid_alive(pid) then break end
    socket.sleep(0.005)
  end
  os.remove(out_file)
  return pid, tonumber(port), out
end

-- opts: tokens (list), aksk (map AK->SK), project_id (string, or false: any), unknown_apps (list),
--       delay_all (seconds), auth (false: none), verbose (log requests to mock:log())
function helper.start_mock(opts)
  opts = opts or {}
  local tokens = opts.tokens or { "test-token" }
  local aksk = opts.aksk or { ["test-ak"] = "test-sk" }
  local project_id = opts.project_id
  if project_id == nil then project_id = "test-project" end

  local log_file = os.tmpname()
  local args = { helper.MOCK_LUA, shell_quote(helper.ROOT .. "/mock/server.lua"), "--port", "0" }
  local ppid = my_pid()
  if ppid then args[#args + 1] = "--parent-pid"; args[#args + 1] = tostring(ppid) end
  if #tokens == 0 then args[#args + 1] = "--no-tokens" end
  for _, t in ipairs(tokens) do args[#args + 1] = "--token"; args[#args + 1] = shell_quote(t) end
  local first_ak, first_sk
  local aks = {}
  for ak in pairs(aksk) do aks[#aks + 1] = ak end
  table.sort(aks)
  if #aks == 0 then args[#args + 1] = "--no-aksk" end
  for _, ak in ipairs(aks) do
    first_ak, first_sk = first_ak or ak, first_sk or aksk[ak]
    args[#args + 1] = "--aksk"; args[#args + 1] = shell_quote(ak .. ":" .. aksk[ak])
  end
  if project_id == false then args[#args + 1] = "--any-project"
  else args[#args + 1] = "--project-id"; args[#args + 1] = shell_quote(project_id) end
  for _, a in ipairs(opts.unknown_apps or {}) do
    args[#args + 1] = "--unknown-app"; args[#args + 1] = shell_quote(a)
  end
  if opts.delay_all then args[#args + 1] = "--delay-all"; args[#args + 1] = tostring(opts.delay_all) end
  if opts.auth == false then args[#args + 1] = "--no-auth" end
  if opts.seed then args[#args + 1] = "--seed" end -- app my-app, rule my-rule, job my-job
  if opts.verbose then args[#args + 1] = "--verbose" end

  local cmd = table.concat(args, " ")
  local pid, port = helper.spawn_listener(cmd, log_file)
  if not port then
    if pid and pid_alive(pid) then os.execute("kill -9 " .. pid .. " 2>/dev/null") end
    local log = read_file(log_file) or ""
    os.remove(log_file)
    error("mock server did not start (" .. cmd .. "):\n" .. log, 2)
  end
  local _, start = proc_stat(pid)
  local mock = setmetatable({
    port = tonumber(port),
    url = "http://127.0.0.1:" .. port,
    pid = pid, start = start, log_file = log_file,
    token = tokens[1], ak = first_ak, sk = first_sk,
    project_id = project_id or "test-project",
    tokens = tokens, aksk = aksk,
  }, Mock)
  if newproxy then -- Lua 5.1 / LuaJIT: tables have no __gc
    local p = newproxy(true)
    getmetatable(p).__gc = function() mock:kill() end
    mock._gc = p
  end
  live[mock] = true
  return mock
end

-- rtc.new with endpoint = mock.url, token = mock.token, plus opts (opts.token = false drops it)
function helper.client(mock, opts)
  local o = { endpoint = mock.url, token = mock.token }
  for k, v in pairs(opts or {}) do o[k] = v end
  if o.token == false then o.token = nil end
  return require("rtc").new(o)
end

-- helper.client that never retries (unless opts say so): one request per call
function helper.client_once(mock, opts)
  local o = { retries = 0 }
  for k, v in pairs(opts or {}) do o[k] = v end
  return helper.client(mock, o)
end

-- n batch entries { "get_job", app, prefix .. i } (app "app", prefix "j" by default)
function helper.get_job_calls(n, prefix, app)
  local calls = {}
  for i = 1, n do calls[i] = { "get_job", app or "app", (prefix or "j") .. i } end
  return calls
end

-- rtc.new with endpoint, ak, sk, project_id of the mock, plus opts
function helper.aksk_client(mock, opts)
  local o = { endpoint = mock.url, ak = mock.ak, sk = mock.sk, project_id = mock.project_id }
  for k, v in pairs(opts or {}) do o[k] = v end
  return require("rtc").new(o)
end

-- a deep copy without metatables (to compare with assert.same, to list keys, to change freely);
-- skip: a key of t itself left out
function helper.plain(t, skip)
  if type(t) ~= "table" then return t end
  local o = {}
  for k, v in pairs(t) do
    if k ~= skip then o[k] = helper.plain(v) end
  end
  return o
end

local unpack = table.unpack or unpack
local function pack(...) return { n = select("#", ...), ... } end

-- elapsed seconds, then everything f returned
function helper.timed(f, ...)
  local t0 = socket.gettime()
  local r = pack(f(...))
  return socket.gettime() - t0, unpack(r, 1, r.n)
end

-- a loopback port nothing listens on (bound, then closed)
function helper.free_port()
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return tonumber(port)
end

-- The functions below run inside spec files only. They take busted's API (hooks, pending,
-- assert) from require "busted" when called, because examples/demo.lua and
-- memcheck/driver.lua load this file outside busted.

-- Inside a describe: a mock for its tests, started before the first one that runs, reset before
-- each, stopped after the last; with opts.client also a client on it (closed after the last).
-- opts.mock: helper.start_mock options; opts.client: helper.client options. set(mock, client)
-- receives them once started:
--   local mock, client
--   helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)
function helper.mock_suite(opts, set)
  local busted = require "busted"
  opts = opts or {}
  local mock, client
  busted.lazy_setup(function()
    mock = helper.start_mock(opts.mock)
    if opts.client then client = helper.client(mock, opts.client) end
    set(mock, client)
  end)
  busted.lazy_teardown(function()
    if client then client:close() end
    if mock then mock:stop() end
  end)
  busted.before_each(function() mock:reset() end)
end

-- err is an rtc.error (a table with that metatable), of the given kind when there is one
function helper.is_error(err, kind)
  local assert = require("busted").assert
  assert.is_table(err, "expected an error object, got " .. tostring(err))
  assert.are.equal("rtc.error", getmetatable(err) and getmetatable(err).__name)
  if kind then assert.are.equal(kind, err.kind, tostring(err)) end
end

-- inside a describe: with a reason (what is missing), the block is pending and this returns true
--   if helper.skipped(missing()) then return end
function helper.skipped(reason)
  if not reason then return false end
  require("busted").pending("skipped: " .. reason)
  return true
end

-- runs examples/<name>/test.sh and asserts that it exited 0 with "N passed, 0 failed", N > 0
function helper.assert_example_test(name)
  local script = "examples/" .. name .. "/test.sh"
  local code, out = helper.run("bash " .. shell_quote(helper.ROOT .. "/" .. script) .. " 2>&1")
  local passed, failed = out:match("(%d+) passed, (%d+) failed")
  require("busted").assert(code == 0 and tonumber(failed) == 0 and tonumber(passed or 0) > 0,
    script .. " failed:\n" .. out)
end

-- never leave a server behind: all stop when busted publishes "exit" and on os.exit; each mock
-- is killed when collected (also when the state closes); and the server exits by itself once
-- this process is gone (--parent-pid).
Mock.__gc = function(self) self:kill() end
do
  local real_exit = os.exit
  os.exit = function(...) -- luacheck: ignore 122 (replacing os.exit on purpose)
    helper.stop_all()
    return real_exit(...)
  end
  local ok, busted = pcall(require, "busted")
  if ok and type(busted) == "table" and busted.subscribe then
    pcall(busted.subscribe, { "exit" }, function()
      helper.stop_all()
      return nil, true
    end)
  end
end

-- ---- the rtcjob command, as a subprocess ----
-- A temporary file holding content (the caller removes it).
function helper.write_temp(content)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
  return path
end

function helper.lines_of(s)
  local t = {}
  for l in s:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

-- the credentials and settings a developer's shell may hold: never seen by the command's specs
local CLI_CLEAN_ENV = "env -u HUAWEICLOUD_SDK_AK -u HUAWEICLOUD_SDK_SK -u HUAWEICLOUD_SDK_PROJECT_ID"
  .. " -u HUAWEICLOUD_SDK_SECURITY_TOKEN -u RTC_AUTH_TOKEN -u RTC_ENDPOINT -u SOURCE_DATE_EPOCH"
  .. " -u HUAWEICLOUD_SDK_CREDENTIALS_FILE"

-- Runs bin/rtcjob (args: a shell word list) from the repository root. opts.url (the mock's)
-- and the test token are its environment unless opts.env replaces them; opts.extra_env adds to
-- them; opts.stdin is fed to it; opts.tty runs it under script(1), so that its output is a
-- terminal. -> { code, out, err, json = the output decoded, when it is JSON }
function helper.rtcjob(args, opts)
  opts = opts or {}
  local env = opts.env or ("RTC_ENDPOINT=" .. (opts.url or "http://127.0.0.1:1")
    .. " RTC_AUTH_TOKEN=test-token")
  if opts.extra_env then env = env .. " " .. opts.extra_env end
  local cmd = "cd " .. shell_quote(helper.ROOT) .. " && " .. CLI_CLEAN_ENV .. " " .. env .. " "
    .. helper.LUA .. " bin/rtcjob " .. args
  local infile = helper.write_temp(opts.stdin or "")
  if opts.tty then
    cmd = "script -qec " .. shell_quote(cmd .. " <" .. infile) .. " /dev/null </dev/null"
  else
    cmd = cmd .. " <" .. infile
  end
  local code, out, err = helper.run(cmd)
  os.remove(infile)
  local json
  if out:match('^%s*[{%["]') then
    local ok, v = pcall(require("cjson").decode, out)
    if ok then json = v end
  end
  return { code = code, out = out, err = err, json = json }
end

-- A runner of bin/rtcjob (helper.rtcjob) against the mock that mock_of() returns, keeping every
-- output it saw; assert_no_secrets(secrets, at_least) checks them all at the end of a spec file.
function helper.rtcjob_recorder(mock_of)
  local rec = { outputs = {} }
  function rec.run(args, opts)
    opts = opts or {}
    opts.url = mock_of().url
    local r = helper.rtcjob(args, opts)
    rec.outputs[#rec.outputs + 1] = { args = args, out = r.out, err = r.err }
    return r
  end
  function rec.assert_no_secrets(secrets, at_least)
    local assert = require("busted").assert
    assert.truthy(#rec.outputs > at_least)
    for _, o in ipairs(rec.outputs) do
      for _, s in ipairs(secrets) do
        assert.is_nil(o.out:find(s, 1, true), o.args .. ": stdout has " .. s)
        assert.is_nil(o.err:find(s, 1, true), o.args .. ": stderr has " .. s)
      end
    end
  end
  return rec
end

return helper
