-- spec/cli/jmespath_spec.lua: rtc.cli.jmespath, the evaluator of --query: each construct, its
-- edge cases, parse errors with their column, and (when `jp`, the Go JMESPath CLI, is installed)
-- every expression checked against it as an independent oracle.
-- busted --lua=lua5.4 spec/cli/jmespath_spec.lua   (from the repository root)
local helper = require "spec.helper"
local cjson = require "cjson"
local jmespath = require "rtc.cli.jmespath"
local json = require "rtc.cli.json"

local DOC_TEXT = [==[{"apps":[
 {"app_id":"a1","state":{"state":"ACTIVATION"},"n":3,"tags":["x","y"],"ok":true},
 {"app_id":"a2","state":{"state":"STOP"},"n":1,"tags":["z"],"ok":false},
 {"app_id":"a3","n":2,"tags":["x"],"ok":true,"name":"three"}],
 "total":3,"nested":[[1,2],[3,[4]],5],"obj":{"k":"v"},"empty":"","zero":0,"s":"hello"}]==]
local DOC = cjson.decode(DOC_TEXT)

local function search(expr, doc) return jmespath.search(expr, doc or DOC) end
local function enc(v) return json.encode(v) end

-- every expression with its expected JSON (also checked with jp when it is installed)
local CASES = {
  -- identifiers and sub-expressions
  { "total", "3" }, { "obj.k", '"v"' }, { '"obj"."k"', '"v"' }, { "obj.nope", "null" },
  { "nope.deeper.still", "null" }, { "total.k", "null" }, { "apps[0].state.state", '"ACTIVATION"' },
  -- indexes, negative from the end, out of range, on a non-array
  { "apps[0].app_id", '"a1"' }, { "apps[2].app_id", '"a3"' }, { "apps[-1].app_id", '"a3"' },
  { "apps[-3].app_id", '"a1"' }, { "apps[3]", "null" }, { "apps[-4]", "null" }, { "obj[0]", "null" },
  -- slices
  { "apps[0:2].app_id", '["a1","a2"]' }, { "apps[1:].app_id", '["a2","a3"]' },
  { "apps[::-1].app_id", '["a3","a2","a1"]' }, { "apps[::2].app_id", '["a1","a3"]' },
  { "apps[-2:].app_id", '["a2","a3"]' },
  -- projections: [*], .field, .* ; nulls dropped; on a non-array: null
  { "apps[*].app_id", '["a1","a2","a3"]' }, { "apps[*].name", '["three"]' },
  { "apps[*].state.state", '["ACTIVATION","STOP"]' }, { "obj[*]", "null" }, { "nope[*].x", "null" },
  { "obj.*", '["v"]' }, { "apps[*].tags[0]", '["x","z","x"]' },
  -- flattening
  { "nested[]", "[1,2,3,[4],5]" }, { "nested[][]", "[1,2,3,4,5]" }, { "apps[].tags[]", '["x","y","z","x"]' },
  { "obj[]", "null" },
  -- filters and comparators
  { "apps[?state.state == 'STOP'].app_id", '["a2"]' }, { "apps[?app_id != 'a2'].app_id", '["a1","a3"]' },
  { "apps[?n > `1`].app_id", '["a1","a3"]' }, { "apps[?n >= `2`].app_id", '["a1","a3"]' },
  { "apps[?n < `2`].app_id", '["a2"]' }, { "apps[?n <= `2`].app_id", '["a2","a3"]' },
  { "apps[?n > `1` && ok].app_id", '["a1","a3"]' }, { "apps[?n == `1` || name].app_id", '["a2","a3"]' },
  { "apps[?!state].app_id", '["a3"]' }, { "apps[?!(n > `1`)].app_id", '["a2"]' },
  { "apps[?ok == `true`].n", "[3,2]" }, { "apps[?app_id > 'a1'].app_id", "[]" },
  { "apps[?nope == 'x']", "[]" }, { "apps[?n == `3`] | [0].app_id", '"a1"' },
  { "apps[?contains(tags, 'x')].app_id", '["a1","a3"]' },
  -- multi-select lists and hashes
  { "[total, s]", '[3,"hello"]' }, { "apps[*].[app_id, n]", '[["a1",3],["a2",1],["a3",2]]' },
  { "{t: total, k: obj.k}", '{"t":3,"k":"v"}' }, { "{t: total, x: nope}", '{"t":3,"x":null}' },
  { "apps[*].{id: app_id, s: state.state}",
    '[{"id":"a1","s":"ACTIVATION"},{"id":"a2","s":"STOP"},{"id":"a3","s":null}]' },
  { "nope.[a, b]", "null" }, { "nope.{a: a}", "null" },
  -- or, and, not, pipes, @
  { "nope || total", "3" }, { "empty || s", '"hello"' }, { "zero && s", '"hello"' }, { "!empty", "true" },
  { "apps | length(@)", "3" }, { "apps[*].app_id | [0]", '"a1"' },
  -- literals and raw strings
  { "`[1, 2]`", "[1,2]" }, { '`{"a": "b"}`.a', '"b"' },
  { "'raw'", '"raw"' }, { [['it\'s']], [["it's"]] }, { "`\"s\"`", '"s"' }, { "`null`", "null" },
  -- functions
  { "length(apps)", "3" }, { "length(s)", "5" }, { "length(obj)", "1" }, { "keys(obj)", '["k"]' },
  { "values(obj)", '["v"]' }, { "max(apps[*].n)", "3" }, { "min(apps[*].n)", "1" }, { "sum(apps[*].n)", "6" },
  { "sort(apps[*].n)", "[1,2,3]" }, { "join('-', apps[*].app_id)", '"a1-a2-a3"' },
  { "starts_with(s, 'he')", "true" }, { "ends_with(s, 'lo')", "true" }, { "type(obj)", '"object"' },
  { "to_string(total)", '"3"' }, { "to_number('42')", "42" }, { "reverse(apps[*].n)", "[2,1,3]" },
  { "not_null(nope, total)", "3" }, { "abs(`-2`)", "2" },
}

