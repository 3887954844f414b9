-- rtc.cli.client: the `rtc` module (loaded once, with a clear error when it cannot be) and the
-- client a command runs with: credentials, endpoints, timeouts, proxy and TLS from the flags and
-- the environment.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local credentials = require "rtc.cli.credentials"

local err_line, getenv = console.err_line, console.getenv

local M = {}

local rtc

-- the module, or exit 2 when it cannot be loaded
function M.module()
  if rtc then return rtc end
  local ok, m = pcall(require, "rtc")
  if not ok then
    if tostring(m):find("module 'rtc' not found", 1, true) then   -- one line, not the search list
      err_line("cannot load the module 'rtc' (rtc.so): it is not on package.cpath; installed with"
        .. " LuaRocks, run eval \"$(luarocks path)\" first; from a checkout, run make (or set RTC_CPATH)")
    else
      err_line("cannot load the module 'rtc': " .. tostring(m))
    end
    console.exit(2)
  end
  rtc = m
  return rtc
end

local function split_endpoints(list)
  local eps = {}
  for _, item in ipairs(list) do
    for ep in item:gmatch("[^,%s]+") do eps[#eps + 1] = ep end
  end
  return eps
end

-- a client for the parsed flags, or exit (2 when there are no credentials)
function M.new(o)
  M.module()
  local opts = credentials.options(o)
  if type(rtc.credentials) ~= "function" then
    err_line("the module 'rtc' has no credentials(): it is older than this command")
    console.exit(2)
  end
  opts.debug = credentials.warning_filter(nil)   -- a file others can read: always said
  local ok, info, e = pcall(rtc.credentials, opts)
  opts.debug = nil
  if not ok or info == nil then
    local failure = ok and e or info
    err_line(errors.text(failure))
    console.exit(errors.failure_code(failure))
  end
  if type(info) ~= "table" or not (info.token or info.ak) then
    console.usage_error("no credentials: give --token/--token-file, or --ak with --sk/--sk-file and --project-id,"
      .. " set RTC_AUTH_TOKEN or HUAWEICLOUD_SDK_AK/SK/PROJECT_ID, or use a profile (--profile)")
  end
  local eps = o.endpoint and split_endpoints(o.endpoint)
    or (getenv("RTC_ENDPOINT") and split_endpoints({ getenv("RTC_ENDPOINT") }))
  if eps and #eps == 1 then opts.endpoint = eps[1]
  elseif eps and #eps > 1 then opts.endpoint = eps end
  if o.retries then opts.retries = o.retries end
  if o.timeout then
    local r = o.retries or 2
    opts.timeout = o.timeout
    opts.connect_timeout = math.min(o.timeout, 5)
    opts.deadline = o.timeout * (r + 1) + 5 * r   -- every attempt and its backoff fit
  end
  if o.connect_timeout then opts.connect_timeout = o.connect_timeout end
  if o.deadline then opts.deadline = o.deadline end
  if o.proxy then opts.proxy = o.proxy end
  if o.ca_file then opts.ca_file = o.ca_file end
  if o.insecure then opts.insecure = true end
  if o.concurrency then opts.concurrency = o.concurrency end
  if o.debug then opts.debug = credentials.warning_filter(console.debug_line) end
  opts.user_agent = console.PROG .. "/" .. tostring(rtc._VERSION)
  local made, client = pcall(rtc.new, opts)
  if not made then
    err_line(errors.text(client))
    console.exit(errors.failure_code(client))
  end
  return client
end

return M
