--[[
  Delete a meeting only while nothing points to it, in one step: no commitment's deadline is
  tied to it and no commitment belongs to it.
  KEYS: 1 meeting document, 2 meetings index (zset), 3 commitments tied to it (set), 4 its commitments (set).
  ARGV: 1 the meeting id.
  Returns 'missing', 'tied', 'owned' or 'ok'.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('SCARD', KEYS[3]) > 0 then return 'tied' end
if redis.call('SCARD', KEYS[4]) > 0 then return 'owned' end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 'ok'
