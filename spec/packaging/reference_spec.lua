-- The README's reference table of operations is generated from the module's rows
-- (tools/reference.lua, `make docs`): it must be in the README exactly as the rows give it.
local helper = require "spec.helper"
package.path = helper.ROOT .. "/?.lua;" .. package.path
local reference = require "tools.reference"
local rtc = require "rtc"

describe("README reference", function()
  local f = assert(io.open(helper.ROOT .. "/README.md", "rb"))
  local readme = f:read("*a")
  f:close()

  it("holds the table of every operation, as generated from rtc.operations()", function()
    local want = reference.table_text()
    assert.truthy(readme:find(want, 1, true),
      "README.md's operations table is out of date: run `make docs`\n" .. want)
  end)

  it("lists each operation once, and each is a method of the client and of the module", function()
    local rows = rtc.operations()
    assert.is_true(#rows >= 28, "expected the 28 CloudRTC v2 operations, got " .. #rows)
    local c = rtc.new{ endpoint = "http://127.0.0.1:1", token = "t" }
    for _, row in ipairs(rows) do
      local _, n = readme:gsub("| `" .. row.name:gsub("_", "%%_") .. "%(", "")
      assert.equal(1, n, row.name)
      assert.is_function(c[row.name], row.name)
      assert.is_function(rtc[row.name], row.name)
      assert.same(row, rtc.operation(row.name))
    end
    c:close()
  end)
end)
