-- bench/scale.lua: how the many-call paths grow with the number of calls.
--   lua5.4 bench/scale.lua batch ENDPOINT N CONC
--     one client:batch of N update_job calls (after a warm-up batch of CONC) ->
--     RESULT batch n=.. concurrency=.. seconds=S us_per_call=U rss_before_kib=.. rss_peak_kib=..
--            results_kib=K (the Lua results table, after a full GC) overhead_kib=peak-before-K
--   lua5.4 bench/scale.lua flat ENDPOINT N CONC CHECKPOINT...
--     client:batch{keep_results = false, progress = ...}: VmRSS at each checkpoint ->
--     RESULT flat n=.. seconds=S rss_<checkpoint>=KiB ...
--   lua5.4 bench/scale.lua startpoll ENDPOINT N CONC
--     client:start N calls (all outstanding at once), then client:poll until every one is in ->
--     RESULT startpoll n=.. start_us_per_call=U seconds=S us_per_call=U cpu_us_per_call=U (user+sys)
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local C = dofile(dir .. "/common.lua")

local mode, endpoint, n, conc = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
if not (mode and endpoint and n and conc) then
  C.die("usage: scale.lua batch|flat|startpoll ENDPOINT N CONC [CHECKPOINT...]")
end

local function status_kib(key)
  local f = assert(io.open("/proc/self/status"))
  for line in f:lines() do
    local v = line:match("^" .. key .. ":%s+(%d+)%s+kB")
    if v then f:close(); return tonumber(v) end
  end
  f:close(); return nil
end
local function reset_peak() -- VmHWM back to the current RSS (Linux ≥ 4.0)
  local f = io.open("/proc/self/clear_refs", "w")
  if f then f:write("5"); f:close() end
end

local client = C.client(endpoint, { concurrency = conc })
C.check_call(client)
local params = C.params()
local call = { "update_job", C.APP, C.JOB, params }
local function list(k)
  local calls = {}
  for i = 1, k do calls[i] = call end -- one entry table shared: the list costs 16 B a call
  return calls
end
local function check(results, summary, k)
  if not summary or summary.ok ~= k then
    for i, r in ipairs(results or {}) do
      if r.err then C.die("batch: call %d: %s", i, tostring(r.err)) end
    end
    C.die("batch: ok=%s of %d", tostring(summary and summary.ok), k)
  end
end
-- warm-up: the connection pool, and the process's allocator arenas
do
  local r, s = client:batch(list(conc), { concurrency = conc }); check(r, s, conc)
end

if mode == "batch" then
  local calls = list(n)
  collectgarbage("collect"); collectgarbage("collect")
  local lua0, rss0 = collectgarbage("count"), status_kib("VmRSS")
  reset_peak()
  local t0 = C.now()
  local results, summary = client:batch(calls, { concurrency = conc })
  local dt = C.now() - t0
  check(results, summary, n)
  local peak = status_kib("VmHWM")
  collectgarbage("collect"); collectgarbage("collect")
  local results_kib = collectgarbage("count") - lua0
  local rss_peak = math.max(peak, status_kib("VmRSS"))
  C.result("batch", { n = n, concurrency = conc, seconds = dt, us_per_call = dt * 1e6 / n,
                      rss_before_kib = rss0, rss_peak_kib = rss_peak,
                      results_kib = math.floor(results_kib),
                      overhead_kib = math.floor(rss_peak - rss0 - results_kib) })
elseif mode == "flat" then
  local marks, at = {}, {}
  for i = 5, #arg do marks[#marks + 1] = tonumber(arg[i]); at[tonumber(arg[i])] = true end
  local calls = list(n)
  collectgarbage("collect"); collectgarbage("collect")
  local out = { n = n, concurrency = conc, rss_before_kib = status_kib("VmRSS") }
  local failed = 0
  local t0 = C.now()
  local results, summary = client:batch(calls, {
    concurrency = conc, keep_results = false,
    progress = function(done, _, _, result, err)
      if not result then failed = failed + 1; if failed == 1 then io.stderr:write(tostring(err), "\n") end end
      if at[done] then out["rss_" .. done .. "_kib"] = status_kib("VmRSS") end
    end })
  out.seconds = C.now() - t0
  if results ~= nil then C.die("keep_results = false returned a results table") end
  if failed > 0 or summary.ok ~= n then C.die("flat: %d failed, ok=%s", failed, tostring(summary.ok)) end
  out.rss_peak_kib = status_kib("VmHWM")
  C.result("flat", out)
elseif mode == "startpoll" then
  local ids, got = {}, 0
  local t0, c0 = C.now(), os.clock()
  for i = 1, n do
    local id, err = client:start("update_job", C.APP, C.JOB, params)
    if not id then C.die("start %d: %s", i, tostring(err)) end
    ids[id] = true
  end
  local t1 = C.now()
  while got < n do
    for id, result, err in client:poll(1) do
      if not result then C.die("call %s: %s", tostring(id), tostring(err)) end
      if not ids[id] then C.die("poll gave an unknown id %s", tostring(id)) end
      ids[id] = nil
      got = got + 1
    end
  end
  local dt, cpu = C.now() - t0, os.clock() - c0
  C.result("startpoll", { n = n, concurrency = conc, start_us_per_call = (t1 - t0) * 1e6 / n,
                          seconds = dt, us_per_call = dt * 1e6 / n, cpu_us_per_call = cpu * 1e6 / n })
end
client:close()
