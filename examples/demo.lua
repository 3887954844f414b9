-- make demo: starts the mock SparkRTC server (with --seed: app my-app, rule my-rule, RUNNING job
-- my-job, as the README's examples expect), runs the examples against it, stops it.
package.path = "./?.lua;" .. package.path
local helper = require "spec.helper"

local mock = helper.start_mock{ seed = true }
local env = string.format("RTC_ENDPOINT=%s RTC_AUTH_TOKEN=%s", mock.url, mock.token)
local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
local lua = string.format("%s -e 'package.cpath=%q..\";\"..package.cpath'", helper.LUA, cpath)

local function run(title, cmd)
  print("\n== " .. title)
  io.stdout:flush()
  local ok = os.execute(env .. " " .. cmd)
  if ok ~= true and ok ~= 0 then
    mock:stop()
    error(title .. " failed", 0)
  end
end

local examples = {
  "examples/update_job.lua my-app my-job",
  "examples/lifecycle.lua demo-app", -- an app of its own: it creates and stops a job
}
local f = io.open("examples/recording_workflow.lua", "r")
if f then f:close() examples[#examples + 1] = "examples/recording_workflow.lua" end
for _, example in ipairs(examples) do run(example, lua .. " " .. example) end
mock:stop()
print("\ndemo finished: the examples ran against the mock at " .. mock.url)
