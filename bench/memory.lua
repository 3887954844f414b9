-- bench/memory.lua: resident memory growth over N sequential update_job calls after a warm-up.
--   lua5.4 bench/memory.lua ENDPOINT N WARMUP
--   -> RESULT memory n=.. warmup=.. rss_before_kib=.. rss_after_kib=.. rss_growth_kib=..
--                    lua_before_kib=.. lua_after_kib=.. lua_growth_kib=.. rss_peak_kib=..
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local C = dofile(dir .. "/common.lua")

local endpoint, n, warmup = arg[1], tonumber(arg[2]), tonumber(arg[3] or "5000")
if not (endpoint and n) then C.die("usage: memory.lua ENDPOINT N [WARMUP]") end

local client = C.client(endpoint)
local params = C.params()
C.check_call(client)
for i = 2, warmup do
  local job, err = client:update_job(C.APP, C.JOB, params)
  if not job then C.die("warm-up call %d failed: %s", i, tostring(err)) end
end

collectgarbage("collect"); collectgarbage("collect")
local rss0, lua0 = C.rss_kib(), collectgarbage("count")
local peak = rss0
local step = math.max(1, n // 20)
for i = 1, n do
  local job, err = client:update_job(C.APP, C.JOB, params)
  if not job then C.die("call %d failed: %s", i, tostring(err)) end
  if i % step == 0 then
    local r = C.rss_kib(); if r > peak then peak = r end
  end
end
collectgarbage("collect"); collectgarbage("collect")
local rss1, lua1 = C.rss_kib(), collectgarbage("count")
if rss1 > peak then peak = rss1 end
client:close()
C.result("memory", { n = n, warmup = warmup, rss_before_kib = rss0, rss_after_kib = rss1,
                     rss_growth_kib = rss1 - rss0, rss_peak_kib = peak,
                     lua_before_kib = lua0, lua_after_kib = lua1, lua_growth_kib = lua1 - lua0 })
