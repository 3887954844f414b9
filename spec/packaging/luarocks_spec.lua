-- spec/packaging/luarocks_spec.lua: installs the module and the command with Debian's `luarocks make` into
-- a local tree and runs both from there:
--
--   luarocks --lua-version=5.4 --tree=<tmp>/tree make --deps-mode=none rtcjob-0.1.0-1.rockspec \
--     CURL_INCDIR=/usr/include/<multiarch>
--
-- The tree is always for Lua 5.4, whichever Lua runs the specs (busted --lua=luajit too): the
-- checks run lua5.4 and the tree's bin/rtcjob (whose wrapper runs /usr/bin/lua5.4).
--
-- luarocks' builtin backend compiles in the current directory (*.o and rtc.so; make builds into
-- build/<lua>/, so the two never meet); the build still runs in a copy of the checkout's
-- top-level files, bin/ and rtc/, so that nothing is written to the checkout.
--
-- Debian ships the curl headers under /usr/include/<multiarch>/curl, where the rockspec's
-- external_dependencies check (header = "curl/curl.h") does not look, hence CURL_INCDIR.
-- lua-cjson is a Debian package, not a rock: --deps-mode=none, and the runs find it in the
-- directory where lua5.4 finds it. With --deps-mode=none the wrapper luarocks writes for
-- bin/rtcjob adds no tree to the paths, so the runs set LUA_CPATH_5_4 (as `luarocks path` would).
--
-- Pending, with the reason, when luarocks (or lua5.4, or a C compiler) is not installed.
local helper = require "spec.helper"
local cjson = require "cjson"

local ROOT = helper.ROOT
local ROCKSPEC = "rtcjob-0.1.0-1.rockspec"
local APP = "app-rocks"

local q = helper.shell_quote
local file_exists = helper.file_exists
local sh_ok = helper.sh_ok

-- runs a shell command; returns its exit code and its output (stdout and stderr)
local function run(cmd)
  local code, out = helper.run("(" .. cmd .. ") 2>&1")
  return code, out
end

local function missing()
  if not sh_ok("command -v luarocks >/dev/null") then
    return "luarocks is not installed (apt-get install luarocks)"
  end
  if not sh_ok("command -v lua5.4 >/dev/null") then return "lua5.4 is not installed (apt-get install lua5.4)" end
  if not sh_ok("command -v cc >/dev/null") then return "no C compiler (cc)" end
  return nil
end

-- the directory with curl/curl.h: Debian's multiarch include directory, else /usr/include
local function curl_incdir()
  local _, arch = run("cc -print-multiarch 2>/dev/null")
  arch = arch:match("^%s*(%S+)") or "x86_64-linux-gnu"
  local dir = "/usr/include/" .. arch
  if file_exists(dir .. "/curl/curl.h") then return dir end
  return "/usr/include"
end

-- the top-level *.o files of the checkout (luarocks would leave its objects there)
local function checkout_objects()
  local _, out = run("cd " .. q(ROOT) .. " && ls -1 -- *.o 2>/dev/null")
  return out
end

-- only the tree and the environment given here: nothing from the caller's Lua paths or
-- RTC_CPATH (which bin/rtcjob honours), and no credentials but the mock's token
local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LUA_INIT -u LUA_INIT_5_4"
  .. " -u RTC_CPATH -u HUAWEICLOUD_SDK_AK -u HUAWEICLOUD_SDK_SK -u HUAWEICLOUD_SDK_PROJECT_ID"
  .. " -u HUAWEICLOUD_SDK_SECURITY_TOKEN -u RTC_AUTH_TOKEN -u RTC_ENDPOINT"

