--[[
  Remove a sorted-set member only if its score is at most a bound (a later write keeps it).
  KEYS: 1 sorted set.  ARGV: 1 member, 2 bound.
  Returns 1 if removed, else 0.
]]
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
