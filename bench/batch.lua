-- bench/batch.lua: N update_job calls through client:batch{concurrency=C}, against a server that
-- answers each request after a fixed delay; optionally the same N calls made one after another.
--   lua5.4 bench/batch.lua ENDPOINT N CONCURRENCY REPEATS [SEQ_N]
--   -> RESULT batch n=.. concurrency=.. best=S worst=S first=S
--   -> RESULT batchseq n=SEQ_N seconds=S          (when SEQ_N > 0)
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local C = dofile(dir .. "/common.lua")

local endpoint, n, conc = arg[1], tonumber(arg[2]), tonumber(arg[3])
local repeats, seq_n = tonumber(arg[4] or "3"), tonumber(arg[5] or "0")
if not (endpoint and n and conc) then C.die("usage: batch.lua ENDPOINT N CONCURRENCY [REPEATS [SEQ_N]]") end

local client = C.client(endpoint, { concurrency = conc })
C.check_call(client)

local params = C.params()
local calls = {}
for i = 1, n do calls[i] = { "update_job", C.APP, C.JOB, params } end

local function run_batch(list)
  local t0 = C.now()
  local results, summary = client:batch(list, { concurrency = conc })
  local dt = C.now() - t0
  if type(results) ~= "table" or #results ~= #list then
    C.die("batch returned %s results for %d calls", tostring(results and #results), #list)
  end
  if not summary or summary.ok ~= #list then
    for i, r in ipairs(results) do
      if r.err then
        C.die("batch: %d ok of %d; call %d: %s", summary and summary.ok or -1, #list, i, tostring(r.err))
      end
    end
    C.die("batch: summary.ok=%s for %d calls", tostring(summary and summary.ok), #list)
  end
  for i = 1, #results, math.max(1, #results // 10) do
    local job = results[i].result
    if not job or job.job_id ~= "1" then C.die("batch: result %d is not the job", i) end
  end
  return dt
end

-- warm-up: open the connection pool
local warm = {}
for i = 1, conc do warm[i] = calls[i] or calls[1] end
run_batch(warm)

local best, worst, first = math.huge, 0, nil
for _ = 1, repeats do
  local dt = run_batch(calls)
  first = first or dt
  if dt < best then best = dt end
  if dt > worst then worst = dt end
end
C.result("batch", { n = n, concurrency = conc, repeats = repeats, best = best, worst = worst, first = first })

if seq_n > 0 then
  local t0 = C.now()
  for i = 1, seq_n do
    local job, err = client:update_job(C.APP, C.JOB, params)
    if not job then C.die("sequential call %d failed: %s", i, tostring(err)) end
  end
  C.result("batchseq", { n = seq_n, seconds = C.now() - t0 })
end
client:close()
