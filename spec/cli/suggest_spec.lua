-- spec/cli/suggest_spec.lua: "did you mean" (rtc.cli.suggest) for commands, flags and enum
-- values: the distance, the choice of names, and the command's messages (nothing is sent).
-- busted --lua=lua5.4 spec/cli/suggest_spec.lua   (from the repository root)
local helper = require "spec.helper"
local suggest = require "rtc.cli.suggest"

describe("did you mean", function()
  it("the distance: insertions, deletions, substitutions, a swapped pair; no case", function()
    assert.equal(0, suggest.distance("get-job", "GET-JOB"))
    assert.equal(1, suggest.distance("get-jobs", "get-job"))
    assert.equal(1, suggest.distance("RUNNIN", "RUNNING"))
    assert.equal(1, suggest.distance("ouptut", "output"))      -- a swap is one edit
    assert.equal(2, suggest.distance("stpo-jb", "stop-job"))
    assert.equal(math.huge, suggest.distance("a", "abcdefgh"))  -- far apart in length
  end)

  it("names the nearest known names only, at most three; none when nothing is near", function()
    assert.same({ "get-job" }, suggest.nearest("get-jobs", { "get-job", "get-app", "stop-job" }))
    assert.same({ "ACTIVATION" }, suggest.nearest("ACTIVATON", { "ACTIVATION", "DEACTIVATION", "ARREARS" }))
    assert.same({}, suggest.nearest("zzz", { "get-job", "list-apps" }))
    assert.same({ "list-apps", "list-record-rules" },
      suggest.nearest("list", { "list-apps", "list-record-rules", "get-job" }))   -- a prefix
    assert.equal(" (did you mean '--limit'?)", suggest.hint("limt", { "limit", "offset" }, "--"))
    assert.equal(" (did you mean 'a1' or 'a2'?)", suggest.hint("a3", { "a1", "a2" }))
    assert.equal("", suggest.hint("x", {}))
  end)

  it("rtcjob: a mistyped command, flag, global flag or enum value: exit 2, a suggestion, nothing sent", function()
    local mock = helper.start_mock()
    local function run(args) return helper.rtcjob(args, { url = mock.url }) end
    local cases = {
      { "get-jobs app1 j1", "unknown command 'get-jobs' (did you mean 'get-job'?)" },
      { "lst-apps", "unknown command 'lst-apps' (did you mean 'list-apps'?)" },
      { "list-apps --limt 3", "unknown flag '--limt' for 'list-apps' (did you mean '--limit'?)" },
      { "--outptu json list-apps", "unknown flag '--outptu' (did you mean '--output'?)" },
      { "list-apps --ouptut=json", "unknown flag '--ouptut' for 'list-apps' (did you mean '--output'?)" },
      { "list-apps --state ACTIVATON", "got 'ACTIVATON' (did you mean 'ACTIVATION'?)" },
      { "list-apps --output jsn", "got 'jsn' (did you mean 'json'?)" },
      { "wait app1 j1 --state STOPED", "got 'STOPED' (did you mean 'STOPPED'?)" },
      { "help get-jbo", "unknown command 'get-jbo' (did you mean 'get-job'?)" },
    }
    for _, c in ipairs(cases) do
      local r = run(c[1])
      assert.equal(2, r.code, c[1])
      assert.truthy(r.err:find(c[2], 1, true), c[1] .. ": " .. r.err)
    end
    -- nothing near: no suggestion
    local r = run("frobnicate")
    assert.equal(2, r.code)
    assert.falsy(r.err:find("did you mean", 1, true), r.err)
    assert.equal(0, #mock:api_requests())
    mock:stop()
  end)
end)
