-- rtc.cli.sign: the `sign` command: the SDK-HMAC-SHA256 headers of a request from rtc.sign
-- (nothing is sent), as 'Name: value' lines or JSON, optionally with the canonical request.
local console = require "rtc.cli.console"
local errors = require "rtc.cli.errors"
local json = require "rtc.cli.json"
local flagrows = require "rtc.cli.flags"
local credentials = require "rtc.cli.credentials"
local client_of = require "rtc.cli.client"

local esc, out, usage_error, getenv = console.esc, console.out, console.usage_error, console.getenv

local SIGNED_SCHEMA = { fields = { { name = "headers" }, { name = "canonical_request" } } }

local M = {}

-- run(cmd, o, pos)
local function run(cmd, o, pos)
  flagrows.need_pos(cmd, pos, 2, 2)
  local method, url = pos[1], pos[2]
  if o.sk and o.sk_file then usage_error("give --sk or --sk-file, not both") end
  -- flags, then the environment (as the chain orders them), then the chain's profile file
  local ak = o.ak or getenv("HUAWEICLOUD_SDK_AK")
  local sk = o.sk or (o.sk_file and credentials.read_secret(o.sk_file, "--sk-file")) or getenv("HUAWEICLOUD_SDK_SK")
  if o.token or o.token_file then usage_error("'sign' signs with AK/SK: a token cannot sign a request") end
  if o.body and o.body_file then usage_error("give --body or --body-file, not both") end
  local body = o.body
  if o.body_file then body = credentials.read_input(o.body_file, "--body-file") end
  local headers = {}
  for _, kv in ipairs(o.header or {}) do headers[kv[1]] = kv[2] end
  local req = { method = method:upper(), url = url, headers = headers, body = body }
  if ak and sk then
    -- both keys given (flags or environment): any endpoint, a project only when one is given
    req.ak, req.sk = ak, sk
    local project = o.project_id or getenv("HUAWEICLOUD_SDK_PROJECT_ID")
    if project then
      local present = false
      for k in pairs(headers) do if k:lower() == "x-project-id" then present = true end end
      if not present then headers["X-Project-Id"] = project end
    end
  else
    -- the credentials chain, as every other command reads it: flags, environment, profile file
    req.credentials = { ak = ak, sk = sk, project_id = o.project_id, security_token = o.security_token,
                        profile = o.profile }
  end
  local rtc = client_of.module()
  if req.credentials then credentials.warn_about_file(rtc, o) end
  local ok, signed, canonical = pcall(rtc.sign, req)
  if not ok or not signed then
    local e = ok and canonical or signed
    console.err_line(errors.text(e))
    return errors.failure_code(e)
  end
  -- a security token from the chain is a secret too: shown masked, as everywhere
  for k, v in pairs(signed) do if k:lower() == "x-security-token" then console.add_secret(v) end end
  local names = {}
  for k in pairs(signed) do names[#names + 1] = k end
  table.sort(names, function(a, b) return a:lower() < b:lower() end)
  if o.json or o.output == "json" or o.output == "ndjson" then
    out(json.encode({ headers = signed, canonical_request = canonical }, SIGNED_SCHEMA) .. "\n")
  else
    for _, k in ipairs(names) do out(esc(k) .. ": " .. esc(tostring(signed[k])) .. "\n") end
    if o.canonical and type(canonical) == "string" then
      local lines = {}
      for line in (canonical .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = esc(line) end
      out("\n" .. table.concat(lines, "\n") .. "\n")
    end
  end
  return 0
end

function M.commands()
  return { {
    name = "sign",
    usage = "sign METHOD URL [--body STRING | --body-file F] [--header K:V]... [--canonical]",
    summary = "Print the SDK-HMAC-SHA256 signed headers of a request (nothing is sent).",
    args = { { name = "METHOD", help = "GET, POST, PUT, DELETE, ..." }, { name = "URL", help = "the request's URL" } },
    flags = {
      { "body", "STRING", "request body" },
      { "body-file", "FILE", "read the request body from FILE ('-' = stdin)" },
      { "header", "K:V", "a request header to sign (repeatable), e.g. X-Sdk-Date:20200608T023900Z",
        multi = true, type = "header" },
      { "canonical", nil, "also print the canonical request" },
    },
    notes = "Prints one 'Name: value' line per header to add to the request (JSON with --json).\n"
      .. "X-Sdk-Date (UTC, YYYYMMDDTHHMMSSZ) and Host are added unless given with --header.\n"
      .. "The keys come from the credentials chain, as for every command: flags, environment, profile file.",
    run = run } }
end

return M
