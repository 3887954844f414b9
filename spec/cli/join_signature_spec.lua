-- spec/cli/join_signature_spec.lua: `rtcjob join-signature` (rtc/cli/join.lua): the values in
-- every output format, where the app_key comes from, the refusals (exit 2, nothing printed on
-- stdout), the help, completion and man page; no output ever holds the key. The signatures are
-- checked against the openssl command and against rtc.join_signature for the same inputs.
local helper = require "spec.helper"
local rtc = require "rtc"

local KEY = "cli-join-key-5a4b3c2d1e0f"
local APP, ROOM, USER = "my-app", "room-1", "user-1"

local recorder = helper.rtcjob_recorder(function() return { url = "http://127.0.0.1:1" } end)
local function run(args, opts)
  opts = opts or {}
  if not opts.env then opts.env = "RTC_APP_KEY=" .. KEY end
  return recorder.run(args, opts)
end
local q = helper.shell_quote

local openssl_hmac = helper.openssl_hmac

local function future() return os.time() + 3600 end

describe("rtcjob join-signature", function()
  it("--json: the five values the client SDKs take and expires_at; the signature is openssl's", function()
    local ctime = future()
    local r = run(string.format("join-signature %s %s %s --ctime %d --json", APP, ROOM, USER, ctime))
    assert.are.equal(0, r.code, r.err)
    local j = assert(r.json, r.out)
    assert.are.equal(APP, j.app_id)
    assert.are.equal(ROOM, j.room_id)
    assert.are.equal(USER, j.user_id)
    assert.are.equal(ctime, j.ctime)
    assert.are.equal(os.date("!%Y-%m-%dT%H:%M:%SZ", ctime), j.expires_at)
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", j.expires_at)
    assert.are.equal(openssl_hmac(KEY, table.concat({ APP, ROOM, USER, tostring(ctime) }, "+")), j.signature)
    assert.are.equal((rtc.join_signature(APP, KEY, ROOM, USER, { ctime = ctime, now = ctime - 1 })), j.signature)
    -- the keys in this order: app_id, room_id, user_id, ctime, signature, expires_at
    local at = {}
    for _, k in ipairs({ "app_id", "room_id", "user_id", "ctime", "signature", "expires_at" }) do
      at[#at + 1] = assert(r.out:find('"' .. k .. '"', 1, true))
    end
    for i = 2, #at do assert.is_true(at[i - 1] < at[i]) end
  end)

  it("text, table and ndjson print the same values", function()
    local ctime = future()
    local base = string.format("join-signature %s %s %s --ctime %d", APP, ROOM, USER, ctime)
    local want = run(base .. " --json").json
    local text = run(base .. " --output text")
    assert.are.equal(0, text.code, text.err)
    local tbl = run(base .. " --output table")
    assert.are.equal(0, tbl.code, tbl.err)
    for _, k in ipairs({ "app_id", "room_id", "user_id", "ctime", "signature", "expires_at" }) do
      local v = type(want[k]) == "number" and string.format("%d", want[k]) or want[k]
      assert.truthy(text.out:find(k .. "\t" .. v .. "\n", 1, true), text.out)
      assert.truthy(tbl.out:match("\n?" .. k .. " +" .. v:gsub("%p", "%%%0") .. "\n"), tbl.out)
    end
    local nd = run(base .. " --output ndjson")
    assert.are.equal(0, nd.code)
    assert.are.same(want, nd.json)
    local one = run(base .. " --query signature --output text")
    assert.are.equal(want.signature .. "\n", one.out)
  end)

  it("--join '' signs the plain concatenation; --ttl and the default ttl set ctime from now", function()
    local ctime = future()
    local r = run(string.format("join-signature %s %s %s --ctime %d --join '' --json", APP, ROOM, USER, ctime))
    assert.are.equal(0, r.code, r.err)
    assert.are.equal(openssl_hmac(KEY, string.format("%s%s%s%d", APP, ROOM, USER, ctime)), r.json.signature)
    for _, c in ipairs({ { "", 7200 }, { " --ttl 60", 60 }, { " --ttl 43199", 43199 } }) do
      local before = os.time()
      local t = run("join-signature a b c --json" .. c[1])
      local after = os.time()
      assert.are.equal(0, t.code, t.err)
      assert.is_true(t.json.ctime >= before + c[2] and t.json.ctime <= after + c[2])
      assert.are.equal(openssl_hmac(KEY, string.format("a+b+c+%d", t.json.ctime)), t.json.signature)
    end
  end)

  it("the key from --app-key-file (its line end dropped), from stdin, or RTC_APP_KEY", function()
    local ctime = future()
    local args = string.format("join-signature %s %s %s --ctime %d --json", APP, ROOM, USER, ctime)
    local want = openssl_hmac(KEY, table.concat({ APP, ROOM, USER, tostring(ctime) }, "+"))
    local file = helper.write_temp(KEY .. "\n")
    local r = run(args .. " --app-key-file " .. q(file), { env = "" })
    os.remove(file)
    assert.are.equal(0, r.code, r.err)
    assert.are.equal(want, r.json.signature)
    r = run(args .. " --app-key-file -", { env = "", stdin = KEY })
    assert.are.equal(want, r.json.signature)
    r = run(args, { env = "RTC_APP_KEY=" .. KEY })
    assert.are.equal(want, r.json.signature)
    -- the file wins over the environment
    file = helper.write_temp(KEY)
    r = run(args .. " --app-key-file " .. q(file), { env = "RTC_APP_KEY=other-key-000000" })
    os.remove(file)
    assert.are.equal(want, r.json.signature)
  end)

  it("refuses, exit 2 and nothing on stdout", function()
    local cases = {
      { "join-signature a b c", "needs the app_key: %-%-app%-key%-file FILE or RTC_APP_KEY", { env = "" } },
      { "join-signature a b c --app-key-file /nonexistent/key", "cannot read %-%-app%-key%-file" },
      { "join-signature a b", "missing arguments" },
      { "join-signature a b c d", "too many arguments; usage: rtcjob join%-signature APP ROOM USER" },
      { "join-signature a '' c", "invalid: room_id: must not be empty" },
      { "join-signature a b ''", "invalid: user_id: must not be empty" },
      { "join-signature '' b c", "invalid: app_id: must not be empty" },
      { "join-signature a b \"$(printf 'u\\033x')\"", "invalid: user_id: must not contain control" },
      { "join-signature a b c --ttl 43200", "invalid: ttl: expected whole seconds from 1 to 43199" },
      { "join-signature a b c --ttl 0", "invalid: ttl:" },
      { "join-signature a b c --ttl x", "%-%-ttl: expected an integer" },
      { "join-signature a b c --ctime 1000", "invalid: ctime: is not in the future" },
      { "join-signature a b c --ctime " .. (os.time() + 86400), "invalid: ctime: is more than 43199 seconds" },
      { "join-signature a b c --ttl 60 --ctime " .. future(), "give %-%-ttl or %-%-ctime, not both" },
      { "join-signature a b c --join -", "%-%-join: expected one of" },
      { "join-signature a b c --query a..b", "%-%-query: expected a name" },   -- JMESPath, as everywhere
    }
    for _, c in ipairs(cases) do
      local r = run(c[1], c[3])
      assert.are.equal(2, r.code, c[1] .. ": " .. r.err)
      assert.are.equal("", r.out, c[1])
      assert.matches(c[2], r.err, 1, c[1])
    end
  end)

  it("help, main help (RTC_APP_KEY), completion and man page list it", function()
    local h = run("join-signature --help")
    assert.are.equal(0, h.code)
    for _, s in ipairs({ "--ttl SECONDS", "--ctime UNIX", "--join SEP", "--app-key-file FILE", "RTC_APP_KEY",
                         "expires_at" }) do
      assert.truthy(h.out:find(s, 1, true), s)
    end
    local main = run("--help")
    assert.truthy(main.out:find("\n   join-signature ", 1, true))
    assert.truthy(main.out:find("RTC_APP_KEY", 1, true))
    local comp = run("completion bash").out
    -- argparse's script: the command's flags, and a file for --app-key-file
    local line = 'cmd="join-signature"\n                opts="$opts -h --help -V --version'
      .. ' --ttl --ctime --join --app-key-file '
    assert.truthy(comp:find(line, 1, true), comp)
    assert.truthy(comp:match("\n        'join%-signature'%)\n.-%-%-app%-key%-file%)%s+COMPREPLY=%(%$%(compgen %-f "))
    local man = run("man").out
    assert.truthy(man:find(".SS join\\-signature", 1, true))
    assert.truthy(man:find("RTC_APP_KEY", 1, true))
  end)

  it("no output holds the app_key", function()
    recorder.assert_no_secrets({ KEY, "other-key-000000" }, 20)
  end)
end)
