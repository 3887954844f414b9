-- bench/seq.lua: sequential client:update_job calls/s.
--   lua5.4 bench/seq.lua ENDPOINT N [WARMUP]      -> RESULT seq calls=N seconds=S cpu_seconds=S calls_per_s=R
--   lua5.4 bench/seq.lua --dump ENDPOINT FILE     -> writes the exact request rtc sends (client:prepare)
--                                                    for bench/bare_curl.c: method, url, headers, "", body
-- N may be 0 (start-up-only run, used to subtract start-up cost under callgrind).
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local C = dofile(dir .. "/common.lua")

if arg[1] == "--dump" then
  local endpoint, file = arg[2], arg[3]
  if not (endpoint and file) then C.die("usage: seq.lua --dump ENDPOINT FILE") end
  local client = C.client(endpoint)
  local req, err = client:prepare("update_job", C.APP, C.JOB, C.params())
  if not req then C.die("prepare failed: %s", tostring(err)) end
  local names = {}
  for k in pairs(req.headers) do names[#names + 1] = k end
  table.sort(names)
  local f = assert(io.open(file, "wb"))
  f:write(req.method, "\n", req.url, "\n")
  for _, k in ipairs(names) do f:write(k, ": ", req.headers[k], "\n") end
  f:write("\n", req.body or "")
  f:close()
  client:close()
  return
end

local endpoint, n, warmup = arg[1], tonumber(arg[2]), tonumber(arg[3] or "1000")
if not (endpoint and n) then C.die("usage: seq.lua ENDPOINT N [WARMUP]") end

local client = C.client(endpoint)
local params = C.params()
local app, job_id = C.APP, C.JOB
C.check_call(client)
for _ = 2, warmup do
  local job, err = client:update_job(app, job_id, params)
  if not job then C.die("warm-up call failed: %s", tostring(err)) end
end

local t0, c0 = C.now(), os.clock()
for i = 1, n do
  local job, err = client:update_job(app, job_id, params)
  if not job then C.die("call %d failed: %s", i, tostring(err)) end
end
local dt, cpu = C.now() - t0, os.clock() - c0
client:close()
C.result("seq", { calls = n, warmup = warmup, seconds = dt, cpu_seconds = cpu,
                  calls_per_s = n > 0 and n / dt or 0.0, clock = C.clock_name })
