-- spec/support/reliability.lua — for spec/client/reliability_spec.lua and retries_spec.lua: their app
-- and bodies, a time check, and the helpers of their describe("reliability") (M.on(mock_of):
-- mock_of gives the suite's mock, once started).
local helper = require "spec.helper"

local timed = helper.timed
local M = {}

M.APP = "app-rel"
M.CREATE = { room_id = "room1", user_id = "user1", record_param = { record_rule_id = "rule1" } }
M.UPDATE = { record_param = { record_rule_id = "rule2" } }
local APP, CREATE = M.APP, M.CREATE

-- "within 10% + 200 ms" of the limit, and not early
function M.assert_near(limit, elapsed, what)
  assert(elapsed >= limit - 0.05, string.format("%s: %.3f s is earlier than the limit %.3f s", what, elapsed, limit))
  assert(elapsed <= limit * 1.1 + 0.2,
    string.format("%s: %.3f s is later than the limit %.3f s + 10%% + 200 ms", what, elapsed, limit))
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

  -- a client with opts, a new job, then get_job of it against the scripted answer(s):
  -- -> what get_job returned (got, err), the seconds it took, the requests it made, the job
  function S.get_scripted(opts, script)
    local mock = mock_of()
    local c = helper.client(mock, opts)
    local job = S.new_job(c)
    mock:script(script)
    local n = S.count()
    local elapsed, got, err = timed(c.get_job, c, APP, job.job_id)
    local reqs = S.requests_since(n)
    c:close()
    return got, err, elapsed, reqs, job
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
