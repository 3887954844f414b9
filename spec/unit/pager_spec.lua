-- spec/unit/pager_spec.lua: rtc.pager, the walk over pages without its I/O (what rtc.ngx's
-- each_<item> drives): ask() -> the next call's arguments or nil; answer(result, err) -> items
-- or nil, err. No server: the answers are made up here.
local rtc = require "rtc"

local function apps(from, to, count)
  local t = { apps = {}, count = count }
  for i = from, to do t.apps[#t.apps + 1] = { app_id = "a" .. i } end
  return t
end

describe("rtc.pager", function()
  it("asks page after page (offset = page number, limit) until the reported count", function()
    local ask, answer = rtc.pager("list_apps", { limit = 2, state = "ACTIVATION" })
    local a = ask()
    assert.are.equal(1, a.n)
    assert.are.same({ offset = 0, limit = 2, state = "ACTIVATION" }, a[1])
    assert.are.same({ { app_id = "a1" }, { app_id = "a2" } }, answer(apps(1, 2, 5)))
    assert.are.same({ offset = 1, limit = 2, state = "ACTIVATION" }, ask()[1])
    assert.are.equal(2, #answer(apps(3, 4, 5)))
    assert.are.equal(2, ask()[1].offset)
    assert.are.same({ { app_id = "a5" } }, answer(apps(5, 5, 5)))
    assert.is_nil(ask())
  end)

  it("puts the path parameters first and starts at opts.offset", function()
    local ask, answer = rtc.pager("list_record_rules", "my-app", { offset = 3, limit = 10 })
    local a = ask()
    assert.are.equal(2, a.n)
    assert.are.equal("my-app", a[1])
    assert.are.same({ offset = 3, limit = 10 }, a[2])
    assert.are.same({}, answer({ record_rules = {} }))
    assert.is_nil(ask()) -- an empty page is the last
  end)

  it("ends on a short page; a list without a query is one call", function()
    local ask, answer = rtc.pager("list_apps", { limit = 3 })
    ask()
    assert.are.equal(2, #answer(apps(1, 2)))
    assert.is_nil(ask())
    ask, answer = rtc.pager("list_obs_buckets")
    assert.are.same({ n = 0 }, ask())
    answer({ buckets = {} })
    assert.is_nil(ask())
  end)

  it("passes the call's error on and ends the walk", function()
    local ask, answer = rtc.pager("list_apps")
    ask()
    local e = setmetatable({ kind = "api", status = 404 }, {})
    local items, err = answer(nil, e)
    assert.is_nil(items)
    assert.are.equal(e, err)
    assert.is_nil(ask())
    assert.has_error(function() answer({ apps = {} }) end)
  end)

  it("ends with a decode error on a page that repeats the one before", function()
    local ask, answer = rtc.pager("list_apps", { limit = 2 })
    ask()
    answer(apps(1, 2))
    ask()
    local items, err = answer(apps(1, 2))
    assert.is_nil(items)
    assert.are.equal("decode", err.kind)
    assert.is_nil(ask())
  end)

  it("refuses what is not a list operation, and bad path parameters", function()
    assert.has_error(function() rtc.pager("get_job", "a", "b") end)
    assert.has_error(function() rtc.pager("list_record_rules", 5) end)
    assert.has_error(function() rtc.pager("list_apps", { limit = 0 }) end)
  end)
end)
