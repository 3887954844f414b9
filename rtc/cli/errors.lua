-- rtc.cli.errors: the module's error values as rtcjob shows them: an exit code by kind, one
-- line of text, and a plain table for JSON output.
local M = {}

local KIND_EXIT = { api = 1, decode = 1, invalid = 2, transport = 3, timeout = 3, cancelled = 3, config = 3 }

function M.exit_code(e)
  if type(e) == "table" then return KIND_EXIT[e.kind] or 1 end
  return 1
end

-- the exit code of a failure that may be a raised string (a misuse: 2)
function M.failure_code(e)
  return type(e) == "table" and M.exit_code(e) or 2
end

local function is_module_error(e)
  local mt = getmetatable(e)
  return type(mt) == "table" and mt.__name == "rtc.error"
end

-- one line; the module's errors say it themselves, their server text escaped and the request id
-- included: only other tables get "(request ...)" added here
function M.text(e)
  local ok, s = pcall(tostring, e)
  if not ok then s = "error (its text cannot be shown)" end
  if type(e) == "table" and not is_module_error(e) and type(e.request_id) == "string"
     and e.request_id ~= "" and not s:find(e.request_id, 1, true) then
    s = s .. " (request " .. e.request_id .. ")"
  end
  return s
end

function M.table(e)
  if type(e) ~= "table" then return { kind = "error", message = tostring(e) } end
  return { kind = e.kind, status = e.status, code = e.code, message = e.message or M.text(e),
           request_id = e.request_id, field = e.field, attempts = e.attempts }
end

M.SCHEMA = { fields = {
  { name = "kind" }, { name = "status" }, { name = "code" }, { name = "message" },
  { name = "request_id" }, { name = "field" }, { name = "attempts" } } }

return M
