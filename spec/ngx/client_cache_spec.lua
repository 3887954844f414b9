-- spec/ngx/client_cache_spec.lua: the pool threads' client cache of rtc.ngx (outside nginx: the
-- thread side is plain Lua). One cached client per option set, keyed without ambiguity: option
-- values that hold the old key's delimiters (',' '=') cannot make two option sets share a client.
local rtc_ngx = require "rtc.ngx"

local E = "http://127.0.0.1:9"
-- two AK/SK option sets whose keys were the same string before (a comma-and-equals join)
local A = { ak = "A", endpoint = E, project_id = "P,ssk=sX", sk = "S" }
local B = { ak = "A", endpoint = E, project_id = "P", sk = "X,ssk=sS" }

local function call(key, opts, method, ...)
  return rtc_ngx._thread_call(key, opts, method, { n = select("#", ...), ... })
end

describe("rtc.ngx: the pool threads' client cache", function()
  it("gives different option sets different keys, even with ',' and '=' in values", function()
    assert.are_not.equal(rtc_ngx.new(A).key, rtc_ngx.new(B).key)
    assert.are_not.equal(rtc_ngx._key({ a = "1,sb=s2" }), rtc_ngx._key({ a = "1", b = "2" }))
    assert.are_not.equal(rtc_ngx._key({ a = { "x" } }), rtc_ngx._key({ a = "t1:n1:s1:x" }))
    assert.are_not.equal(rtc_ngx._key({ 1 }), rtc_ngx._key({ "1" }))
    assert.are_not.equal(rtc_ngx._key({ x = 0.1 }), rtc_ngx._key({ x = 0.1 + 1e-17 * 3 }))
  end)

  it("gives the same options the same key, whatever the order they were written in", function()
    local c = {}
    for _, k in ipairs{ "sk", "project_id", "endpoint", "ak" } do c[k] = A[k] end
    assert.are.equal(rtc_ngx.new(A).key, rtc_ngx.new(c).key)
    assert.are.equal(rtc_ngx._key({ endpoint = { E, "http://127.0.0.1:10" } }),
                     rtc_ngx._key({ endpoint = { E, "http://127.0.0.1:10" } }))
  end)

  it("signs with each option set's own keys: two clients, not one", function()
    local ka, kb = rtc_ngx.new(A).key, rtc_ngx.new(B).key
    local ra = call(ka, A, "prepare", "get_job", "app", "job", { now = 1700000000 })
    local rb = call(kb, B, "prepare", "get_job", "app", "job", { now = 1700000000 })
    assert.is_nil(ra.raise)
    assert.is_nil(rb.raise)
    local ha, hb = ra.values[1].headers, rb.values[1].headers
    assert.are.equal("P,ssk=sX", ha["X-Project-Id"])
    assert.are.equal("P", hb["X-Project-Id"])
    assert.are_not.equal(ha.Authorization, hb.Authorization)
  end)

  it("asks for the options only when the thread has no client for the key yet", function()
    local key = rtc_ngx._key({ endpoint = E, token = "cache-spec" })
    assert.are.same({ need_opts = true }, call(key, nil, "prepare", "get_job", "a", "b", { now = 1 }))
    local r = call(key, { endpoint = E, token = "cache-spec" }, "prepare", "get_job", "a", "b", { now = 1 })
    assert.are.equal("cache-spec", r.values[1].headers["X-Auth-Token"])
    r = call(key, nil, "prepare", "get_job", "a", "b", { now = 1 })
    assert.are.equal("cache-spec", r.values[1].headers["X-Auth-Token"])
  end)
end)
