-- mock/sparkrtc/obs.lua — the rtc-ops OBS operations over a small fixed set of buckets and
-- objects: list buckets, list the folders or objects under a prefix, grant or revoke
-- SparkRTC's access (which flips is_authorized).

local B = require "sparkrtc.base"
local json = B.json
local INVALID, MISSING = B.INVALID, B.MISSING

local O = {}

O.LOCATIONS = { "cn-north-4", "cn-north-1", "cn-north-5", "cn-north-6", "cn-south-1", "cn-east-2" }

-- the fixed set: creation dates, names and sizes (kB) are made up; a fresh copy per reset
function O.buckets()
  return {
    { bucket = "rtc-records", location = "cn-north-4", creation_date = "2024/03/01 10:00:00 GMT+08:00",
      is_authorized = true, objects = {
        { "recordings/my-app/HLS/stream-1.m3u8", 2, "2024/03/02 09:00:00 GMT+08:00" },
        { "recordings/my-app/HLS/stream-1-0001.ts", 1024, "2024/03/02 09:00:10 GMT+08:00" },
        { "recordings/my-app/MP4/stream-1.mp4", 20480, "2024/03/02 09:30:00 GMT+08:00" },
        { "recordings/readme.txt", 1, "2024/03/01 10:05:00 GMT+08:00" },
        { "snapshots/room-1.jpg", 64, "2024/03/03 12:00:00 GMT+08:00" },
        { "index.html", 3, "2024/03/01 10:01:00 GMT+08:00" },
      } },
    { bucket = "rtc-backup", location = "cn-north-1", creation_date = "2024/05/10 08:30:00 GMT+08:00",
      is_authorized = false, objects = {} },
    { bucket = "media-archive", location = "cn-east-2", creation_date = "2025/01/20 16:45:12 GMT+08:00",
      is_authorized = false, objects = {
        { "2025/01/room-7.mp4", 51200, "2025/01/21 08:00:00 GMT+08:00" },
      } },
  }
end

local function find(api, name, location)
  for _, b in ipairs(api.buckets) do
    if b.bucket == name and (location == nil or b.location == location) then return b end
  end
end

function O.list_buckets(api)
  local list = json.array({})
  for _, b in ipairs(api.buckets) do
    list[#list + 1] = json.object({ bucket = b.bucket, location = b.location,
      creation_date = b.creation_date, is_authorized = b.is_authorized })
  end
  return B.response(200, json.object({ count = #list, buckets = list }))
end

local TYPES = B.set_of({ "folders", "objects" })

-- the direct children of prefix (a folder path): objects, or folders ("name/")
function O.list_objects(api, c)
  local q = c.q
  for _, name in ipairs({ "bucket", "type", "location" }) do
    if q[name] == nil or q[name] == "" then return B.field_error(MISSING, name) end
  end
  if not TYPES[q.type] then return B.field_error(INVALID, "type") end
  if not B.set_of(O.LOCATIONS)[q.location] then return B.field_error(INVALID, "location") end
  local bucket = find(api, q.bucket, q.location)
  if not bucket then return B.api_error(404, INVALID, "InvalidParameterValue: no bucket "
    .. q.bucket .. " in " .. q.location) end
  local prefix = q.prefix or ""
  if prefix ~= "" and prefix:sub(-1) ~= "/" then prefix = prefix .. "/" end
  local out, seen = json.array({}), {}
  for _, o in ipairs(bucket.objects) do
    local name = o[1]
    if name:sub(1, #prefix) == prefix then
      local rest = name:sub(#prefix + 1)
      local folder = rest:match("^([^/]+/)")
      if q.type == "objects" and not folder then
        out[#out + 1] = json.object({ file_name = name, size = o[2], last_modified = o[3] })
      elseif q.type == "folders" and folder and not seen[folder] then
        seen[folder] = true
        out[#out + 1] = json.object({ file_name = prefix .. folder, size = 0, last_modified = o[3] })
      end
    end
  end
  return B.response(200, json.object({ count = #out, objects = out }))
end

local AUTH_ROWS = {
  { "bucket", "nonempty", true },
  { "operation", "integer", true, B.range(0, 1) },
  { "location", "nonempty", true, B.one_of(O.LOCATIONS) },
  { "project_id", "string" },
}

function O.update_authority(api, c)
  local b, err = B.checked_body(c, AUTH_ROWS)
  if not b then return err end
  local bucket = find(api, b.bucket, b.location)
  if not bucket then return B.field_error(INVALID, "bucket") end
  bucket.is_authorized = b.operation == 1
  return B.response(200)
end

return O
