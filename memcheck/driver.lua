-- memcheck/driver.lua: walks every path of the `rtc` client once, against the mock server,
-- so that memcheck/run.sh can run it under valgrind (make memcheck). Plain lua5.4 works too:
--
--   lua5.4 memcheck/driver.lua                 (from the repository root)
--   MEMCHECK_ONLY=batch,sign lua5.4 memcheck/driver.lua     run some sections only
--   MEMCHECK_SKIP=gc_numeric lua5.4 memcheck/driver.lua     leave some sections out
--
-- Every section asserts what the module answered: a path that did not behave raises (exit 1),
-- naming the section and the check. The last line is the summary:
--   "memcheck driver: OK: <n> sections, <m> checks passed in <t> s"
-- Timeouts are generous: under valgrind everything runs ~20-50x slower than natively.
--
-- The sections are memcheck/sections/*.lua, in the order below; memcheck/kit.lua holds what they
-- share (the assertion kit, the fixtures, the mock server).

package.path = "./?.lua;" .. package.path
local helper = require "spec.helper"

local clock = helper.gettime
local T0 = clock()

local kit = require "memcheck.kit" -- starts the mock
local mock, gc = kit.mock, kit.gc

local only, skip = {}, {}
for name in (os.getenv("MEMCHECK_ONLY") or ""):gmatch("[%w_]+") do only[name] = true end
for name in (os.getenv("MEMCHECK_SKIP") or ""):gmatch("[%w_]+") do skip[name] = true end

-- each file adds its sections (kit.section), in order
for _, file in ipairs({
  "operations", -- token_ops, aksk_ops, debug_logger
  "errors",     -- invalid, bad_options, api_errors, transport, timeout, decode_errors, rate
  "retries",    -- retries, deadline, failover
  "pure",       -- prepare, credentials, decode, sign, join_signature
  "in_flight",  -- batch, start_poll_cancel, close_in_flight, reentry, gc_unclosed, default_client,
                --   wait
  "gc",         -- gc_numeric
}) do
  require("memcheck.sections." .. file)
end

local sections_run = 0
---------------------------------------------------------------------------------------------
-- run
---------------------------------------------------------------------------------------------
for _, s in ipairs(kit.sections) do
  local run = (next(only) == nil or only[s.name]) and not skip[s.name]
  if run then
    kit.current = s.name
    local t = clock()
    mock:reset()
    s.fn()
    gc()
    sections_run = sections_run + 1
    io.stderr:write(("memcheck driver: %-18s ok (%.1f s)\n"):format(s.name, clock() - t))
  else
    io.stderr:write(("memcheck driver: %-18s skipped\n"):format(s.name))
  end
end
mock:stop()
gc()
print(("memcheck driver: OK: %d sections, %d checks passed in %.1f s"):format(sections_run, kit.checks,
  clock() - T0))
