-- luacheck: max line length 160
-- spec/client/operations_validation_spec.lua — every validation rule of the new models, through the
-- client against the mock: nil, err with kind "invalid", the field path, what was expected; nothing
-- sent.
local helper = require "spec.helper"
local O = require "spec.support.operations"
local RULE, MIX = O.RULE, O.MIX

local copy = helper.plain

describe("validation of the new models", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  -- a deep copy of base with path (dotted, [n] for array items) set to value ("__drop": removed)
  local function with(base, path, value)
    local t = copy(base)
    local parent = t
    local parts = {}
    for part in path:gmatch("[^%.]+") do
      local name, index = part:match("^([%w_]+)%[(%d+)%]$")
      if name then parts[#parts + 1] = name; parts[#parts + 1] = tonumber(index)
      else parts[#parts + 1] = part end
    end
    for i = 1, #parts - 1 do
      parent[parts[i]] = parent[parts[i]] or {}
      parent = parent[parts[i]]
    end
    local key = parts[#parts]
    if value == "__drop" then parent[key] = nil else parent[key] = value end
    return t
  end

  local RULE_BODY = RULE
  local CALLS = {
    create_app = function(p) return client:create_app(p) end,
    list_apps = function(p) return client:list_apps(p) end,
    create_record_rule = function(p) return client:create_record_rule("app-1", p) end,
    update_record_rule = function(p) return client:update_record_rule("app-1", "rule-1", p) end,
    list_record_rules = function(p) return client:list_record_rules("app-1", p) end,
    update_auto_record = function(p) return client:update_auto_record("app-1", p) end,
    update_record_callback = function(p) return client:update_record_callback("app-1", p) end,
    create_mix_job = function(p) return client:create_mix_job("app-1", p) end,
    update_mix_job = function(p) return client:update_mix_job("app-1", "job-1", p) end,
    remove_users = function(p) return client:remove_users("app-1", "room-1", p) end,
    list_obs_bucket_objects = function(p) return client:list_obs_bucket_objects(p) end,
    update_obs_bucket_authority = function(p) return client:update_obs_bucket_authority(p) end,
  }
  local VALID = {
    create_app = { app_name = "my-app_1" },
    list_apps = { state = "ARREARS", offset = 2, limit = 100 },
    create_record_rule = RULE_BODY,
    update_record_rule = RULE_BODY,
    list_record_rules = { offset = 0, limit = 1 },
    update_auto_record = { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = "rule-1" },
    update_record_callback = { url = "http://cb.example.invalid/x", auth_key = "k" },
    create_mix_job = MIX,
    update_mix_job = { mix_param = { layout_template = "custom", max_idle_time = 5 } },
    remove_users = { user_ids = { "u1", "u2" } },
    list_obs_bucket_objects = { bucket = "rtc-records", type = "folders", location = "cn-south-1" },
    update_obs_bucket_authority = { bucket = "rtc-records", operation = 0, location = "cn-north-4" },
  }

  -- { operation, path changed, value, field named by the error, text the message must hold }
  local CASES = {
    { "create_app", "app_name", "__drop", "app_name", "required" },
    { "create_app", "app_name", "", "app_name", "non-empty" },
    { "create_app", "app_name", 7, "app_name", "got 7" },
    { "create_app", "app_name", ("a"):rep(65), "app_name", "64" },
    { "create_app", "app_name", "my app", "app_name", "letters, digits" },
    { "create_app", "app_id", "x", "app_id", "unknown field" },
    { "list_apps", "state", "DELETED", "state", "one of ACTIVATION, DEACTIVATION, ARREARS" },
    { "list_apps", "limit", 0, "limit", "from 1 to 100" },
    { "list_apps", "limit", 101, "limit", "from 1 to 100" },
    { "list_apps", "offset", -1, "offset", "integer" },
    { "list_apps", "offset", 1.5, "offset", "integer" },
    { "list_apps", "offset", "1", "offset", "integer" },
    { "list_apps", "page", 1, "page", "unknown field" },
    { "create_record_rule", "obs_addr", "__drop", "obs_addr", "required" },
    { "create_record_rule", "obs_addr.location", "cn-north-1", "obs_addr.location", "one of cn-north-4" },
    { "create_record_rule", "obs_addr.bucket", "__drop", "obs_addr.bucket", "required" },
    { "create_record_rule", "obs_addr.project_id", "", "obs_addr.project_id", "non-empty" },
    { "create_record_rule", "obs_addr.object", 5, "obs_addr.object", "string" },
    { "create_record_rule", "record_formats", "__drop", "record_formats", "required" },
    { "create_record_rule", "record_formats", {}, "record_formats", "non-empty" },
    { "create_record_rule", "record_formats", { "HLS", "MP4", "HLS" }, "record_formats", "2" },
    { "create_record_rule", "record_formats", { "AVI" }, "record_formats[1]", "one of HLS, MP4" },
    { "create_record_rule", "record_formats", { "hls" }, "record_formats[1]", "one of HLS, MP4" },
    { "create_record_rule", "record_formats", "HLS", "record_formats", "array" },
    { "create_record_rule", "hls_config", "__drop", "hls_config", "HLS" },
    { "create_record_rule", "mp4_config", "__drop", "mp4_config", "MP4" },
    { "create_record_rule", "hls_config.record_cycle", "__drop", "hls_config.record_cycle", "required" },
    { "create_record_rule", "hls_config.record_cycle", 43201, "hls_config.record_cycle", "43200" },
    { "create_record_rule", "hls_config.record_cycle", -1, "hls_config.record_cycle", "43200" },
    { "create_record_rule", "hls_config.record_cycle", 60.5, "hls_config.record_cycle", "integer" },
    { "create_record_rule", "hls_config.record_slice_duration", 1, "hls_config.record_slice_duration", "from 2 to 60" },
    { "create_record_rule", "hls_config.record_slice_duration", 61, "hls_config.record_slice_duration", "from 2 to 60" },
    { "create_record_rule", "hls_config.record_max_duration_to_merge_file", -2, "hls_config.record_max_duration_to_merge_file", "from -1 to 300" },
    { "create_record_rule", "hls_config.record_max_duration_to_merge_file", 301, "hls_config.record_max_duration_to_merge_file", "from -1 to 300" },
    { "create_record_rule", "hls_config.record_prefix", true, "hls_config.record_prefix", "string" },
    { "create_record_rule", "mp4_config.record_cycle", 59, "mp4_config.record_cycle", "from 60 to 10800" },
    { "create_record_rule", "mp4_config.record_cycle", 0, "mp4_config.record_cycle", "from 60 to 10800" },
    { "create_record_rule", "mp4_config.record_cycle", 10801, "mp4_config.record_cycle", "from 60 to 10800" },
    { "create_record_rule", "mp4_config.record_max_duration_to_merge_file", -1, "mp4_config.record_max_duration_to_merge_file", "from 0 to 300" },
    { "create_record_rule", "mp4_config.record_slice_duration", 10, "mp4_config.record_slice_duration", "unknown field" },
    { "create_record_rule", "rule_id", "r1", "rule_id", "unknown field" },
    { "update_record_rule", "obs_addr.location", "cn-east-2", "obs_addr.location", "one of cn-north-4" },
    { "update_record_rule", "mp4_config.record_cycle", 10801, "mp4_config.record_cycle", "from 60 to 10800" },
    { "list_record_rules", "limit", 0, "limit", "integer" },
    { "list_record_rules", "offset", -1, "offset", "integer" },
    { "list_record_rules", "offset", "0", "offset", "integer" },
    { "update_auto_record", "mode", "__drop", "mode", "required" },
    { "update_auto_record", "mode", "AUTO_MIX_RECORD", "mode", "one of AUTO_RECORD_OFF, AUTO_INDIVIDUAL_RECORD" },
    { "update_auto_record", "record_rule_id", "__drop", "record_rule_id", "AUTO_INDIVIDUAL_RECORD" },
    { "update_auto_record", "record_rule_id", "", "record_rule_id", "non-empty" },
    { "update_record_callback", "url", "__drop", "url", "required" },
    { "update_record_callback", "url", "ftp://cb.example.invalid/x", "url", "http:// or https://" },
    { "update_record_callback", "url", "https://cb.example.invalid/a b", "url", "http:// or https://" },
    { "update_record_callback", "url", "https://", "url", "http:// or https://" },
    { "update_record_callback", "auth_key", 5, "auth_key", "string" },
    { "update_record_callback", "notify_event_subscription", { "RECORD_FILE_COMPLETE" }, "notify_event_subscription",
      "unknown field" },
    { "create_mix_job", "mix_param", "__drop", "mix_param", "required" },
    { "create_mix_job", "mix_param.room_id", "__drop", "mix_param.room_id", "required" },
    { "create_mix_job", "mix_param.encode_template", "__drop", "mix_param.encode_template", "required" },
    { "create_mix_job", "mix_param.encode_template", "1280x720_30_1710", "mix_param.encode_template", "1280*720_30_1710" },
    { "create_mix_job", "mix_param.layout_template", "__drop", "mix_param.layout_template",
      "required when encode_template is not audio_only" },
    { "create_mix_job", "mix_param.layout_panes", "__drop", "mix_param.layout_panes", "required when layout_template is custom" },
    { "create_mix_job", "mix_param.max_idle_time", 4, "mix_param.max_idle_time", "from 5 to 43200" },
    { "create_mix_job", "mix_param.max_idle_time", 43201, "mix_param.max_idle_time", "from 5 to 43200" },
    { "create_mix_job", "mix_param.background_image", "https://cdn.example.invalid/bg.png", "mix_param.background_image", "s3://bucket/object" },
    { "create_mix_job", "mix_param.screen_background_image", "s3://bucket-only", "mix_param.screen_background_image", "s3://bucket/object" },
    { "create_mix_job", "mix_param.default_user_background_image", "s3:///object", "mix_param.default_user_background_image", "s3://bucket/object" },
    { "create_mix_job", "mix_param.layout_panes", "pane", "mix_param.layout_panes", "array" },
    { "create_mix_job", "mix_param.layout_panes[1].x", 1.5, "mix_param.layout_panes[1].x", "from 0 to 1" },
    { "create_mix_job", "mix_param.layout_panes[1].y", -0.1, "mix_param.layout_panes[1].y", "from 0 to 1" },
    { "create_mix_job", "mix_param.layout_panes[1].width", "half", "mix_param.layout_panes[1].width", "number" },
    { "create_mix_job", "mix_param.layout_panes[1].zorder", 26, "mix_param.layout_panes[1].zorder", "from 0 to 25" },
    { "create_mix_job", "mix_param.layout_panes[1].id", 0, "mix_param.layout_panes[1].id", "integer" },
    { "create_mix_job", "mix_param.layout_panes[1].crop_mode", "FIT", "mix_param.layout_panes[1].crop_mode", "one of KEEP_RATIO_PADDING, KEEP_RATIO_CROP" },
    { "create_mix_job", "mix_param.layout_panes[1].filling_policy", "ANY", "mix_param.layout_panes[1].filling_policy", "one of FIXED_USER, SHARED_SCREEN" },
    { "create_mix_job", "mix_param.layout_panes[1].video_type", "CAMERA", "mix_param.layout_panes[1].video_type", "one of CAMERASTREAM, SCREENSTREAM" },
    { "create_mix_job", "mix_param.layout_panes[2].colour", "red", "mix_param.layout_panes[2].colour", "unknown field" },
    { "create_mix_job", "mix_param.user_background_images[1].image_uri", "__drop", "mix_param.user_background_images[1].image_uri", "required" },
    { "create_mix_job", "mix_param.user_background_images[1].image_uri", "file:///x.png",
      "mix_param.user_background_images[1].image_uri", "s3://bucket/object" },
    { "create_mix_job", "mix_param.user_background_images[1].user_id", "", "mix_param.user_background_images[1].user_id", "non-empty" },
    { "create_mix_job", "record_param.record_rule_id", "", "record_param.record_rule_id", "non-empty" },
    { "create_mix_job", "record_param.rule_id", "x", "record_param.rule_id", "unknown field" },
    { "update_mix_job", "mix_param", "__drop", "mix_param", "required" },
    { "update_mix_job", "mix_param.room_id", "room-2", "mix_param.room_id", "unknown field" },
    { "update_mix_job", "mix_param.encode_template", "1280*720_30_1710", "mix_param.encode_template", "unknown field" },
    { "update_mix_job", "mix_param.max_idle_time", 43201, "mix_param.max_idle_time", "from 5 to 43200" },
    { "update_mix_job", "mix_param.background_image", "bg.png", "mix_param.background_image", "s3://bucket/object" },
    { "remove_users", "user_ids", "__drop", "user_ids", "required" },
    { "remove_users", "user_ids", {}, "user_ids", "non-empty" },
    { "remove_users", "user_ids", "u1", "user_ids", "array" },
    { "remove_users", "user_ids", { 1 }, "user_ids[1]", "string" },
    { "remove_users", "user_ids", { "u1", "" }, "user_ids[2]", "non-empty" },
    { "list_obs_bucket_objects", "bucket", "__drop", "bucket", "required" },
    { "list_obs_bucket_objects", "type", "__drop", "type", "required" },
    { "list_obs_bucket_objects", "type", "files", "type", "one of folders, objects" },
    { "list_obs_bucket_objects", "location", "__drop", "location", "required" },
    { "list_obs_bucket_objects", "location", "us-east-1", "location", "cn-north-4" },
    { "list_obs_bucket_objects", "prefix", 3, "prefix", "string" },
    { "update_obs_bucket_authority", "operation", 2, "operation", "from 0 to 1" },
    { "update_obs_bucket_authority", "operation", "1", "operation", "integer" },
    { "update_obs_bucket_authority", "operation", "__drop", "operation", "required" },
    { "update_obs_bucket_authority", "location", "cn-west-1", "location", "one of cn-north-4, cn-north-1" },
    { "update_obs_bucket_authority", "bucket", "", "bucket", "non-empty" },
  }

  it("accepts the valid bodies and query tables these cases start from", function()
    for name, params in pairs(VALID) do
      mock:reset()
      local res, err = CALLS[name](copy(params))
      if err then assert.are_not.equal("invalid", err.kind, name .. ": " .. tostring(err)) end
      assert.is_true(#mock:requests() == 1, name .. " was not sent")
      local _ = res
    end
  end)

  it("accepts the edges of every range", function()
    local edges = {
      { "create_record_rule", "hls_config.record_cycle", 0 }, { "create_record_rule", "hls_config.record_cycle", 43200 },
      { "create_record_rule", "hls_config.record_slice_duration", 2 }, { "create_record_rule", "hls_config.record_slice_duration", 60 },
      { "create_record_rule", "hls_config.record_max_duration_to_merge_file", -1 },
      { "create_record_rule", "mp4_config.record_cycle", 60 }, { "create_record_rule", "mp4_config.record_cycle", 10800 },
      { "create_record_rule", "mp4_config.record_max_duration_to_merge_file", 300 },
      { "create_mix_job", "mix_param.layout_panes[1].x", 1 }, { "create_mix_job", "mix_param.layout_panes[1].zorder", 25 },
      { "create_mix_job", "mix_param.max_idle_time", 43200 }, { "create_mix_job", "mix_param.encode_template", "audio_only" },
      { "list_apps", "limit", 1 }, { "list_apps", "offset", 0 },
      { "update_auto_record", "mode", "AUTO_RECORD_OFF" },
    }
    for _, e in ipairs(edges) do
      mock:reset()
      local params = with(VALID[e[1]], e[2], e[3])
      if e[1] == "update_auto_record" then params.record_rule_id = nil end
      local _, err = CALLS[e[1]](params)
      if err then assert.are_not.equal("invalid", err.kind, e[1] .. " " .. e[2] .. ": " .. tostring(err)) end
      assert.are.equal(1, #mock:requests(), e[1] .. " " .. e[2] .. " was not sent")
    end
  end)

  for _, case in ipairs(CASES) do
    local name, path, value, field, text = case[1], case[2], case[3], case[4], case[5]
    it(("%s: %s = %s is refused (%s)"):format(name, path, type(value) == "table" and "{...}" or tostring(value), text), function()
      local res, err = CALLS[name](with(VALID[name], path, value))
      assert.is_nil(res)
      helper.is_error(err, "invalid")
      assert.are.equal(field, err.field, tostring(err))
      assert.are.equal(field .. ":", err.message:sub(1, #field + 1), err.message)
      assert.is_truthy(err.message:find(text, 1, true), ("%q does not say %q"):format(err.message, text))
      assert.is_nil(err.status)
      assert.are.equal(0, #mock:requests(), "a refused call reached the server")
    end)
  end

  it("names the rule: HLS in record_formats needs hls_config", function()
    local res, err = client:create_record_rule("app-1", with(RULE, "hls_config", "__drop"))
    assert.is_nil(res)
    helper.is_error(err, "invalid")
    assert.matches("record_formats", err.message)
  end)
end)
