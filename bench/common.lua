-- bench/common.lua: shared bits of the Lua bench drivers (loaded with dofile).
local M = {}

-- find the repo's rtc.so: RTC_CPATH overrides, else ./?.so (run from the repo root)
package.cpath = (os.getenv("RTC_CPATH") or "./?.so") .. ";" .. package.cpath

-- wall clock in seconds: LuaSocket's gettime when installed (µs), else /proc/uptime (10 ms)
do
  local ok, socket = pcall(require, "socket")
  if ok and type(socket) == "table" and socket.gettime then
    M.now, M.clock_name = socket.gettime, "socket.gettime"
  else
    M.now, M.clock_name = function()
      local f = assert(io.open("/proc/uptime"))
      local s = f:read("n"); f:close(); return s
    end, "/proc/uptime"
  end
end

function M.rss_kib()
  local f = assert(io.open("/proc/self/status"))
  for line in f:lines() do
    local v = line:match("^VmRSS:%s+(%d+)%s+kB")
    if v then f:close(); return tonumber(v) end
  end
  f:close(); return nil
end

M.APP, M.JOB = "bench-app", "bench-job"
function M.params()
  return { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } }
end

function M.client(endpoint, extra)
  local rtc = require "rtc"
  local opts = { endpoint = endpoint, ak = "bench-ak", sk = "bench-sk", project_id = "p",
                 retries = 0, timeout = 10, connect_timeout = 5 }
  if os.getenv("BENCH_AUTH") == "token" then -- the token way (X-Auth-Token), no signing
    -- BENCH_TOKEN_BYTES: a token that long (IAM tokens run to several KB)
    local bytes = tonumber(os.getenv("BENCH_TOKEN_BYTES") or "")
    opts.ak, opts.sk, opts.token = nil, nil, bytes and string.rep("t", bytes) or "bench-token"
  end
  for k, v in pairs(extra or {}) do opts[k] = v end
  return rtc.new(opts), rtc
end

function M.die(fmt, ...)
  io.stderr:write(string.format(fmt, ...), "\n"); os.exit(1)
end

-- one checked call (used for warm-up: makes sure the answer is understood)
function M.check_call(client)
  local job, err = client:update_job(M.APP, M.JOB, M.params())
  if not job then M.die("update_job failed: %s", tostring(err)) end
  if job.job_id ~= "1" or job.room_id ~= "100" then
    M.die("unexpected job: job_id=%s room_id=%s", tostring(job.job_id), tostring(job.room_id))
  end
  return job
end

function M.result(name, t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = { "RESULT " .. name }
  for _, k in ipairs(keys) do
    local v = t[k]
    if math.type(v) == "float" then v = string.format("%.6f", v) end
    out[#out + 1] = k .. "=" .. tostring(v)
  end
  print(table.concat(out, " "))
  io.stdout:flush()
end

return M
