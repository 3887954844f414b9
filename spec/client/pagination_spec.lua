-- luacheck: max line length 160
-- spec/client/pagination_spec.lua — client:each_<item>: the lazy walk over every page of a list
-- operation, against the mock (offset = page number from 0): empty lists, an exact multiple of
-- the page size, a partial last page, a starting page, a server that repeats a page or ignores
-- offset or cycles through pages, an error in the middle of a walk (RAISED by the step: a plain
-- for loop cannot mistake it for the end of the list), the lists that are not paged, and misuse.
local helper = require "spec.helper"
local cjson = require "cjson"

local LOCATIONS = { "cn-north-4", "cn-north-1", "cn-north-5", "cn-north-6", "cn-south-1", "cn-east-2", "cn-east-3" }

describe("each_<item>", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  -- a step whose raised error comes back as nil, err (as the README's pcall does)
  local function safe(step)
    return function()
      local ok, item, e = pcall(step)
      if ok then return item, e end
      return nil, item
    end
  end

  local H = function() return { ["X-Auth-Token"] = mock.token, ["Content-Type"] = "application/json" } end

  -- n apps straight through the mock (not through the code under test); their ids in order
  local function make_apps(n)
    local ids = {}
    for i = 1, n do
      local status, body = mock:request("POST", "/v2/apps", { headers = H(), body = cjson.encode({ app_name = "app-" .. i }) })
      assert.are.equal(201, status, body)
      ids[i] = cjson.decode(body).app_id
    end
    return ids
  end

  -- n record rules of app_id (one per location: the mock is told to accept several)
  local function make_rules(app_id, n)
    mock:config({ rule_locations = LOCATIONS })
    local ids = {}
    for i = 1, n do
      local rule = { obs_addr = { location = LOCATIONS[i], project_id = "test-project", bucket = "rtc-records" },
                     record_formats = { "MP4" }, mp4_config = { record_cycle = 60 } }
      local status, body = mock:request("POST", "/v2/apps/" .. app_id .. "/record-rules", { headers = H(), body = cjson.encode(rule) })
      assert.are.equal(201, status, body)
      ids[i] = cjson.decode(body).rule_id
    end
    return ids
  end

  local function requests_since(n)
    local out = {}
    local reqs = mock:requests()
    for i = n + 1, #reqs do out[#out + 1] = reqs[i] end
    return out
  end

  -- every item's key, and the queries of the requests the walk made, decoded, keys sorted:
  -- { "limit=3&offset=0", ... }
  local function walk(iter, key)
    local before = #mock:requests()
    local got = {}
    for item in iter do got[#got + 1] = item[key] end
    local pages = {}
    for _, r in ipairs(requests_since(before)) do
      local q = {}
      for k, v in (r.query or ""):gmatch("([^&=]+)=([^&]*)") do
        q[#q + 1] = k .. "=" .. v:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
      end
      table.sort(q)
      pages[#pages + 1] = table.concat(q, "&")
    end
    return got, pages
  end

  describe("each_app (paged, with a total)", function()
    it("walks an empty list with one request of the default page size", function()
      local got, pages = walk(client:each_app(), "app_id")
      assert.are.same({}, got)
      assert.are.same({ "limit=100&offset=0" }, pages)
    end)

    it("stops at the reported total on an exact multiple of the page size (no empty page fetched)", function()
      local ids = make_apps(6)
      local got, pages = walk(client:each_app({ limit = 3 }), "app_id")
      assert.are.same(ids, got)
      assert.are.same({ "limit=3&offset=0", "limit=3&offset=1" }, pages)
    end)

    it("walks a partial last page", function()
      local ids = make_apps(7)
      local got, pages = walk(client:each_app({ limit = 3 }), "app_id")
      assert.are.same(ids, got)
      assert.are.same({ "limit=3&offset=0", "limit=3&offset=1", "limit=3&offset=2" }, pages)
    end)

    it("starts at opts.offset (a page number) and passes the other query options on", function()
      local ids = make_apps(7)
      local got, pages = walk(client:each_app({ offset = 1, limit = 3 }), "app_id")
      assert.are.same({ ids[4], ids[5], ids[6], ids[7] }, got)
      assert.are.same({ "limit=3&offset=1", "limit=3&offset=2" }, pages)
      assert(client:stop_app(ids[2]))
      got, pages = walk(client:each_app({ state = "DEACTIVATION", limit = 1 }), "app_id")
      assert.are.same({ ids[2] }, got)
      assert.are.same({ "limit=1&offset=0&state=DEACTIVATION" }, pages)
    end)

    it("yields the items normalized, as list_apps answers them", function()
      make_apps(1)
      local step = client:each_app()
      local app = step()
      assert.are.equal("app-1", app.app_name)
      assert.are.equal("ACTIVATION", app.state.state)
      assert.is_boolean(app.authentication.enable)
      assert.is_nil(step())
      assert.is_nil(step()) -- an ended walk stays ended, without another request
    end)

    it("is lazy: a page is fetched only when its first item is wanted; a break fetches no more", function()
      make_apps(5)
      local before = #mock:requests()
      local step = client:each_app({ limit = 2 })
      assert.are.equal(before, #mock:requests())
      for _ in step do break end -- luacheck: ignore 512 (one item on purpose)
      assert.are.equal(before + 1, #mock:requests())
    end)

    it("raises a decode error on a server that repeats a page, never looping", function()
      local page = { count = 50, apps = { { app_id = "a1", app_name = "one" }, { app_id = "a2", app_name = "two" } } }
      mock:script({ times = 10, status = 200, body = page })
      local step = safe(client:each_app({ limit = 2 }))
      assert.are.equal("a1", step().app_id)
      assert.are.equal("a2", step().app_id)
      local item, err = step()
      assert.is_nil(item)
      helper.is_error(err, "decode")
      assert.matches("list_apps", err.message)
      assert.matches("repeats", err.message)
      assert.is_nil(step())
      assert.are.equal(2, #mock:requests())
    end)

    it("terminates against a server that reads offset as an item offset (overlapping pages)", function()
      make_apps(5)
      mock:config({ offset_items = true })
      local got, pages = walk(client:each_app({ limit = 2 }), "app_id")
      assert.is_true(#pages <= 3, table.concat(pages, " "))
      assert.is_true(#got <= 6)
    end)

    it("stops at a short page even when the reported total is larger", function()
      mock:script({ status = 200, body = { count = 1000, apps = { { app_id = "only" } } } })
      local got, pages = walk(client:each_app({ limit = 10 }), "app_id")
      assert.are.same({ "only" }, got)
      assert.are.equal(1, #pages)
    end)

    it("raises an error in the middle of a walk from the step, then ends", function()
      local ids = make_apps(7)
      local step = safe(client:each_app({ limit = 3 }))
      for i = 1, 3 do assert.are.equal(ids[i], step().app_id) end
      mock:script({ status = 500, body = { error_code = "RTC.00002001", error_msg = "InternalError" } })
      local item, err = step()
      assert.is_nil(item)
      helper.is_error(err, "api")
      assert.are.same({ 500, "RTC.00002001" }, { err.status, err.code })
      assert.is_nil(step())
    end)

    it("raises a refused page size (invalid) from the first step; nothing sent", function()
      local item, err = safe(client:each_app({ limit = 101 }))()
      assert.is_nil(item)
      helper.is_error(err, "invalid")
      assert.are.equal("limit", err.field)
      assert.are.equal(0, #mock:requests())
    end)

    it("reports an answer whose list is not an array as a decode error", function()
      mock:script({ status = 200, body = { count = 1, apps = "none" } })
      local item, err = safe(client:each_app())()
      assert.is_nil(item)
      helper.is_error(err, "decode")
      assert.matches("apps", err.message)
    end)
  end)

  describe("each_record_rule (paged, no total)", function()
    it("walks an app without rules with one request", function()
      local got, pages = walk(client:each_record_rule("app-1"), "rule_id")
      assert.are.same({}, got)
      assert.are.same({ "limit=100&offset=0" }, pages)
    end)

    it("needs one empty page after an exact multiple of the page size (the API reports no total)", function()
      local ids = make_rules("app-1", 4)
      local got, pages = walk(client:each_record_rule("app-1", { limit = 2 }), "rule_id")
      assert.are.same(ids, got)
      assert.are.same({ "limit=2&offset=0", "limit=2&offset=1", "limit=2&offset=2" }, pages)
    end)

    it("walks a partial last page", function()
      local ids = make_rules("app-1", 5)
      local got, pages = walk(client:each_record_rule("app-1", { limit = 2 }), "rule_id")
      assert.are.same(ids, got)
      assert.are.same({ "limit=2&offset=0", "limit=2&offset=1", "limit=2&offset=2" }, pages)
      assert.are.equal("/v2/apps/app-1/record-rules", mock:requests()[#mock:requests()].path)
    end)

    it("raises on a server that ignores offset", function()
      mock:script({ times = 10, status = 200, body = { rules = { { rule_id = "r1" }, { rule_id = "r2" } } } })
      local got = {}
      local step = safe(client:each_record_rule("app-1", { limit = 2 }))
      local item, err
      repeat
        item, err = step()
        if item then got[#got + 1] = item.rule_id end
      until not item
      assert.are.same({ "r1", "r2" }, got)
      helper.is_error(err, "decode")
      assert.matches("list_record_rules", err.message)
      assert.are.equal(2, #mock:requests())
    end)

    it("raises on a server that goes back to the first page", function()
      local p1 = { rules = { { rule_id = "r1" }, { rule_id = "r2" } } }
      local p2 = { rules = { { rule_id = "r3" }, { rule_id = "r4" } } }
      mock:script({ { status = 200, body = p1 }, { status = 200, body = p2 }, { times = 5, status = 200, body = p1 } })
      local got, err = {}
      local step = safe(client:each_record_rule("app-1", { limit = 2 }))
      while true do
        local item, e = step()
        if not item then err = e break end
        got[#got + 1] = item.rule_id
      end
      assert.are.same({ "r1", "r2", "r3", "r4" }, got)
      helper.is_error(err, "decode")
      assert.are.equal(3, #mock:requests())
    end)

    it("raises on a server cycling X, A, B, A, B (a page seen before, not the previous nor the first)", function()
      local function page(a, b) return { status = 200, body = { rules = { { rule_id = a }, { rule_id = b } } } } end
      mock:script({ page("x1", "x2"), page("a1", "a2"), page("b1", "b2"), { times = 5, status = 200,
        body = { rules = { { rule_id = "a1" }, { rule_id = "a2" } } } } })
      local got, err = {}
      local step = safe(client:each_record_rule("app-1", { limit = 2 }))
      while true do
        local item, e = step()
        if not item then err = e break end
        got[#got + 1] = item.rule_id
      end
      assert.are.same({ "x1", "x2", "a1", "a2", "b1", "b2" }, got)
      helper.is_error(err, "decode")
      assert.matches("repeats the items of page 1", err.message)
      assert.are.equal(4, #mock:requests())
    end)

    it("the README's for loop cannot skip a failed page: the error is raised out of it", function()
      make_rules("app-1", 3)
      mock:script({ { status = 200, body = { rules = { { rule_id = "r1" }, { rule_id = "r2" } } } },
        { status = 503, body = { error_code = "SYS.0503", error_msg = "busy" } } })
      local got = {}
      local ok, err = pcall(function()
        for rule in client:each_record_rule("app-1", { limit = 2 }) do got[#got + 1] = rule.rule_id end
      end)
      assert.is_false(ok)
      helper.is_error(err, "api")
      assert.are.equal(503, err.status)
      assert.are.same({ "r1", "r2" }, got)
    end)

    it("raises an error in the middle of a walk from the step", function()
      local ids = make_rules("app-1", 5)
      local step = safe(client:each_record_rule("app-1", { limit = 2 }))
      assert.are.equal(ids[1], step().rule_id)
      assert.are.equal(ids[2], step().rule_id)
      mock:script({ status = 503, body = { error_code = "APIGW.0202", error_msg = "busy" } })
      local item, err = step()
      assert.is_nil(item)
      helper.is_error(err, "api")
      assert.are.equal(503, err.status)
      assert.is_nil(step())
    end)

    it("raises on wrong argument types", function()
      assert.has_error(function() client:each_record_rule(42) end)
      assert.has_error(function() client:each_record_rule() end)
      assert.has_error(function() client:each_record_rule("app-1", "limit=2") end)
      assert.has_error(function() client:each_record_rule("app-1", { limit = "2" }) end)
      assert.has_error(function() client:each_app({ offset = -1 }) end)
      assert.has_error(function() client:each_app({ offset = 0.5 }) end)
      assert.has_error(function() client:each_app(5) end)
      assert.are.equal(0, #mock:requests())
    end)
  end)

  describe("the lists that are not paged", function()
    it("each_obs_bucket yields every bucket of the one answer", function()
      local got, pages = walk(client:each_obs_bucket(), "bucket")
      assert.are.same({ "rtc-records", "rtc-backup", "media-archive" }, got)
      assert.are.same({ "" }, pages)
    end)

    it("each_obs_bucket_object passes its query on and yields every object", function()
      local got, pages = walk(client:each_obs_bucket_object({ bucket = "rtc-records", type = "objects", location = "cn-north-4",
        prefix = "recordings/my-app/HLS" }), "file_name")
      assert.are.same({ "recordings/my-app/HLS/stream-1.m3u8", "recordings/my-app/HLS/stream-1-0001.ts" }, got)
      assert.are.same({ "bucket=rtc-records&location=cn-north-4&prefix=recordings/my-app/HLS&type=objects" }, pages)
    end)

    it("each_obs_bucket_object raises a missing query field (invalid)", function()
      local item, err = safe(client:each_obs_bucket_object({ bucket = "rtc-records", type = "objects" }))()
      assert.is_nil(item)
      helper.is_error(err, "invalid")
      assert.are.equal("location", err.field)
      assert.are.equal(0, #mock:requests())
    end)
  end)
end)
