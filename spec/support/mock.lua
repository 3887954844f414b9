-- spec/support/mock.lua — the mock SparkRTC server (mock/server.lua) as a subprocess: start it,
-- drive its control routes, stop it (see spec/helper.lua for the calls; mock/README.md for
-- the routes). Every mock is stopped when busted exits, on os.exit, and when collected.
local util = require "spec.support.util"
local proc = require "spec.support.proc"
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"

local shell_quote, read_file = util.shell_quote, util.read_file
local pid_alive, proc_stat = proc.pid_alive, proc.proc_stat

local M = {}

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

function M.stop_all()
  local list = {}
  for m in pairs(live) do list[#list + 1] = m end
  for _, m in ipairs(list) do pcall(m.stop, m) end
end

-- opts: tokens (list), aksk (map AK->SK), project_id (string, or false: any), unknown_apps (list),
--       delay_all (seconds), auth (false: none), verbose (log requests to mock:log())
function M.start_mock(opts)
  opts = opts or {}
  local tokens = opts.tokens or { "test-token" }
  local aksk = opts.aksk or { ["test-ak"] = "test-sk" }
  local project_id = opts.project_id
  if project_id == nil then project_id = "test-project" end

  local log_file = os.tmpname()
  local args = { util.MOCK_LUA, shell_quote(util.ROOT .. "/mock/server.lua"), "--port", "0" }
  local ppid = proc.my_pid()
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
  local pid, port = proc.spawn_listener(cmd, log_file)
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

-- Inside a describe: a mock for its tests, started before the first one that runs, reset before
-- each, stopped after the last; with opts.client also a client on it (closed after the last).
-- opts.mock: helper.start_mock options; opts.client: helper.client options. set(mock, client)
-- receives them once started:
--   local mock, client
--   helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)
-- (busted's API is taken from require "busted" when called: examples/demo.lua and
-- memcheck/driver.lua load these modules outside busted)
function M.mock_suite(opts, set)
  local busted = require "busted"
  local client_of = require("spec.support.client").client
  opts = opts or {}
  local mock, client
  busted.lazy_setup(function()
    mock = M.start_mock(opts.mock)
    if opts.client then client = client_of(mock, opts.client) end
    set(mock, client)
  end)
  busted.lazy_teardown(function()
    if client then client:close() end
    if mock then mock:stop() end
  end)
  busted.before_each(function() mock:reset() end)
end

-- never leave a server behind: all stop when busted publishes "exit" and on os.exit; each mock
-- is killed when collected (also when the state closes); and the server exits by itself once
-- this process is gone (--parent-pid).
Mock.__gc = function(self) self:kill() end
do
  local real_exit = os.exit
  os.exit = function(...) -- luacheck: ignore 122 (replacing os.exit on purpose)
    M.stop_all()
    return real_exit(...)
  end
  local ok, busted = pcall(require, "busted")
  if ok and type(busted) == "table" and busted.subscribe then
    pcall(busted.subscribe, { "exit" }, function()
      M.stop_all()
      return nil, true
    end)
  end
end

return M
