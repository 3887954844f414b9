-- The environment counts for any rtc.new, not only rtc.new() without a table (issue 13): each
-- option the table leaves out comes from its variable; credentials come as a whole from one
-- source.
local helper = require "spec.helper"

local ENV = { "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID",
  "HUAWEICLOUD_SDK_SECURITY_TOKEN", "RTC_AUTH_TOKEN", "RTC_ENDPOINT" }

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- runs code with env set (the others unset); returns its output
local function run(env, code)
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write(("package.cpath = %q\n"):format(package.cpath), code)
  f:close()
  local parts = { "env" }
  for _, v in ipairs(ENV) do parts[#parts + 1] = "-u " .. v end
  for k, v in pairs(env) do parts[#parts + 1] = k .. "=" .. q(v) end
  parts[#parts + 1] = q(helper.LUA) .. " " .. q(file) .. " 2>&1"
  local _, out = helper.run(table.concat(parts, " "))
  os.remove(file)
  return out
end

describe("options from the environment with an options table", function()
  local mock
  helper.mock_suite({}, function(m) mock = m end)

  it("rtc.new{timeout = 5} takes the token and endpoint from the environment", function()
    mock:seed_job("app", { job_id = "j" })
    local out = run({ RTC_AUTH_TOKEN = mock.token, RTC_ENDPOINT = mock.url }, [[
local c = require("rtc").new{ timeout = 5 }
local job, err = c:get_job("app", "j")
io.write(job and job.job_id or tostring(err))
]])
    assert.are.equal("j", out)
  end)

  it("AK/SK/project from the environment with a table that sets none of them", function()
    mock:seed_job("app", { job_id = "j" })
    local out = run({ HUAWEICLOUD_SDK_AK = mock.ak, HUAWEICLOUD_SDK_SK = mock.sk,
                      HUAWEICLOUD_SDK_PROJECT_ID = mock.project_id }, ([[
local c = require("rtc").new{ endpoint = %q, retries = 0 }
local job, err = c:get_job("app", "j")
io.write(job and job.job_id or tostring(err))
]]):format(mock.url))
    assert.are.equal("j", out)
  end)

  it("credentials come as a whole: an explicit token ignores the environment's AK/SK", function()
    mock:seed_job("app", { job_id = "j" })
    local out = run({ HUAWEICLOUD_SDK_AK = "a", HUAWEICLOUD_SDK_SK = "s", HUAWEICLOUD_SDK_PROJECT_ID = "p" }, ([[
local c = require("rtc").new{ endpoint = %q, token = %q }
local job, err = c:get_job("app", "j")
io.write(job and job.job_id or tostring(err))
]]):format(mock.url, mock.token))
    assert.are.equal("j", out)
  end)

  it("the table's endpoint wins over RTC_ENDPOINT", function()
    local out = run({ RTC_ENDPOINT = "http://127.0.0.1:1" }, ([[
io.write(tostring(require("rtc").new{ endpoint = %q, token = "t" }))
]]):format(mock.url))
    assert.truthy(out:find(mock.url, 1, true), out)
  end)
end)