describe("luarocks make into a local tree (Lua 5.4)", function()
  if helper.skipped(missing()) then return end

  local tmp, tree, mock
  local build_code, build_log, objects_before
  local so, bin       -- <tree>/lib/lua/5.4/rtc.so, <tree>/bin/rtcjob
  local run_env       -- the environment the tree's rtcjob runs in

  lazy_setup(function()
    local code, out = run("mktemp -d /tmp/rtcjob-luarocks.XXXXXX")
    tmp = out:match("^%s*(/tmp/rtcjob%-luarocks%.[%w]+)%s*$")
    assert(code == 0 and tmp, "mktemp -d failed: " .. out)
    tree = tmp .. "/tree"
    so = tree .. "/lib/lua/5.4/rtc.so"
    bin = tree .. "/bin/rtcjob"

    -- a copy of what `luarocks make` reads: the checkout's top-level files (rockspec, rtcjob.c,
    -- README), the C in src/, bin/ and rtc/, the man page and the completions, without build
    -- products
    code, out = run("mkdir -p " .. q(tmp .. "/src/bin")
      .. " && cd " .. q(ROOT)
      .. " && find . -maxdepth 1 -type f ! -name '*.o' ! -name '*.so' -exec cp -p -t " .. q(tmp .. "/src/") .. " {} +"
      .. " && cp -p bin/* " .. q(tmp .. "/src/bin/")
      .. " && cp -pr rtc src man completion " .. q(tmp .. "/src/"))
    assert(code == 0, "copying the sources failed: " .. out)

    objects_before = checkout_objects()
    build_code, build_log = run("cd " .. q(tmp .. "/src") .. " && luarocks --lua-version=5.4 --tree=" .. q(tree)
      .. " make --deps-mode=none " .. ROCKSPEC .. " CURL_INCDIR=" .. q(curl_incdir()))

    -- lua-cjson (a Debian package) comes from where lua5.4 finds it; the checks below make sure
    -- that rtc itself can only come from the tree
    local cjson_so
    code, out = run(CLEAN_ENV .. " lua5.4 -e 'print((package.searchpath(\"cjson\", package.cpath)))'")
    cjson_so = out:match("^%s*(%S+)%s*$")
    assert(code == 0 and cjson_so and cjson_so ~= "nil", "lua5.4 cannot find lua-cjson: " .. out)
    local cjson_dir = cjson_so:match("^(.*)/[^/]*$")
    -- so do lua-argparse and lua-dkjson, the command's (Debian packages too; no rtc module there)
    code, out = run(CLEAN_ENV .. " lua5.4 -e 'print((package.searchpath(\"argparse\", package.path)))'")
    local lua_dir = out:match("^%s*(%S+)/argparse%.lua%s*$")
    assert(code == 0 and lua_dir, "lua5.4 cannot find lua-argparse: " .. out)
    run_env = CLEAN_ENV .. " LUA_PATH_5_4=" .. q(tree .. "/share/lua/5.4/?.lua;" .. tree .. "/share/lua/5.4/?/init.lua;"
      .. lua_dir .. "/?.lua")
      .. " LUA_CPATH_5_4=" .. q(tree .. "/lib/lua/5.4/?.so;" .. cjson_dir .. "/?.so")

    mock = helper.start_mock()
    mock:seed_job(APP, { job_id = "j1", room_id = "room-7", user_id = "user-7", state = "RUNNING" })
  end)

  lazy_teardown(function()
    if mock then mock:stop() end
    -- only the directory made above
    if tmp and tmp:match("^/tmp/rtcjob%-luarocks%.[%w]+$") then os.execute("rm -rf " .. q(tmp)) end
  end)

  it("builds and installs rtc.so and bin/rtcjob into the tree, leaving nothing in the checkout", function()
    assert.are.equal(0, build_code, "luarocks make failed:\n" .. build_log)
    assert.is_truthy(build_log:find("rtcjob 0.1.0-1 is now installed in " .. tree, 1, true), build_log)
    assert.is_true(file_exists(so), "no " .. so .. ":\n" .. build_log)
    assert.is_true(file_exists(bin), "no " .. bin .. ":\n" .. build_log)
    assert.are.equal(objects_before, checkout_objects(), "object files appeared in the checkout")
  end)

  it("loads the tree's rtc.so under lua5.4 with package.cpath on the tree only", function()
    -- lua-cjson first (rtc loads it when it opens), then the tree is the only place for rtc
    local script = "require 'cjson'; package.path = ''; package.cpath = "
      .. string.format("%q", tree .. "/lib/lua/5.4/?.so")
      .. "; local rtc = require 'rtc'; print(package.searchpath('rtc', package.cpath)); print(rtc._VERSION)"
    local code, out = run(CLEAN_ENV .. " lua5.4 -e " .. q(script))
    assert.are.equal(0, code, out)
    local path, version = out:match("^(%S+)\n(%S+)\n$")
    assert.are.equal(so, path, out)
    assert.are.equal("0.1.0", version, out)
  end)

  it("installs rtc.ngx (rtc/ngx.lua) next to rtc.so, loadable from the tree", function()
    local ngx_lua = tree .. "/share/lua/5.4/rtc/ngx.lua"
    assert.is_true(file_exists(ngx_lua), "no " .. ngx_lua .. ":\n" .. build_log)
    local code, out = run(run_env .. " lua5.4 -e " .. q("local m = require 'rtc.ngx'; "
      .. "print(package.searchpath('rtc.ngx', package.path)); print(#m.operations() >= 4)"))
    assert.are.equal(0, code, out)
    assert.are.equal(ngx_lua .. "\ntrue\n", out)
  end)

  it("runs the tree's rtcjob --version", function()
    -- from the temporary directory: no ./rtc.so around
    local code, out = run("cd " .. q(tmp) .. " && " .. run_env .. " " .. q(bin) .. " --version")
    assert.are.equal(0, code, out)
    assert.are.equal("rtcjob 0.1.0", out:match("^(.-)%s*$"))
    -- and rtc resolves to the tree's copy in that environment
    code, out = run(run_env .. " lua5.4 -e 'print((package.searchpath(\"rtc\", package.cpath)))'")
    assert.are.equal(0, code, out)
    assert.are.equal(so, out:match("^(.-)%s*$"))
  end)

  it("runs the tree's rtcjob get APP JOB against the mock", function()
    local code, out = run("cd " .. q(tmp) .. " && " .. run_env .. " RTC_ENDPOINT=" .. q(mock.url)
      .. " RTC_AUTH_TOKEN=test-token " .. q(bin) .. " get " .. APP .. " j1 </dev/null")
    assert.are.equal(0, code, out)
    local ok, job = pcall(cjson.decode, out)
    assert.is_true(ok, "not JSON: " .. out)
    assert.are.equal("j1", job.job_id)
    assert.are.equal("RUNNING", job.state)
    assert.are.equal("room-7", job.room_id)
    assert.is_string(job.request_id)
    local seen = false
    for _, r in ipairs(mock:requests()) do
      if r.method == "GET" and r.path == "/v2/apps/" .. APP .. "/individual-stream-jobs/j1" then seen = true end
    end
    assert.is_true(seen, "the mock saw no GET of the job")
  end)
