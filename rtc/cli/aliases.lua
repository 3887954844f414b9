-- rtc.cli.aliases: the short aliases of the job commands: create, update, get and stop. Their
-- flags (--room, --rtmp-url, ...) predate --params and build the body of create-job/update-job.
local console = require "rtc.cli.console"
local json = require "rtc.cli.json"
local flagrows = require "rtc.cli.flags"
local operation = require "rtc.cli.operation"

local usage_error = console.usage_error

local UPDATE_FLAGS = {
  { "rtmp-url", "URL", "publish to this rtmp:// or rtmps:// URL (repeatable)", multi = true },
  { "record-rule", "ID", "record with this record rule id" },
}

local CREATE_FLAGS = {
  { "room", "ROOM", "room id (required)" },
  { "user", "USER", "user id (required)" },
  { "video-type", "TYPE", "video type", field = "video_type" },
  { "stream-type", "TYPE", "stream type", field = "select_stream_type" },
  { "max-idle", "N", "seconds without a stream before the job stops", type = "integer", field = "max_idle_time" },
  { "no-audio", nil, "do not record audio" },
}

local function enum_of(row, name)
  local f = json.field_named(row.body, name)
  return f and f.enum, f
end

local function update_build(o, p)
  if o.rtmp_url then p.publish_param = { rtmp_urls = o.rtmp_url } end
  if o.record_rule then p.record_param = { record_rule_id = o.record_rule } end
  return p
end

local function create_build(o, p)
  p = update_build(o, p)
  p.room_id = o.room or p.room_id
  p.user_id = o.user or p.user_id
  if o.video_type then p.video_type = o.video_type end
  if o.stream_type then p.select_stream_type = o.stream_type end
  if o.max_idle then p.max_idle_time = o.max_idle end
  if o.no_audio then p.is_record_audio = false end
  return p
end

-- the create flags, with the enums and ranges of the fields they set
local function create_flags(row)
  local flags = {}
  for _, f in ipairs(CREATE_FLAGS) do
    local copy = {}
    for k, v in pairs(f) do copy[k] = v end
    if f.field then
      local enum, fr = enum_of(row, f.field)
      copy.choices = enum
      if enum then copy[3] = copy[3] .. ": " .. table.concat(enum, ", ") end
      if fr and fr.min and fr.max then
        copy.min, copy.max = fr.min, fr.max
        copy[3] = copy[3] .. string.format(" (%s..%s)", tostring(fr.min), tostring(fr.max))
      end
    end
    flags[#flags + 1] = copy
  end
  for _, f in ipairs(UPDATE_FLAGS) do flags[#flags + 1] = f end
  flags[#flags + 1] = flagrows.PARAMS_FLAG
  return flags
end

-- the aliases of the operations' commands that exist (a module of rtc.cli.commands' list)
local M = {}

local APP_JOB = { { name = "APP_ID", help = "the app" }, { name = "JOB_ID", help = "the job (or --jobs FILE)" } }

function M.commands(ctx)
  local by_name, list = ctx.by_name, {}
  local function add_command(name, cmd)
    cmd.name = name
    list[#list + 1] = cmd
  end
  local create, update = by_name["create-job"], by_name["update-job"]
  local get, stop = by_name["get-job"], by_name["stop-job"]
  if update then
    local flags = {}
    for _, f in ipairs(UPDATE_FLAGS) do flags[#flags + 1] = f end
    for _, f in ipairs(update.flags) do flags[#flags + 1] = f end
    add_command("update", { row = update.row, alias = true, flags = flags, batch = true,
      usage = "update APP JOB [--rtmp-url URL]... [--record-rule ID]   |   update APP --jobs FILE ...",
      summary = "Change where a job publishes (RTMP URLs) and/or its record rule (update-job).",
      notes = "With --jobs, the same update runs for every job id in FILE, --concurrency at a time.\n"
        .. "JSON: {\"results\":[{\"job_id\":..,\"ok\":true,\"job\":{..}} or {\"job_id\":..,\"ok\":false,"
        .. "\"error\":{..}}],\"ok\":N,\"failed\":M};\nndjson: one such result a line as each job finishes.",
      check = function(o)
        if not (o.rtmp_url or o.record_rule or o.params) then
          usage_error("'update' needs --rtmp-url URL and/or --record-rule ID (or --params)")
        end
      end,
      build = update_build, run = operation.run, args = APP_JOB })
  end
  if create then
    add_command("create", { row = create.row, alias = true, flags = create_flags(create.row),
      usage = "create APP --room ROOM --user USER [--rtmp-url URL]... [--record-rule ID] [flags]",
      summary = "Start an individual stream job (create-job).",
      check = function(o)
        if not o.params then
          if not o.room then usage_error("'create' needs --room ROOM") end
          if not o.user then usage_error("'create' needs --user USER") end
          if not (o.rtmp_url or o.record_rule) then
            usage_error("'create' needs --rtmp-url URL and/or --record-rule ID")
          end
        end
      end,
      build = create_build, run = operation.run, args = { APP_JOB[1] } })
  end
  if get then
    add_command("get", { row = get.row, alias = true, flags = get.flags, batch = true,
      usage = "get APP JOB   |   get APP --jobs FILE", summary = "Show a job (get-job).", run = operation.run,
      args = APP_JOB })
  end
  if stop then
    add_command("stop", { row = stop.row, alias = true, flags = stop.flags, batch = true,
      usage = "stop APP JOB   |   stop APP --jobs FILE", summary = "Stop a job (stop-job).", run = operation.run,
      args = APP_JOB })
  end
  return list
end

return M
