-- rtc.cli.suggest: "did you mean" for a mistyped command, flag or enum value: the nearest known
-- names by edit distance (Damerau-Levenshtein: a swapped pair costs 1), compared without case.
local M = {}

local function distance(a, b)
  a, b = a:lower(), b:lower()
  local la, lb = #a, #b
  if math.abs(la - lb) > 3 then return math.huge end
  local d = {}
  for i = 0, la do d[i] = { [0] = i } end
  for j = 0, lb do d[0][j] = j end
  for i = 1, la do
    for j = 1, lb do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:sub(i, i) == b:sub(j - 1, j - 1) and a:sub(i - 1, i - 1) == b:sub(j, j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[la][lb]
end
M.distance = distance

-- the known names nearest to `word` (at most 3, all at the best distance): within a third of its length
-- (at least 1, at most 3 edits), or that it is a prefix of (get-j -> get-job), or that start
-- with it
function M.nearest(word, known)
  local limit = math.max(1, math.min(3, math.floor(#word / 3)))
  local found = {}
  for _, name in ipairs(known) do
    local d = distance(word, name)
    if d <= limit then found[#found + 1] = { name, d }
    elseif #word >= 3 and name:lower():sub(1, #word) == word:lower() then found[#found + 1] = { name, limit + 1 } end
  end
  table.sort(found, function(x, y) if x[2] ~= y[2] then return x[2] < y[2] end return x[1] < y[1] end)
  local names = {}
  for i = 1, math.min(3, #found) do
    if found[i][2] == found[1][2] then names[i] = found[i][1] end   -- the nearest only
  end
  return names
end

-- " (did you mean 'x'?)", " (did you mean 'x' or 'y'?)" or ""; prefix is put before each name
function M.hint(word, known, prefix)
  local names = M.nearest(word, known)
  if #names == 0 then return "" end
  prefix = prefix or ""
  for i, n in ipairs(names) do names[i] = "'" .. prefix .. n .. "'" end
  if #names == 1 then return " (did you mean " .. names[1] .. "?)" end
  return " (did you mean " .. table.concat(names, ", ", 1, #names - 1) .. " or " .. names[#names] .. "?)"
end

return M
