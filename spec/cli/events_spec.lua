-- spec/cli/events_spec.lua — `rtcjob events verify` and `rtcjob events listen` (rtc/cli/events.lua):
-- the worked signature of EVENTS.md, the refusals and their exit codes, the key from a file,
-- stdin or the environment; a listener receiving the mock's deliveries of a stopped job.
local helper = require "spec.helper"
local cjson = require "cjson"
local socket = require "socket"

local KEY = "0123456789abcdef0123456789abcdef"
local BODY = '{"event_type":"RECORD_NEW_FILE_START","job_id":"my-job"}'
local SIG = "f814ec9ab006b1afcb9806cea8367eb9be673b19ebb29cc90540e97a3fa16db6"
local HEADERS = "--rand 8c1f4e2a --timestamp 1764576000 --signature " .. SIG

local function verify(flags, opts)
  opts = opts or {}
  opts.stdin = opts.stdin or BODY
  return helper.rtcjob("events verify " .. flags, opts)
end

describe("rtcjob events verify", function()
  local keyfile
  setup(function() keyfile = helper.write_temp(KEY .. "\n") end)
  teardown(function() os.remove(keyfile) end)

  it("prints the event of the worked signature (key from a file), exit 0", function()
    local r = verify(HEADERS .. " --no-max-age --json --auth-key-file " .. keyfile)
    assert.equal(0, r.code, r.err)
    assert.equal("my-job", r.json.job_id)
    assert.equal("8c1f4e2a", r.json.x_rtc.rand)
    assert.is_nil(r.out:find(KEY, 1, true))
  end)

  it("takes the key from RTC_EVENTS_AUTH_KEY, or from stdin with the body in a file", function()
    local r = verify(HEADERS .. " --no-max-age --json", { extra_env = "RTC_EVENTS_AUTH_KEY=" .. KEY })
    assert.equal(0, r.code, r.err)
    local body = helper.write_temp(BODY)
    r = verify(HEADERS .. " --no-max-age --json --auth-key-file - --body-file " .. body, { stdin = KEY })
    os.remove(body)
    assert.equal(0, r.code, r.err)
    assert.equal("RECORD_NEW_FILE_START", r.json.event_type)
  end)

  it("prints the chosen output (--output text, --query)", function()
    local r = verify(HEADERS .. " --no-max-age --output text --auth-key-file " .. keyfile)
    assert.equal(0, r.code, r.err)
    assert.matches("job_id%s+my%-job", r.out)
    r = verify(HEADERS .. " --no-max-age --query job_id --json --auth-key-file " .. keyfile)
    assert.equal('"my-job"\n', r.out)
  end)

  it("refuses a tampered body, a wrong key, a stale timestamp, missing headers: exit 1", function()
    local cases = {
      { HEADERS .. " --no-max-age", BODY:gsub("my%-job", "other") },
      { HEADERS:gsub("8c1f4e2a", "8c1f4e2b") .. " --no-max-age", BODY },
      { HEADERS, BODY }, -- the default max_age: 2025 is long past
      { "--rand 8c1f4e2a --no-max-age", BODY },
    }
    for _, c in ipairs(cases) do
      local r = verify(c[1] .. " --auth-key-file " .. keyfile, { stdin = c[2] })
      assert.equal(1, r.code, c[1])
      assert.matches("^rtcjob: signature: ", r.err)
      assert.equal("", r.out)
    end
  end)

  it("refuses a body that is not an event: exit 1, kind decode naming the field", function()
    local r = verify("--unsigned", { stdin = '{"width":1.5}' })
    assert.equal(1, r.code)
    assert.matches("^rtcjob: decode: .*width", r.err)
    r = verify("--unsigned --json", { stdin = '{"job_id":"j","extra":[1]}' })
    assert.equal(0, r.code)
    assert.same({ 1 }, r.json.extra)
  end)

  it("is a usage error without a key, or with a bad subcommand: exit 2", function()
    assert.equal(2, verify(HEADERS).code)
    assert.equal(2, helper.rtcjob("events frobnicate").code)
    assert.equal(2, helper.rtcjob("events listen").code) -- no --port
  end)
end)

-- runs cmd (ending in "& echo $!") and waits for "listening on 127.0.0.1:PORT" in err_file
local function start_listener(cmd, err_file)
  local sh = io.popen(cmd)
  local pid = tonumber(sh:read("*l"))
  sh:close()
  local port
  for _ = 1, 1000 do
    port = (helper.read_file(err_file) or ""):match("listening on 127%.0%.0%.1:(%d+)")
    if port then break end
    socket.sleep(0.01)
  end
  if not port then os.execute("kill " .. pid .. " 2>/dev/null") end
  assert(port, "the listener did not start: " .. tostring(helper.read_file(err_file)))
  return pid, tonumber(port)
end

