-- spec/cli/generated_spec.lua: rtcjob's commands, flags, help, completion and man page are made
-- from rtc.operations(); list operations (query flags, --all) against the mock.
-- busted --lua=lua5.4 spec/cli/generated_spec.lua   (from the repository root)
local helper = require "spec.helper"
local cjson = require "cjson"
local rtc = require "rtc"

local mock

local write_file, lines_of = helper.write_temp, helper.lines_of

local function run(args, opts)
  opts = opts or {}
  opts.url = mock and mock.url
  return helper.rtcjob(args, opts)
end

local function cli(name) return (name:gsub("_", "-")) end

local function fields(schema)
  if type(schema) ~= "table" then return {} end
  return schema.fields or schema
end

local ROWS = rtc.operations()

describe("rtcjob commands from the operation rows", function()
  it("the module lists its operations", function()
    assert.truthy(#ROWS >= 4)
    for _, row in ipairs(ROWS) do
      assert.is_string(row.name)
      assert.is_string(row.method)
      assert.is_string(row.path)
      assert.is_table(row.params)
    end
  end)

  it("every operation is a command whose help shows its arguments, flags and route", function()
    for _, row in ipairs(ROWS) do
      local r = run(cli(row.name) .. " --help")
      assert.equal(0, r.code, row.name .. ": " .. r.err)
      local usage = lines_of(r.out)[1]
      assert.truthy(usage:find("rtcjob " .. cli(row.name), 1, true), usage)
      for _, p in ipairs(row.params) do assert.truthy(usage:find(p:upper(), 1, true), row.name .. " " .. p) end
      assert.truthy(r.out:find(row.method .. " " .. row.path, 1, true), r.out)
      if row.body then assert.truthy(r.out:find("--params JSON", 1, true), row.name) end
      for _, f in ipairs(fields(row.query)) do
        assert.truthy(r.out:find("--" .. cli(f.name), 1, true), row.name .. " query " .. f.name)
      end
      for _, f in ipairs(fields(row.body)) do
        if f.type ~= "object" and f.type ~= "array" then
          assert.truthy(r.out:find("--" .. cli(f.name), 1, true), row.name .. " body " .. f.name)
          for _, e in ipairs(f.enum or {}) do assert.truthy(r.out:find(e, 1, true), row.name .. " " .. e) end
        end
      end
      if row.list then assert.truthy(r.out:find("--all", 1, true), row.name) end
      assert.truthy(#lines_of(r.out) <= 60, row.name .. ": help longer than a screen")
    end
  end)

  it("the main help names every command and stays one screen", function()
    local r = run("--help")
    assert.equal(0, r.code)
    for _, row in ipairs(ROWS) do assert.truthy(r.out:find(cli(row.name), 1, true), row.name) end
    for _, n in ipairs({ "update", "create", "get", "stop", "wait", "sign", "completion", "man" }) do
      assert.truthy(r.out:find("\n   " .. n .. " ", 1, true), n)
    end
    -- (with every environment variable the command reads: 17 lines)
    assert.truthy(#lines_of(r.out) <= 80, "main help: " .. #lines_of(r.out) .. " lines")
    for _, l in ipairs(lines_of(r.out)) do assert.truthy(#l <= 100, l) end
    assert.equal(r.out, run("help").out)
    assert.equal(run("get-job --help").out, run("help get-job").out)
  end)

  it("usage errors are one line and a hint", function()
    for _, a in ipairs({ "frobnicate", "get-job", "get-job a b c", "get-job a b --bogus",
                         "get-job a b --output", "--output xml get-job a b", "completion tcsh" }) do
      local r = run(a)
      assert.equal(2, r.code, a)
      local l = lines_of(r.err)
      assert.equal(2, #l, a .. ": " .. r.err)
      assert.truthy(l[1]:find("^rtcjob: "), l[1])
      assert.truthy(l[2]:find("^Try 'rtcjob"), l[2])
    end
  end)

  describe("bash completion", function()
    local script
    local has_bash = helper.sh_ok("command -v bash >/dev/null 2>&1")

    local function complete(words)
      local file = write_file(script)
      local cmd = "bash -c " .. helper.shell_quote("source " .. file
        .. "; COMP_WORDS=(" .. words .. "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rtcjob;"
        .. " printf '%s\\n' \"${COMPREPLY[@]}\"")
      local code, out = helper.run(cmd)
      os.remove(file)
      assert.equal(0, code)
      local t, seen = {}, {}
      for l in out:gmatch("[^\n]+") do
        if not seen[l] then seen[l] = true t[#t + 1] = l end   -- a global flag is offered twice
      end
      table.sort(t)
      return t
    end

    it("is a valid bash script made from the command tables", function()
      if not has_bash then pending("bash not installed") return end
      local r = run("completion bash")
      assert.equal(0, r.code, r.err)
      script = r.out
      local file = write_file(script)
      assert.truthy(helper.sh_ok("bash -n " .. file))
      os.remove(file)
      assert.truthy(script:find("complete %-F _rtcjob .*rtcjob\n"))
      for _, row in ipairs(ROWS) do assert.truthy(script:find(cli(row.name), 1, true), row.name) end
    end)

    it("completes commands, flags and enum values", function()
      if not has_bash then pending("bash not installed") return end
      script = script or run("completion bash").out
      local gets = { "get" } -- the alias, and every get_* row
      for _, row in ipairs(ROWS) do
        if cli(row.name):sub(1, 2) == "ge" then gets[#gets + 1] = cli(row.name) end
      end
      table.sort(gets)
      assert.same(gets, complete("rtcjob ge"))
      assert.same({ "get-mix-job" }, complete("rtcjob get-mi"))
      assert.same({ "json" }, complete("rtcjob get-job --output js"))
      assert.same({ "--ordered", "--output" }, complete("rtcjob --retries 2 get a b --o"))
      assert.same({ "ndjson" }, complete("rtcjob --output nd"))
      local create = rtc.operation("create_job")
      local enum
      for _, f in ipairs(fields(create.body)) do if f.name == "video_type" then enum = f.enum end end
      local want = {}
      for _, e in ipairs(enum) do want[#want + 1] = e end
      table.sort(want)
      assert.same(want, complete("rtcjob create-job app --video-type ''"))
      assert.same({ "completion", "configure" }, complete("rtcjob co"))
    end)
  end)

  it("the man page is made from the same help", function()
    local r = run("man")
    assert.equal(0, r.code, r.err)
    assert.truthy(r.out:find("^%.TH RTCJOB 1 "))
    for _, row in ipairs(ROWS) do
      assert.truthy(r.out:find("\n.SS " .. cli(row.name):gsub("%-", "\\-") .. "\n", 1, true), row.name)
    end
    for _, s in ipairs({ ".SH SYNOPSIS", ".SH GLOBAL FLAGS", ".SH EXIT STATUS", ".SH ENVIRONMENT" }) do
      assert.truthy(r.out:find(s, 1, true), s)
    end
    -- no line starts with a stray control request ('.' or "'" only as roff macros we wrote)
    for _, l in ipairs(lines_of(r.out)) do
      if l:match("^[.']") then assert.truthy(l:match("^%.[A-Z][A-Z]?[ ]?") or l == ".PP" or l == ".TP", l) end
    end
    if helper.sh_ok("command -v groff >/dev/null 2>&1") then
      local file = write_file(r.out)
      local code, _, err = helper.run("groff -man -Tutf8 -ww -z " .. file)
      os.remove(file)
      assert.equal(0, code, err)
      assert.equal("", err)
    end
  end)
end)

describe("rtcjob list operations", function()
  helper.mock_suite(nil, function(m) mock = m end)

  local function missing()
    if not rtc.operation("list_apps") or not rtc.operation("create_record_rule") then
      return "the module has no list_apps / create_record_rule rows yet"
    end
    local status = mock:request("GET", "/v2/apps", { headers = { ["x-auth-token"] = "test-token" } })
    if status == 404 then return "the mock has no /v2/apps yet" end
    return nil
  end

  local function requests() return mock:api_requests() end

  it("query parameters are flags; --all walks every page", function()
    local why = missing()
    if why then pending(why) return end
    for i = 1, 5 do
      local r = run("create-app --app-name cliapp" .. i)
      assert.equal(0, r.code, r.err)
    end
    local r = run("list-apps --offset 0 --limit 2")
    assert.equal(0, r.code, r.err)
    local list = requests()
    local last = list[#list] -- the GET of list-apps (a reset would drop the apps too)
    assert.equal("GET", last.method)
    local q = last.query or last.target
    assert.truthy(tostring(cjson.encode(q)):find("limit", 1, true), cjson.encode(q))
    local row = rtc.operation("list_apps")
    local items = row.list.items
    assert.truthy(#r.json[items] <= 2)
    r = run("list-apps --all --limit 2 --output ndjson")
    assert.equal(0, r.code, r.err)
    local names = {}
    for _, l in ipairs(lines_of(r.out)) do names[#names + 1] = cjson.decode(l).app_name end
    assert.truthy(#names >= 5, r.out)
    r = run("list-apps --all --limit 2 --output json")
    assert.equal(0, r.code, r.err)
    assert.equal(#names, #r.json[items])
    r = run("list-apps --all --output table")
    assert.equal(0, r.code, r.err)
    assert.truthy(r.out:find("cliapp3", 1, true), r.out)
  end)

  it("a record rule from @file, as the module prepares it", function()
    local why = missing()
    if why then pending(why) return end
    local rule = '{"obs_addr":{"location":"cn-north-4","project_id":"p1","bucket":"b1"},'
      .. '"record_formats":["HLS"],"hls_config":{"record_cycle":60}}'
    local file = write_file(rule)
    local r = run("create-record-rule app1 --params @" .. file .. " --dry-run --output json")
    os.remove(file)
    assert.equal(0, r.code, r.err)
    assert.same(cjson.decode(rule), cjson.decode(r.json.body))
    assert.truthy(r.json.url:find("/v2/apps/app1/record%-rules$"), r.json.url)
  end)
end)
