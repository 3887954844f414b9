-- spec/mock/server_cli_spec.lua — mock/server.lua's command line: mock/server/options.lua read
-- directly, then the server run as users run it (help, bad flags, a port it cannot bind, and a
-- start from another working directory with --pid-file, answered and shut down over HTTP).

local helper = require "spec.helper"
local socket = require "socket"
local options = require "server.options"

local function abs_root()
  if helper.ROOT:sub(1, 1) == "/" then return helper.ROOT end
  local p = assert(io.popen("pwd"))
  local cwd = p:read("*l")
  p:close()
  return cwd .. "/" .. helper.ROOT
end
local SERVER = abs_root() .. "/mock/server.lua"

local function server_cmd(args)
  return helper.MOCK_LUA .. " " .. helper.shell_quote(SERVER) .. " " .. args
end

describe("mock/server/options.lua", function()
  it("gives the defaults with no arguments", function()
    local opts, cfg = options.parse({})
    assert.same({ port = 8080, host = "127.0.0.1", delay_all = 0, rate = 0 }, opts)
    assert.same({}, cfg)
  end)

  it("reads every flag, repeatable ones into lists (or a map for --aksk)", function()
    local opts, cfg = options.parse({ "--port", "0", "--host", "0.0.0.0", "--token", "t1", "--token", "t2",
      "--aksk", "ak1:sk:with:colons", "--aksk", "ak2:", "--project-id", "p", "--unknown-app", "u1",
      "--unknown-app", "u2", "--delay-all", "0.5", "--strict", "--seed", "--offset-items", "--rate", "7",
      "--rule-location", "l1", "--rule-location", "l2", "--pid-file", "/tmp/x", "--parent-pid", "42", "-v" })
    assert.same({ port = 0, host = "0.0.0.0", delay_all = 0.5, rate = 7, pid_file = "/tmp/x",
      parent_pid = 42, verbose = true }, opts)
    assert.same({ tokens = { "t1", "t2" }, aksk = { ak1 = "sk:with:colons", ak2 = "" }, project_id = "p",
      unknown_apps = { "u1", "u2" }, strict = true, seed = true, offset_items = true,
      rule_locations = { "l1", "l2" } }, cfg)
  end)

  it("turns the no- flags into empty lists or false", function()
    local _, cfg = options.parse({ "--no-tokens", "--no-aksk", "--any-project", "--no-auth" })
    assert.same({ tokens = {}, aksk = {}, project_id = false, auth = false }, cfg)
    -- a --token after --no-tokens still counts
    _, cfg = options.parse({ "--no-tokens", "--token", "t" })
    assert.same({ "t" }, cfg.tokens)
  end)

  it("reads an unreadable --delay-all as 0", function()
    assert.equal(0, (options.parse({ "--delay-all", "soon" })).delay_all)
  end)

  it("answers --help and -h with the usage, for stdout and exit status 0", function()
    for _, flag in ipairs({ "--help", "-h" }) do
      local opts, text, status = options.parse({ "--port", "1", flag, "--bogus" })
      assert.is_nil(opts)
      assert.equal(options.USAGE, text)
      assert.equal(0, status)
    end
  end)

  it("refuses bad command lines with a message for stderr and exit status 2", function()
    local cases = {
      { { "--bogus" }, "unknown option --bogus\n" .. options.USAGE },
      { { "--seed", "--port" }, "missing value for --port\n" .. options.USAGE },
      { { "--token" }, "missing value for --token\n" .. options.USAGE },
      { { "--aksk", "no-colon" }, "--aksk wants AK:SK\n" },
      { { "--aksk", ":sk" }, "--aksk wants AK:SK\n" },
      { { "--rate", "-1" }, "--rate wants a number >= 0\n" },
      { { "--rate", "many" }, "--rate wants a number >= 0\n" },
      { { "--port", "eighty" }, "bad --port\n" },
    }
    for _, c in ipairs(cases) do
      local opts, text, status = options.parse(c[1])
      assert.is_nil(opts, table.concat(c[1], " "))
      assert.equal(c[2], text)
      assert.equal(2, status)
    end
  end)

  it("stops at the first error", function()
    local _, text = options.parse({ "--rate", "-1", "--bogus" })
    assert.equal("--rate wants a number >= 0\n", text)
  end)

  it("lists every flag it reads in its usage", function()
    local n = 0
    for flag in pairs(options.FLAGS) do
      n = n + 1
      assert.truthy(options.USAGE:find(flag, 1, true), flag)
    end
    assert.is_true(n >= 20)
  end)
end)

describe("mock/server.lua command line", function()
  it("prints the usage on stdout for --help and exits 0", function()
    local code, out, err = helper.run(server_cmd("--help"))
    assert.equal(0, code)
    assert.equal(options.USAGE, out)
    assert.equal("", err)
  end)

  it("exits 2 with the reason and the usage on stderr for an unknown flag", function()
    local code, out, err = helper.run(server_cmd("--port 0 --frobnicate"))
    assert.equal(2, code)
    assert.equal("", out)
    assert.equal("unknown option --frobnicate\n" .. options.USAGE, err)
  end)

  it("exits 2 for a bad flag value, before listening", function()
    local code, out, err = helper.run(server_cmd("--port 0 --aksk nocolon"))
    assert.equal(2, code)
    assert.equal("", out)
    assert.equal("--aksk wants AK:SK\n", err)
  end)

  it("exits 1 when it cannot listen", function()
    -- a port another socket holds
    local holder = assert(socket.bind("127.0.0.1", 0))
    local _, port = holder:getsockname()
    local code, out, err = helper.run(server_cmd("--port " .. port))
    holder:close()
    assert.equal(1, code)
    assert.equal("", out)
    assert.truthy(err:match("^mock: cannot listen on 127%.0%.0%.1:" .. port .. ": "), err)
  end)

  it("runs from any working directory, writes --pid-file and exits 0 on /_mock/shutdown", function()
    local pid_file = os.tmpname()
    local pid, port, out = helper.spawn_listener("cd / && "
      .. server_cmd("--port 0 --seed --pid-file " .. helper.shell_quote(pid_file)))
    local written = helper.read_file(pid_file)
    local function alive() return helper.file_exists("/proc/" .. pid .. "/stat")
      and not (helper.read_file("/proc/" .. pid .. "/stat") or ""):match("^%d+ %b() Z") end
    local status, body
    if port then
      local c = socket.tcp()
      c:settimeout(5)
      if c:connect("127.0.0.1", tonumber(port)) then
        c:send("GET /v2/apps/my-app/individual-stream-jobs/my-job HTTP/1.1\r\nHost: x\r\n"
          .. "X-Auth-Token: test-token\r\n\r\n"
          .. "POST /_mock/shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        body = c:receive("*a")
        status = body and body:match("^HTTP/1%.1 (%d+)")
      end
      c:close()
    end
    local t1 = socket.gettime()
    while alive() and socket.gettime() - t1 < 10 do socket.sleep(0.01) end
    local still = alive()
    if still then os.execute("kill " .. pid) end
    os.remove(pid_file)
    assert.truthy(port)
    assert.equal("listening on 127.0.0.1:" .. tostring(port) .. "\n", out)
    assert.equal(tostring(pid) .. "\n", written)
    assert.equal("200", status)
    assert.truthy(body:find('"job_id":"my-job"', 1, true))
    assert.truthy(body:find('{"ok":true}', 1, true))
    assert.is_false(still)
  end)
end)