describe("rtcjob events listen", function()
  local mock
  setup(function() mock = helper.start_mock() end)
  teardown(function() mock:stop() end)

  it("prints each verified event of the mock's deliveries as one JSON line", function()
    local keyfile, out_file, err_file = helper.write_temp(KEY), os.tmpname(), os.tmpname()
    local cmd = "cd " .. helper.shell_quote(helper.ROOT) .. " && " .. helper.LUA
      .. " bin/rtcjob events listen --port 0 --auth-key-file " .. keyfile
      .. " >" .. out_file .. " 2>" .. err_file .. " </dev/null & echo $!"
    local pid, port = start_listener(cmd, err_file)
    finally(function() os.execute("kill " .. pid .. " 2>/dev/null") end)
    local T = { ["x-auth-token"] = "test-token" }
    assert.equal(200, (mock:request("PUT", "/v2/apps/cli-app/record-callback", { headers = T,
      body = cjson.encode({ url = "http://127.0.0.1:" .. port .. "/", auth_key = KEY }) })))
    local _, job = mock:request("POST", "/v2/apps/cli-app/individual-stream-jobs", { headers = T,
      body = cjson.encode({ room_id = "r", user_id = "u", record_param = { record_rule_id = "x" } }) })
    job = cjson.decode(job)
    local stopped = mock:request("DELETE", "/v2/apps/cli-app/individual-stream-jobs/" .. job.job_id, { headers = T })
    assert.equal(204, stopped)
    -- the events printed, a retried delivery (same rand: the mock retries when an attempt
    -- times out on a stalled machine) counted once
    local function unique_lines()
      local out, rands = {}, {}
      for _, l in ipairs(helper.lines_of(helper.read_file(out_file) or "")) do
        local rand = cjson.decode(l).x_rtc.rand
        if not rands[rand] then rands[rand] = true; out[#out + 1] = l end
      end
      return out
    end
    local lines
    for _ = 1, 3000 do
      lines = unique_lines()
      if #lines >= 3 then break end
      socket.sleep(0.01)
    end
    assert.equal(3, #lines, helper.read_file(err_file))
    local types = {}
    for i, l in ipairs(lines) do
      local ev = cjson.decode(l)
      types[i] = ev.event_type
      assert.equal(job.job_id, ev.job_id)
    end
    assert.same({ "RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE", "CLOUD_RECORD_SERVER_OVER" }, types)
    local complete = cjson.decode(lines[2])
    assert.matches("^https://", complete.download_url)
    assert.matches('"record_duration":%d+[,}]', lines[2])
    for _, f in ipairs({ keyfile, out_file, err_file }) do os.remove(f) end
  end)

  it("answers 401 to a bad signature, 405 to a GET, and ends after --count events", function()
    local out_file, err_file = os.tmpname(), os.tmpname()
    local pid, port = start_listener("cd " .. helper.shell_quote(helper.ROOT) .. " && RTC_EVENTS_AUTH_KEY=" .. KEY
      .. " " .. helper.LUA .. " bin/rtcjob events listen --port 0 --count 1 --no-max-age >" .. out_file
      .. " 2>" .. err_file .. " </dev/null & echo $!", err_file)
    finally(function() os.execute("kill " .. pid .. " 2>/dev/null") end)
    local function post(method, headers)
      local c = assert(socket.connect("127.0.0.1", port))
      c:settimeout(10)
      local lines = { method .. " / HTTP/1.1", "Host: x", "Content-Length: " .. #BODY }
      for k, v in pairs(headers) do lines[#lines + 1] = k .. ": " .. v end
      c:send(table.concat(lines, "\r\n") .. "\r\n\r\n" .. BODY)
      local status = tonumber((c:receive("*l") or ""):match("^HTTP/1%.1 (%d+)"))
      c:close()
      return status
    end
    local good = { ["X-Rtc-Rand"] = "8c1f4e2a", ["X-Rtc-Timestamp"] = "1764576000", ["X-Rtc-Signature"] = SIG }
    assert.equal(405, post("GET", good))
    assert.equal(401, post("POST", { ["X-Rtc-Rand"] = "8c1f4e2a", ["X-Rtc-Timestamp"] = "1764576000",
      ["X-Rtc-Signature"] = SIG:gsub("^f", "0") }))
    assert.equal(200, post("POST", good))
    local gone = false
    for _ = 1, 1000 do
      if not helper.pid_alive(pid) then gone = true break end
      socket.sleep(0.01)
    end
    assert.is_true(gone, "the listener did not end after --count 1")
    local lines = helper.lines_of(helper.read_file(out_file) or "")
    assert.equal(1, #lines)
    assert.equal("my-job", cjson.decode(lines[1]).job_id)
    assert.matches("signature: X%-Rtc%-Signature does not match", helper.read_file(err_file))
    os.remove(out_file)
    os.remove(err_file)
  end)
end)
