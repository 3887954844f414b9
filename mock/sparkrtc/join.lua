-- mock/sparkrtc/join.lua — the check a room makes of a client's join signature (JOIN.md),
-- written here independently of the module (luaossl's HMAC): the signed content is app_id,
-- room_id, user_id and ctime joined by "+" (the provider's sample code; join = "" for plain
-- concatenation), the signature the lowercase hex of HMAC-SHA256 with app_key as the key, and
-- ctime must be whole seconds, not passed by the mock's clock, at most 43199 s ahead of it.
local B = require "sparkrtc.base"

local M = {}

M.MAX_AHEAD = 43199

-- check(v, now) -> true, or false and why; v = {app_key, app_id, room_id, user_id, ctime,
-- signature, join?} (decoded JSON), now the mock's clock (seconds)
function M.check(v, now)
  for _, k in ipairs({ "app_key", "app_id", "room_id", "user_id", "signature" }) do
    if type(v[k]) ~= "string" or v[k] == "" then return false, k .. ": expected a non-empty string" end
  end
  local ctime = v.ctime
  if type(ctime) ~= "number" or ctime % 1 ~= 0 then return false, "ctime: expected whole UNIX seconds" end
  local sep = v.join
  if sep == nil then sep = "+" end
  if sep ~= "+" and sep ~= "" then return false, 'join: expected "+" or ""' end
  now = math.floor(now)
  if ctime <= now then return false, "ctime: expired" end
  if ctime - now > M.MAX_AHEAD then return false, "ctime: more than 43199 s ahead" end
  local content = table.concat({ v.app_id, v.room_id, v.user_id, string.format("%d", ctime) }, sep)
  if B.hex(B.hmac_sha256(v.app_key, content)) ~= v.signature then
    return false, "signature: does not match"
  end
  return true
end

return M
