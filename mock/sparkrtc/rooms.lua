-- mock/sparkrtc/rooms.lua — dismiss a room, remove users from it (both 202, no body). Rooms
-- are not stored: they are the room_id of jobs. Dismissing stops the room's individual and
-- mix jobs; removing users stops those users' individual jobs in that room (TENANT_STOP).

local B = require "sparkrtc.base"
local events = require "sparkrtc.events"

local O = {}

-- record: the app, when the job is an individual one (whose recording events are sent)
local function stop(api, job, now, app)
  if job.state == "STOPPED" then return end
  job.state, job.stop_time, job.update_time = "STOPPED", now, now
  job.stop_reason = "TENANT_STOP"
  job.description = "job stopped: room dismissed or user removed by the tenant"
  if app then events.stopped(api, app, job) end
end

function O.dismiss(api, c)
  local room = c.p.room
  for _, set in ipairs({ c.app.jobs, c.app.mix }) do
    for _, job in pairs(set) do
      if job.room_id == room then stop(api, job, c.now, set == c.app.jobs and c.app) end
    end
  end
  return B.response(202)
end

local ROWS = { { "user_ids", "array", true, function(v, p)
  if #v == 0 then return B.INVALID, p end
  for i, u in ipairs(v) do
    if type(u) ~= "string" or u == "" then return B.INVALID, p .. "[" .. i .. "]" end
  end
end } }

function O.remove_users(api, c)
  local b, err = B.checked_body(c, ROWS)
  if not b then return err end
  local users = B.set_of(b.user_ids)
  for _, job in pairs(c.app.jobs) do
    if job.room_id == c.p.room and users[job.user_id] then stop(api, job, c.now, c.app) end
  end
  return B.response(202)
end

return O
