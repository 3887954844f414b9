local helper = require "spec.helper"
describe("x", function() it("leaks", function() local m = helper.start_mock(); print("PID", m.pid); _G.LEAK = m end) end)
