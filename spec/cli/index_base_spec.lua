-- spec/cli/index_base_spec.lua: one index base on the command line (0, JMESPath's): validation
-- messages, batch results and --params' JSON errors count from 0, like --query and text output;
-- the module's own (Lua-facing) messages keep Lua's 1, as README documents.
-- busted --lua=lua5.4 spec/cli/index_base_spec.lua   (from the repository root)
local helper = require "spec.helper"
local rtc = require "rtc"

local BODY = [['{"room_id":"r","user_id":"u","publish_param":{"rtmp_urls":["rtmp://a.example.com/x","http://b"]}}']]

describe("rtcjob counts from 0", function()
  local mock
  setup(function() mock = helper.start_mock() end)
  teardown(function() mock:stop() end)
  local function run(args, opts)
    opts = opts or {}
    opts.url = mock.url
    return helper.rtcjob(args, opts)
  end

  it("the module's Lua message counts from 1 (the second URL is [2])", function()
    local client = rtc.new { endpoint = mock.url, token = "t" }
    local req, e = client:prepare("create_job", "app1", { room_id = "r", user_id = "u",
      publish_param = { rtmp_urls = { "rtmp://a.example.com/x", "http://b" } } })
    client:close()
    assert.is_nil(req)
    assert.equal("publish_param.rtmp_urls[2]", e.field)
  end)

  it("the command's message names the second URL [1], with --params and with flags", function()
    local r = run("create-job app1 --params " .. BODY)
    assert.equal(2, r.code)
    assert.truthy(r.err:find("invalid: publish_param.rtmp_urls[1]: expected an rtmp:// or rtmps:// URL", 1, true),
      r.err)
    r = run("create app1 --room r --user u --rtmp-url rtmp://a.example.com/x --rtmp-url http://b --dry-run")
    assert.equal(2, r.code)
    assert.truthy(r.err:find("publish_param.rtmp_urls[1]:", 1, true), r.err)
    assert.falsy(r.err:find("rtmp_urls[2]", 1, true), r.err)
  end)

  it("a batch's JSON error names the field from 0; --query [1] is the same item", function()
    local client = helper.client(mock)
    local job = assert(client:create_job("app1", { room_id = "r", user_id = "u",
      publish_param = { rtmp_urls = { "rtmp://a.example.com/x", "rtmp://b.example.com/y" } } }))
    client:close()
    local r = run("get app1 " .. job.job_id .. " --query 'publish_param.rtmp_urls[1]' --output text")
    assert.equal("rtmp://b.example.com/y\n", r.out)
    r = run("get app1 " .. job.job_id .. " --output text")
    assert.truthy(r.out:find("publish_param.rtmp_urls.1\trtmp://b.example.com/y", 1, true), r.out)
    -- a job the mock refuses with a field error: the batch item's error.field counts from 0
    local errors = require "rtc.cli.errors"
    assert.equal("a.b[0].c[2]", errors.zero_based("a.b[1].c[3]"))
    local t = errors.table({ kind = "invalid", field = "x[1]", message = "x[1]: bad" })
    assert.same({ "x[0]", "x[0]: bad" }, { t.field, t.message })
  end)

  it("--params that is not JSON names a 0-based offset", function()
    local r = run([[create-job app1 --params '{"a" 1}']])
    assert.equal(2, r.code)
    assert.truthy(r.err:find("at offset 5 (0-based)", 1, true), r.err)
  end)
end)
