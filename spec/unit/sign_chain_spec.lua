-- spec/unit/sign_chain_spec.lua: rtc.sign{credentials = {...}}: without ak and sk the keys come
-- from the credentials chain (options, environment, profile file; never the metadata service),
-- with X-Project-Id and X-Security-Token added as the SDKs' BasicCredentials adds them.
-- busted --lua=lua5.4 spec/unit/sign_chain_spec.lua   (from the repository root)
local helper = require "spec.helper"
local rtc = require "rtc"

local URL, DATE = "https://a.example.com/x?b=2&a=1", "20200608T023900Z"

describe("rtc.sign with the credentials chain", function()
  local file
  setup(function()
    file = helper.write_temp("[basic]\nak = AKP\nsk = SKP\nproject_id = p1\n"
      .. "[temp]\nak = AKT\nsk = SKT\nproject_id = p2\nsecurity_token = STOK\n[nokeys]\nproject_id = p3\n")
    os.execute("chmod 600 " .. helper.shell_quote(file))
  end)
  teardown(function() os.remove(file) end)

  local function sign(cred, req)
    req = req or {}
    req.method, req.url, req.date, req.credentials = req.method or "GET", URL, DATE, cred
    return rtc.sign(req)
  end

  it("signs as with the profile's keys given, X-Project-Id added", function()
    local h, canonical = sign({ credentials_file = file })
    local want, want_canonical = rtc.sign{ method = "GET", url = URL, date = DATE, ak = "AKP", sk = "SKP",
      headers = { ["X-Project-Id"] = "p1" } }
    assert.equal(want.Authorization, h.Authorization)
    assert.equal(want_canonical, canonical)
    assert.equal("p1", h["X-Project-Id"])
    assert.is_nil(h["X-Security-Token"])
  end)

  it("a profile with a security token: X-Security-Token added and signed", function()
    local h = sign({ credentials_file = file, profile = "temp" })
    assert.equal("STOK", h["X-Security-Token"])
    assert.truthy(h.Authorization:find("Access=AKT, SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,", 1,
      true), h.Authorization)
    -- a header the caller gives is kept, not replaced
    h = sign({ credentials_file = file, profile = "temp" }, { headers = { ["X-Project-Id"] = "mine" } })
    assert.equal("mine", h["X-Project-Id"])
  end)

  it("options win over the file", function()
    local h = sign({ credentials_file = file, ak = "AKO", sk = "SKO", project_id = "po" })
    assert.truthy(h.Authorization:find("Access=AKO,", 1, true))
    assert.equal("po", h["X-Project-Id"])
  end)

  it("no keys in the chain, an unreadable file, a missing section: nil and an error, nothing raised", function()
    for _, cred in ipairs({ { credentials_file = file, profile = "nokeys" }, { credentials_file = file .. ".none" },
        { credentials_file = file, profile = "absent" } }) do
      local h, err = sign(cred)
      assert.is_nil(h)
      assert.equal("invalid", err.kind)
      assert.is_nil(tostring(err):find("SKP", 1, true))
    end
  end)

  it("misuse raises: credentials not a table, an option not a string; ak and sk alone still required", function()
    assert.has_error(function() sign("basic") end, "rtc.sign: req.credentials: expected a table, got string")
    assert.has_error(function() sign({ profile = 5 }) end, "rtc.sign: req.credentials.profile: expected a string")
    assert.has_error(function() rtc.sign{ method = "GET", url = URL } end,
      "rtc.sign: req.ak: expected a string, got nil")
    -- one key given with credentials: the other is still required
    assert.has_error(function() sign({ credentials_file = file }, { ak = "A" }) end,
      "rtc.sign: req.sk: expected a string, got nil")
  end)
end)
