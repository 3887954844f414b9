-- spec/support/client.lua — rtc clients on a mock (spec/support/mock.lua), batch entries, and
-- the rtc.error check.
local client = {}

-- rtc.new with endpoint = mock.url, token = mock.token, plus opts (opts.token = false drops it)
function client.client(mock, opts)
  local o = { endpoint = mock.url, token = mock.token }
  for k, v in pairs(opts or {}) do o[k] = v end
  if o.token == false then o.token = nil end
  return require("rtc").new(o)
end

-- helper.client that never retries (unless opts say so): one request per call
function client.client_once(mock, opts)
  local o = { retries = 0 }
  for k, v in pairs(opts or {}) do o[k] = v end
  return client.client(mock, o)
end

-- n batch entries { "get_job", app, prefix .. i } (app "app", prefix "j" by default)
function client.get_job_calls(n, prefix, app)
  local calls = {}
  for i = 1, n do calls[i] = { "get_job", app or "app", (prefix or "j") .. i } end
  return calls
end

-- rtc.new with endpoint, ak, sk, project_id of the mock, plus opts
function client.aksk_client(mock, opts)
  local o = { endpoint = mock.url, ak = mock.ak, sk = mock.sk, project_id = mock.project_id }
  for k, v in pairs(opts or {}) do o[k] = v end
  return require("rtc").new(o)
end

-- err is an rtc.error (a table with that metatable), of the given kind when there is one
function client.is_error(err, kind)
  local assert = require("busted").assert
  assert.is_table(err, "expected an error object, got " .. tostring(err))
  assert.are.equal("rtc.error", getmetatable(err) and getmetatable(err).__name)
  if kind then assert.are.equal(kind, err.kind, tostring(err)) end
end

return client
