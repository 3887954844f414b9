-- The row and field types the other operations of the API will use, through test-only rows
-- (rtc_api.c, RTC_TEST_ROWS): this spec builds a module with them into a temporary directory
-- and drives it in a subprocess. Query parameters, numbers with a range, arrays of objects,
-- string max lengths, "when F is/contains V, G is required" rules, a per-operation content type,
-- list metadata, and their reflection.
local helper = require "spec.helper"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

describe("row types (test-only rows)", function()
  local dir

  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. q(dir)))
    local pc = helper.LUA == "luajit" and "luajit" or helper.LUA
    local root = helper.ROOT
    -- the Makefile's lists (taken from the source folders)
    local function make_list(target)
      local code, out = helper.run("make -s --no-print-directory -C " .. q(root) .. " " .. target)
      assert(code == 0, out)
      local items = {}
      for f in out:gmatch("%S+") do
        items[#items + 1] = f:sub(1, 2) == "-I" and "-I" .. q(root .. "/" .. f:sub(3)) or q(root .. "/" .. f)
      end
      return table.concat(items, " ")
    end
    local cmd = ("cc -std=c99 -fPIC -O0 -DRTC_TEST_ROWS -shared -o %s/rtc.so %s %s "
      .. "$(pkg-config --cflags %s libcurl libcrypto jansson) $(pkg-config --libs libcurl libcrypto jansson) -lm 2>&1")
      :format(q(dir), make_list("print-sources"), make_list("print-includes"), pc)
    local code, out = helper.run(cmd)
    assert(code == 0, out)
  end)

  teardown(function() if dir then os.execute("rm -rf " .. q(dir)) end end)

  -- runs code against the test module; returns its output lines
  local function run(code)
    local file = dir .. "/t.lua"
    local f = assert(io.open(file, "w"))
    f:write(("package.cpath = %q .. package.cpath\n"):format(dir .. "/?.so;"), [[
local rtc = require "rtc"
local c = rtc.new{ endpoint = "http://h", token = "t" }
local function show(r, err) print(r and (r.url or r.body or "ok") or tostring(err)) end
]], code)
    f:close()
    local rc, out = helper.run(q(helper.LUA) .. " " .. q(file) .. " 2>&1")
    assert(rc == 0, out)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    return lines
  end

  it("query parameters: encoded in schema order, validated, optional", function()
    local out = run [[
show(c:prepare("test_list", "app", { name = "a b/c", offset = 0, limit = 20, all = true, min_weight = 0.25 }))
show(c:prepare("test_list", "app"))
show(c:prepare("test_list", "app", { limit = 0 }))
show(c:prepare("test_list", "app", { nope = 1 }))
print(pcall(c.prepare, c, "test_list", "app", "x"))
]]
    assert.are.equal("http://h/v2/test/app/rules?offset=0&limit=20&name=a%20b%2Fc&all=true&min_weight=0.25", out[1])
    assert.are.equal("http://h/v2/test/app/rules", out[2])
    assert.are.equal("invalid: limit: expected an integer from 1 to 100, got 0", out[3])
    assert.truthy(out[4]:find("nope", 1, true), out[4])
    assert.truthy(out[5]:find("^false"), out[5])
  end)

  it("numbers, arrays of objects, string max lengths, rules, the content type", function()
    local out = run [[
local r = c:prepare("test_post", "app", { mode = "plain", items = { { name = "x", weight = 0.5 } }, ratio = 1.5 })
print(r.headers["Content-Type"])
show(c:prepare("test_post", "app", { mode = "fancy" }))
show(c:prepare("test_post", "app", { tags = { "x", "urgent" } }))
show(c:prepare("test_post", "app", { mode = "fancy", extra = "123456789" }))
show(c:prepare("test_post", "app", { items = { { weight = 0.5 } } }))
show(c:prepare("test_post", "app", { items = { "x" } }))
show(c:prepare("test_post", "app", { ratio = 3 }))
show(c:prepare("test_post", "app", { items = { { name = "x", weight = 2 } } }))
show(c:prepare("test_post", "app", { mode = "fancy", extra = "ok", tags = { "urgent" } }) and { body = "accepted" })
]]
    assert.are.equal("application/x-test+json", out[1])
    assert.are.equal("invalid: extra: required when mode is fancy", out[2])
    assert.are.equal("invalid: extra: required when tags is urgent", out[3])
    assert.are.equal("invalid: extra: a string of at most 8 bytes", out[4])
    assert.are.equal("invalid: items[1].name: required field missing", out[5])
    assert.are.equal('invalid: items[1]: expected a table, got "x"', out[6])
    assert.are.equal("invalid: ratio: expected a number from 0.5 to 2, got 3", out[7])
    assert.are.equal("invalid: items[1].weight: expected a number from 0 to 1, got 2", out[8])
    assert.are.equal("accepted", out[9])
  end)

  it("decode keeps floats, types arrays of objects by their item schema", function()
    local out = run [[
local d = c:decode("test_list", 200, {}, '{"rules":[{"name":"a","weight":0.5},{"name":5,"weight":1}],"count":2.0}')
print(d.rules[1].weight, type(d.rules[2].name), d.rules[2].name, d.count)
]]
    assert.are.equal("0.5\tstring\t5\t2", out[1])
  end)

  it("reflection shows query, list metadata, rules, content type, number ranges", function()
    local out = run [[
local op = rtc.operation("test_list")
local q = op.query.fields
print(op.list.items, op.list.item, op.list.total, op.list.paged, #q, q[5].type, q[5].max)
local post = rtc.operation("test_post")
local by = {}
for _, f in ipairs(post.body.fields) do by[f.name] = f end
print(post.content_type, post.body.rules[1].when, post.body.rules[1].is, post.body.rules[1].requires)
print(by.items.items, by.items.item_fields.name, by.extra.max_length, by.ratio.min, by.ratio.max)
]]
    assert.are.equal("rules\ttest_rule\tcount\ttrue\t5\tnumber\t1", (out[1]:gsub("1%.0", "1")))
    assert.are.equal("application/x-test+json\tmode\tfancy\textra", out[2])
    assert.are.equal("object\tTestItem\t8\t0.5\t2", (out[3]:gsub("2%.0", "2")))
  end)
end)
