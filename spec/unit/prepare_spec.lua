-- prepare takes the time as an input: the same inputs give the same signed request, byte for
-- byte (issue 10 §3); and the choice of endpoint is an input too.
local rtc = require "rtc"

describe("prepare with opts.now", function()
  local c
  setup(function()
    c = rtc.new{ endpoint = { "https://a.example:8443/p", "https://b.example" }, ak = "AK1234",
                 sk = "sk-secret", project_id = "proj" }
  end)
  teardown(function() c:close() end)

  local body = { publish_param = { rtmp_urls = { "rtmp://x/y" } } }

  it("gives the same bytes for the same inputs", function()
    local a = c:prepare("update_job", "app", "job", body, { now = 1600000000 })
    local b = c:prepare("update_job", "app", "job", body, { now = 1600000000 })
    assert.are.same(a, b)
    assert.are.equal("20200913T122640Z", a.headers["X-Sdk-Date"])
    local later = c:prepare("update_job", "app", "job", body, { now = 1600000001 })
    assert.are_not.equal(a.headers.Authorization, later.headers.Authorization)
    assert.is_nil(a.headers.Expect)
  end)

  it("works for operations without a body, and picks the endpoint asked for", function()
    local a = c:prepare("get_job", "app", "job", { now = 0, endpoint = 2 })
    assert.are.equal("https://b.example/v2/apps/app/individual-stream-jobs/job", a.url)
    assert.are.equal("19700101T000000Z", a.headers["X-Sdk-Date"])
    local p = c:prepare("get_job", "app", "job", { now = 0, endpoint = 1 })
    assert.are.equal("https://a.example:8443/p/v2/apps/app/individual-stream-jobs/job", p.url)
  end)

  it("refuses a bad now or endpoint", function()
    assert.has_error(function() c:prepare("get_job", "app", "job", { now = -1 }) end)
    assert.has_error(function() c:prepare("get_job", "app", "job", { endpoint = 3 }) end)
    assert.has_error(function() c:prepare("get_job", "app", "job", { now = "x" }) end)
  end)
end)
