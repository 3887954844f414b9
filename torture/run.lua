-- torture/run.lua — the Lua boundary under attack (issue 21): every public function and method
-- of the module (derived from the module itself: its functions, rtc.operations(), the client's,
-- the policy's and the error's metatables) is called with hostile values in every argument
-- position, while the collector runs as often as it can and finalizers created at every step
-- close the client, add and remove entries of the argument tables, call other methods or raise.
-- Run by torture/run.sh against a module built with -fsanitize=address,undefined; a memory error
-- ends the process with the sanitizer's report. Here, a run fails when the client is left busy
-- (wedged) or an answer is malformed.
--   lua torture/run.lua "build/asan-lua5.4/?.so" http://127.0.0.1:PORT [rounds]
local cpath, url, rounds = arg[1], arg[2], tonumber(arg[3] or "1")
assert(cpath and url, "usage: run.lua CPATH MOCK_URL [rounds]")
package.cpath = cpath .. ";" .. package.cpath
local rtc = require "rtc"

local TOKEN = "torture-token"
local V = _VERSION
local PROXY_GC = V == "Lua 5.1" -- Lua 5.1 and LuaJIT: finalizers on userdata only
local unpack = table.unpack or unpack
local getmt = debug.getmetatable

-- a small deterministic generator: the same run every time
local seed = 21
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

------------------------------------------------------------------ the collector, as often as it can
local gc_modes = {}
if V == "Lua 5.4" then
  -- (0 would mean "unchanged" here: a pause of 1% starts the next cycle at once)
  gc_modes[1] = { "incremental", function() collectgarbage("incremental", 1, 1000, 0) end }
  gc_modes[2] = { "generational", function() collectgarbage("generational", 1, 1) end }
  local only = os.getenv("TORTURE_GC") -- one of the two, by name
  if only then
    for i = #gc_modes, 1, -1 do if gc_modes[i][1] ~= only then table.remove(gc_modes, i) end end
  end
else
  gc_modes[1] = { "pause 0", function() collectgarbage("setpause", 0); collectgarbage("setstepmul", 1000) end }
end

------------------------------------------------------------------ chaos: finalizers at every step
-- what the finalizers act on: the running case's client and argument tables
local ctx = { client = nil, tables = {}, armed = false, budget = 0 }
local stats = { finalizers = 0, raised = 0, seen = 0 }

local function fresh() return "f" .. rand(1000000) .. string.rep("z", rand(40)) end

local chaos -- forward

local actions = {
  function() if ctx.client then pcall(ctx.client.close, ctx.client) end end,
  function() -- add entries to the argument tables
    for _, t in ipairs(ctx.tables) do
      for _ = 1, rand(4) do rawset(t, fresh(), fresh()) end
      rawset(t, rand(8), fresh())
    end
  end,
  function() -- remove entries
    for _, t in ipairs(ctx.tables) do
      local k = next(t)
      if k ~= nil then rawset(t, k, nil) end
    end
  end,
  function() -- another method of the same client, or a module function
    local c = ctx.client
    if c then
      pcall(c.pending, c)
      pcall(c.prepare, c, "get_job", "a", "b")
      pcall(c.policy, c)
      pcall(tostring, c)
    end
    pcall(rtc.sign, { method = "GET", url = "/x", ak = "AK", sk = "SK", headers = ctx.tables[1] })
  end,
  function() collectgarbage("step") end,
  function() chaos(2) end, -- finalizers that make more
  function() stats.raised = stats.raised + 1; error("chaos: a finalizer raises") end, -- last
}

local function on_gc(fn)
  if PROXY_GC then
    local p = newproxy(true)
    getmetatable(p).__gc = fn
    return p
  end
  return setmetatable({}, { __gc = fn })
end

