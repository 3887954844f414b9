-- memcheck/sections/gc.lua: GC pressure on the paths that hand out pointers into Lua strings.
-- memcheck/driver.lua runs the sections; memcheck/kit.lua holds what they share.
local kit = require "memcheck.kit"
local helper, check = kit.helper, kit.check
local section, mock = kit.section, kit.mock
local opts = kit.opts

-- With the collector running all the time, a C pointer to a string that nothing references
-- any more is read after it was freed: valgrind reports "Invalid read". Error bodies with
-- numeric fields, and header lists holding numbers, take the lua_tostring-on-a-copy path.
section("gc_numeric", function()
  local c = helper.client(mock, opts())
  -- a collector that never rests (pause 1 is stored as 1/4 = 0; a 0 would mean "unchanged")
  -- with steps of 2^30 units, so each step is a whole cycle, whatever the heap's size: every
  -- allocation is a full collection, and an unreferenced string is freed at the next one
  collectgarbage("incremental", 1, 1000, 30)
  collectgarbage("collect") -- the new pause applies from the end of a cycle on
  local err_mt = getmetatable(select(2, c:decode("get_job", 500, nil, "")))
  for i = 1, 20 do
    -- (a) decode_error_answer/first_field: numeric error_code / error_msg / request_id in the body
    --     (whether numbers are kept as text or ignored is the module's choice: either passes)
    local _, e = c:decode("get_job", 404, nil,
      ('{"error_code": %d, "error_msg": %d, "request_id": %d, "pad": "%s"}'):format(1000 + i,
        2000 + i, 3000 + i, ("p"):rep(i % 40)))
    check(e and e.kind == "api" and e.status == 404, "numeric error fields: an api error")
    check(e.code == nil or e.code:find(tostring(1000 + i), 1, true), "numeric error_code")
    check(type(e.message) == "string" and e.message:find(tostring(2000 + i), 1, true),
      "numeric error_msg (kept, or in the body excerpt)")
    check(e.request_id == nil or e.request_id:find(tostring(3000 + i), 1, true), "numeric request_id")
    -- (b) client_decode/find_header: a header given as a list whose item is a number
    local _, e2 = c:decode("get_job", 200, { ["X-Request-Id"] = { 7000000 + i }, ["Content-Type"] = { 5 } },
      "<html>" .. ("p"):rep(i % 40))
    check(e2 and e2.kind == "decode", "HTML body: decode error")
    check(e2.request_id == nil or e2.request_id == tostring(7000000 + i), "numeric request id in a list")
    -- (c) error_tostring/field_string: an error object whose fields are numbers
    local fake = setmetatable({ kind = 77 + i, status = 500, code = 4242 + i, message = 99 + i,
      request_id = 123 + i, attempts = 2 }, err_mt)
    check(type(tostring(fake)) == "string", "error __tostring with numeric fields")
  end
  collectgarbage("incremental", 200, 100, 13) -- the defaults again
  collectgarbage("collect")
  c:close()
end)
