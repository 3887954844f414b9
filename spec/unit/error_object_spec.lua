-- The error object: tostring for every combination of present/absent fields and messages of
-- 0 bytes to 64 KiB (issue 14 §1), server text escaped onto one line (§3), __concat on both
-- sides and rtc.assert (issue 16 §1).
local rtc = require "rtc"

describe("the error object", function()
  local c
  setup(function() c = rtc.new{ endpoint = "http://127.0.0.1:1", token = "t" } end)
  teardown(function() c:close() end)

  it("the issue-14 reproducer prints one line", function()
    local _, err = c:decode("get_job", 0, { ["X-request-Id"] = "RID" }, "")
    err.message = err.message .. "\n" .. string.rep("context ", 1200)
    local ok, s = pcall(tostring, err)
    assert.is_true(ok, s)
    assert.is_nil(s:find("\n", 1, true))
    assert.truthy(s:find("request RID", 1, true))
  end)

  it("tostring works for every combination of fields and message sizes", function()
    local _, e = c:decode("get_job", 404, {}, "{}")
    local sizes = { 0, 1, 255, 4096, 65536 }
    local n = 0
    for _, kind in ipairs{ "api", "decode", "timeout", "transport", false } do
      for _, status in ipairs{ 503, false } do
        for _, code in ipairs{ "RTC.001", false } do
          for _, rid in ipairs{ "rid-1", false } do
            for _, attempts in ipairs{ 3, false } do
              for _, size in ipairs(sizes) do
                for k in pairs(e) do e[k] = nil end
                e.kind = kind or nil
                e.status = status or nil
                e.code = code or nil
                e.request_id = rid or nil
                e.attempts = attempts or nil
                e.message = size > 0 and string.rep("m", size - 1) .. "\27" or nil
                local ok, s = pcall(tostring, e)
                assert.is_true(ok, s)
                assert.is_string(s)
                assert.is_nil(s:find("[%c]"), "a control byte in tostring")
                if rid then assert.truthy(s:find("rid-1", 1, true)) end
                if code then assert.truthy(s:find("RTC.001", 1, true)) end
                if status then assert.truthy(s:find("503", 1, true)) end
                if attempts then assert.truthy(s:find("(3 attempts)", 1, true)) end
                if size == 0 then assert.truthy(s:find("(no message)", 1, true)) end
                assert.is_true(#s < 4096 + 600, "shown text is bounded")
                n = n + 1
              end
            end
          end
        end
      end
    end
    assert.are.equal(5 * 2 * 2 * 2 * 2 * #sizes, n)
  end)

  it("server text with terminal escapes stays one line in tostring, raw in the fields", function()
    local body = '{"error_code":"RTC.1","error_msg":"evil\\u001b]0;pwned\\u0007\\u001b[2J\\nsecond line"}'
    local _, err = c:decode("get_job", 400, { ["X-Request-Id"] = "rid-1" }, body)
    assert.are.equal("evil\27]0;pwned\7\27[2J\nsecond line", err.message)
    local s = tostring(err)
    assert.is_nil(s:find("[%c]"), s)
    assert.truthy(s:find("second line", 1, true))
    -- a request id with control bytes is no id: decode (answer_types_spec), the answer's text kept
    _, err = c:decode("get_job", 400, { ["X-Request-Id"] = "\27[31m" }, body)
    assert.are.equal("decode", err.kind)
    assert.is_nil(err.request_id)
    s = tostring(err)
    assert.is_nil(s:find("[%c]"), s)
    assert.truthy(s:find("second line", 1, true))
  end)

  it("__concat works on both sides; other operands still raise", function()
    local _, err = c:decode("get_job", 404, {}, '{"error_code":"X","error_msg":"gone"}')
    assert.are.equal("failed: " .. tostring(err), "failed: " .. err)
    assert.are.equal(tostring(err) .. "!", err .. "!")
    assert.are.equal("1" .. tostring(err), 1 .. err)
    assert.has_error(function() return err .. {} end)
  end)

  it("rtc.assert passes values through, raises the error otherwise", function()
    assert.are.same({ 1, 2, 3 }, { rtc.assert(1, 2, 3) })
    local _, err = c:decode("get_job", 404, {}, '{"error_code":"X","error_msg":"gone"}')
    local ok, raised = pcall(rtc.assert, nil, err)
    -- the error object itself where the Lua shows any error value (5.2+, LuaJIT); its text on 5.1
    if rawget(_G, "jit") or _VERSION ~= "Lua 5.1" then
      assert.are.equal("table", type(raised))
      assert.are.equal(err.kind, raised.kind)
    else
      assert.are.equal("string", type(raised))
    end
    assert.is_false(ok)
    assert.truthy(tostring(raised):find("gone", 1, true))
    ok, raised = pcall(rtc.assert, false)
    assert.is_false(ok)
    assert.truthy(tostring(raised):find("assertion failed", 1, true))
  end)
end)
