-- luacheck: max line length 160
-- spec/client/workflow_spec.lua — one whole recording workflow against the mock, as a user would write
-- it: create an app, let SparkRTC write to an OBS bucket, create a recording rule, record one
-- user with that rule, mix the room, switch auto-recording on, set the callback URL, stop
-- everything, delete the rule (and the app). Also runs examples/recording_workflow.lua.
local helper = require "spec.helper"

describe("a recording workflow", function()
  local mock, client
  helper.mock_suite({ client = { retries = 0 } }, function(m, c) mock, client = m, c end)

  local function ok(res, err)
    assert.is_table(res, tostring(err))
    return res
  end

  it("app -> OBS authority -> rule -> individual job -> mix job -> auto-record -> callback -> stop -> delete", function()
    mock:config({ strict = true }) -- every app must be created: the workflow does not lean on leniency

    -- 1. the app
    local app_id = ok(client:create_app({ app_name = "recordings" })).app_id
    assert.are.equal("ACTIVATION", ok(client:get_app(app_id)).state.state)

    -- 2. the bucket the files go to: find it, let SparkRTC write to it
    local bucket
    for b in client:each_obs_bucket() do
      if b.bucket == "rtc-backup" then bucket = b end
    end
    assert.are.same({ "cn-north-1", false }, { bucket.location, bucket.is_authorized })
    ok(client:update_obs_bucket_authority({ bucket = "rtc-backup", operation = 1, location = bucket.location }))
    for b in client:each_obs_bucket() do
      if b.bucket == "rtc-backup" then assert.is_true(b.is_authorized) end
    end

    -- 3. the rule (HLS and MP4 into that bucket)
    local rule = ok(client:create_record_rule(app_id, {
      obs_addr = { location = "cn-north-4", project_id = "test-project", bucket = "rtc-backup", object = "rooms" },
      record_formats = { "HLS", "MP4" },
      hls_config = { record_cycle = 0, record_prefix = "{app_id}/{record_format}/{stream}_{file_start_time}" },
      mp4_config = { record_cycle = 1800, record_max_duration_to_merge_file = 60 },
    }))
    assert.are.equal(201, rule.status)
    local rules = {}
    for r in client:each_record_rule(app_id) do rules[#rules + 1] = r.rule_id end
    assert.are.same({ rule.rule_id }, rules)

    -- a job naming no rule of this app is refused by the service
    local _, err = client:create_job(app_id, { room_id = "room-7", user_id = "alice", record_param = { record_rule_id = "no-such-rule" } })
    helper.is_error(err, "api")
    assert.are.same({ 400, "RTC.00001003" }, { err.status, err.code })

    -- 4. record one user with the rule
    local job = ok(client:create_job(app_id, { room_id = "room-7", user_id = "alice", is_record_audio = true,
      video_type = "CAMERASTREAM", select_stream_type = "HD", record_param = { record_rule_id = rule.rule_id } }))
    assert.are.equal(201, job.status)
    assert.are.equal("RUNNING", ok(client:get_job(app_id, job.job_id)).state)
    local bob = ok(client:create_job(app_id, { room_id = "room-7", user_id = "bob", record_param = { record_rule_id = rule.rule_id } }))

    -- 5. mix the room into one recording with the same rule, then change its layout
    local mix = ok(client:create_mix_job(app_id, {
      mix_param = { room_id = "room-7", encode_template = "1280*720_30_1710", layout_template = "custom",
        layout_panes = { { id = 1, user_id = "alice", x = 0, y = 0, width = 0.5, height = 1 },
                         { id = 2, user_id = "bob", x = 0.5, y = 0, width = 0.5, height = 1 } } },
      record_param = { record_rule_id = rule.rule_id },
    }))
    assert.are.equal("m_" .. mix.job_id .. "_room-7", mix.stream_name)
    assert.are.equal("RUNNING", ok(client:get_mix_job(app_id, mix.job_id)).state)
    local updated = ok(client:update_mix_job(app_id, mix.job_id, { mix_param = { layout_template = "custom",
      layout_panes = { { id = 1, user_id = "alice", x = 0, y = 0, width = 1, height = 1 } } } }))
    assert.are.equal(1, #updated.mix_param.layout_panes)

    -- 6. auto-recording for rooms created from now on
    local auto = ok(client:update_auto_record(app_id, { mode = "AUTO_INDIVIDUAL_RECORD", record_rule_id = rule.rule_id }))
    assert.are.same({ "AUTO_INDIVIDUAL_RECORD", rule.rule_id }, { auto.auto_record_mode.mode, auto.auto_record_mode.record_rule_id })

    -- 7. where the recording events go
    ok(client:update_record_callback(app_id, { url = "https://hooks.example.invalid/rtc", auth_key = "s3cr3t" }))
    local cb = ok(client:get_record_callback(app_id))
    assert.are.equal("https://hooks.example.invalid/rtc", cb.record_callback.url)
    local app = ok(client:get_app(app_id))
    assert.are.equal("AUTO_INDIVIDUAL_RECORD", app.auto_record_mode.mode)
    assert.are.equal("https://hooks.example.invalid/rtc", app.callbacks.record_callback.url)

    -- the rule is in use: it cannot go yet, nor the app
    _, err = client:delete_record_rule(app_id, rule.rule_id)
    helper.is_error(err, "api")
    assert.are.same({ 400, "RTC.00001013" }, { err.status, err.code })
    _, err = client:delete_app(app_id)
    helper.is_error(err, "api")
    assert.are.equal(400, err.status)

    -- 8. stop everything: the mix job, one job by hand, the rest by removing the user; auto off
    assert.are.equal(204, ok(client:stop_mix_job(app_id, mix.job_id)).status)
    assert.are.equal(204, ok(client:stop_job(app_id, job.job_id)).status)
    assert.are.equal(202, ok(client:remove_users(app_id, "room-7", { user_ids = { "bob" } })).status)
    assert.are.equal(202, ok(client:remove_room(app_id, "room-7")).status)
    for _, j in ipairs({ job, bob }) do
      local s = ok(client:get_job(app_id, j.job_id))
      assert.are.same({ "STOPPED", "TENANT_STOP" }, { s.state, s.stop_reason })
    end
    assert.are.equal("STOPPED", ok(client:get_mix_job(app_id, mix.job_id)).state)
    ok(client:update_auto_record(app_id, { mode = "AUTO_RECORD_OFF" }))

    -- 9. the rule goes, then the app
    assert.are.equal(204, ok(client:delete_record_rule(app_id, rule.rule_id)).status)
    local none = {}
    for r in client:each_record_rule(app_id) do none[#none + 1] = r end
    assert.are.same({}, none)
    assert.are.equal(204, ok(client:delete_app(app_id)).status)
    local ids = {}
    for a in client:each_app() do ids[#ids + 1] = a.app_id end
    assert.are.same({}, ids)
  end)

  it("examples/recording_workflow.lua runs it against the mock", function()
    local env = "RTC_ENDPOINT=" .. helper.shell_quote(mock.url) .. " RTC_AUTH_TOKEN=" .. helper.shell_quote(mock.token)
    local cpath = os.getenv("RTC_CPATH") or "build/lua5.4/?.so" -- as examples/demo.lua runs the examples
    local lua = ("%s -e %s"):format(helper.LUA, helper.shell_quote(("package.cpath=%q..';'..package.cpath"):format(cpath)))
    local code, out, err = helper.run(env .. " " .. lua .. " " .. helper.shell_quote(helper.ROOT .. "/examples/recording_workflow.lua"))
    assert.are.equal(0, code, out .. err)
    assert.matches("rule deleted", out)
    assert.matches("STOPPED", out)
    -- the recording events, received and verified by the example's own receiver
    assert.matches("file%s+https://rtc%-records%.obs%.cn%-north%-4%.myhuaweicloud%.com/recordings/[^ ]+%.m3u8 %(HLS, %d+ s", out)
    assert.matches("received up to CLOUD_RECORD_SERVER_OVER", out)
  end)
end)
