-- mock/server/options.lua — the mock server's command line: its --help text, and arg read into
-- the server's options and the API's configuration (the config of mock/sparkrtc.lua's new).

local O = {}

O.USAGE = [[
usage: lua5.4 mock/server.lua --port PORT [options]
  --port N            port to listen on (0: a free one)             [8080]
  --host H            address to bind                               [127.0.0.1]
  --token T           accepted X-Auth-Token (repeatable)            [test-token]
  --aksk AK:SK        accepted access key and secret (repeatable)   [test-ak:test-sk]
  --project-id P      required X-Project-Id with AK/SK              [test-project]
  --any-project       accept any non-empty X-Project-Id
  --no-tokens         accept no token        --no-aksk   accept no AK/SK
  --no-auth           no authentication at all
  --unknown-app A     app id answered with 404 (repeatable)         [no-such-app]
  --strict            apps must be created; job record rules must exist
  --seed              start with app my-app, rule my-rule, RUNNING job my-job
  --rate N            answer 429 past N API requests per second     [0: no limit]
  --rule-location L   accepted obs_addr.location (repeatable)       [cn-north-4]
  --offset-items      list offsets count items (default: pages)
  --delay-all S       delay every API answer by S seconds
  --pid-file F        write the process id to F
  --parent-pid PID    exit when process PID is gone
  --allow-callbacks-to-any  POST recording events to any address (default: loopback only)
  --verbose           log every request on stderr
]]

local function append(list, v)
  list = list or {}
  list[#list + 1] = v
  return list
end

-- flag -> function(opts, cfg, value): value is the next argument for the flags of WANTS_VALUE;
-- a returned string is the error (for stderr) that stops the parse
local FLAGS = {
  ["--port"] = function(o, _, v) o.port = tonumber(v) end,
  ["--host"] = function(o, _, v) o.host = v end,
  ["--token"] = function(_, c, v) c.tokens = append(c.tokens, v) end,
  ["--no-tokens"] = function(_, c) c.tokens = c.tokens or {} end,
  ["--aksk"] = function(_, c, v)
    local ak, sk = v:match("^([^:]+):(.*)$")
    if not ak then return "--aksk wants AK:SK\n" end
    c.aksk = c.aksk or {}
    c.aksk[ak] = sk
  end,
  ["--no-aksk"] = function(_, c) c.aksk = c.aksk or {} end,
  ["--project-id"] = function(_, c, v) c.project_id = v end,
  ["--any-project"] = function(_, c) c.project_id = false end,
  ["--no-auth"] = function(_, c) c.auth = false end,
  ["--unknown-app"] = function(_, c, v) c.unknown_apps = append(c.unknown_apps, v) end,
  ["--delay-all"] = function(o, _, v) o.delay_all = tonumber(v) or 0 end,
  ["--strict"] = function(_, c) c.strict = true end,
  ["--seed"] = function(_, c) c.seed = true end,
  ["--offset-items"] = function(_, c) c.offset_items = true end,
  ["--rate"] = function(o, _, v)
    o.rate = tonumber(v)
    if not o.rate or o.rate < 0 then return "--rate wants a number >= 0\n" end
  end,
  ["--rule-location"] = function(_, c, v) c.rule_locations = append(c.rule_locations, v) end,
  ["--pid-file"] = function(o, _, v) o.pid_file = v end,
  ["--parent-pid"] = function(o, _, v) o.parent_pid = tonumber(v) end,
  ["--allow-callbacks-to-any"] = function(o) o.callbacks_to_any = true end,
  ["--verbose"] = function(o) o.verbose = true end,
}
FLAGS["-v"] = FLAGS["--verbose"]
O.FLAGS = FLAGS

local WANTS_VALUE = { ["--port"] = true, ["--host"] = true, ["--token"] = true, ["--aksk"] = true,
  ["--project-id"] = true, ["--unknown-app"] = true, ["--delay-all"] = true, ["--rate"] = true,
  ["--rule-location"] = true, ["--pid-file"] = true, ["--parent-pid"] = true }

-- argv (the script's arg) -> opts {port, host, delay_all, rate, pid_file, parent_pid, verbose},
-- cfg (for sparkrtc.new); or nil, text, exit status: 0 for --help (text for stdout), else 2
-- (text for stderr)
function O.parse(argv)
  local opts = { port = 8080, host = "127.0.0.1", delay_all = 0, rate = 0 }
  local cfg = {}
  local i = 1
  while argv[i] do
    local a = argv[i]
    if a == "--help" or a == "-h" then return nil, O.USAGE, 0 end
    local set = FLAGS[a]
    if not set then return nil, "unknown option " .. a .. "\n" .. O.USAGE, 2 end
    local value
    if WANTS_VALUE[a] then
      i = i + 1
      value = argv[i]
      if value == nil then return nil, "missing value for " .. a .. "\n" .. O.USAGE, 2 end
    end
    local err = set(opts, cfg, value)
    if err then return nil, err, 2 end
    i = i + 1
  end
  if not opts.port then return nil, "bad --port\n", 2 end
  return opts, cfg
end

return O
