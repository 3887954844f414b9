-- make demo: starts the mock SparkRTC server, runs the examples against it, stops it.
package.path = "./?.lua;" .. package.path
local helper = require "spec.helper"

local mock = helper.start_mock()
local env = string.format("RTC_ENDPOINT=%s RTC_AUTH_TOKEN=%s", mock.url, mock.token)
local cpath = os.getenv("RTC_CPATH") or "./?.so"
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

-- the seed's example needs a job to update: create one first, as a user would
local rtc = require "rtc"
local job = assert(rtc.new{ endpoint = mock.url, token = mock.token }:create_job("demo-app", {
  room_id = "100", user_id = "user001", record_param = { record_rule_id = "5f5e172b9016ed5b0961a43" },
}))
run("examples/update_job.lua demo-app " .. job.job_id,
    lua .. " examples/update_job.lua demo-app " .. job.job_id)
run("examples/lifecycle.lua demo-app", lua .. " examples/lifecycle.lua demo-app")
mock:stop()
print("\ndemo finished: the examples ran against the mock at " .. mock.url)
