-- spec/support/util.lua — what every spec may need: the interpreters, the repository root and
-- the module paths (set when this is loaded), time, files, tables, a free port. spec/helper.lua
-- re-exports all of it.
local util = {}

util.LUA = os.getenv("RTC_LUA") or "lua5.4"
-- the interpreter that runs mock/server.lua (env RTC_MOCK_LUA; it also runs under luajit)
util.MOCK_LUA = os.getenv("RTC_MOCK_LUA") or "lua5.4"

-- the repository root, from this file's own path (spec/support/util.lua)
local function root_dir()
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) == "@" then
    local d = src:sub(2):match("^(.*)/spec/support/[^/]*$")
    if d then return d end
    if src:sub(2):match("^spec/support/[^/]*$") then return "." end
  end
  return "."
end
util.ROOT = root_dir()

do
  local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so"
  if not package.cpath:find(cpath, 1, true) then package.cpath = cpath .. ";" .. package.cpath end
  local paths = "./?.lua;./mock/?.lua;"
  if util.ROOT ~= "." then paths = paths .. util.ROOT .. "/?.lua;" .. util.ROOT .. "/mock/?.lua;" end
  if not package.path:find("./mock/?.lua", 1, true) then package.path = paths .. package.path end
end

local socket = require "socket"

util.sleep = socket.sleep
util.gettime = socket.gettime

function util.shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function util.read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function util.file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- A temporary file holding content (the caller removes it).
function util.write_temp(content)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
  return path
end

-- The hex HMAC-SHA256 of content with key by the openssl command, nil when it cannot run: an
-- independent check of the module's HMACs (content goes through a file: any bytes pass).
function util.openssl_hmac(key, content)
  local path = util.write_temp(content)
  local p = io.popen("openssl dgst -sha256 -hmac " .. util.shell_quote(key) .. " "
    .. util.shell_quote(path) .. " 2>/dev/null")
  local out = p and p:read("*a") or ""
  if p then p:close() end
  os.remove(path)
  return out:match("= (%x+)%s*$")
end

function util.lines_of(s)
  local t = {}
  for l in s:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

-- a deep copy without metatables (to compare with assert.same, to list keys, to change freely);
-- skip: a key of t itself left out
function util.plain(t, skip)
  if type(t) ~= "table" then return t end
  local o = {}
  for k, v in pairs(t) do
    if k ~= skip then o[k] = util.plain(v) end
  end
  return o
end

local unpack = table.unpack or unpack
local function pack(...) return { n = select("#", ...), ... } end

-- elapsed seconds, then everything f returned
function util.timed(f, ...)
  local t0 = socket.gettime()
  local r = pack(f(...))
  return socket.gettime() - t0, unpack(r, 1, r.n)
end

-- a loopback port nothing listens on now (bound, then closed), for a server to take; another
-- process may take it first (a server started on it must cope: start again on another)
function util.free_port()
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return tonumber(port)
end

-- a loopback port nothing listens on, and nothing can while this process lives: it stays bound
-- (never listening, no SO_REUSEADDR), so a connection to it is refused whoever else tests on the
-- machine (a port merely closed could be taken by another process's listener meanwhile)
local held = {}
function util.dead_port()
  local s = assert(socket.tcp())
  assert(s:bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  held[#held + 1] = s
  return tonumber(port)
end

-- inside a describe: with a reason (what is missing), the block is pending and this returns true
--   if helper.skipped(missing()) then return end
-- (busted's API is taken from require "busted" when called: examples/demo.lua and
-- memcheck/driver.lua load these modules outside busted)
function util.skipped(reason)
  if not reason then return false end
  require("busted").pending("skipped: " .. reason)
  return true
end

return util
