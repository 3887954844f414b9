-- spec/client/inputs_spec.lua — issue 21, defects 6-9: what comes from outside Lua (files, the
-- metadata service, endpoints, proxy and TLS options, the environment) is checked at rtc.new /
-- rtc.credentials, and no secret, whatever its source, reaches err.message, tostring(err) or a
-- debug line (one masking style, "****"). Cases that need an environment run in a child
-- interpreter with env -i (spec/support/credentials.lua).
local K = require("spec.support.credentials").new()
local q, tmp, write, child = K.q, K.tmp, K.write, K.child
local assert_invalid, start_metadata = K.assert_invalid, K.start_metadata

local ECHO = "http://127.0.0.1:9"  -- never contacted: decode and rtc.new send nothing

-- decode of an answer that quotes the request's secret back, in the child: err's texts
local function echo_body(secret_expr)
  return ([[
    local c = rtc.new(opts)
    local s = %s
    local _, err = c:decode("get_job", 401, { ["X-Request-Id"] = "r1" },
      '{"error_code":"APIGW.0301","error_msg":"bad credentials: ' .. s .. ' (X-Auth-Token: ' .. s .. ')"}')
    return { message = err.message, text = tostring(err), concat = "" .. err }
  ]]):format(secret_expr)
end

describe("issue 21", function()
teardown(function() os.execute("rm -rf " .. q(tmp)) end)

describe("secrets masked whatever their source (defect 6)", function()
  local function assert_masked(r, secret)
    assert.is_nil(r.raised, r.raised and r.raised.text or r.raised and r.raised.raised)
    for _, k in ipairs({ "message", "text", "concat" }) do
      assert.is_nil(r.t[k]:find(secret, 1, true), k .. ": " .. r.t[k])
      assert.truthy(r.t[k]:find("****", 1, true), k .. ": " .. r.t[k])
    end
  end

  it("a token from the options", function()
    local secret = "opt-token-SECRET-0123456789"
    assert_masked(child({}, ("{ endpoint = %q, token = %q }"):format(ECHO, secret),
                        echo_body(("%q"):format(secret))), secret)
  end)

  it("a token from the environment", function()
    local secret = "env-token-SECRET-0123456789"
    assert_masked(child({ RTC_AUTH_TOKEN = secret }, ("{ endpoint = %q }"):format(ECHO),
                        echo_body(("%q"):format(secret))), secret)
  end)

  it("a security token and SK from a profile file", function()
    local file = tmp .. "/profile-secret"
    write(file, "[basic]\nak = PROFAK123456\nsk = prof-sk-SECRET-0123\nproject_id = p\n" ..
                "security_token = prof-st-SECRET-0123456789\n")
    local opts = ("{ endpoint = %q, credentials_file = %q }"):format(ECHO, file)
    assert_masked(child({}, opts, echo_body('"prof-st-SECRET-0123456789"')), "prof-st-SECRET")
    assert_masked(child({}, opts, echo_body('"prof-sk-SECRET-0123"')), "prof-sk-SECRET")
  end)

  it("keys from the metadata service", function()
    local meta = start_metadata()
    finally(function() meta:stop() end)
    local opts = ("{ endpoint = %q, metadata = true, metadata_url = %q, project_id = 'p' }")
      :format(ECHO, meta.url)
    -- the service's first keys are meta-sk-1 / meta-st-1
    local r = child({}, opts, echo_body('"meta-st-1"'))
    assert_masked(r, "meta-st-1")
  end)

  it("the debug lines mask the token the same way", function()
    local secret = "dbg-token-SECRET-0123456789"
    local r = child({}, ("{ endpoint = %q, token = %q, retries = 0 }"):format(ECHO, secret), [[
      local c = rtc.new(opts)
      c:get_job("a", "b") -- port 9 refuses at once
      return { lines = table.concat(lines, "\n") }
    ]])
    assert.truthy(r.t.lines:find("X-Auth-Token: ****", 1, true), r.t.lines)
    assert.is_nil(r.t.lines:find(secret, 1, true), r.t.lines)
  end)
end)

describe("inputs outside Lua (defect 7)", function()
  it("a FIFO as the credentials file is refused at once, never waited on", function()
    local fifo = tmp .. "/fifo"
    assert(os.execute("mkfifo " .. q(fifo)))
    -- timeout: on main this hung forever; the child must end long before
    local r = child({}, ("{ credentials_file = %q }"):format(fifo),
                    "return rtc.credentials(opts)")
    assert_invalid(r, "invalid", "not a regular file")
    r = child({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = fifo }, ("{ endpoint = %q }"):format(ECHO),
              "return rtc.new(opts)")
    assert.truthy(r.raised and r.raised.message:find("not a regular file", 1, true))
  end)

  it("an explicit credentials_file path over 4095 bytes is an error that names it", function()
    local long = "/tmp/" .. string.rep("d", 5000)
    local e = assert_invalid(child({}, ("{ credentials_file = %q }"):format(long)), "invalid",
                             "credentials_file")
    assert.truthy(e.message:find("longer than", 1, true), e.message)
    local r = child({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = long }, "{}")
    assert.truthy(r.err.message:find("HUAWEICLOUD_SDK_CREDENTIALS_FILE", 1, true), r.err.message)
  end)

  it("metadata expires_at must be a real RFC 3339 time; keys the signer refuses are refused", function()
    local meta = start_metadata()
    finally(function() meta:stop() end)
    local opts = ("{ metadata = true, metadata_url = %q, project_id = 'p' }"):format(meta.url)
    meta:mode("bad-date")
    assert_invalid(child({}, opts), "invalid", "expires_at is not a UTC time")
    meta:mode("bad-ak")
    assert_invalid(child({}, opts), "invalid", "credential.access: contains a blank")
    meta:mode("normal")
    local r = child({}, opts)
    assert.equal("aksk", r.t.kind)
  end)
end)

describe("rtc.new refuses what could never be sent right (defects 8, 9)", function()
  local function new_err(opts_src, env)
    local r = child(env or {}, opts_src, "return rtc.new(opts)")
    assert.truthy(r.raised, "rtc.new accepted " .. opts_src)
    return r.raised
  end

  it("endpoints with a fragment (even empty), an empty query or userinfo", function()
    for _, url in ipairs({ "http://h:1#", "http://h:1/p#x", "http://h:1?", "http://u:p@h:1",
                           "http://h:1/#" }) do
      local e = new_err(("{ endpoint = %q, token = 't' }"):format(url))
      assert.equal("invalid", e.kind)
      assert.truthy(e.message:find("opts.endpoint", 1, true), e.message)
    end
  end)

  it("proxy URLs libcurl cannot use, never echoed with their password", function()
    for _, proxy in ipairs({ "http://user:SECRETPW@h:99999", "http://user:SECRETPW@h:1:2",
                             "http://user:SECRETPW@[::1", "ftp://user:SECRETPW@h:3128" }) do
      local e = new_err(("{ endpoint = %q, token = 't', proxy = %q }"):format(ECHO, proxy))
      assert.equal("invalid", e.kind)
      assert.equal("proxy", e.field)
      assert.truthy(e.message:find("opts.proxy", 1, true), e.message)
      assert.is_nil(e.text:find("SECRETPW", 1, true), e.text)
    end
    for _, var in ipairs({ "https_proxy", "http_proxy", "ALL_PROXY" }) do
      local e = new_err(("{ endpoint = %q, token = 't' }"):format(ECHO),
                        { [var] = "ftp://user:SECRETPW@h:3128" })
      assert.truthy(e.message:find("environment variable " .. var, 1, true), e.message)
      assert.is_nil(e.text:find("SECRETPW", 1, true), e.text)
    end
    -- a good one with a password: accepted, and its password masked in what the client says
    local r = child({}, ("{ endpoint = %q, token = 't', proxy = 'http://u:SECRETPW@127.0.0.1:1' }")
      :format(ECHO), echo_body('"SECRETPW"'))
    assert.is_nil(r.t.message:find("SECRETPW", 1, true), r.t.message)
  end)

  it("a ca_file or ca_path that is not there", function()
    local e = new_err(("{ endpoint = %q, token = 't', ca_file = '/nonexistent/ca.pem' }"):format(ECHO))
    assert.equal("ca_file", e.field)
    e = new_err(("{ endpoint = %q, token = 't', ca_path = '/nonexistent/certs' }"):format(ECHO))
    assert.equal("ca_path", e.field)
    e = new_err(("{ endpoint = %q, token = 't', ca_path = '/etc/hostname' }"):format(ECHO))
    assert.truthy(e.message:find("not a directory", 1, true), e.message)
  end)

  it("insecure = true shows in tostring(client) and a debug line", function()
    local r = child({}, ("{ endpoint = %q, token = 't', insecure = true, retries = 0 }"):format(ECHO), [[
      local c = rtc.new(opts)
      c:get_job("a", "b")  -- port 9 refuses at once; the client's first call hands the lines over
      return { text = tostring(c), lines = table.concat(lines, "\n") }
    ]])
    assert.truthy(r.t.text:find("insecure=true", 1, true), r.t.text)
    assert.truthy(r.t.lines:find("insecure = true", 1, true), r.t.lines)
  end)
end)
end)
