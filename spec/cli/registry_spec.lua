-- spec/cli/registry_spec.lua: a command module registered in rtc.cli.commands' one list
-- (COMMAND_MODULES) gets parsing, global flags before or after it, help, the main help's list and
-- the completions, with nothing else to change (as `events` and `join-signature` hook in; the
-- test module's commands are test-events and test-join: two modules never give one name).
-- busted --lua=lua5.4 spec/cli/registry_spec.lua   (from the repository root)
local commands_of = require "rtc.cli.commands"
local parser = require "rtc.cli.parser"

describe("rtcjob's command modules", function()
  local seen
  setup(function()
    package.preload["spec.fake_events"] = function()
      return { commands = function(ctx)
        assert.is_table(ctx.by_name["get-job"])   -- the operations' commands come first
        return {
          { name = "test-events", usage = "test-events verify|listen [ARGS]",
            summary = "Recording events (a test module).",
            flags = { { "secret-file", "FILE", "the callback secret" } },
            run = function(_, o, pos) seen = { o = o, pos = pos } return 0 end },
          { name = "test-join", usage = "test-join APP ROOM USER", summary = "A join signature (test).",
            args = { { name = "APP_ID" }, { name = "ROOM_ID" }, { name = "USER_ID" } }, flags = {},
            run = function(_, _, pos) seen = { pos = pos } return 0 end },
        }
      end }
    end
    table.insert(commands_of.COMMAND_MODULES, "spec.fake_events")
  end)
  teardown(function()
    table.remove(commands_of.COMMAND_MODULES)
    package.preload["spec.fake_events"] = nil
  end)

  it("parses them, with global flags before or after, and their own flags", function()
    local commands = commands_of.build()
    local cmd, o, pos = parser.parse(commands, { "--output", "json", "test-events", "verify", "body.json",
      "--secret-file", "s.txt", "--debug" })
    assert.equal("test-events", cmd.name)
    assert.same({ "verify", "body.json" }, pos)
    assert.equal("json", o.output)
    assert.equal("s.txt", o.secret_file)
    assert.is_true(o.debug)
    assert.equal(0, cmd.run(cmd, o, pos))
    assert.same({ "verify", "body.json" }, seen.pos)
    cmd, o, pos = parser.parse(commands, { "test-join", "a", "r", "u", "--query", "x" })
    assert.equal("test-join", cmd.name)
    assert.same({ "a", "r", "u" }, pos)
    assert.equal("x", o.query)
  end)

  it("holds events and join-signature; a name given twice is refused", function()
    local commands = commands_of.build()
    local listed = {}
    for _, m in ipairs(commands_of.COMMAND_MODULES) do listed[m] = true end
    assert.is_true(listed["rtc.cli.events"] and listed["rtc.cli.join"])
    assert.is_function(commands.by_name.events.run)
    assert.is_function(commands.by_name["join-signature"].run)
    package.preload["spec.fake_twice"] = function()
      return { commands = function() return { { name = "sign", usage = "sign", summary = "x", flags = {},
        run = function() return 0 end } } end }
    end
    table.insert(commands_of.COMMAND_MODULES, "spec.fake_twice")
    local ok, err = pcall(commands_of.build)
    table.remove(commands_of.COMMAND_MODULES)
    package.preload["spec.fake_twice"] = nil
    assert.is_false(ok)
    assert.truthy(tostring(err):find("command 'sign' is defined twice", 1, true), tostring(err))
  end)

  it("lists them in the main help, gives them a help, and completes them in every shell", function()
    local commands = commands_of.build()
    local main = parser.help(commands)
    assert.truthy(main:find("\n   test-events ", 1, true), main)
    assert.truthy(main:find("\n   test-join ", 1, true), main)
    local h = parser.help(commands, commands.by_name["test-events"])
    assert.truthy(h:find("Usage: rtcjob test-events verify|listen [ARGS]", 1, true), h)
    assert.truthy(h:find("--secret-file FILE", 1, true), h)
    for _, shell in ipairs(parser.SHELLS) do
      local script = parser.completion(commands, shell)
      assert.truthy(script:find("test-join", 1, true), shell)
      assert.truthy(script:find("secret-file", 1, true), shell)
    end
  end)
end)
