-- mock/sparkrtc/rooms.lua — dismiss a room, remove users from it (both 202, no body). Rooms
-- are not stored: they are the room_id of jobs. Dismissing stops the room's individual and
-- mix jobs; removing users stops those users' individual jobs in that room (TENANT_STOP).

local B = require "sparkrtc.base"

local O = {}

local function stop(job, now)
  if job.state == "STOPPED" then return end
  job.state, job.stop_time, job.update_time = "STOPPED", now, now
  job.stop_reason = "TENANT_STOP"
  job.description = "job stopped: room dismissed or user removed by the tenant"
end

function O.dismiss(_, c)
  local room = c.p.room
  for _, set in ipairs({ c.app.jobs, c.app.mix }) do
    for _, job in pairs(set) do
      if job.room_id == room then stop(job, c.now) end
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

function O.remove_users(_, c)
  local b, err = B.checked_body(c, ROWS)
  if not b then return err end
  local users = B.set_of(b.user_ids)
  for _, job in pairs(c.app.jobs) do
    if job.room_id == c.p.room and users[job.user_id] then stop(job, c.now) end
  end
  return B.response(202)
end

return O
