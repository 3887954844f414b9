-- spec/cli/configure_spec.lua: `rtcjob configure` writes the SDKs' credentials file (0600, other
-- sections kept, the secret never printed); `sign` and every command read that chain; a file
-- others can read is warned about always; --help lists every environment variable.
-- busted --lua=lua5.4 spec/cli/configure_spec.lua   (from the repository root)
local helper = require "spec.helper"
local rtc = require "rtc"

local q, read_file = helper.shell_quote, helper.read_file

local function mode_of(path)
  local p = io.popen("stat -c %a " .. q(path))
  local m = p:read("*l")
  p:close()
  return m
end

describe("rtcjob configure", function()
  local dir
  before_each(function()
    local _, out = helper.run("mktemp -d /tmp/rtcjob-conf.XXXXXX")
    dir = out:match("^%s*(/tmp/rtcjob%-conf%.[%w]+)%s*$")
    assert(dir, "mktemp failed")
  end)
  after_each(function() os.execute("rm -rf " .. q(dir)) end)

  local function run(args, opts)
    opts = opts or {}
    opts.env = "HOME=" .. q(dir) .. (opts.env and (" " .. opts.env) or "")
    return helper.rtcjob(args, opts)
  end

  it("writes ~/.huaweicloud/credentials [basic] from stdin, 0600, the secret never printed", function()
    local r = run("configure", { stdin = "AK-ONE\nSECRET-SK-ONE\nproj-one\n" })
    assert.equal(0, r.code, r.err)
    local path = dir .. "/.huaweicloud/credentials"
    assert.equal("[basic]\nak = AK-ONE\nsk = SECRET-SK-ONE\nproject_id = proj-one\n", read_file(path))
    assert.equal("600", mode_of(path))
    assert.equal("700", mode_of(dir .. "/.huaweicloud"))
    assert.is_nil((r.out .. r.err):find("SECRET-SK-ONE", 1, true), r.err)
    assert.truthy(r.err:find("wrote [basic]", 1, true), r.err)
    -- the module reads what was written (the same file and format as the SDKs)
    local c = helper.run("HOME=" .. q(dir) .. " env -u HUAWEICLOUD_SDK_AK -u HUAWEICLOUD_SDK_SK -u RTC_AUTH_TOKEN"
      .. " -u HUAWEICLOUD_SDK_CREDENTIALS_FILE " .. helper.LUA .. " -e " .. q("package.cpath = "
      .. string.format("%q", package.cpath) .. " local c = require('rtc').credentials{metadata = false}"
      .. " os.exit(c and c.kind == 'aksk' and c.project_id == 'proj-one' and 0 or 1)"))
    assert.equal(0, c)
  end)

  it("--profile adds a section and keeps the others (and their other keys); a rerun replaces", function()
    local path = dir .. "/creds"
    local f = assert(io.open(path, "w"))
    f:write("# mine\n[basic]\nak = OLD\nsk = OLD-SK\ndomain_id = d1\n\n[keep]\nak = K\nsk = KS\n")
    f:close()
    os.execute("chmod 644 " .. q(path))
    local env = "HUAWEICLOUD_SDK_CREDENTIALS_FILE=" .. q(path)
    local r = run("configure --profile dev --ak AK-DEV --project-id pd --sk-file -",
      { env = env, stdin = "SK-DEV\n" })
    assert.equal(0, r.code, r.err)
    r = run("configure --ak AK-NEW --project-id pb --sk-file -", { env = env, stdin = "SK-NEW\n" })
    assert.equal(0, r.code, r.err)
    assert.equal("# mine\n[basic]\ndomain_id = d1\nak = AK-NEW\nsk = SK-NEW\nproject_id = pb\n\n"
      .. "[keep]\nak = K\nsk = KS\n\n"
      .. "[dev]\nak = AK-DEV\nsk = SK-DEV\nproject_id = pd\n", read_file(path))
    assert.equal("600", mode_of(path))   -- was 644
  end)

  it("refuses without a key (exit 2, nothing written)", function()
    local r = run("configure", { stdin = "" })
    assert.equal(2, r.code)
    assert.is_nil(read_file(dir .. "/.huaweicloud/credentials"))
    r = run("configure --profile 'a b'", { stdin = "A\nB\n" })
    assert.equal(2, r.code)
  end)

  it("sign reads the chain (profile file, --profile), as every command does", function()
    local path = dir .. "/creds"
    local f = assert(io.open(path, "w"))
    f:write("[basic]\nak = AKP\nsk = SKP\nproject_id = p1\n[other]\nak = AKO\nsk = SKO\nproject_id = p2\n"
      .. "security_token = STOKEN-SECRET\n")
    f:close()
    os.execute("chmod 600 " .. q(path))
    local env = "HUAWEICLOUD_SDK_CREDENTIALS_FILE=" .. q(path)
    local r = run("sign GET https://a.example.com/x --header X-Sdk-Date:20200608T023900Z", { env = env })
    assert.equal(0, r.code, r.err)
    local want = rtc.sign{ method = "GET", url = "https://a.example.com/x", ak = "AKP", sk = "SKP",
      headers = { ["X-Sdk-Date"] = "20200608T023900Z", ["X-Project-Id"] = "p1" } }
    assert.truthy(r.out:find("Authorization: " .. want.Authorization, 1, true), r.out)
    assert.truthy(r.out:find("X-Project-Id: p1\n", 1, true), r.out)
    r = run("sign GET https://a.example.com/x --profile other", { env = env })
    assert.equal(0, r.code, r.err)
    assert.truthy(r.out:find("Access=AKO, SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,", 1, true))
    assert.truthy(r.out:find("X-Security-Token: ****\n", 1, true), r.out)
    assert.is_nil(r.out:find("STOKEN-SECRET", 1, true))
    r = run("sign GET https://a.example.com/x --profile nope", { env = env })
    assert.equal(2, r.code)
    assert.truthy(r.err:find("no section [nope]", 1, true), r.err)
  end)

  it("a credentials file others can read is warned about always, once", function()
    local path = dir .. "/creds"
    local f = assert(io.open(path, "w"))
    f:write("[basic]\nak = AKP\nsk = SKP\nproject_id = p1\n")
    f:close()
    os.execute("chmod 644 " .. q(path))
    local env = "HUAWEICLOUD_SDK_CREDENTIALS_FILE=" .. q(path)
    for _, args in ipairs({ "sign GET https://a.example.com/x", "list-apps --dry-run",
                            "list-apps --dry-run --debug" }) do
      local r = run(args, { env = env })
      assert.equal(0, r.code, args .. ": " .. r.err)
      local _, n = r.err:gsub("warning: profile [^\n]* is accessible by group or others %(mode 644%)", "")
      assert.equal(1, n, args .. ": " .. r.err)
    end
  end)

  it("--help lists every environment variable the command and the module read", function()
    local r = run("--help")
    for _, v in ipairs({ "RTC_ENDPOINT", "RTC_REGION", "RTC_AUTH_TOKEN", "RTC_PROFILE", "RTC_METADATA",
        "RTC_METADATA_URL", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "SOURCE_DATE_EPOCH", "RTC_CPATH" }) do
      assert.truthy(r.out:find("\n  " .. v .. " ", 1, true), v)
    end
    -- and every name the code reads is listed (the command's Lua and the module's C)
    local _, names = helper.run("cd " .. q(helper.ROOT) .. " && grep -rhoE "
      .. q([[(getenv|rtc_env)\("[A-Z_]+"\)|"(RTC|HUAWEICLOUD)_[A-Z_]+"\) *\\]])
      .. " rtc bin src | grep -oE '[A-Z][A-Z_]+' | sort -u")
    local n = 0
    for v in names:gmatch("[^\n]+") do
      if v ~= "HOME" and #v > 3 then
        n = n + 1
        assert.truthy(r.out:find(v, 1, true), v .. " is read but not in --help")
      end
    end
    assert.truthy(n >= 10, names)
  end)
end)
