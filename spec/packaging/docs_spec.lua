-- Every Lua code block of README.md and every example runs against the mock, so the docs
-- cannot rot. Each runs in its own interpreter with the environment a user would set.
local helper = require "spec.helper"

local function read(path)
  local f = assert(io.open(helper.ROOT .. "/" .. path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function lua_blocks(markdown)
  local blocks = {}
  for start_line, code in markdown:gmatch("()```lua\n(.-)\n```") do
    local line = select(2, markdown:sub(1, start_line):gsub("\n", "")) + 1
    blocks[#blocks + 1] = { line = line, code = code }
  end
  return blocks
end

local shell_quote = helper.shell_quote

-- runs a Lua file (or chunk) in a fresh interpreter; returns ok, output
local function run(mock, args)
  local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
  local code, out = helper.run(string.format(
    "cd %s && RTC_ENDPOINT=%s RTC_AUTH_TOKEN=%s %s -e %s %s 2>&1",
    shell_quote(helper.ROOT), mock.url, mock.token, helper.LUA,
    shell_quote("package.cpath = " .. string.format("%q", cpath) .. " .. ';' .. package.cpath"),
    args))
  return code == 0, out
end

-- A line "print(...)  --> text" promises what it prints: the block runs with a marker printed
-- before each such print, and the line after each marker must match the text (a "<...>" in it
-- stands for any text).
local function with_markers(code)
  local expected, out = {}, {}
  for line in (code .. "\n"):gmatch("(.-)\n") do
    local stmt, want = line:match("^(%s*print%(.*%))%s*%-%->%s*(.-)%s*$")
    if stmt then
      expected[#expected + 1] = want
      line = string.format("io.write('@@expect %d@@\\n') %s", #expected, stmt)
    end
    out[#out + 1] = line
  end
  return table.concat(out, "\n"), expected
end

-- white space runs compare equal (print separates its values with tabs)
local function squeeze(s) return (s:gsub("%s+", " ")) end

local function pattern_of(want)
  local parts = {}
  want = squeeze(want)
  for text, hole in (want .. "<>"):gmatch("(.-)(<[^>]*>)") do
    parts[#parts + 1] = text:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
    if hole ~= "<>" then parts[#parts + 1] = ".+" end
  end
  return "^" .. table.concat(parts) .. "$"
end

local function check_promises(output, expected, where)
  local lines = {}
  for l in (output .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  for i, want in ipairs(expected) do
    local got
    for k, l in ipairs(lines) do
      if l == "@@expect " .. i .. "@@" then got = lines[k + 1] break end
    end
    assert(got, where .. ": the print promising \"" .. want .. "\" never ran:\n" .. output)
    assert(squeeze(got):match(pattern_of(want)),
           where .. ": printed \"" .. got .. "\", the README promises \"" .. want .. "\"")
  end
end

describe("README.md", function()
  local mock
  local blocks = lua_blocks(read("README.md"))

  -- the README's examples run against the mock that make demo starts: --seed gives them app
  -- my-app, rule my-rule and the RUNNING job my-job
  helper.mock_suite({ mock = { seed = true } }, function(m) mock = m end)

  it("has Lua examples to run", function()
    assert.is_true(#blocks >= 6)
  end)

  it("promises printed values in its examples", function()
    local n = 0
    for _, block in ipairs(blocks) do n = n + #select(2, with_markers(block.code)) end
    assert.is_true(n >= 3, "expected at least 3 '--> value' promises, found " .. n)
  end)

  for _, block in ipairs(blocks) do
    it("block at line " .. block.line .. " runs and prints what it promises", function()
      local code, expected = with_markers(block.code)
      local file = os.tmpname()
      local f = assert(io.open(file, "wb"))
      f:write(code, "\n")
      f:close()
      local ok, output = run(mock, shell_quote(file))
      os.remove(file)
      assert(ok, "README.md:" .. block.line .. " failed:\n" .. output)
      check_promises(output, expected, "README.md:" .. block.line)
    end)
  end

  it("names the two set-up commands at its top", function()
    local top = read("README.md"):sub(1, 1200)
    assert.truthy(top:find("make demo", 1, true))
    assert.truthy(top:find("make test", 1, true))
  end)

  it("uses the API's names, not in-house words", function()
    local text = read("README.md")
    for _, word in ipairs{ "the seed call", "seed call", "the seed's example" } do
      assert.falsy(text:lower():find(word, 1, true), "README.md says \"" .. word .. "\"")
    end
  end)
end)

describe("examples/", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  it("update_job.lua updates an existing job", function()
    mock:seed_job("demo-app", { job_id = "job-1", room_id = "100", user_id = "user001" })
    local ok, output = run(mock, "examples/update_job.lua demo-app job-1")
    assert(ok, output)
    assert.truthy(output:find("rtmp://your.rtmp-server.com", 1, true))
    local sent = mock:requests()
    assert.equal(1, #sent)
    assert.equal("PUT", sent[1].method)
    assert.equal("/v2/apps/demo-app/individual-stream-jobs/job-1", sent[1].path)
  end)

  it("update_job.lua exits 1 with the error for an unknown job", function()
    local ok, output = run(mock, "examples/update_job.lua demo-app no-such-job")
    assert.is_false(ok)
    assert.truthy(output:find("HTTP 404 RTC.00001003", 1, true), output)
  end)

  it("lifecycle.lua takes a job from create to stop", function()
    local ok, output = run(mock, "examples/lifecycle.lua demo-app")
    assert(ok, output)
    assert.truthy(output:find("final state: STOPPED", 1, true), output)
    assert.truthy(output:find("RTC.00001009", 1, true), output)
    local methods = {}
    for _, r in ipairs(mock:requests()) do methods[#methods + 1] = r.method end
    assert.same({ "POST", "GET", "PUT", "DELETE", "GET", "PUT" }, methods)
  end)

  it("demo.lua (make demo) starts its own mock, runs both examples and stops it", function()
    local ok, output = run(mock, "examples/demo.lua")
    assert(ok, output)
    assert.truthy(output:find("== examples/update_job.lua", 1, true), output)
    assert.truthy(output:find("final state: STOPPED", 1, true), output)
    assert.truthy(output:find("demo finished", 1, true), output)
  end)
end)
