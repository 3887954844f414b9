-- spec/helper.lua — shared by every spec: module paths, the mock SparkRTC server, clients.
-- It only gathers spec/support/: util.lua (paths, time, files, tables), proc.lua (commands,
-- listeners), mock.lua (the mock server), client.lua (clients on it), rtcjob.lua (the command).
--
--   local helper = require "spec.helper"
--   local mock = helper.start_mock{ tokens = {"test-token"}, aksk = { ["test-ak"] = "test-sk" },
--                                   project_id = "test-project" }  -- all optional (these are the defaults)
--   mock.port, mock.url            -- "http://127.0.0.1:PORT"
--   mock:reset()                   -- clears jobs, request log, scripts, counters, config
--   mock:script{ status = 503, body = "busy" }    -- or a list of such tables; see mock/README.md
--   mock:config{ delay_all = 0.02 }               -- also clock_offset = seconds, gather = N (answers
--                                                 -- wait until N requests are held at once)
--   mock:requests()                -- { {method, target, path, query, headers (lowercase), body}, … }
--   mock:stats()                   -- { connections, requests, in_flight, max_in_flight, accepted, open }
--   mock:jobs()                    -- { [app_id] = { [job_id] = job } }
--   mock:seed_job(app_id, { job_id = "j1", room_id = "r", user_id = "u", state = "RUNNING" }) -> job
--   mock:request(method, path, { headers = {…}, body = "…" })  -> status, body, headers (raw call)
--   mock:stop()
--   helper.client(mock, opts) / helper.aksk_client(mock, opts) -- rtc.new against the mock
--   helper.mock_suite(opts, set)   -- inside a describe: one mock (and client) for its tests, see below
--   helper.LUA                     -- interpreter running the specs (env RTC_LUA, default "lua5.4")
--   helper.sleep(seconds), helper.gettime(), helper.stop_all()
--   helper.timed(f, ...)           -> elapsed seconds, then everything f returned
--   helper.free_port()             -- a loopback port nothing listens on now (bound, then closed)
--   helper.dead_port()             -- a port connections to are refused: bound, never listening, held
--   helper.is_error(err, kind)     -- asserts an rtc.error (of that kind, when given)
--   helper.plain(t, skip)          -- a deep copy without metatables (skip: a top-level key left out)
--   helper.shell_quote(s), helper.read_file(path) (nil when unreadable), helper.file_exists(path)
--   helper.run(cmd)                -> exit code, stdout, stderr of a shell command (any Lua)
--   helper.sh_ok(cmd)              -- the command exits 0
--   helper.skipped(reason)         -- inside a describe: pending("skipped: " .. reason) when reason
--   helper.assert_example_test(name) -- examples/<name>/test.sh ran and every check passed

--   helper.write_temp(content), helper.lines_of(s)
--   helper.rtcjob(args, opts), helper.rtcjob_recorder(mock_of) -- bin/rtcjob as a subprocess

local helper = {}

for _, name in ipairs({ "util", "proc", "mock", "client", "rtcjob" }) do
  for k, v in pairs(require("spec.support." .. name)) do helper[k] = v end
end

return helper
