--[[
  Replace a document only if it is still the one the caller read.
  KEYS: 1 document. ARGV: 1 the old value, 2 the new value. Returns 1 when replaced, else 0.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
