-- luacheck: max line length 160
-- spec/support/operations.lua — request bodies of the new models that pass validation, for
-- spec/client/operations_spec.lua and operations_validation_spec.lua.
local RULE = {
  obs_addr = { location = "cn-north-4", project_id = "test-project", bucket = "rtc-records", object = "recordings" },
  record_formats = { "HLS", "MP4" },
  hls_config = { record_cycle = 3600 },
  mp4_config = { record_cycle = 3600 },
}
local MIX = {
  mix_param = {
    room_id = "room-1", encode_template = "1280*720_30_1710", layout_template = "custom",
    background_image = "s3://rtc-records/bg.png",
    layout_panes = { { id = 1, user_id = "user-1", x = 0, y = 0, width = 0.5, height = 0.5, zorder = 1,
                       crop_mode = "KEEP_RATIO_CROP", video_type = "CAMERASTREAM" } },
    user_background_images = { { user_id = "user-1", image_uri = "s3://rtc-records/user-1.png" } },
  },
}

return { RULE = RULE, MIX = MIX }