-- expression -> message part and 0-based column of its parse error
local PARSE_ERRORS = {
  { "apps[", "expected", 5 }, { "apps[0", "expected", 6 }, { "a..b", "expected a name", 2 },
  { "a.", "expected a name", 2 }, { ".a", "unexpected '.'", 0 }, { "a b", "unexpected 'b'", 2 },
  { "apps[?n = 1]", "did you mean '=='", 8 }, { "'abc", "unterminated raw string", 0 },
  { "`[1,", "unterminated literal", 0 }, { "{a b}", "expected ':'", 3 }, { "{1: a}", "expected a key name", 1 },
  { "[a, b", "expected ',' or ']'", 5 }, { "length(a", "expected ',' or ')'", 8 }, { "", "empty expression", 0 },
  { "a#", "unexpected character '#'", 1 }, { "[::0]", "step cannot be 0", 4 }, { "a.0", "expected a name", 2 },
  { "apps[?n > 1]", "unexpected '1'", 10 }, { '"a"(b)', "cannot name a function", 3 },
}

local function have_jp()
  return os.execute("command -v jp >/dev/null 2>&1") == true or os.execute("command -v jp >/dev/null 2>&1") == 0
end

describe("jmespath (--query)", function()
  for _, c in ipairs(CASES) do
    it(c[1] .. " => " .. c[2], function()
      local ok, r = pcall(search, c[1])
      assert.truthy(ok, tostring(ok or jmespath.error_text(r, c[1])))
      assert.same(cjson.decode(c[2]), cjson.decode(enc(r)))
    end)
  end

  it("an empty result array prints as [] and a projection keeps the answer's schema", function()
    assert.equal("[]", enc((search("apps[?n > `5`]"))))
    local schema = { fields = { { name = "apps", type = "array", item_fields = {
      { name = "n" }, { name = "app_id" } } } } }
    local r, rs = jmespath.search("apps[*]", DOC, schema)
    assert.equal(3, #r)
    assert.equal("n", rs.fields[1].name)
    local h, hs = jmespath.search("{z: total, a: s}", DOC)
    assert.same({ "z", "a" }, { hs.fields[1].name, hs.fields[2].name })
    assert.equal('{"z":3,"a":"hello"}', json.encode(h, hs))
  end)

  it("null answers: a field of cjson.null or of nil is null", function()
    assert.is_nil((search("a.b", { a = cjson.null })))
    assert.is_nil((search("a", nil)))
    assert.equal("[null]", enc((search("[a]", { b = 1 }))))
  end)

  for _, c in ipairs(PARSE_ERRORS) do
    it("parse error: " .. c[1] .. " at column " .. c[3], function()
      local ok, e = pcall(jmespath.parse, c[1])
      assert.falsy(ok)
      assert.equal("table", type(e), tostring(e))
      assert.truthy(e.message:find(c[2], 1, true), e.message)
      assert.equal(c[3], e.column, e.message)
      local text = jmespath.error_text(e, c[1])
      assert.truthy(text:find("at column " .. c[3] .. " (0-based)", 1, true), text)
      -- the caret stands under the column
      local expr_line, caret = text:match("\n  ([^\n]*)\n  ( *)%^$")
      assert.equal(c[1], expr_line)
      assert.equal(c[3], #caret)
    end)
  end

  it("function errors name the function: wrong type, wrong count, unknown", function()
    for expr, want in pairs({ ["length(total)"] = "length() expected string or array or object, got number",
        ["length(a, b)"] = "length() takes 1 argument, got 2", ["nope(a)"] = "unknown function nope()",
        ["sort(apps)"] = "sort() expected an array of numbers or of strings" }) do
      local ok, e = pcall(search, expr)
      assert.falsy(ok, expr)
      assert.truthy(e.message:find(want, 1, true), e.message)
    end
  end)

  it("the same answers as jp, the Go JMESPath CLI (an independent implementation)", function()
    if not have_jp() then return helper.skipped("jp is not installed (Debian: jp)") end
    local doc_file = helper.write_temp(DOC_TEXT)
    local checked = 0
    for _, c in ipairs(CASES) do
      if not c.skip_oracle then
        local p = assert(io.popen("jp -f " .. doc_file .. " " .. helper.shell_quote(c[1]) .. " 2>&1"))
        local theirs = p:read("*a")
        p:close()
        local okj, tv = pcall(cjson.decode, theirs)
        assert.truthy(okj, c[1] .. ": jp said " .. theirs)
        assert.same(tv, cjson.decode(enc((search(c[1])))), c[1])
        checked = checked + 1
      end
    end
    os.remove(doc_file)
    assert.truthy(checked > 80)
  end)
end)
