-- spec/client/wait_spec.lua — client:wait_job / wait_mix_job (and rtc.wait_job on the default client):
-- polling get_<x> until the state is reached or the job is STOPPED, the "timeout" error, the
-- getter's own errors passed through, which rows get a wait_<x>, and misuse (raises). No timing
-- is asserted beyond "it ended": the mock turns an INIT job RUNNING on its first GET.
local helper = require "spec.helper"
local rtc = require "rtc"

describe("wait_<x>", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  local function gets(path_part)
    local n = 0
    for _, r in ipairs(mock:requests()) do
      if r.method == "GET" and tostring(r.path):find(path_part, 1, true) then n = n + 1 end
    end
    return n
  end

  it("exist for the get rows whose answer has a string state, and no others", function()
    local want = {}
    for _, row in ipairs(rtc.operations()) do
      local name = row.name
      if name:match("^get_") and row.method == "GET" and not row.body and not row.query and row.response then
        for _, f in ipairs(row.response.fields or {}) do
          if f.name == "state" and f.type == "string" then want["wait_" .. name:sub(5)] = true end
        end
      end
    end
    assert.same({ wait_job = true, wait_mix_job = true }, want)
    for name in pairs(want) do
      assert.is_function(client[name], name)
      assert.is_function(rtc[name], name)
    end
    assert.is_nil(client.wait_app) -- get_app's state is an object (AppState), not a state name
    assert.is_nil(rtc.wait_app)
  end)

  it("returns the job once it reaches the state (INIT -> RUNNING)", function()
    local body = { room_id = "r1", user_id = "u1", record_param = { record_rule_id = "rule" } }
    local job = assert(client:create_job("app1", body))
    assert.equal("INIT", job.state)
    local got, err = client:wait_job("app1", job.job_id, "RUNNING", { timeout = 30 })
    assert.is_nil(err)
    assert.equal("RUNNING", got.state)
    assert.equal(job.job_id, got.job_id)
    assert.equal("rtc.job", getmetatable(got).__name) -- what get_job returns, unchanged
    assert.equal(200, got.status)
    assert.equal(1, gets("/individual-stream-jobs/" .. job.job_id))
  end)

  it("returns at once when the job is already in the state", function()
    mock:seed_job("app1", { job_id = "run-1", state = "RUNNING" })
    local got = assert(client:wait_job("app1", "run-1", "RUNNING"))
    assert.equal("RUNNING", got.state)
  end)

  it("returns a STOPPED job whatever state was asked for: the caller compares", function()
    mock:seed_job("app1", { job_id = "done-1", state = "STOPPED" })
    local got, err = client:wait_job("app1", "done-1", "RUNNING", { timeout = 30 })
    assert.is_nil(err)
    assert.equal("STOPPED", got.state)
    assert.equal("TENANT_STOP", got.stop_reason)
    assert.equal(1, gets("/individual-stream-jobs/done-1"))
  end)

  it("polls until the timeout, then returns nil and a timeout error", function()
    mock:seed_job("app1", { job_id = "run-2", state = "RUNNING" })
    -- 1 s of looks every 0.05 s: two of them need the first answer within 0.95 s
    local got, err = client:wait_job("app1", "run-2", "STOPPED", { timeout = 1, interval = 0.05 })
    assert.is_nil(got)
    helper.is_error(err, "timeout")
    assert.truthy(tostring(err):find("RUNNING", 1, true), tostring(err))
    assert.truthy(tostring(err):find("STOPPED", 1, true), tostring(err))
    assert.is_string(err.request_id) -- the last answer's
    assert.truthy(("x: " .. err):find("timeout", 1, true)) -- __concat, like every rtc error
    assert.truthy(gets("/individual-stream-jobs/run-2") >= 2)
  end)

  it("a zero timeout looks once", function()
    mock:seed_job("app1", { job_id = "run-3", state = "RUNNING" })
    local got, err = client:wait_job("app1", "run-3", "STOPPED", { timeout = 0 })
    assert.is_nil(got)
    helper.is_error(err, "timeout")
    assert.equal(1, gets("/individual-stream-jobs/run-3"))
  end)

  it("returns get_job's error for a job that does not exist (404)", function()
    local got, err = client:wait_job("app1", "nope", "RUNNING", { timeout = 30 })
    assert.is_nil(got)
    helper.is_error(err, "api")
    assert.equal(404, err.status)
    assert.equal("RTC.00001003", err.code)
    assert.equal(1, gets("/individual-stream-jobs/nope"))
  end)

  it("stops on the getter's network error", function()
    local closed = rtc.new({ endpoint = "http://127.0.0.1:" .. helper.dead_port(), token = "t", retries = 0 })
    local got, err = closed:wait_job("app1", "j", "RUNNING", { timeout = 30 })
    closed:close()
    assert.is_nil(got)
    helper.is_error(err)
    assert.not_equal("timeout", err.kind)
  end)

  it("waits for a mix job the same way", function()
    local body = { mix_param = { room_id = "room1", encode_template = "1280*720_30_1710",
                                 layout_template = "nine_grids_view" },
                   record_param = { record_rule_id = "rule" } }
    local job, cerr = client:create_mix_job("app1", body)
    assert.is_nil(cerr, cerr and tostring(cerr))
    assert.equal("INIT", job.state)
    local got = assert(client:wait_mix_job("app1", job.job_id, "RUNNING", { timeout = 30 }))
    assert.equal("RUNNING", got.state)
    assert.truthy(client:stop_mix_job("app1", job.job_id))
    got = assert(client:wait_mix_job("app1", job.job_id, "RUNNING"))
    assert.equal("STOPPED", got.state)
  end)

  it("rtc.wait_job uses the default client", function()
    mock:seed_job("app1", { job_id = "run-4", state = "RUNNING" })
    rtc.configure({ endpoint = mock.url, token = mock.token, retries = 0 })
    local got, err = rtc.wait_job("app1", "run-4", "RUNNING", { timeout = 30 })
    rtc.configure({ endpoint = "http://127.0.0.1:1", token = "t" }) -- the mock's address is not kept
    assert.is_nil(err)
    assert.equal("RUNNING", got.state)
  end)

  it("raises on misuse, before anything is sent", function()
    local bad = {
      { "app1" },                                      -- no job id
      { "app1", "j" },                                 -- no state
      { "app1", "j", "" },                             -- empty state
      { "app1", "j", 1 },
      { 1, "j", "RUNNING" },
      { "app1", {}, "RUNNING" },
      { "app1", "j", "RUNNING", "fast" },              -- opts not a table
      { "app1", "j", "RUNNING", { timeout = "10" } },
      { "app1", "j", "RUNNING", { timeout = -1 } },
      { "app1", "j", "RUNNING", { timeout = 0 / 0 } },
      { "app1", "j", "RUNNING", { timeout = math.huge } },
      { "app1", "j", "RUNNING", { interval = 0 } },
      { "app1", "j", "RUNNING", { interval = true } },
      { "app1", "j", "RUN\0NING" },                     -- a NUL would cut the state short
      { "app1", "j", "RUNNING", { tiemout = 5 } },     -- a misspelt option is not waited out
    }
    for i, a in ipairs(bad) do
      local ok, e = pcall(client.wait_job, client, a[1], a[2], a[3], a[4])
      assert.is_false(ok, "case " .. i)
      assert.truthy(tostring(e):find("bad argument", 1, true), "case " .. i .. ": " .. tostring(e))
    end
    local ok, e = pcall(client.wait_job, client, "app1", "j", "RUNNING", { timeout = -1 })
    assert.is_false(ok)
    assert.truthy(tostring(e):find("opts.timeout", 1, true), tostring(e))
    ok = pcall(client.wait_job, "not a client", "app1", "j", "RUNNING")
    assert.is_false(ok)
    assert.equal(0, #mock:requests())
  end)

  it("compares states by their length: a NUL in the server's state is not the state", function()
    mock:script{ status = 200, body = '{"job_id":"j","state":"RUNNING\\u0000junk"}' }
    mock:script{ status = 200, body = '{"job_id":"j","state":"RUNNING"}' }
    local job, err = client:wait_job("app1", "j", "RUNNING", { timeout = 5, interval = 0.01 })
    assert.is_nil(err)
    assert.are.equal("RUNNING", job.state)
    assert.are.equal(2, gets("/individual-stream-jobs/j"))
  end)

  it("a closed client raises like its get_job", function()
    local c = helper.client(mock)
    c:close()
    local ok1, e1 = pcall(c.get_job, c, "app1", "j")
    local ok2, e2 = pcall(c.wait_job, c, "app1", "j", "RUNNING")
    assert.equal(ok1, ok2)
    if not ok1 then assert.truthy(tostring(e2):find("closed", 1, true), tostring(e2))
    else assert.equal(tostring(e1), tostring(e2)) end
  end)
end)
