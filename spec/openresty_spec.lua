-- spec/openresty_spec.lua: runs examples/openresty/test.sh (real nginx + lua module,
-- the LuaJIT build of rtc.so, the mock) and asserts that every check passed.
-- Pending, with the reason, when nginx or its lua module is not installed.

-- repository root: the directory above this spec file
local ROOT = (debug.getinfo(1, "S").source:match("^@(.*)/spec/[^/]*$") or ".")

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function sh_ok(cmd)
  local ok, how, code = os.execute(cmd)
  if type(ok) == "number" then return ok == 0 end   -- Lua 5.1 / LuaJIT
  return ok == true and how == "exit" and code == 0
end

local function file_exists(p)
  local f = io.open(p, "rb")
  if f then f:close() return true end
  return false
end

local function missing()
  if not sh_ok("command -v nginx >/dev/null 2>&1") then
    return "nginx is not installed (apt-get install nginx)"
  end
  local dir = os.getenv("NGINX_MODULES_DIR") or "/usr/lib/nginx/modules"
  if not file_exists(dir .. "/ngx_http_lua_module.so") then
    return "the nginx lua module is not installed (apt-get install libnginx-mod-http-lua): no "
           .. dir .. "/ngx_http_lua_module.so"
  end
  if not file_exists(dir .. "/ndk_http_module.so") then
    return "the nginx NDK module is not installed (apt-get install libnginx-mod-http-ndk)"
  end
  if not sh_ok("command -v luajit >/dev/null 2>&1") then
    return "luajit is not installed (apt-get install luajit2 libluajit2-5.1-dev)"
  end
  return nil
end

describe("OpenResty example (examples/openresty/test.sh)", function()
  local reason = missing()
  if reason then
    pending("skipped: " .. reason)
    return
  end

  it("serves updates through cosockets without blocking the worker", function()
    local p = assert(io.popen("bash " .. sh_quote(ROOT .. "/examples/openresty/test.sh") .. " 2>&1; echo \"exit=$?\""))
    local out = p:read("*a")
    p:close()
    local code = tonumber(out:match("exit=(%d+)%s*$"))
    local passed, failed = out:match("(%d+) passed, (%d+) failed")
    assert(code == 0 and tonumber(failed) == 0 and tonumber(passed or 0) > 0,
           "examples/openresty/test.sh failed:\n" .. out)
  end)
end)
