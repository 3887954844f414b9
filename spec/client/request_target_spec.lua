-- spec/client/request_target_spec.lua — without a proxy the engine gives libcurl the endpoint's origin
-- and the request target apart; through an http proxy the whole URL. Whatever the endpoint's
-- spelling (path prefix, trailing slashes, dot segments, escapes, scheme case) the request line
-- is the same both ways, and an easy handle reused between the two ways carries nothing over.
local helper = require "spec.helper"
local rtc = require "rtc"

local q = helper.shell_quote

describe("request target", function()
  local mock
  helper.mock_suite(nil, function(m) mock = m end)

  -- the targets of a get and a list (with a query), direct to the mock
  local function direct_targets(endpoint)
    mock:reset()
    local c = rtc.new{ endpoint = endpoint, token = "test-token", retries = 0 }
    c:get_job("app", "j1")
    c:list_apps({ offset = 1, limit = 5, state = "ACTIVATION" })
    c:close()
    local t = {}
    for i, r in ipairs(mock:requests()) do t[i] = r.target end
    return t
  end

  -- the same through opts.proxy (absolute form), less the origin
  local function proxied_targets(endpoint)
    mock:reset()
    local c = rtc.new{ endpoint = endpoint, token = "test-token", retries = 0, proxy = mock.url }
    c:get_job("app", "j1")
    c:list_apps({ offset = 1, limit = 5, state = "ACTIVATION" })
    c:close()
    local t = {}
    for i, r in ipairs(mock:requests()) do
      t[i] = r.target:gsub("^[Hh][Tt][Tt][Pp][Ss]?://[^/]*", "")
    end
    return t
  end

  it("endpoint spellings: the same request line direct and through a proxy", function()
    local host = "127.0.0.1:" .. mock.port
    local cases = {
      [""] = "", ["/"] = "", ["/p"] = "/p", ["/p/"] = "/p", ["/p//"] = "/p", ["/a/../b"] = "/b",
      ["/a/./b"] = "/a/b", ["/a/b/.."] = "/a", ["/a/b/../"] = "/a", ["/a/.."] = "", ["/.."] = "",
      ["/./"] = "", ["/%7Ep"] = "/%7Ep", ["/a/%2e%2e/b"] = "/a/%2e%2e/b", ["/a;b"] = "/a;b",
    }
    for path, prefix in pairs(cases) do
      for _, scheme in ipairs({ "http://", "HTTP://", "hTtP://" }) do
        local d = direct_targets(scheme .. host .. path)
        local p = proxied_targets(scheme .. "example.invalid" .. path)
        local want = { prefix .. "/v2/apps/app/individual-stream-jobs/j1",
                       prefix .. "/v2/apps?state=ACTIVATION&offset=1&limit=5" }
        assert.are.same(want, d, scheme .. path)
        assert.are.same(want, p, scheme .. path)
      end
    end
  end)

  it("the debug line shows the whole URL as written", function()
    local lines = {}
    local ep = "HTTP://127.0.0.1:" .. mock.port .. "/a/../p/"
    local c = rtc.new{ endpoint = ep, token = "test-token", retries = 0,
      debug = function(l) lines[#lines + 1] = l end }
    c:get_job("app", "j1")
    c:close()
    local all = table.concat(lines, "\n")
    local url = "HTTP://127.0.0.1:" .. mock.port .. "/a/../p/v2/apps/app/individual-stream-jobs/j1"
    assert.truthy(all:find("GET " .. url, 1, true), all)
    assert.are.equal("/p/v2/apps/app/individual-stream-jobs/j1", mock:requests()[1].target)
  end)

  describe("proxies from the environment", function()
    local script

    setup(function()
      script = os.tmpname()
      local f = assert(io.open(script, "wb"))
      f:write([[
local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
package.cpath = cpath .. ";" .. package.cpath
local rtc = require "rtc"
local eps = {}
for ep in arg[1]:gmatch("%S+") do eps[#eps + 1] = ep end
local c = rtc.new{ endpoint = eps, token = "test-token", retries = #eps - 1, timeout = 3,
  backoff_base = 0.01, backoff_max = 0.02 }
for _ = 1, 2 do
  local res, err = c:get_job("app", "j1")
  io.write(res and "ok" or (tostring(err.kind) .. " " .. tostring(err.status or 0) .. " " ..
    tostring(err.message)), "\n")
end
c:close()
]])
      f:close()
    end)
    teardown(function() if script then os.remove(script) end end)

    local function run(env, endpoints)
      local parts = { "env -u http_proxy -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY -u no_proxy",
                      "-u NO_PROXY -u all_proxy -u ALL_PROXY" }
      for k, v in pairs(env) do parts[#parts + 1] = k .. "=" .. q(v) end
      parts[#parts + 1] = q(helper.LUA) .. " " .. q(script) .. " " .. q(endpoints)
      local _, out = helper.run(table.concat(parts, " ") .. " 2>&1")
      return out
    end

    local function seen()
      local t = {}
      for i, r in ipairs(mock:requests()) do t[i] = r.method .. " " .. r.target end
      return t
    end

    it("an HTTPS:// endpoint (scheme in capitals) takes https_proxy, not http_proxy", function()
      local dead = helper.dead_port()
      for _, scheme in ipairs({ "https", "HTTPS", "Https" }) do
        mock:reset()
        local out = run({ http_proxy = mock.url }, scheme .. "://127.0.0.1:" .. dead)
        assert.truthy(out:find("port " .. dead, 1, true), out) -- straight to the endpoint
        assert.are.same({}, seen())
        out = run({ https_proxy = mock.url }, scheme .. "://127.0.0.1:" .. dead)
        assert.truthy(out:find("^transport"), out)
        assert.are.same({ "CONNECT 127.0.0.1:" .. dead, "CONNECT 127.0.0.1:" .. dead }, seen())
      end
    end)

    it("failover from a direct https endpoint to a proxied http one: the proxy gets the whole URL", function()
      local dead = helper.dead_port()
      mock:reset()
      local out = run({ http_proxy = mock.url }, "https://127.0.0.1:" .. dead .. " http://example.invalid/p")
      assert.truthy(out:find("^api 404"), out)
      local url = "GET http://example.invalid/p/v2/apps/app/individual-stream-jobs/j1"
      assert.are.same({ url, url }, seen())
    end)

    it("failover from a proxied http endpoint to a direct https one: no proxy for it", function()
      local dead_proxy, dead = helper.dead_port(), helper.dead_port()
      local out = run({ http_proxy = "http://127.0.0.1:" .. dead_proxy },
        "http://example.invalid HTTPS://127.0.0.1:" .. dead)
      -- the last attempt went to the https endpoint itself, not to the http proxy
      local first = out:match("^[^\n]*")
      assert.truthy(first:find("port " .. dead, 1, true), out)
    end)
  end)
end)
