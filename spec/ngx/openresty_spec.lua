-- spec/ngx/openresty_spec.lua: runs examples/openresty/test.sh (a real nginx with Debian's lua module,
-- the LuaJIT build of rtc.so, rtc.ngx, the mock, and the README's nginx.conf) and asserts that
-- every check passed.
-- Pending, with the reason, when nginx or its lua module is not installed.
local helper = require "spec.helper"

local function missing()
  if not helper.sh_ok("command -v nginx >/dev/null 2>&1") then
    return "nginx is not installed (apt-get install nginx)"
  end
  local dir = os.getenv("NGINX_MODULES_DIR") or "/usr/lib/nginx/modules"
  if not helper.file_exists(dir .. "/ngx_http_lua_module.so") then
    return "the nginx lua module is not installed (apt-get install libnginx-mod-http-lua): no "
           .. dir .. "/ngx_http_lua_module.so"
  end
  if not helper.file_exists(dir .. "/ndk_http_module.so") then
    return "the nginx NDK module is not installed (apt-get install libnginx-mod-http-ndk)"
  end
  if not helper.sh_ok("command -v luajit >/dev/null 2>&1") then
    return "luajit is not installed (apt-get install luajit2 libluajit2-5.1-dev)"
  end
  return nil
end

describe("OpenResty example (examples/openresty/test.sh)", function()
  if helper.skipped(missing()) then return end

  it("rtc.ngx: every operation from handlers and timers, never blocking the worker", function()
    helper.assert_example_test("openresty")
  end)
end)
