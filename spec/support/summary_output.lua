-- The suite's output: busted's own terminal output, then one closing line
-- "N passed, N failed, N skipped" that CI reads (errors count as failures).
return function(options)
  local busted = require "busted"
  local name = os.getenv("BUSTED_BASE_OUTPUT") or "plainTerminal"
  local handler = require("busted.outputHandlers." .. name)(options)
  busted.subscribe({ "suite", "end" }, function()
    local passed = handler.successesCount or 0
    local failed = (handler.failuresCount or 0) + (handler.errorsCount or 0)
    local skipped = handler.pendingsCount or 0
    io.write(string.format("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped))
    io.flush()
    return nil, true
  end)
  return handler
end
