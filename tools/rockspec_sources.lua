-- tools/rockspec_sources.lua ROCKSPEC SOURCE...: rewrites the rockspec's `sources = { ... }` of
-- the rtc module from the list the Makefile takes from the source folders (`make rockspec`), so
-- that the two never drift apart (spec/packaging/luarocks_spec.lua checks they agree).
local path = assert(arg[1], "usage: rockspec_sources.lua ROCKSPEC SOURCE...")
local f = assert(io.open(path, "rb"))
local text = f:read("a")
f:close()

local lines, line = {}, "      sources = { "
for i = 2, #arg do
  local item = ("%q"):format(arg[i]) .. (i < #arg and ", " or " },")
  if #line + #item > 100 then
    lines[#lines + 1] = line:gsub("%s+$", "")
    line = "                  "
  end
  line = line .. item
end
lines[#lines + 1] = line

local new, n = text:gsub("      sources = {[^}]*},\n", function() return table.concat(lines, "\n") .. "\n" end, 1)
assert(n == 1, path .. ": no `sources = { ... },` block")
if new ~= text then
  f = assert(io.open(path, "wb"))
  f:write(new)
  f:close()
end
