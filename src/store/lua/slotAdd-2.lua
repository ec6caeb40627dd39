--[[
  Put groups of sends into a slot (the sends of many commitments due at one instant), unless the
  slot's job has already finished it: then nothing is added and the caller schedules the groups
  another way.
  KEYS: 1 slot set, 2 the slot's closed-marker.  ARGV: the members.
  Returns 1 if added, 0 if the slot is closed.
]]
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SADD', KEYS[1], unpack(ARGV))
return 1
