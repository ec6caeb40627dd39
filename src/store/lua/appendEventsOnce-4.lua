--[[
  Append events once per marker, and only to the version of the commitment the caller decided on.
  KEYS: 1 document, 2 history, 3 stream, 4 marker.
  ARGV: 1 expected version, 2 marker value, then the events' JSON.
  Returns 'missing', 'changed' (the document is at another version: read it
  again and decide again), 'already' (the marker exists) or 'ok'.
]]
--@include "appendEvent"
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 'missing' end
if v ~= ARGV[1] then return 'changed' end
if not redis.call('SET', KEYS[4], ARGV[2], 'NX') then return 'already' end
for i = 3, #ARGV do appendEvent(KEYS[2], KEYS[3], ARGV[i]) end
return 'ok'
