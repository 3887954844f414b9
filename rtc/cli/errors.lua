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

-- One index base on the command line: JMESPath's (0), as --query and the text output count. The
-- module's messages count array items as Lua does (from 1: "rtmp_urls[1]" is the first URL, as
-- README documents); the command rewrites the field path it names to count from 0.
function M.zero_based(path)
  if type(path) ~= "string" then return path end
  return (path:gsub("%[(%d+)%]", function(n) return "[" .. string.format("%d", tonumber(n) - 1) .. "]" end))
end

local function rebase(s, field)
  if type(field) ~= "string" or not field:find("[", 1, true) then return s end
  local at = s:find(field, 1, true)
  if not at then return s end
  return s:sub(1, at - 1) .. M.zero_based(field) .. s:sub(at + #field)
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
  if type(e) == "table" then s = rebase(s, e.field) end
  if type(e) == "table" and not is_module_error(e) and type(e.request_id) == "string"
     and e.request_id ~= "" and not s:find(e.request_id, 1, true) then
    s = s .. " (request " .. e.request_id .. ")"
  end
  return s
end

function M.table(e)
  if type(e) ~= "table" then return { kind = "error", message = tostring(e) } end
  local message = e.message and rebase(tostring(e.message), e.field) or M.text(e)
  return { kind = e.kind, status = e.status, code = e.code, message = message,
           request_id = e.request_id, field = M.zero_based(e.field), attempts = e.attempts }
end

M.SCHEMA = { fields = {
  { name = "kind" }, { name = "status" }, { name = "code" }, { name = "message" },
  { name = "request_id" }, { name = "field" }, { name = "attempts" } } }

return M
