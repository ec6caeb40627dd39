-- Append one domain event (JSON) to a commitment's history list and to the
-- deployment's event stream. The stream is capped near a million entries.
--
-- The stream's ids are Redis's clock, not the event's own `at` (the service's
-- clock), so the event is also indexed by its `at`: a sorted set beside the
-- stream (`<stream>:at`, keys.eventsByAt, same hash tag), member the stream id,
-- score the `at` in epoch milliseconds. A period's events are then a range of
-- that set, whatever the length of the history. The index is capped like the
-- stream (its lowest `at` go first). An event whose `at` is not an ISO instant
-- is not indexed (no period contains it).
local function isoToMillis(at)
  if type(at) ~= 'string' then return nil end
  local y, mo, d, h, mi, s, rest = string.match(at, '^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)(.*)$')
  if not y then return nil end
  local ms = 0
  local frac, zone = string.match(rest, '^%.(%d+)(.*)$')
  if frac then
    ms = tonumber(string.sub(frac .. '00', 1, 3))
    rest = zone
  end
  local offset = 0
  if rest ~= 'Z' then
    local sign, oh, om = string.match(rest, '^([+-])(%d%d):?(%d%d)$')
    if not sign then return nil end
    offset = (tonumber(oh) * 60 + tonumber(om)) * 60000
    if sign == '-' then offset = -offset end
  end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  -- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400000 + tonumber(h) * 3600000 + tonumber(mi) * 60000 + tonumber(s) * 1000 + ms - offset
end

local function appendEvent(historyKey, streamKey, json)
  redis.call('RPUSH', historyKey, json)
  local id = redis.call('XADD', streamKey, 'MAXLEN', '~', '1000000', '*', 'e', json)
  local score = isoToMillis(string.match(json, '"at":"([^"]*)"'))
  if score then
    local byAt = streamKey .. ':at'
    redis.call('ZADD', byAt, score, id)
    if redis.call('ZCARD', byAt) > 1001000 then redis.call('ZREMRANGEBYRANK', byAt, 0, 999) end
  end
end
