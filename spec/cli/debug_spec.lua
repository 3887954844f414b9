-- spec/cli/debug_spec.lua: rtcjob --debug: the request line, headers and body, the answer line,
-- headers and body, each once, escaped, and every secret masked in one style (****), the same
-- as --dry-run and rtc.credentials() show them.
-- busted --lua=lua5.4 spec/cli/debug_spec.lua   (from the repository root)
local helper = require "spec.helper"

local lines_of = helper.lines_of

describe("rtcjob --debug", function()
  local mock
  local recorder = helper.rtcjob_recorder(function() return mock end)
  local run = recorder.run
  helper.mock_suite(nil, function(m) mock = m end)

  local function debug_lines(err)
    local l = {}
    for _, line in ipairs(lines_of(err)) do
      local d = line:match("^rtcjob: debug: (.*)$")
      if d then l[#l + 1] = d end
    end
    return l
  end

  local function count(list, pattern)
    local n = 0
    for _, s in ipairs(list) do if s:find(pattern) then n = n + 1 end end
    return n
  end

  it("shows the request and the answer: lines, headers and bodies; the credentials line once", function()
    local r = run("create-app --app-name dbg --debug --output json")
    assert.equal(0, r.code, r.err)
    local l = debug_lines(r.err)
    assert.equal(1, count(l, "credentials"), r.err)
    assert.equal(1, count(l, "^rtc: credentials %(token%) from env RTC_AUTH_TOKEN$"), r.err)
    assert.equal(1, count(l, "^> POST http://127%.0%.0%.1:%d+/v2/apps %(attempt 1%)$"), r.err)
    assert.equal(1, count(l, "^> X%-Auth%-Token: %*%*%*%*$"), r.err)
    assert.equal(1, count(l, '^> {"app_name":"dbg"}$'), r.err)            -- the request body
    assert.equal(1, count(l, "^< HTTP 201 %(request %x+, %d+ bytes%)$"), r.err)
    assert.equal(1, count(l, "^< Content%-Type: application/json"), r.err)  -- answer headers
    assert.equal(1, count(l, "^< X%-request%-Id: %x+$"), r.err)
    assert.equal(1, count(l, '^< {"app_id":"' .. r.json.app_id .. '"}$'), r.err)  -- the answer body
    -- no line twice (but for the headers the request and the answer both have)
    local seen = {}
    for _, s in ipairs(l) do
      assert.is_nil(seen[s], "twice: " .. s)
      seen[s] = true
    end
  end)

  it("escapes answer headers and bodies, masks secret answer headers", function()
    mock:script{ status = 400, headers = { ["Set-Cookie"] = "session=abc123", ["X-Note"] = "a\tb" },
      body = '{"error_code":"RTC.1","error_msg":"bad\\u001b[2J"}\n\27[31mred' }
    local r = run("get-job app1 j1 --debug --retries 0")
    assert.equal(1, r.code, r.err)
    local l = debug_lines(r.err)
    assert.equal(1, count(l, "^< Set%-Cookie: %*%*%*%*$"), r.err)
    assert.is_nil(r.err:find("abc123", 1, true), r.err)
    assert.equal(1, count(l, "^< X%-Note: a\\tb$"), r.err)
    assert.equal(1, count(l, '^< {"error_code".*}\\n\\e%[31mred$'), r.err)
    assert.is_nil(r.err:find("\27", 1, true))
  end)

  it("one masking style: debug lines, --dry-run and the error text all show ****", function()
    local r = run("list-apps --dry-run --output text")
    assert.truthy(r.out:find("\nX-Auth-Token: ****\n", 1, true), r.out)
    r = run("list-apps --debug --output json --security-token sec-tok-1234 --ak ak-1 --sk sk-secret-1"
      .. " --project-id p1", { env = "RTC_ENDPOINT=" .. mock.url })
    local all = r.out .. r.err
    assert.truthy(r.err:find("> X-Security-Token: ****", 1, true), r.err)
    for _, s in ipairs({ "sec-tok-1234", "sk-secret-1" }) do assert.is_nil(all:find(s, 1, true), s) end
    for _, other in ipairs({ "<redacted>", "%f[*]%*%*%*%f[^*]" }) do assert.is_nil(all:find(other), other) end
  end)

  it("prints no secret", function()
    recorder.assert_no_secrets({ "test-token", "abc123", "sk-secret-1" }, 3)
  end)
end)
