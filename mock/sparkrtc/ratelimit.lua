-- mock/sparkrtc/ratelimit.lua — the gateway's rate limit, and per-second request counts.
-- Pure: time is an argument. A request is admitted while fewer than `rate` requests were
-- admitted in the last second (a sliding window: the second before `now`); past that it is
-- refused with the seconds to wait (Retry-After). rate 0 admits everything (counts go on).

local L = {}
L.__index = L

local KEEP = 120 -- seconds of per-second counts kept

function L.new(rate)
  return setmetatable({ rate = rate or 0, window = {}, seconds = {}, limited = 0,
    max_per_second = 0, max_window = 0 }, L)
end

function L:set_rate(rate) self.rate = rate or 0 end

local function count(self, now, field)
  local sec = math.floor(now)
  local s = self.seconds[sec]
  if not s then
    s = { second = sec, requests = 0, accepted = 0, limited = 0 }
    self.seconds[sec] = s
    for k in pairs(self.seconds) do
      if k <= sec - KEEP then self.seconds[k] = nil end
    end
  end
  s.requests = s.requests + 1
  s[field] = s[field] + 1
  if s.accepted > self.max_per_second then self.max_per_second = s.accepted end
end

-- -> true | false, retry_after (whole seconds, at least 1)
function L:admit(now)
  local w = self.window
  local first = 1
  while w[first] and w[first] <= now - 1 do first = first + 1 end
  if first > 1 then
    local keep = {}
    for i = first, #w do keep[#keep + 1] = w[i] end
    w = keep
    self.window = w
  end
  if self.rate > 0 and #w >= self.rate then
    self.limited = self.limited + 1
    count(self, now, "limited")
    return false, math.max(1, math.ceil(w[1] + 1 - now))
  end
  w[#w + 1] = now
  if #w > self.max_window then self.max_window = #w end
  count(self, now, "accepted")
  return true
end

-- { rate, limited, max_per_second, max_window, per_second = { {second, requests, accepted, limited}, … } }
function L:stats()
  local list = {}
  for _, s in pairs(self.seconds) do
    list[#list + 1] = { second = s.second, requests = s.requests, accepted = s.accepted, limited = s.limited }
  end
  table.sort(list, function(a, b) return a.second < b.second end)
  return { rate = self.rate, limited = self.limited, max_per_second = self.max_per_second,
    max_window = self.max_window, per_second = list }
end

return L
