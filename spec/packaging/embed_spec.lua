-- spec/packaging/embed_spec.lua: builds the C host that embeds Lua 5.4 with the module linked
-- statically (examples/embed/host.c), runs examples/embed/update.lua in it against
-- the mock, and asserts that every check of examples/embed/test.sh passed.
local helper = require "spec.helper"

local function missing()
  if not helper.sh_ok("command -v cc >/dev/null 2>&1") then return "no C compiler (cc)" end
  if not helper.sh_ok("pkg-config --exists lua5.4 libcurl libcrypto 2>/dev/null") then
    return "pkg-config cannot find lua5.4, libcurl and libcrypto (liblua5.4-dev, libcurl4-openssl-dev, libssl-dev)"
  end
  return nil
end

describe("C host embedding Lua 5.4 + rtc (examples/embed/test.sh)", function()
  if helper.skipped(missing()) then return end

  it("builds with the module linked in and updates a job against the mock", function()
    helper.assert_example_test("embed")
  end)
end)
