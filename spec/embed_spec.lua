-- spec/embed_spec.lua: builds the C host that embeds Lua 5.4 with the module linked
-- statically (examples/embed/host.c), runs examples/embed/update.lua in it against
-- the mock, and asserts that every check of examples/embed/test.sh passed.

-- repository root: the directory above this spec file
local ROOT = (debug.getinfo(1, "S").source:match("^@(.*)/spec/[^/]*$") or ".")

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function sh_ok(cmd)
  local ok, how, code = os.execute(cmd)
  if type(ok) == "number" then return ok == 0 end   -- Lua 5.1 / LuaJIT
  return ok == true and how == "exit" and code == 0
end

local function missing()
  if not sh_ok("command -v cc >/dev/null 2>&1") then return "no C compiler (cc)" end
  if not sh_ok("pkg-config --exists lua5.4 libcurl libcrypto 2>/dev/null") then
    return "pkg-config cannot find lua5.4, libcurl and libcrypto (liblua5.4-dev, libcurl4-openssl-dev, libssl-dev)"
  end
  return nil
end

describe("C host embedding Lua 5.4 + rtc (examples/embed/test.sh)", function()
  local reason = missing()
  if reason then
    pending("skipped: " .. reason)
    return
  end

  it("builds with the module linked in and updates a job against the mock", function()
    local p = assert(io.popen("bash " .. sh_quote(ROOT .. "/examples/embed/test.sh") .. " 2>&1; echo \"exit=$?\""))
    local out = p:read("*a")
    p:close()
    local code = tonumber(out:match("exit=(%d+)%s*$"))
    local passed, failed = out:match("(%d+) passed, (%d+) failed")
    assert(code == 0 and tonumber(failed) == 0 and tonumber(passed or 0) > 0,
           "examples/embed/test.sh failed:\n" .. out)
  end)
end)
