-- spec/cli/collision_spec.lua: an operation's field flag never takes a global flag's name: a body
-- field named like one (update-obs-bucket-authority's project_id) is --body-project-id, listed in
-- the command's help, and never changes the signing project (X-Project-Id).
-- busted --lua=lua5.4 spec/cli/collision_spec.lua   (from the repository root)
local helper = require "spec.helper"
local rtc = require "rtc"
local flags = require "rtc.cli.flags"

local AKSK = "--ak test-ak --sk test-sk --project-id signing-project"

describe("rtcjob flag names", function()
  local function run(args)
    return helper.rtcjob(args, { env = "RTC_ENDPOINT=http://127.0.0.1:1", extra_env = "SOURCE_DATE_EPOCH=1000000000" })
  end

  it("no operation flag has a global flag's name (help lists the renamed ones)", function()
    local global = {}
    for _, r in ipairs(flags.GLOBAL_FLAGS) do global[r[1]] = true end
    local renamed = 0
    for _, row in ipairs(rtc.operations()) do
      for _, part in ipairs({ "body", "query" }) do
        local fields = type(row[part]) == "table" and (row[part].fields or row[part]) or {}
        for _, f in ipairs(fields) do
          local name = f.name:gsub("_", "-")
          if global[name] and f.type ~= "object" and f.type ~= "array" then
            renamed = renamed + 1
            local r = run(row.name:gsub("_", "-") .. " --help")
            assert.truthy(r.out:find("--" .. part .. "-" .. name, 1, true), row.name .. ": " .. r.out)
            assert.truthy(r.out:find("not --" .. name .. ", the global flag", 1, true), r.out)
          end
        end
      end
    end
    assert.truthy(renamed >= 1)   -- update_obs_bucket_authority's project_id at least
  end)

  it("--project-id signs; --body-project-id fills the body only", function()
    local r = run("update-obs-bucket-authority --bucket b1 --operation 1 --location cn-north-4"
      .. " --body-project-id body-project " .. AKSK .. " --dry-run --output json")
    assert.equal(0, r.code, r.err)
    assert.equal("signing-project", r.json.headers["X-Project-Id"])
    assert.equal("body-project", require("cjson").decode(r.json.body).project_id)
    -- without --body-project-id the body has no project_id; the flag never fills it
    r = run("update-obs-bucket-authority --bucket b1 --operation 1 --location cn-north-4 " .. AKSK
      .. " --dry-run --output json")
    assert.equal(0, r.code, r.err)
    assert.equal("signing-project", r.json.headers["X-Project-Id"])
    assert.is_nil(require("cjson").decode(r.json.body).project_id)
    -- --params' project_id stays in the body too
    r = run("update-obs-bucket-authority --params '{\"bucket\":\"b\",\"operation\":0,\"location\":\"cn-north-4\","
      .. "\"project_id\":\"p2\"}' " .. AKSK .. " --dry-run --output json")
    assert.equal(0, r.code, r.err)
    assert.equal("signing-project", r.json.headers["X-Project-Id"])
    assert.equal("p2", require("cjson").decode(r.json.body).project_id)
  end)
end)