-- n garbage objects whose finalizers each do one action (while a case runs)
chaos = function(n)
  for _ = 1, n or 3 do
    local a, b = actions[rand(#actions)], actions[rand(#actions - 1)]
    on_gc(function()
      stats.seen = stats.seen + 1
      if not ctx.armed or ctx.budget <= 0 then return end
      ctx.budget = ctx.budget - 1 -- chains of finalizers stay bounded within one call
      stats.finalizers = stats.finalizers + 1
      chaos(1) -- one more for the allocations still to come in the call
      b() -- (never the raise: that is a's alone, so that b's work is done first)
      a()
    end)
  end
end

------------------------------------------------------------------ hostile values
local function new_client(extra)
  local opts = { endpoint = url, token = TOKEN, retries = 0, timeout = 5, connect_timeout = 2,
                 deadline = 5, debug = function() chaos(1) end }
  for k, v in pairs(extra or {}) do opts[k] = v or nil end
  return rtc.new(opts)
end

local function tracked(t) ctx.tables[#ctx.tables + 1] = t; return t end

-- each a function that makes the value (fresh per run): nil and friends, then tables that fight
local hostile = {
  function() return nil end,
  function() return false end,
  function() return 0 end,
  function() return -1.5 end,
  function() return 0 / 0 end,
  function() return math.huge end,
  function() return 2 ^ 63 end,
  function() return "" end,
  function() return "app" end,
  function() return string.rep("x", 5000) end,
  function() return "a\0b" end,
  function() return "../%2e%2e?#" end,
  function() return "\255\254" end,
  function() return function() chaos(2); return "r" end end,
  function() return coroutine.create(function() end) end,
  function() return io.stdout end,
  function() return tracked({}) end,
  function() -- __index gives fresh strings, __len lies
    return tracked(setmetatable({}, { __index = function(_, k) chaos(1); return fresh() .. tostring(k) end,
                                      __len = function() return 3 end }))
  end,
  function() -- __newindex and __pairs
    return tracked(setmetatable({ a = "b" }, {
      __newindex = function(t, k, v) chaos(1); rawset(t, k, v) end,
      __pairs = function(t) chaos(1); return next, t, nil end,
    }))
  end,
  function() -- a table full of tables that fight, at many depths
    local inner = setmetatable({}, { __index = function() return fresh() end })
    return tracked({ publish_param = tracked({ rtmp_urls = tracked({ "rtmp://h/a", inner }) }),
                     mix_param = tracked({ room_id = "r", layout_panes = tracked({ tracked({ x = 1 / 3 }) }) }),
                     [1] = "get_job", [2] = "a", [3] = "b", headers = inner, method = "GET",
                     url = "/x", ak = "AK", sk = "SK", endpoint = url, token = TOKEN })
  end,
  function() -- a table that holds a finalizer of its own
    local t = tracked({ x = 1 })
    t.gc = on_gc(function() if ctx.armed then t.x = fresh() end end)
    return t
  end,
  function() return ctx.client end,
  function() local c = new_client(); c:close(); return c end,
}

------------------------------------------------------------------ the functions and their baselines
-- a body that passes the schema where it can: required fields from the row
local function synth(schema, depth)
  local t = {}
  if type(schema) ~= "table" or depth > 6 then return t end
  for _, f in ipairs(schema.fields or {}) do
    if f.required then
      if f.type == "string" then t[f.name] = f.enum and f.enum[1] or "x"
      elseif f.type == "integer" then t[f.name] = f.min or 1
      elseif f.type == "number" then t[f.name] = f.min or 0.5
      elseif f.type == "boolean" then t[f.name] = true
      elseif f.type == "object" then t[f.name] = synth(f.fields, depth + 1)
      elseif f.type == "array" then t[f.name] = { f.fields and synth(f.fields, depth + 1) or "x" }
      end
    end
  end
  return t
end

local function op_args(name)
  local row = rtc.operation(name)
  local args = {}
  for i, p in ipairs(row.params or {}) do args[i] = p == "job_id" and "job1" or "app1" end
  if row.body then args[#args + 1] = tracked(synth(row.body, 0))
  elseif row.query then args[#args + 1] = tracked({ offset = 0, limit = 2 }) end
  return args
end

-- list of { name, fn(args...) -> called, baseline() -> args, method = bool }
local targets = {}
local function add(name, call, baseline) targets[#targets + 1] = { name = name, call = call, baseline = baseline } end

local client_mt = getmt(new_client())
local methods = {}
for k in pairs(client_mt.__index) do methods[#methods + 1] = k end
table.sort(methods)
local module_fns = {}
for k, v in pairs(rtc) do if type(v) == "function" then module_fns[#module_fns + 1] = k end end
table.sort(module_fns)

local function drain(it, s, v) -- a few steps of an iterator an each_* or poll gave
  if type(it) ~= "function" then return end
  for _ = 1, 3 do
    local k = it(s, v)
    if k == nil then return end
    v = k
  end
end

local special = {
  start = function() return { "get_job", "app1", "job1" } end,
  poll = function() return { 0.05 } end,
  batch = function()
    return { tracked({ tracked({ "get_job", "app1", "j1" }), tracked({ "update_job", "app1", "j2", tracked({}) }),
                       tracked({ "delete_job", "app1", "j3" }) }),
             tracked({ concurrency = 2, progress = function() chaos(1) end }) }
  end,
  prepare = function()
    local params = tracked({ publish_param = tracked({ rtmp_urls = tracked({ "rtmp://h/a" }) }) })
    return { "update_job", "app1", "job1", params, tracked({ now = 0 }) }
  end,
  decode = function()
    return { "get_job", 404, tracked({ ["X-Request-Id"] = fresh(), ["Content-Type"] = "application/json" }),
             '{"error_code":"RTC.404","error_msg":"' .. TOKEN .. ' ' .. string.rep("m", 100) .. '"}' }
  end,
  cancel = function() return { 1 } end,
  close = function() return {} end, fds = function() return {} end, timeout = function() return {} end,
  pending = function() return {} end, policy = function() return {} end,
}

local function wait_args(name)
  local op = name:gsub("^wait_", "get_")
  local a = op_args(op)
  a[#a + 1] = "RUNNING"
  a[#a + 1] = tracked({ timeout = 0.05, interval = 0.01 })
  return a
end

local function each_args(name)
  for _, row in ipairs(rtc.operations()) do
    if row.list and row.list.item == name:gsub("^each_", "") then return op_args(row.name) end
  end
  return { "app1" }
end

for _, m in ipairs(methods) do
  local baseline
  if special[m] then baseline = special[m]
  elseif m:match("^wait_") then baseline = function() return wait_args(m) end
  elseif m:match("^each_") then baseline = function() return each_args(m) end
  else baseline = function() return op_args(m) end end
  add("client:" .. m, function(self, ...)
    local r = { pcall(client_mt.__index[m], self, ...) }
    if r[1] and (m:match("^each_") or m == "poll") then drain(r[2], r[3], r[4]) end
    return unpack(r)
  end, baseline)
end

local module_baseline = {
  new = function() return { tracked({ endpoint = url, token = TOKEN, debug = function() chaos(1) end }) } end,
  configure = function() return { tracked({ endpoint = url, token = TOKEN, retries = 0 }) } end,
  credentials = function() return { tracked({ token = TOKEN, metadata = false, project_id = fresh() }) } end,
  sign = function()
    return { tracked({ method = "POST", url = url .. "/v2/x?y=1", body = "{}", ak = "AK", sk = "SK",
                       headers = tracked({ ["Content-Type"] = "application/json", ["X-A"] = fresh() }) }) }
  end,
  policy = function() return { tracked({ retries = 1, endpoint = tracked({ url, url .. "/b" }) }) } end,
  operation = function() return { "update_job" } end,
  operations = function() return {} end,
  assert = function() return { nil, { kind = "api", message = "m" } } end,
  join_signature = function()
    return { "app1", "0123456789abcdef0123456789abcdef", fresh(), "user-1", tracked({ ttl = 600, now = 1764576000 }) }
  end,
  pager = function() return { "list_apps", tracked({ limit = 2 }) } end,
}
-- the functions of the module's sub-tables (rtc.events: verify, sign, schema)
local EVENT_KEY = "0123456789abcdef0123456789abcdef"
local EVENT_BODY = '{"event_type":"RECORD_FILE_COMPLETE","job_id":"j","record_duration":65}'
local events_baseline = {
  verify = function()
    local h = rtc.events.sign(EVENT_BODY, EVENT_KEY, { rand = "r1", timestamp = 1764576000 })
    return { tracked(h), EVENT_BODY, EVENT_KEY, tracked({ max_age = false }) }
  end,
  sign = function() return { EVENT_BODY, EVENT_KEY, tracked({ rand = fresh(), timestamp = 1764576000 }) } end,
  schema = function() return {} end,
}
for k, v in pairs(rtc.events or {}) do
  if type(v) == "function" then
    add("rtc.events." .. k, function(...) return pcall(rtc.events[k], ...) end,
        events_baseline[k] or function() return {} end)
  end
end

for _, f in ipairs(module_fns) do
  local baseline = module_baseline[f]
  if not baseline then
    if f:match("^wait_") then baseline = function() return wait_args(f) end
    elseif f:match("^each_") then baseline = function() return each_args(f) end
    else baseline = function() return op_args(f) end end
  end
  add("rtc." .. f, function(...)
    local r = { pcall(rtc[f], ...) }
    if r[1] and f:match("^each_") then drain(r[2], r[3], r[4]) end
    return unpack(r)
  end, baseline)
end

-- the policy object's methods and the error object's metamethods
local policy_mt = getmt(rtc.policy{ retries = 1, endpoint = url })
for k in pairs(policy_mt.__index) do
  add("policy:" .. k, function(self, ...) return pcall(policy_mt.__index[k], self, ...) end,
      function() return { tracked({ operation = "get_job", attempt = 1, kind = "connect", status = 0 }) } end)
end
local _, sample_err = new_client():get_job("app1", "")
local err_mt = getmt(sample_err)
for _, k in ipairs({ "__tostring", "__concat" }) do
  if err_mt and err_mt[k] then
    add("error." .. k, function(a, b) return pcall(err_mt[k], a, b) end,
        function()
          local c = new_client{ debug = false }
          local _, e = c:get_job("app1", "")
          c:close()
          return { e, "text" }
        end)
  end
end

------------------------------------------------------------------ the run
local counts = { functions = #targets, cases = 0, runs = 0, passed = 0, failed = 0 }
local failures = {}

local function run_one(t, pos, make, self_pos)
  ctx.client = new_client()
  ctx.tables = {}
  local args = t.baseline()
  local n = 0
  for k in pairs(args) do if k > n then n = k end end
  local is_method = t.name:match("^client:") or t.name:match("^policy:")
  local self = t.name:match("^client:") and ctx.client
               or t.name:match("^policy:") and rtc.policy{ retries = 1, endpoint = url } or nil
  if pos then
    if self_pos then self = make() else args[pos] = make(); if pos > n then n = pos end end
  end
  local function call()
    if is_method then return t.call(self, unpack(args, 1, n)) end
    return t.call(unpack(args, 1, n))
  end
  -- finalizers pending when the call starts: the collector is stepped until the first of a batch
  -- of garbage finalizer objects has run (Lua runs finalizers a few per step), so that the rest
  -- run at the allocations inside the call
  chaos(10)
  local seen = stats.seen
  for _ = 1, 100 do
    if stats.seen > seen then break end
    collectgarbage("step", 0)
  end
  ctx.budget = 40
  ctx.armed = true -- nothing allocates between here and the protected call
  local ok, err = pcall(call)
  ctx.armed = false
  -- the client is never left busy: it answers (or says it is closed)
  local c = ctx.client
  local pok, perr = pcall(c.pending, c)
  local wedged = not pok and tostring(perr):find("busy", 1, true)
  pcall(c.close, c)
  counts.runs = counts.runs + 1
  if wedged then
    counts.failed = counts.failed + 1
    failures[#failures + 1] = t.name .. " arg " .. tostring(pos) .. ": client left busy"
  else
    counts.passed = counts.passed + 1
  end
  if not ok and type(err) ~= "string" and type(err) ~= "table" then
    failures[#failures + 1] = t.name .. ": odd error " .. tostring(err)
  end
end

local t0 = os.clock()
for _ = 1, rounds do
  for _, mode in ipairs(gc_modes) do
    mode[2]()
    for _, t in ipairs(targets) do
      local only = os.getenv("TORTURE_ONLY") -- one target by name, to look closer
      if not only or t.name == only then
      if os.getenv("TORTURE_TRACE") then io.stderr:write(t.name, "\n") end
      local nargs = #t.baseline() + 1
      counts.cases = counts.cases + 1
      run_one(t, nil)
      for pos = 1, nargs do
        for h, make in ipairs(hostile) do
          counts.cases = counts.cases + 1
          if os.getenv("TORTURE_TRACE") then io.stderr:write("  ", pos, " ", h, "\n") end
          run_one(t, pos, make)
        end
      end
      if t.name:match("^client:") or t.name:match("^policy:") then
        for _, make in ipairs(hostile) do
          counts.cases = counts.cases + 1
          run_one(t, 0, make, true)
        end
      end
      end
    end
  end
end
if V == "Lua 5.4" then collectgarbage("incremental", 200, 100, 13)
else collectgarbage("setpause", 200); collectgarbage("setstepmul", 200) end
collectgarbage()
collectgarbage()

print(("torture %s: %d functions, %d cases, %d runs (%d GC modes), %d finalizers ran (%d raised), %.1f s CPU")
  :format(jit and jit.version or V, counts.functions, counts.cases, counts.runs, #gc_modes,
          stats.finalizers, stats.raised, os.clock() - t0))
for i = 1, math.min(#failures, 20) do print("FAILED " .. failures[i]) end
print(("%d passed, %d failed"):format(counts.passed, counts.failed))
os.exit(counts.failed == 0 and 0 or 1)
