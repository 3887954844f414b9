-- rtc.cli.wait: the `wait` command: client:wait_job until the job is in --state (exit 0), ends
-- in another state (1) or the time runs out (3).
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local output = require "rtc.cli.output"
local args = require "rtc.cli.args"
local client_of = require "rtc.cli.client"

local err_line = console.err_line

-- run(cmd, o, pos): o.wait_timeout is how long to wait in all; o.timeout, the time of one attempt
return function(cmd, o, pos)
  args.need_pos(cmd, pos, 2, 2)
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
