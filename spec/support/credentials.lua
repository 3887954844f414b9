-- spec/support/credentials.lua — for spec/client/credentials_spec.lua and credentials_e2e_spec.lua:
-- every case runs in a child interpreter with a clean environment (env -i) and its own HOME, so
-- the chain sees only what the case sets; the metadata service is mock/metadata.lua on 127.0.0.1.
-- new() makes a temporary HOME (the spec removes it, tmp) and gives the helpers on it.
local helper = require "spec.helper"
local cjson = require "cjson"
local http = require "socket.http"
local assert = require("busted").assert

local M = {}

function M.new()
  local q = helper.shell_quote
  local CPATH = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
  if not CPATH:match("^/") then CPATH = helper.ROOT .. "/" .. CPATH:gsub("^%./", "") end

  local tmp = os.tmpname()
  os.remove(tmp)
  assert(os.execute("mkdir -p " .. q(tmp) .. "/home/.huaweicloud"))
  local HOME = tmp .. "/home"
  local DEFAULT_FILE = HOME .. "/.huaweicloud/credentials"

  local function write(path, text, mode)
    local f = assert(io.open(path, "w"))
    f:write(text)
    f:close()
    os.execute("chmod " .. (mode or "600") .. " " .. q(path))
  end

  -- The child: runs `body` (Lua code using `rtc`, `opts`, `lines`) and prints a JSON report.
  local CHILD = tmp .. "/child.lua"
  write(CHILD, [[
  package.cpath = arg[1] .. ";" .. package.cpath
  package.path = arg[2] .. "/?.lua;" .. arg[2] .. "/mock/?.lua;" .. package.path
  local rtc = require "rtc"
  local cjson = require "cjson"
  local lines = {}
  -- Lua 5.1's load takes only a function: loadstring and setfenv there
  local function load_text(text, name, env)
    if setfenv then
      local f = assert(loadstring(text, name))
      return env and setfenv(f, env) or f
    end
    return assert(load(text, name, "t", env))
  end
  local opts = load_text("return " .. arg[3], "opts")()
  if opts and opts.debug == nil then opts.debug = function(l) lines[#lines + 1] = l end end
  local body = load_text(arg[4], "body", setmetatable({ rtc = rtc, opts = opts, lines = lines },
    { __index = _G }))
  local ok, t, e = pcall(body)
  local function plain_err(x)
    if type(x) ~= "table" then return { raised = tostring(x) } end
    return { kind = x.kind, message = x.message, field = x.field, text = tostring(x) }
  end
  local out = { lines = lines }
  if not ok then out.raised = plain_err(t)
  else out.t = t; out.err = e and plain_err(e) end
  io.write(cjson.encode(out))
  ]])

  -- env: a table of variables (HOME defaults to the spec's); opts: Lua source of the options
  -- table (or "nil"); body: defaults to `return rtc.credentials(opts)`.
  local function child(env, opts, body)
    local parts = { "env -i", "PATH=" .. q(os.getenv("PATH") or "/usr/bin:/bin") }
    local has_home = false
    for k, v in pairs(env or {}) do
      parts[#parts + 1] = k .. "=" .. q(v)
      if k == "HOME" then has_home = true end
    end
    if not has_home then parts[#parts + 1] = "HOME=" .. q(HOME) end
    parts[#parts + 1] = helper.LUA
    for _, a in ipairs({ CHILD, CPATH, helper.ROOT, opts or "nil",
                         body or "return rtc.credentials(opts)" }) do
      parts[#parts + 1] = q(a)
    end
    local code, out, err = helper.run(table.concat(parts, " "))
    assert(code == 0, "child failed: " .. tostring(err) .. tostring(out))
    return cjson.decode(out)
  end

  local function resolve(env, opts) return child(env, opts or "{}") end

  local function assert_invalid(r, kind, pattern)
    assert.is_nil(r.t ~= cjson.null and r.t or nil)
    assert.truthy(r.err, "expected nil, err; got " .. cjson.encode(r))
    assert.equal(kind or "invalid", r.err.kind)
    if pattern then
      assert.truthy(r.err.message:find(pattern), r.err.message .. " does not match " .. pattern)
    end
    return r.err
  end

  -- secrets used below: none may show up in any message, debug line or tostring
  local SECRETS = { "opt-sk-secret", "env-sk-secret", "prof-sk-secret", "tok-secret-1",
                    "env-tok-secret", "meta-sk-", "meta-st-", "prof-st-secret", "session-" }
  local function assert_no_secret(r)
    local text = cjson.encode(r)
    for _, s in ipairs(SECRETS) do
      assert.is_nil(text:find(s, 1, true), "a secret (" .. s .. ") leaked: " .. text)
    end
  end

  ---------------------------------------------------------------------------------- metadata mock
  local Meta = {}
  Meta.__index = Meta

  local function start_metadata(args)
    local cmd = table.concat({ helper.MOCK_LUA, q(helper.ROOT .. "/mock/metadata.lua"), "--port 0",
      args or "" }, " ")
    local stat = io.open("/proc/self/stat") -- this interpreter's own: the server exits when it does
    local parent = stat and stat:read("*l"):match("^%d+")
    if stat then stat:close() end
    if parent then cmd = cmd .. " --parent-pid " .. parent end
    local pid, port = helper.spawn_listener(cmd, "/dev/null")
    assert(port, "metadata mock did not start")
    return setmetatable({ pid = pid, url = "http://127.0.0.1:" .. port }, Meta)
  end

  function Meta:stats()
    local body = assert(http.request(self.url .. "/_meta/stats"))
    return cjson.decode(body)
  end

  function Meta:mode(m)
    assert(http.request(self.url .. "/_meta/mode/" .. m, ""))
  end

  function Meta:stop()
    http.request(self.url .. "/_meta/shutdown", "")
    os.execute("kill " .. self.pid .. " 2>/dev/null")
  end

  return {
    q = q, tmp = tmp, HOME = HOME, DEFAULT_FILE = DEFAULT_FILE, write = write, child = child,
    resolve = resolve, assert_invalid = assert_invalid, SECRETS = SECRETS,
    assert_no_secret = assert_no_secret, start_metadata = start_metadata,
  }
end

return M
