-- spec/support/cli_output.lua — checks of rtcjob's output, for spec/cli/output_spec.lua.
local assert = require("busted").assert

local M = {}

-- the keys of a JSON object in the order they were written
function M.key_order(text)
  local keys, depth, i = {}, 0, 1
  while i <= #text do
    local c = text:sub(i, i)
    if c == '"' then
      local j = i + 1
      while text:sub(j, j) ~= '"' do j = j + (text:sub(j, j) == "\\" and 2 or 1) end
      if depth == 1 and text:sub(j + 1, j + 1) == ":" then keys[#keys + 1] = text:sub(i + 1, j - 1) end
      i = j
    elseif c == "{" or c == "[" then depth = depth + 1
    elseif c == "}" or c == "]" then depth = depth - 1 end
    i = i + 1
  end
  return keys
end

function M.no_control_bytes(s, what)
  assert.is_nil(s:find("[%z\1-\9\11-\31\127]"), what .. " has a control character: " .. s)
end

return M
