--[[
  Every entry of several sends in one command.
  KEYS: entry hashes. Returns one HGETALL field/value list per key.
]]
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
return out