end)

-- the rockspec's metadata, the LICENSE it names, `make rock` (a source rock of HEAD) and
-- `make install LUA=luajit` (the command's shebang names the interpreter the module was built for)
describe("packaging", function()
  if helper.skipped(missing()) then return end

  local function rockspec()
    local env = {}
    local chunk = assert(loadfile(ROOT .. "/" .. ROCKSPEC, "t", env))
    if setfenv then setfenv(chunk, env) end -- luacheck: ignore 113 (5.1)
    chunk()
    return env
  end

  it("the rockspec has what LuaRocks users expect, and the LICENSE it names", function()
    local r = rockspec()
    assert.are.equal("rtcjob", r.package)
    assert.is_string(r.description.homepage)
    assert.is_string(r.description.summary)
    assert.is_string(r.description.detailed)
    assert.are.equal("MIT", r.description.license)
    assert.are.equal("busted", r.test.type)
    assert.are.equal("rtc/ngx.lua", r.build.modules["rtc.ngx"])
    local license = helper.read_file(ROOT .. "/LICENSE")
    assert.is_truthy(license and license:find("^MIT License"), "LICENSE is not the MIT license")
  end)

  it("the rockspec builds the C sources the Makefile takes from the folders (make rockspec)", function()
    local code, out = helper.run("make -s --no-print-directory -C '" .. ROOT .. "' print-sources")
    assert.are.equal(0, code, out)
    local from_make = {}
    for f in out:gmatch("%S+") do from_make[#from_make + 1] = f end
    assert.are.same(from_make, rockspec().build.modules.rtc.sources)
  end)

  it("make rock packs a source rock of HEAD that luarocks builds and installs", function()
    if not sh_ok("git -C " .. q(ROOT) .. " rev-parse --git-dir >/dev/null 2>&1") then
      pending("not a git checkout")
      return
    end
    local _, tmp = run("mktemp -d /tmp/rtcjob-rock.XXXXXX")
    tmp = tmp:match("^%s*(/tmp/rtcjob%-rock%.[%w]+)%s*$")
    assert(tmp, "mktemp failed")
    finally(function() os.execute("rm -rf " .. q(tmp)) end)
    local code, out = run("git clone -q " .. q(ROOT) .. " " .. q(tmp .. "/c")
      .. " && make -C " .. q(tmp .. "/c") .. " rock")
    assert.are.equal(0, code, out)
    local rock = tmp .. "/c/build/rtcjob-0.1.0-1.src.rock"
    assert.is_true(file_exists(rock), out)
    code, out = run("cd " .. q(tmp) .. " && luarocks --lua-version=5.4 --tree=" .. q(tmp .. "/tree")
      .. " build --deps-mode=none " .. q(rock) .. " CURL_INCDIR=" .. q(curl_incdir()))
    assert.are.equal(0, code, out)
    assert.is_true(file_exists(tmp .. "/tree/lib/lua/5.4/rtc.so"), out)
    assert.is_true(file_exists(tmp .. "/tree/share/lua/5.4/rtc/ngx.lua"), out)
  end)

  it("make install LUA=luajit installs rtc.so, rtc/ngx.lua and a command run by luajit", function()
    if not sh_ok("command -v luajit >/dev/null && pkg-config --exists luajit") then
      pending("no luajit or its headers")
      return
    end
    local _, tmp = run("mktemp -d /tmp/rtcjob-install.XXXXXX")
    tmp = tmp:match("^%s*(/tmp/rtcjob%-install%.[%w]+)%s*$")
    assert(tmp, "mktemp failed")
    finally(function() os.execute("rm -rf " .. q(tmp)) end)
    local code, out = run("make -C " .. q(ROOT) .. " install LUA=luajit PREFIX=/usr DESTDIR=" .. q(tmp))
    assert.are.equal(0, code, out)
    assert.is_true(file_exists(tmp .. "/usr/lib/lua/5.1/rtc.so"), out)
    assert.is_true(file_exists(tmp .. "/usr/share/lua/5.1/rtc/ngx.lua"), out)
    local bin = helper.read_file(tmp .. "/usr/bin/rtcjob")
    assert.are.equal("#!/usr/bin/env luajit\n", bin and bin:match("^[^\n]*\n"))
    code, out = run("cd " .. q(tmp) .. " && " .. CLEAN_ENV .. " LUA_CPATH=" .. q(tmp .. "/usr/lib/lua/5.1/?.so;;")
      .. " " .. q(tmp .. "/usr/bin/rtcjob") .. " --version")
    assert.are.equal(0, code, out)
    assert.are.equal("rtcjob 0.1.0", out:match("^(.-)%s*$"))
  end)
end)
