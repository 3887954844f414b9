-- luacheck: max line length 160
-- spec/unit/validation_spec.lua — request validation, seen from the outside: every rule answers
-- nil, err with kind "invalid", the exact message and the `field` path, and NOTHING is sent.
-- Misuse (wrong Lua types of positional arguments) raises instead.
local helper = require "spec.helper"
local rtc = require "rtc"

local PP = { rtmp_urls = { "rtmp://your.rtmp-server.com" } }
local RP = { record_rule_id = "5f5e172b9016ed5b0961a43" }

-- printable test names: bytes outside ASCII as \xNN
local function show(s)
  return '"' .. s:gsub("[^\32-\126]", function(c) return ("\\x%02x"):format(c:byte()) end) .. '"'
end

local copy = helper.plain

-- a valid create body, with changes ("__drop" as a value removes the key)
local function create_params(changes)
  local p = { room_id = "room-1", user_id = "user-1", publish_param = copy(PP) }
  for k, v in pairs(changes or {}) do
    if v == "__drop" then p[k] = nil else p[k] = v end
  end
  return p
end

describe("validation", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  local function nothing_sent()
    local reqs = mock:requests()
    assert.are.equal(0, #reqs, "a refused call reached the server")
  end

  -- res, err from a call that must be refused; field and message exact (message: a string,
  -- or a function(message) that asserts)
  local function refused(field, message, res, err)
    assert.is_nil(res)
    assert.is_table(err)
    assert.are.equal("rtc.error", getmetatable(err) and getmetatable(err).__name)
    -- kind, field and message compared at once, so that a failure shows every difference
    assert.are.same({ kind = "invalid", field = field, message = type(message) == "string" and message or nil },
      { kind = err.kind, field = err.field, message = type(message) == "string" and err.message or nil })
    assert.is_nil(err.status)
    if type(message) == "function" then
      message(err.message)
    else
      assert.are.equal("invalid: " .. message, tostring(err))
    end
    nothing_sent()
  end

  local function update(params) return client:update_job("app-1", "job-1", params) end
  local function create(params) return client:create_job("app-1", params) end

  describe("unknown fields", function()
    it("a typo at the top suggests the real name (record_params -> record_param)", function()
      refused("record_params", 'record_params: unknown field (did you mean "record_param"?)',
        update({ record_params = copy(RP) }))
    end)

    it("publish_params suggests publish_param", function()
      refused("publish_params", 'publish_params: unknown field (did you mean "publish_param"?)',
        update({ publish_params = copy(PP) }))
    end)

    it("a typo in a nested object names the whole path", function()
      refused("publish_param.rtmp_url", 'publish_param.rtmp_url: unknown field (did you mean "rtmp_urls"?)',
        update({ publish_param = { rtmp_url = { "rtmp://x" } } }))
    end)

    it("a create typo suggests the field (max_idle_tme -> max_idle_time)", function()
      refused("max_idle_tme", 'max_idle_tme: unknown field (did you mean "max_idle_time"?)',
        create(create_params({ max_idle_tme = 30 })))
    end)

    it("a name close to nothing says so", function()
      refused("zzzzzzzzzzzz", "zzzzzzzzzzzz: unknown field (IndividualStreamJobReq has no such field)",
        create(create_params({ zzzzzzzzzzzz = 30 })))
    end)

    it("an unknown field in publish_param names the object", function()
      refused("publish_param.foo", "publish_param.foo: unknown field (PublishParam has no such field)",
        update({ publish_param = { rtmp_urls = { "rtmp://a" }, foo = 1 } }))
    end)

    it("fields of the create body are not accepted by update", function()
      refused("room_id", "room_id: unknown field (UpdateIndividualJobReq has no such field)",
        update({ room_id = "r", record_param = copy(RP) }))
    end)
  end)

  describe("wrong types", function()
    local cases = {
      { "update publish_param", update, { publish_param = "x" }, "publish_param", 'publish_param: expected a table, got "x"' },
      { "update record_param", update, { record_param = 5 }, "record_param", "record_param: expected a table, got 5" },
      { "update publish_param false", update, { publish_param = false }, "publish_param", "publish_param: expected a table, got false" },
      { "record_rule_id", update, { record_param = { record_rule_id = 5 } }, "record_param.record_rule_id",
        "record_param.record_rule_id: expected a string, got 5" },
      { "rtmp_urls not a table", update, { publish_param = { rtmp_urls = "rtmp://x" } }, "publish_param.rtmp_urls",
        'publish_param.rtmp_urls: expected an array (a Lua sequence), got "rtmp://x"' },
      { "rtmp_urls item a number", update, { publish_param = { rtmp_urls = { 1 } } }, "publish_param.rtmp_urls[1]",
        "publish_param.rtmp_urls[1]: expected an rtmp:// or rtmps:// URL, got 1" },
      { "rtmp_urls item a table", update, { publish_param = { rtmp_urls = { {} } } }, "publish_param.rtmp_urls[1]",
        "publish_param.rtmp_urls[1]: expected an rtmp:// or rtmps:// URL, got a table" },
      { "room_id", create, create_params({ room_id = 5 }), "room_id", "room_id: expected a string, got 5" },
      { "user_id", create, create_params({ user_id = true }), "user_id", "user_id: expected a string, got true" },
      { "is_record_audio", create, create_params({ is_record_audio = "yes" }), "is_record_audio",
        'is_record_audio: expected a boolean, got "yes"' },
      { "is_record_audio 1", create, create_params({ is_record_audio = 1 }), "is_record_audio",
        "is_record_audio: expected a boolean, got 1" },
      { "video_type", create, create_params({ video_type = 1 }), "video_type", "video_type: expected a string, got 1" },
      { "select_stream_type", create, create_params({ select_stream_type = {} }), "select_stream_type",
        "select_stream_type: expected a string, got a table" },
      { "max_idle_time a string", create, create_params({ max_idle_time = "30" }), "max_idle_time",
        'max_idle_time: expected an integer from 5 to 43200, got "30"' },
      { "max_idle_time a boolean", create, create_params({ max_idle_time = true }), "max_idle_time",
        "max_idle_time: expected an integer from 5 to 43200, got true" },
      { "create record_param", create, create_params({ record_param = "r" }), "record_param",
        'record_param: expected a table, got "r"' },
      { "create publish_param", create, create_params({ publish_param = 7 }), "publish_param",
        "publish_param: expected a table, got 7" },
      { "create nested record_rule_id", create, create_params({ record_param = { record_rule_id = false } }),
        "record_param.record_rule_id", "record_param.record_rule_id: expected a string, got false" },
    }
    for _, c in ipairs(cases) do
      it(c[1] .. " -> " .. c[5], function()
        refused(c[4], c[5], c[2](c[3]))
      end)
    end
  end)

  describe("max_idle_time", function()
    local function prefix_check(got)
      return function(message)
        assert.are.equal("max_idle_time: expected an integer from 5 to 43200, got " .. got, message)
      end
    end
    local cases = {
      { 4, "4" }, { 43201, "43201" }, { -1, "-1" }, { 0, "0" }, { 30.5, "30.5" }, { 4.999, "4.9989999999999997" },
      { math.huge, "inf" }, { -math.huge, "-inf" }, { 2 ^ 53 + 2, "9007199254740994" },
    }
    if math.mininteger then cases[#cases + 1] = { math.mininteger, tostring(math.mininteger) } end
    for _, c in ipairs(cases) do
      it("refuses " .. c[2], function()
        refused("max_idle_time", prefix_check(c[2]), create(create_params({ max_idle_time = c[1] })))
      end)
    end

    it("refuses NaN", function()
      refused("max_idle_time", function(message)
        assert.is_truthy(message:match("^max_idle_time: expected an integer from 5 to 43200, got %-?nan$"), message)
      end, create(create_params({ max_idle_time = 0 / 0 })))
    end)

    it("accepts 5, 43200 and the whole float 30.0, sent as JSON integers", function()
      for _, v in ipairs({ 5, 43200, 30.0 }) do
        mock:reset()
        local job, err = create(create_params({ max_idle_time = v }))
        assert.is_nil(err)
        assert.are.equal(math.floor(v), job.max_idle_time)
        local body = mock:requests()[1].body
        assert.is_truthy(body:find('"max_idle_time":' .. string.format("%d", v) .. "[,}]"), body)
      end
    end)
  end)

  describe("enums", function()
    it("video_type not in the list", function()
      refused("video_type", 'video_type: expected one of CAMERASTREAM, SCREENSTREAM, got "CAMERA"',
        create(create_params({ video_type = "CAMERA" })))
    end)

    it("video_type is case sensitive", function()
      refused("video_type", 'video_type: expected one of CAMERASTREAM, SCREENSTREAM, got "camerastream"',
        create(create_params({ video_type = "camerastream" })))
    end)

    it("select_stream_type not in the list", function()
      refused("select_stream_type", 'select_stream_type: expected one of LD, SD, HD, FHD, got "UHD"',
        create(create_params({ select_stream_type = "UHD" })))
    end)

    it("empty enum strings are refused", function()
      local _, err = create(create_params({ select_stream_type = "" }))
      assert.are.equal("invalid", err.kind)
      assert.are.equal("select_stream_type", err.field)
      assert.is_truthy(err.message:find("^select_stream_type: expected "), err.message)
      nothing_sent()
    end)

    it("every listed value is accepted", function()
      for _, vt in ipairs({ "CAMERASTREAM", "SCREENSTREAM" }) do
        for _, st in ipairs({ "LD", "SD", "HD", "FHD" }) do
          local job, err = create(create_params({ video_type = vt, select_stream_type = st }))
          assert.is_nil(err)
          assert.are.equal(vt, job.video_type)
          assert.are.equal(st, job.select_stream_type)
        end
      end
      assert.are.equal(8, #mock:requests())
    end)
  end)

  describe("rtmp_urls", function()
    it("refuses an empty array", function()
      refused("publish_param.rtmp_urls", function(message)
        assert.is_truthy(message:find("^publish_param%.rtmp_urls: expected "), message)
        assert.is_truthy(message:find("non%-empty"), message)
      end, update({ publish_param = { rtmp_urls = {} } }))
    end)

    it("refuses an array with holes", function()
      local urls = { "rtmp://a", nil, "rtmp://c" }
      local _, err = update({ publish_param = { rtmp_urls = urls } })
      assert.are.equal("invalid", err.kind)
      assert.is_truthy(err.field == "publish_param.rtmp_urls" or err.field == "publish_param.rtmp_urls[2]", err.field)
      assert.is_truthy(err.message:find("^publish_param%.rtmp_urls[%[%]%d]*: expected "), err.message)
      nothing_sent()
    end)

    it("refuses an array with extra keys", function()
      refused("publish_param.rtmp_urls", function(message)
        assert.is_truthy(message:find("^publish_param%.rtmp_urls: expected "), message)
        assert.is_truthy(message:find('found key "x"', 1, true), message)
      end, update({ publish_param = { rtmp_urls = { "rtmp://a", x = 1 } } }))
    end)

    it("refuses a non-rtmp URL with the contract's message", function()
      refused("publish_param.rtmp_urls[2]", 'publish_param.rtmp_urls[2]: expected an rtmp:// or rtmps:// URL, got "http://x"',
        update({ publish_param = { rtmp_urls = { "rtmp://a", "http://x" } } }))
    end)

    for _, bad in ipairs({ "rtmp://", "rtmps://", "rtmp:/x", "rtmp//x", "rtmp://a b", "rtmp://a\tb", " rtmp://a", "xrtmp://a", "" }) do
      it("refuses " .. show(bad), function()
        local _, err = update({ publish_param = { rtmp_urls = { bad } } })
        assert.are.equal("invalid", err.kind)
        assert.are.equal("publish_param.rtmp_urls[1]", err.field)
        assert.is_truthy(err.message:find("^publish_param%.rtmp_urls%[1%]: expected "), err.message)
        nothing_sent()
      end)
    end

    it("accepts rtmp:// and rtmps:// URLs", function()
      local job, err = create(create_params({ publish_param = { rtmp_urls = { "rtmp://a.example/live/s", "rtmps://b.example:443/x?k=v" } } }))
      assert.is_nil(err)
      assert.are.same({ "rtmp://a.example/live/s", "rtmps://b.example:443/x?k=v" }, job.publish_param.rtmp_urls)
    end)

    it("refuses 1,000,000 entries quickly with a bounded, clear error", function()
      local urls = {}
      for i = 1, 1000000 do urls[i] = "rtmp://x/" .. (i % 10) end
      -- entries past the limit are never looked at: ones a look would refuse (or raise on) change
      -- nothing; the count is the error (no clock needed for that)
      urls[500], urls[999999] = {}, 42
      local t0 = os.clock()
      local res, err = update({ publish_param = { rtmp_urls = urls } })
      local dt = os.clock() - t0
      assert.is_nil(res)
      assert.are.equal("invalid", err.kind)
      assert.are.equal("publish_param.rtmp_urls", err.field)
      assert.is_truthy(err.message:match("^publish_param%.rtmp_urls: expected at most %d+ entries, got 1000000$"), err.message)
      -- CPU time (os.clock: the machine's load does not add to it), about 0.1 s: only work far
      -- worse than linear (hours for a million entries) comes near the bound
      assert.is_true(dt < 5, "took " .. dt .. " s of CPU")
      assert.is_true(#err.message < 200)
      nothing_sent()
    end)
  end)

  describe("required fields", function()
    it("empty record_rule_id", function()
      refused("record_param.record_rule_id", 'record_param.record_rule_id: expected a non-empty string, got ""',
        update({ record_param = { record_rule_id = "" } }))
    end)

    it("missing record_rule_id", function()
      refused("record_param.record_rule_id", "record_param.record_rule_id: required field missing",
        update({ record_param = {} }))
    end)

    it("missing rtmp_urls", function()
      refused("publish_param.rtmp_urls", "publish_param.rtmp_urls: required field missing",
        update({ publish_param = {} }))
    end)

    it("update with neither publish_param nor record_param", function()
      refused("params", "params: expected at least one of publish_param, record_param", update({}))
    end)

    it("create with neither publish_param nor record_param", function()
      refused("params", "params: expected at least one of publish_param, record_param",
        create(create_params({ publish_param = "__drop" })))
    end)

    it("create without room_id", function()
      refused("room_id", "room_id: required field missing", create(create_params({ room_id = "__drop" })))
    end)

    it("create without user_id", function()
      refused("user_id", "user_id: required field missing", create(create_params({ user_id = "__drop" })))
    end)

    it("create with an empty room_id", function()
      refused("room_id", 'room_id: expected a non-empty string, got ""', create(create_params({ room_id = "" })))
    end)
  end)

  describe("table shapes", function()
    it("refuses a numeric key at the top", function()
      refused("params", "params: expected field names (strings) as keys, got key 1",
        update({ [1] = "x", publish_param = copy(PP) }))
    end)

    it("refuses a table key", function()
      refused("params", "params: expected field names (strings) as keys, got key a table",
        update({ [{}] = "x", publish_param = copy(PP) }))
    end)

    it("refuses a non-string key in a nested object, naming the object", function()
      refused("publish_param", "publish_param: expected field names (strings) as keys, got key true",
        update({ publish_param = { rtmp_urls = { "rtmp://a" }, [true] = 1 } }))
    end)

    it("refuses a cyclic table (p.publish_param = p)", function()
      local p = {}
      p.publish_param = p
      refused("publish_param.publish_param", "publish_param.publish_param: unknown field (PublishParam has no such field)",
        update(p))
    end)

    it("refuses a cycle through an array", function()
      local p = { publish_param = { rtmp_urls = {} } }
      p.publish_param.rtmp_urls[1] = p
      refused("publish_param.rtmp_urls[1]", "publish_param.rtmp_urls[1]: expected an rtmp:// or rtmps:// URL, got a table",
        update(p))
    end)

    it("reads raw fields: metamethods of the params never run", function()
      local mt = {
        __index = function() error("__index ran") end,
        __pairs = function() error("__pairs ran") end,
        __len = function() error("__len ran") end,
      }
      local params = setmetatable({ record_param = setmetatable({ record_rule_id = "r1" }, mt) }, mt)
      local job, err = client:create_job("app-1", setmetatable({ room_id = "r", user_id = "u",
        record_param = setmetatable({ record_rule_id = "r1" }, mt) }, mt))
      assert.is_nil(err)
      assert.are.equal("r1", job.record_param.record_rule_id)
      local res, err2 = update(params)
      assert.is_nil(res)
      assert.are.equal("api", err2.kind) -- the job does not exist: it was sent
      assert.are.equal('{"record_param":{"record_rule_id":"r1"}}', mock:requests()[2].body)
    end)
  end)

  describe("string contents", function()
    it("refuses NUL in a string field", function()
      refused("record_param.record_rule_id", 'record_param.record_rule_id: expected text without NUL bytes, got "a\\x00b"',
        update({ record_param = { record_rule_id = "a\0b" } }))
    end)

    it("refuses NUL in room_id", function()
      refused("room_id", 'room_id: expected text without NUL bytes, got "r\\x00"', create(create_params({ room_id = "r\0" })))
    end)

    it("refuses NUL in an rtmp URL", function()
      refused("publish_param.rtmp_urls[1]", 'publish_param.rtmp_urls[1]: expected text without NUL bytes, got "rtmp://a\\x00b"',
        update({ publish_param = { rtmp_urls = { "rtmp://a\0b" } } }))
    end)

    for _, bad in ipairs({ "a\255", "\192\175", "\237\160\128", "\244\144\128\128", "ab\226\130" }) do
      it("refuses invalid UTF-8 " .. show(bad) .. ", with a message that is itself valid UTF-8", function()
        refused("record_param.record_rule_id", function(message)
          assert.is_truthy(message:find("^record_param%.record_rule_id: expected UTF%-8 text"), message)
          if utf8 then assert.is_not_nil(utf8.len(message), "the message is not valid UTF-8: " .. message) end
        end, update({ record_param = { record_rule_id = bad } }))
      end)
    end

    it("refuses invalid UTF-8 in user_id", function()
      refused("user_id", function(message)
        assert.is_truthy(message:find("^user_id: expected UTF%-8 text"), message)
      end, create(create_params({ user_id = "u\200" })))
    end)

    it("accepts UTF-8 text", function()
      local job, err = create(create_params({ room_id = "房间-1", user_id = "jøb ✓" }))
      assert.is_nil(err)
      assert.are.equal("房间-1", job.room_id)
      assert.are.equal("jøb ✓", job.user_id)
    end)
  end)

  describe("misuse raises", function()
    local rp = { record_param = { record_rule_id = "r" } }
    local cases = {
      { "nil app_id", function() return client:update_job(nil, "j", rp) end, "bad argument #1 to 'update_job'" },
      { "table app_id", function() return client:update_job({}, "j", rp) end, "bad argument #1 to 'update_job'" },
      { "boolean job_id", function() return client:get_job("a", true) end, "bad argument #2 to 'get_job'" },
      { "missing job_id", function() return client:stop_job("a") end, "bad argument #2 to 'stop_job'" },
      { "function app_id", function() return client:create_job(print, { room_id = "r" }) end, "bad argument #1 to 'create_job'" },
      { "params a string", function() return client:update_job("a", "j", "x") end, "bad argument #3 to 'update_job'" },
      { "params missing", function() return client:update_job("a", "j") end, "bad argument #3 to 'update_job'" },
      { "create params missing", function() return client:create_job("a") end, "bad argument #2 to 'create_job'" },
      { "create params a number", function() return client:create_job("a", 5) end, "bad argument #2 to 'create_job'" },
      { "module function, nil app_id", function() return rtc.get_job(nil, "j") end, "bad argument #1 to 'get_job'" },
      { "a method called with a dot", function() return client.get_job("a", "j") end, nil },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local ok, e = pcall(c[2])
        assert.is_false(ok)
        if c[3] then
          assert.are.equal("string", type(e))
          assert.is_truthy(e:find(c[3], 1, true), e)
        end
        nothing_sent()
      end)
    end
  end)

  describe("path ids", function()
    local bad = {
      { "", "must not be empty" },
      { string.rep("a", 257), "must be at most 256 bytes" },
      { "a/b", "must not contain '/', '?' or '#'" },
      { "a?b", "must not contain '/', '?' or '#'" },
      { "a#b", "must not contain '/', '?' or '#'" },
      { "/", "must not contain '/', '?' or '#'" },
      { "a\nb", "must not contain control characters or NUL" },
      { "a\r", "must not contain control characters or NUL" },
      { "a\tb", "must not contain control characters or NUL" },
      { "a\0b", "must not contain control characters or NUL" },
      { "a\127", "must not contain control characters or NUL" },
      { ".", 'must not be "." or ".."' },
      { "..", 'must not be "." or ".."' },
      { "\255", "must be UTF-8 text" },
    }
    for _, c in ipairs(bad) do
      local id, why = c[1], c[2]
      it("refuses the job id " .. show(#id > 20 and id:sub(1, 8) .. "..." or id), function()
        refused("job_id", "job_id: " .. why, client:get_job("app-1", id))
        refused("job_id", "job_id: " .. why, client:update_job("app-1", id, { record_param = copy(RP) }))
        refused("job_id", "job_id: " .. why, client:stop_job("app-1", id))
      end)
      it("refuses the app id " .. show(#id > 20 and id:sub(1, 8) .. "..." or id), function()
        refused("app_id", "app_id: " .. why, client:get_job(id, "job-1"))
        refused("app_id", "app_id: " .. why, client:create_job(id, create_params()))
      end)
    end

    it("prepare refuses them the same way", function()
      local req, err = client:prepare("get_job", "app-1", "..")
      assert.is_nil(req)
      assert.are.equal("invalid", err.kind)
      assert.are.equal("job_id", err.field)
    end)

    it("accepts 256 bytes, '...', '.a', and sends each as one segment", function()
      local ids = { string.rep("x", 256), "...", ".a", "a.", "a..b" }
      for _, id in ipairs(ids) do
        local _, err = client:get_job("app-1", id)
        assert.are.equal("api", err.kind)
        assert.are.equal(404, err.status)
      end
      local reqs = mock:requests()
      assert.are.equal(#ids, #reqs)
      for i, id in ipairs(ids) do
        assert.are.equal("/v2/apps/app-1/individual-stream-jobs/" .. id, reqs[i].path)
      end
    end)
  end)

  -- "unless" rules (a value "!V" in the rows): a mix's layout is required unless audio_only
  it("a mix job: layout_template required unless audio_only, panes only for the custom layout", function()
    local function mix(p)
      p.room_id = "room-1"
      return client:prepare("create_mix_job", "app-1", { mix_param = p })
    end
    local r, err = mix({ encode_template = "1280*720_30_1710" })
    assert.is_nil(r)
    assert.are.equal("invalid", err.kind)
    assert.are.equal("mix_param.layout_template", err.field)
    assert.matches("required when encode_template is not audio_only", err.message, 1, true)
    assert.truthy(mix({ encode_template = "audio_only" }), "an audio-only mix has no layout")
    assert.truthy(mix({ encode_template = "1280*720_30_1710", layout_template = "nine_grids_view" }))
    r, err = mix({ encode_template = "1280*720_30_1710", layout_template = "custom" })
    assert.is_nil(r)
    assert.are.equal("mix_param.layout_panes", err.field)
    local mix_param
    for _, f in ipairs(rtc.operation("create_mix_job").body.fields) do
      if f.name == "mix_param" then mix_param = f.fields end
    end
    local rule = mix_param.rules[1]
    assert.are.same({ when = "encode_template", is_not = "audio_only", requires = "layout_template" }, rule)
  end)
end)
