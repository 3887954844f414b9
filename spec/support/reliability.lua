-- spec/support/reliability.lua — for spec/client/reliability_spec.lua and retries_spec.lua: their app
-- and bodies, a time check, the retry decisions of debug lines, and the helpers of their
-- describe("reliability") (M.on(mock_of): mock_of gives the suite's mock, once started).
local helper = require "spec.helper"

local timed = helper.timed
local M = {}

M.APP = "app-rel"
M.CREATE = { room_id = "room1", user_id = "user1", record_param = { record_rule_id = "rule1" } }
M.UPDATE = { record_param = { record_rule_id = "rule2" } }
local APP, CREATE = M.APP, M.CREATE

-- A bound (a timeout, a deadline) that cut a call short: not before `limit` (the code must wait
-- that long: a loaded machine only adds to it), and within limit + 10 s, far below what the
-- scripted misbehaviour would cost without the bound (callers make it 60 s or more: a stall, a
-- listener that never answers). No tight upper bound: a loaded machine adds tenths of a second.
function M.assert_cut_off(limit, elapsed, what)
  assert(elapsed >= limit - 0.05, string.format("%s: %.3f s is earlier than the limit %.3f s", what, elapsed, limit))
  assert(elapsed < limit + 10,
    string.format("%s: %.3f s: the bound of %.3f s did not cut the call short", what, elapsed, limit))
end

-- the retries a client's debug lines announce, as the policy decided them: "retry N on endpoint E
-- (url) in D s" -> { {attempt = N, endpoint = E, delay = D}, ... } (D printed to the millisecond)
function M.retries_in(lines)
  local out = {}
  for _, l in ipairs(lines) do
    local n, e, d = l:match("^retry (%d+) on endpoint (%d+) %(.-%) in ([%d.]+) s")
    if n then out[#out + 1] = { attempt = tonumber(n), endpoint = tonumber(e), delay = tonumber(d) } end
  end
  return out
end

function M.on(mock_of)
  local S = {}

  -- API requests the mock logged after the first n
  function S.requests_since(n)
    local all = mock_of():requests()
    local out = {}
    for i = n + 1, #all do out[#out + 1] = all[i] end
    return out
  end
  function S.count() return #mock_of():requests() end

  function S.new_job(c)
    local job, err = c:create_job(APP, CREATE)
    assert(job, tostring(err))
    return job
  end

  -- a client with opts, a new job (made by another client: opts may hold a short timeout, which
  -- only the scripted answers are meant to meet), then get_job of it against the scripted
  -- answer(s): -> what get_job returned (got, err), the seconds it took, the requests it made, the job
  function S.get_scripted(opts, script)
    local mock = mock_of()
    local maker = helper.client(mock)
    local job = S.new_job(maker)
    maker:close()
    local c = helper.client(mock, opts)
    mock:script(script)
    local n = S.count()
    local elapsed, got, err = timed(c.get_job, c, APP, job.job_id)
    local reqs = S.requests_since(n)
    c:close()
    return got, err, elapsed, reqs, job
  end

  -- a client whose debug lines tell each retry's delay as the policy decided it (M.retries_in):
  -- the engine writes that line when a client has several endpoints, so the second one is a
  -- closed port (a 503 or a 429 retries on the endpoint that answered) -> client, lines
  function S.delay_client(opts)
    local lines = {}
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    o.endpoint = { mock_of().url, "http://127.0.0.1:" .. helper.dead_port() }
    o.debug = function(line) lines[#lines + 1] = line end
    return helper.client(mock_of(), o), lines
  end

  -- a client that records its debug lines; lines whose first line is "> METHOD url (attempt N)"
  function S.debug_client(opts)
    local lines = {}
    opts.debug = function(line) lines[#lines + 1] = line end
    return helper.client(mock_of(), opts), lines
  end
  function S.attempts_in(lines)
    local out = {}
    for _, l in ipairs(lines) do
      local method, url, n = l:match("^> (%u+) (%S+) %(attempt (%d+)%)")
      if method then out[#out + 1] = { method = method, url = url, attempt = tonumber(n) } end
    end
    return out
  end

  return S
end

return M
