-- spec/packaging/install_spec.lua: the completions (bash, zsh, fish: each checked by the shell
-- itself), the committed man page and completions being current, and `make install PREFIX=...`
-- putting the command, the man page and the completions where man and each shell look.
-- busted --lua=lua5.4 spec/packaging/install_spec.lua   (from the repository root)
local helper = require "spec.helper"

local q, sh_ok, read_file = helper.shell_quote, helper.sh_ok, helper.read_file
local ROOT = helper.ROOT

local function have(cmd) return sh_ok("command -v " .. cmd .. " >/dev/null 2>&1") end

local CHECKS = {   -- shell -> the command that parses a script without running it
  bash = "bash -n", zsh = "zsh -n", fish = "fish --no-execute",
}

describe("rtcjob completions and install", function()
  for _, shell in ipairs({ "bash", "zsh", "fish" }) do
    it("completion " .. shell .. " is a script " .. shell .. " accepts, made from every command", function()
      local r = helper.rtcjob("completion " .. shell)
      assert.equal(0, r.code, r.err)
      for _, row in ipairs(require("rtc").operations()) do
        assert.truthy(r.out:find(row.name:gsub("_", "-"), 1, true), row.name)
      end
      assert.truthy(r.out:find("--wait-timeout", 1, true))
      if not have(shell) then return pending(shell .. " is not installed (Debian: " .. shell .. ")") end
      local file = helper.write_temp(r.out)
      local code, out = helper.run(CHECKS[shell] .. " " .. q(file) .. " 2>&1")
      os.remove(file)
      assert.equal(0, code, out)
      -- a broken script is refused (the check can fail)
      file = helper.write_temp(r.out .. "\n" .. (shell == "fish" and "end end\n" or "fi }\n"))
      code = helper.run(CHECKS[shell] .. " " .. q(file) .. " >/dev/null 2>&1")
      os.remove(file)
      assert.are_not.equal(0, code)
    end)
  end

  it("fish completes commands, flags and enum values from the script", function()
    if not have("fish") then return pending("fish is not installed") end
    local file = helper.write_temp(helper.rtcjob("completion fish").out)
    local function complete(line)
      local _, out = helper.run("fish --no-config -c " .. q("source " .. file .. "; complete -C " .. q(line)))
      local t = {}
      for l in out:gmatch("[^\n]+") do t[#t + 1] = l:match("^([^\t]*)") end
      table.sort(t)
      return t
    end
    assert.same({ "get-mix-job" }, complete("rtcjob get-mi"))
    assert.same({ "--wait-timeout" }, complete("rtcjob wait a b --wait-t"))
    assert.same({ "INIT", "RUNNING", "STOPPED" }, complete("rtcjob wait a b --state "))
    os.remove(file)
  end)

  it("the committed man page and completions are what the command writes now (make man)", function()
    for file, args in pairs({ ["man/rtcjob.1"] = "man", ["completion/rtcjob.bash"] = "completion bash",
        ["completion/_rtcjob"] = "completion zsh", ["completion/rtcjob.fish"] = "completion fish" }) do
      local r = helper.rtcjob(args)
      assert.equal(0, r.code, r.err)
      assert.equal(r.out, read_file(ROOT .. "/" .. file), file .. " is stale: run make man")
    end
  end)

  it("without its Lua modules or rtc.so on the path: one line saying what to do, exit 2", function()
    local _, tmp = helper.run("mktemp -d /tmp/rtcjob-lone.XXXXXX")
    tmp = tmp:match("^%s*(/tmp/rtcjob%-lone%.[%w]+)%s*$")
    assert(tmp, "mktemp failed")
    finally(function() os.execute("rm -rf " .. q(tmp)) end)
    local clean = "cd " .. q(tmp)
      .. " && env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u RTC_CPATH "
    -- the launcher alone (as luarocks' wrapper runs it without `luarocks path`)
    assert(os.execute("mkdir -p " .. q(tmp .. "/bin") .. " && cp " .. q(ROOT .. "/bin/rtcjob") .. " "
      .. q(tmp .. "/bin/")))
    local code, out = helper.run(clean .. helper.LUA .. " bin/rtcjob --version 2>&1")
    assert.equal(2, code, out)
    assert.equal(1, #helper.lines_of(out), out)
    assert.truthy(out:find("^rtcjob: cannot load the Lua module 'rtc.cli.main': .*luarocks path"), out)
    -- the Lua modules found (an install prefix), rtc.so not
    local share = tmp .. "/share/lua/" .. (_VERSION:match("%d+%.%d+") or "5.4") .. "/rtc"
    if rawget(_G, "jit") then share = tmp .. "/share/lua/5.1/rtc" end
    assert(os.execute("mkdir -p " .. q(share) .. " && cp -r " .. q(ROOT .. "/rtc/cli") .. " " .. q(share .. "/")))
    code, out = helper.run(clean .. helper.LUA .. " bin/rtcjob list-apps 2>&1")
    assert.equal(2, code, out)
    assert.equal(1, #helper.lines_of(out), out)
    assert.truthy(out:find("cannot load the module 'rtc' (rtc.so): it is not on package.cpath", 1, true), out)
  end)

  it("make install PREFIX=... installs the command, the man page and the completions", function()
    local _, tmp = helper.run("mktemp -d /tmp/rtcjob-inst.XXXXXX")
    tmp = tmp:match("^%s*(/tmp/rtcjob%-inst%.[%w]+)%s*$")
    assert(tmp, "mktemp failed")
    finally(function() os.execute("rm -rf " .. q(tmp)) end)
    local code, out = helper.run("make -s -C " .. q(ROOT) .. " install LUA=lua5.4 PREFIX=" .. q(tmp .. "/usr")
      .. " 2>&1")
    assert.equal(0, code, out)
    for _, f in ipairs({ "bin/rtcjob", "share/man/man1/rtcjob.1", "share/bash-completion/completions/rtcjob",
        "share/zsh/site-functions/_rtcjob", "share/fish/vendor_completions.d/rtcjob.fish",
        "share/lua/5.4/rtc/cli/parser.lua", "lib/lua/5.4/rtc.so" }) do
      assert.truthy(helper.file_exists(tmp .. "/usr/" .. f), f)
    end
    assert.equal(read_file(ROOT .. "/completion/_rtcjob"), read_file(tmp .. "/usr/share/zsh/site-functions/_rtcjob"))
    if have("bash") then
      assert.truthy(sh_ok("bash -n " .. q(tmp .. "/usr/share/bash-completion/completions/rtcjob")))
    end
    if have("man") then
      code, out = helper.run("MANPAGER=cat MANWIDTH=100 man -l " .. q(tmp .. "/usr/share/man/man1/rtcjob.1")
        .. " 2>/dev/null")
      if code == 0 then assert.truthy(out:find("RTCJOB", 1, true), out) end
    end
    -- a C host linked from the installed files alone: one pkg-config line (lib/librtcjob.a,
    -- include/rtcjob.h, lib/pkgconfig/rtcjob.pc), run against the mock
    if have("cc") and sh_ok("pkg-config --exists lua5.4 libcurl libcrypto jansson") then
      local pc = "PKG_CONFIG_PATH=" .. q(tmp .. "/usr/lib/pkgconfig")
      assert(os.execute("cp " .. q(ROOT .. "/examples/embed/host.c") .. " " .. q(tmp .. "/host.c")))
      code, out = helper.run("cd " .. q(tmp) .. " && cc -O2 -Wall -Wextra -Werror -o host host.c"
        .. " $(" .. pc .. " pkg-config --cflags --libs rtcjob) 2>&1")
      assert.equal(0, code, out)
      assert.truthy(sh_ok("nm " .. q(tmp .. "/host") .. " | grep -q ' T luaopen_rtc$'"))
      assert.falsy(sh_ok("ldd " .. q(tmp .. "/host") .. " | grep -q 'rtc\\.so'"))
      local mock = helper.start_mock()
      local script = helper.write_temp("local rtc = require 'rtc'\n"
        .. "local c = rtc.new{ endpoint = os.getenv('RTC_ENDPOINT'), token = 'test-token' }\n"
        .. "assert(c:create_app{ app_name = 'from-c' })\n"
        .. "local apps = assert(c:list_apps())\n"
        .. "print(#rtc.operations(), apps.count, apps.apps[1].app_name)\nc:close()\n")
      code, out = helper.run("cd " .. q(tmp) .. " && RTC_ENDPOINT=" .. q(mock.url) .. " ./host " .. q(script)
        .. " 2>&1")
      os.remove(script)
      mock:stop()
      assert.equal(0, code, out)
      assert.equal("28\t1\tfrom-c\n", out)
    end
    -- the installed command runs from the prefix
    code, out = helper.run("env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u RTC_CPATH "
      .. q(tmp .. "/usr/bin/rtcjob") .. " --version 2>&1")
    assert.equal(0, code, out)
    assert.truthy(out:find("^rtcjob "), out)
  end)
end)
