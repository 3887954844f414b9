-- spec/cli/query_spec.lua: rtcjob --query (JMESPath) against the mock: an index, a projection, a
-- filter and multi-selects in every output format, with --all, with --dry-run and in a batch; a
-- parse error points at its column and sends nothing.
-- busted --lua=lua5.4 spec/cli/query_spec.lua   (from the repository root)
local helper = require "spec.helper"
local cjson = require "cjson"

local mock
local recorder = helper.rtcjob_recorder(function() return mock end)
local run = recorder.run
local q = helper.shell_quote
local lines_of = helper.lines_of

describe("rtcjob --query (JMESPath)", function()
  helper.mock_suite(nil, function(m) mock = m end)

  local ids
  local function apps()
    ids = {}
    for i = 1, 3 do
      local r = run("create-app --app-name qapp" .. i .. " --output json")
      assert.equal(0, r.code, r.err)
      ids[i] = r.json.app_id
    end
  end

  it("apps[0].app_id, apps[-1].app_id and apps[*].app_id in every format", function()
    apps()
    for _, fmt in ipairs({ "json", "ndjson" }) do
      assert.equal('"' .. ids[1] .. '"\n', run("list-apps --output " .. fmt .. " --query 'apps[0].app_id'").out)
      assert.equal('"' .. ids[3] .. '"\n', run("list-apps --output " .. fmt .. " --query 'apps[-1].app_id'").out)
      assert.same(ids, run("list-apps --output " .. fmt .. " --query 'apps[*].app_id'").json)
    end
    assert.equal(ids[1] .. "\n", run("list-apps --output text --query 'apps[0].app_id'").out)
    assert.equal(ids[1] .. "\n", run("list-apps --output table --query 'apps[0].app_id'").out)
    -- text: one "index<TAB>value" line per item, 0-based; table: one value a line
    assert.same({ "0\t" .. ids[1], "1\t" .. ids[2], "2\t" .. ids[3] },
      lines_of(run("list-apps --output text --query 'apps[*].app_id'").out))
    assert.same(ids, lines_of(run("list-apps --output table --query 'apps[*].app_id'").out))
    -- --all walks the pages first, then the query applies to the whole list
    assert.same(ids, run("list-apps --all --limit 1 --output json --query 'apps[*].app_id'").json)
  end)

  it("a filter and multi-select lists and hashes, in every format", function()
    apps()
    local filter = q("apps[?app_name == 'qapp2'].app_id")
    assert.same({ ids[2] }, run("list-apps --output json --query " .. filter).json)
    assert.equal("0\t" .. ids[2] .. "\n", run("list-apps --output text --query " .. filter).out)
    assert.equal(ids[2] .. "\n", run("list-apps --output table --query " .. filter).out)
    assert.same({}, run("list-apps --output json --query " .. q("apps[?app_name == 'nope']")).json)
    assert.equal("[]\n", run("list-apps --output json --query " .. q("apps[?app_name == 'nope']")).out)

    local hash = q("apps[*].{id: app_id, name: app_name, state: state.state}")
    local r = run("list-apps --output json --query " .. hash)
    assert.equal(0, r.code, r.err)
    assert.equal(3, #r.json)
    assert.same({ id = ids[1], name = "qapp1", state = "ACTIVATION" }, r.json[1])
    -- the hash's keys come in the order the expression gives them
    assert.truthy(r.out:find('^%[{"id":"[^"]+","name":"qapp1","state":"ACTIVATION"}'), r.out)
    local t = lines_of(run("list-apps --output table --query " .. hash).out)
    assert.truthy(t[1]:match("^ID%s+NAME%s+STATE$"), t[1])
    assert.truthy(t[2]:match("^" .. ids[1] .. "%s+qapp1%s+ACTIVATION$"), t[2])
    local x = lines_of(run("list-apps --output text --query " .. hash).out)
    assert.equal("0.id\t" .. ids[1], x[1])
    assert.equal("0.state\tACTIVATION", x[3])

    local list = q("apps[*].[app_name, state.state]")
    assert.same({ { "qapp1", "ACTIVATION" }, { "qapp2", "ACTIVATION" }, { "qapp3", "ACTIVATION" } },
      run("list-apps --output ndjson --query " .. list).json)
    assert.equal("3\n", run("list-apps --output text --query 'length(apps)'").out)
  end)

  it("--dry-run applies it to the prepared request, in every format; nothing is sent", function()
    local before = #mock:api_requests()
    local r = run("list-apps --dry-run --query url --output json")
    assert.equal(0, r.code, r.err)
    assert.equal('"' .. mock.url .. '/v2/apps"\n', r.out)
    assert.equal(mock.url .. "/v2/apps\n", run("list-apps --dry-run --query url --output text").out)
    assert.equal(mock.url .. "/v2/apps\n", run("list-apps --dry-run --query url --output table").out)
    r = run("create-app --app-name dry --dry-run --output json --query '{m: method, b: body}'")
    assert.equal(0, r.code, r.err)
    assert.equal("POST", r.json.m)
    assert.equal("dry", cjson.decode(r.json.b).app_name)
    -- the token header stays masked when queried
    assert.equal("****\n", run("list-apps --dry-run --output text --query 'headers.\"X-Auth-Token\"'").out)
    assert.equal(before, #mock:api_requests())
  end)

  it("applies to every job of a batch with JMESPath", function()
    local client = helper.client(mock)
    local a = assert(client:create_job("app1", { room_id = "r1", user_id = "u1",
      publish_param = { rtmp_urls = { "rtmp://o.example.com/live/a" } } }))
    client:close()
    local r = run("get app1 --jobs - --query 'publish_param.rtmp_urls[0]' --output text", { stdin = a.job_id })
    assert.equal(0, r.code, r.err)
    assert.same({ a.job_id .. "\trtmp://o.example.com/live/a" }, lines_of(r.out))
  end)

  it("a parse error names the 0-based column, shows a caret, exits 2 and sends nothing", function()
    local before = #mock:api_requests()
    local r = run("list-apps --query 'apps[?app_name = 1]'")
    assert.equal(2, r.code)
    assert.equal("", r.out)
    local e = lines_of(r.err)
    assert.truthy(e[1]:find("--query: unexpected '=' (did you mean '=='?) at column 15 (0-based)", 1, true), e[1])
    assert.equal("rtcjob:   apps[?app_name = 1]", e[2])
    assert.equal("rtcjob:   " .. string.rep(" ", 15) .. "^", e[3])
    assert.equal(before, #mock:api_requests())
    -- an evaluation error (a function given the wrong type) exits 2 too
    r = run("list-apps --query 'length(count)'")
    assert.equal(2, r.code)
    assert.truthy(r.err:find("length() expected string or array or object, got number", 1, true), r.err)
  end)

  it("prints no secret", function()
    recorder.assert_no_secrets({ "test-token" }, 10)
  end)
end)
