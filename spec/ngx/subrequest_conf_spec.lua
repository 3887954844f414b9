-- spec/ngx/subrequest_conf_spec.lua: the subrequest way's internal location (rtc/ngx/subrequest.conf)
-- carries every header rtc's signer can give. rtc.ngx hands each subrequest the prepared request
-- in nginx variables; the file declares them and sends each with proxy_set_header. A header the
-- signer gives and the file does not send would make requests the service refuses, so the three
-- lists (the signer's headers, rtc.ngx's variables, the file's lines) are held equal here.
local rtc = require "rtc"
local rtc_ngx = require "rtc.ngx"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local CONF = read("rtc/ngx/subrequest.conf")
local E = "http://127.0.0.1:9"

-- the header names client:prepare gives with these options
local function prepared_headers(opts)
  opts.endpoint = E
  local c = rtc.new(opts)
  local req = assert(c:prepare("update_job", "app", "job", { record_param = { record_rule_id = "r" } }))
  c:close()
  local names = {}
  for name in pairs(req.headers) do names[name] = true end
  return names
end

describe("rtc.ngx: the subrequest location (rtc/ngx/subrequest.conf)", function()
  it("has a variable for every header the signer gives, whatever the credentials", function()
    local known = {}
    for _, name in ipairs(rtc_ngx.SUBREQUEST_HEADERS) do known[name] = true end
    local given = {}
    for _, opts in ipairs{
      { token = "t", metadata = false },
      { token = "t", project_id = "p", metadata = false },
      { ak = "a", sk = "s", project_id = "p", metadata = false },
      { ak = "a", sk = "s", security_token = "st", project_id = "p", metadata = false },
    } do
      for name in pairs(prepared_headers(opts)) do
        assert.is_true(known[name], "the signer gives " .. name .. ": no variable carries it")
        given[name] = true
      end
    end
    -- and no variable for a header the signer never gives (a stale line would send nothing)
    for name in pairs(known) do assert.is_true(given[name], name .. " is never given") end
  end)

  it("declares each variable rtc.ngx sets, keeping the value it was given", function()
    assert.are.equal(#rtc_ngx.SUBREQUEST_HEADERS + 4, #rtc_ngx.SUBREQUEST_VARS)
    for _, v in ipairs(rtc_ngx.SUBREQUEST_VARS) do
      assert.truthy(CONF:find("\nset %$" .. v .. " %$" .. v .. ";"), "no `set $" .. v .. " $" .. v .. ";`")
    end
    local declared = 0
    for _ in CONF:gmatch("\nset %$") do declared = declared + 1 end
    assert.are.equal(#rtc_ngx.SUBREQUEST_VARS, declared)
  end)

  it("sends each header from its variable, and none of the handler's own", function()
    for i, name in ipairs(rtc_ngx.SUBREQUEST_HEADERS) do
      local var = rtc_ngx.SUBREQUEST_VARS[i + 4]
      assert.truthy(CONF:find("\nproxy_set_header " .. name:gsub("%-", "%%-") .. " %$" .. var .. ";"),
        "no `proxy_set_header " .. name .. " $" .. var .. ";`")
    end
    assert.truthy(CONF:find("\nproxy_pass_request_headers off;"))
    assert.truthy(CONF:find("\nproxy_pass %$rtc_url;"))
    assert.truthy(CONF:find("\nproxy_set_body %$rtc_body;"))
    assert.truthy(CONF:find("\nproxy_set_header Content%-Length %$rtc_h_content_length;"))
    assert.truthy(CONF:find('header_filter_by_lua_block { require("rtc.ngx").proxy_header() }', 1, true))
  end)

  it("is installed next to rtc/ngx.lua", function()
    assert.truthy(read("Makefile"):find("rtc/ngx/subrequest.conf", 1, true))
  end)
end)
