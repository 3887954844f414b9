-- spec/cli/formats_spec.lua: --output table shows nested objects as columns (state.state), and
-- --output yaml (lua-yaml's LibYAML emitter) carries what json carries, keys in the same order,
-- for an answer, --all, --query, --dry-run and a batch.
-- busted --lua=lua5.4 spec/cli/formats_spec.lua   (from the repository root)
local helper = require "spec.helper"
local cjson = require "cjson"
local O = require "spec.support.cli_output"

local lines_of, key_order = helper.lines_of, O.key_order

local function yaml_load(text)
  local ok, lyaml = pcall(require, "lyaml")
  if not ok then return nil end
  return lyaml.load(text)
end

-- the top-level keys of a YAML mapping, in order
local function yaml_keys(text)
  local keys = {}
  for line in text:gmatch("[^\n]+") do
    local k = line:match("^([%w_]+):")
    if k then keys[#keys + 1] = k end
  end
  return keys
end

-- JSON's nulls (cjson.null) and lyaml's (lyaml.null) both as nil, for comparing
local function plain(v)
  if type(v) ~= "table" then return v end
  local ok, lyaml = pcall(require, "lyaml")
  local r = {}
  for k, x in pairs(v) do
    if x ~= cjson.null and not (ok and x == lyaml.null) then r[k] = plain(x) end
  end
  return r
end

describe("rtcjob output formats", function()
  local mock
  local recorder = helper.rtcjob_recorder(function() return mock end)
  local run = recorder.run
  helper.mock_suite(nil, function(m) mock = m end)

  local function apps(n)
    for i = 1, n do assert.equal(0, run("create-app --app-name fmt" .. i).code) end
  end

  it("table: an app's state object shows as a state.state column, in list-apps and with --all", function()
    apps(2)
    for _, args in ipairs({ "list-apps --output table", "list-apps --all --limit 1 --output table" }) do
      local l = lines_of(run(args).out)
      assert.truthy(l[1]:match("^APP_NAME%s+APP_ID%s+STATE%.STATE%s+SCOPE"), l[1])
      assert.truthy(l[2]:match("^fmt1%s+%x+%s+ACTIVATION%s+DOMESTIC"), l[2])
      assert.truthy(#l[1] <= 120, l[1])
    end
    -- a stopped app's state shows as it changes
    local id = run("list-apps --output json --query 'apps[1].app_id'").json
    assert.equal(0, run("stop-app " .. id).code)
    local l = lines_of(run("list-apps --output table").out)
    assert.truthy(l[3]:match("^fmt2%s+" .. id .. "%s+DEACTIVATION"), l[3])
  end)

  it("table of a --query result: the schema follows the expression; without one, nested scalars", function()
    apps(1)
    local l = lines_of(run("list-apps --output table --query 'apps[*].{name: app_name, s: state}'").out)
    assert.truthy(l[1]:match("^NAME%s+S%.STATE$"), l[1])
    assert.truthy(l[2]:match("^fmt1%s+ACTIVATION$"), l[2])
    -- a literal has no schema: every nested scalar is a column, sorted
    l = lines_of(run([[list-apps --output table --query '`[{"a": {"y": 1, "x": 2}, "b": 3}]`']]).out)
    assert.same({ "A.X  A.Y  B", "2    1    3" }, l)
  end)

  it("yaml: the same values as json, keys in the same order", function()
    apps(2)
    local j = run("list-apps --output json")
    local y = run("list-apps --output yaml")
    assert.equal(0, y.code, y.err)
    assert.truthy(y.out:find("^%-%-%-\n"), y.out)
    assert.same(key_order(j.out), yaml_keys(y.out))
    local loaded = yaml_load(y.out)
    if loaded then
      -- request ids differ from call to call
      loaded.request_id, j.json.request_id = nil, nil
      assert.same(plain(j.json), plain(loaded))
    end
    -- a string that would read back as another type is quoted; --query and --all apply
    local q = run("list-apps --all --limit 1 --output yaml --query 'apps[*].{name: app_name, c: count, y: `\"yes\"`}'")
    assert.equal(0, q.code, q.err)
    assert.truthy(q.out:find("\n%- name: fmt1\n  c: null\n  'y': 'yes'\n"), q.out)
    assert.equal("--- '2'\n", run("list-apps --output yaml --query 'to_string(count)'").out)
  end)

  it("yaml: --dry-run and a batch", function()
    local r = run("create-app --app-name y --dry-run --output yaml")
    assert.equal(0, r.code, r.err)
    assert.same({ "method", "url", "headers", "body" }, yaml_keys(r.out))
    assert.truthy(r.out:find("X%-Auth%-Token: '?%*%*%*%*'?\n"), r.out)
    local client = helper.client(mock)
    local job = assert(client:create_job("app1", { room_id = "r", user_id = "u",
      publish_param = { rtmp_urls = { "rtmp://o.example.com/live/a" } } }))
    client:close()
    r = run("get app1 --jobs - --output yaml", { stdin = job.job_id .. "\nnope\n" })
    assert.equal(1, r.code, r.err)
    assert.same({ "results", "ok", "failed" }, yaml_keys(r.out))
    local loaded = yaml_load(r.out)
    if loaded then
      assert.equal(1, loaded.ok)
      assert.equal(1, loaded.failed)
      assert.equal(job.job_id, loaded.results[1].job.job_id)
      assert.equal("api", loaded.results[2].error.kind)
    end
  end)

  it("prints no secret", function()
    recorder.assert_no_secrets({ "test-token" }, 5)
  end)
end)
