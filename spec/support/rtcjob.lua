-- spec/support/rtcjob.lua — the rtcjob command (bin/rtcjob), as a subprocess.
local util = require "spec.support.util"
local proc = require "spec.support.proc"

local shell_quote = util.shell_quote

local M = {}

-- the credentials and settings a developer's shell may hold: never seen by the command's specs
local CLI_CLEAN_ENV = "env -u HUAWEICLOUD_SDK_AK -u HUAWEICLOUD_SDK_SK -u HUAWEICLOUD_SDK_PROJECT_ID"
  .. " -u HUAWEICLOUD_SDK_SECURITY_TOKEN -u RTC_AUTH_TOKEN -u RTC_ENDPOINT -u SOURCE_DATE_EPOCH"
  .. " -u HUAWEICLOUD_SDK_CREDENTIALS_FILE -u RTC_APP_KEY -u RTC_EVENTS_AUTH_KEY"

-- Runs bin/rtcjob (args: a shell word list) from the repository root. opts.url (the mock's)
-- and the test token are its environment unless opts.env replaces them; opts.extra_env adds to
-- them; opts.stdin is fed to it; opts.tty runs it under script(1), so that its output is a
-- terminal. -> { code, out, err, json = the output decoded, when it is JSON }
function M.rtcjob(args, opts)
  opts = opts or {}
  local env = opts.env or ("RTC_ENDPOINT=" .. (opts.url or "http://127.0.0.1:1")
    .. " RTC_AUTH_TOKEN=test-token")
  if opts.extra_env then env = env .. " " .. opts.extra_env end
  local cmd = "cd " .. shell_quote(util.ROOT) .. " && " .. CLI_CLEAN_ENV .. " " .. env .. " "
    .. util.LUA .. " bin/rtcjob " .. args
  local infile = util.write_temp(opts.stdin or "")
  if opts.tty then
    cmd = "script -qec " .. shell_quote(cmd .. " <" .. infile) .. " /dev/null </dev/null"
  else
    cmd = cmd .. " <" .. infile
  end
  local code, out, err = proc.run(cmd)
  os.remove(infile)
  local json
  if out:match('^%s*[{%["]') then
    local ok, v = pcall(require("cjson").decode, out)
    if ok then json = v end
  end
  return { code = code, out = out, err = err, json = json }
end

-- A runner of bin/rtcjob (helper.rtcjob) against the mock that mock_of() returns, keeping every
-- output it saw; assert_no_secrets(secrets, at_least) checks them all at the end of a spec file.
function M.rtcjob_recorder(mock_of)
  local rec = { outputs = {} }
  function rec.run(args, opts)
    opts = opts or {}
    opts.url = mock_of().url
    local r = M.rtcjob(args, opts)
    rec.outputs[#rec.outputs + 1] = { args = args, out = r.out, err = r.err }
    return r
  end
  function rec.assert_no_secrets(secrets, at_least)
    local assert = require("busted").assert
    assert.truthy(#rec.outputs > at_least)
    for _, o in ipairs(rec.outputs) do
      for _, s in ipairs(secrets) do
        assert.is_nil(o.out:find(s, 1, true), o.args .. ": stdout has " .. s)
        assert.is_nil(o.err:find(s, 1, true), o.args .. ": stderr has " .. s)
      end
    end
  end
  return rec
end

return M
