-- rtc.cli.wait: the `wait` command: client:wait_job until the job is in --state (exit 0), ends
-- in another state (1) or the time runs out (3).
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local json = require "rtc.cli.json"
local output = require "rtc.cli.output"
local flagrows = require "rtc.cli.flags"
local client_of = require "rtc.cli.client"

local err_line = console.err_line

local M = {}

-- A job's states, as API-v2-operations.md documents them (the Go SDK's enum): the module checks
-- no answer's state against a list (a new state must not break old clients), so its row has none.
local DOCUMENTED_JOB_STATES = { "INIT", "RUNNING", "STOPPED" }

-- run(cmd, o, pos): o.wait_timeout is how long to wait in all; o.timeout, the time of one attempt
local function run(cmd, o, pos)
  flagrows.need_pos(cmd, pos, 2, 2)
  if not o.state then console.usage_error("'wait' needs --state STATE") end
  o.state = o.state:upper()
  output.check_query(o)
  local fmt = output.format(o)
  local rtc = client_of.module()
  local get = rtc.operation and rtc.operation("get_job")
  local schema = get and get.response
  local wait_for = o.wait_timeout or 300
  local client = client_of.new(o)
  if type(client.wait_job) ~= "function" then
    pcall(client.close, client)
    err_line("the module 'rtc' has no client:wait_job(): it is older than this command")
    return 2
  end
  local ok, job, e = pcall(client.wait_job, client, pos[1], pos[2], o.state, { timeout = wait_for })
  pcall(client.close, client)
  if not ok then e, job = job, nil end
  if not job then
    err_line(errors.text(e))
    return errors.failure_code(e)
  end
  local code = output.emit(o, job, schema, fmt)
  if type(job) == "table" and job.state ~= o.state then
    err_line(string.format("job %s is %s, not %s", pos[2], output.field(job.state) or "?", o.state))
    return 1
  end
  return code
end

function M.commands(ctx)
  local get = ctx.by_name["get-job"]
  if not get then return {} end
  local f = json.field_named(get.row.response, "state")
  local states = f and f.enum or DOCUMENTED_JOB_STATES
  return { {
    name = "wait",
    usage = "wait APP JOB --state " .. table.concat(states, "|") .. " [--wait-timeout S]",
    summary = "Poll a job until it is in STATE (0), ends elsewhere (1) or --wait-timeout passes (3).",
    args = { { name = "APP_ID", help = "the app" }, { name = "JOB_ID", help = "the job" } },
    flags = { { "state", table.concat(states, "|"), "the state to wait for (checked before anything is sent)",
                choices = states },
              { "wait-timeout", "SECONDS", "how long to wait in all (default 300); --timeout stays the"
                .. " time of one attempt", type = "seconds" } },
    notes = "'wait --timeout S' used to mean --wait-timeout S: it still does, with a deprecation note.",
    run = run } }
end

return M
