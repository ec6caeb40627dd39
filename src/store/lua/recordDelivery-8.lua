--[[
  One ledger entry and its index updates, and optionally the send's events.
  KEYS: 1 entry hash, 2 failed index, 3 sent index, 4 commitment hash, 5 history list, 6 event stream.
  ARGV: 1 recipient, 2 entry JSON, 3 state, 4 score, 5 index member, then 0.. event JSON strings.
  The events are appended only while the commitment exists, as appendEvents does;
  without events KEYS 4-6 are not touched (the caller repeats the entry key).
]]
--@include "appendEvent"
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == 'failed' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5]) else redis.call('ZREM', KEYS[2], ARGV[5]) end
if ARGV[3] == 'sent' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5]) end
if #ARGV >= 6 and redis.call('EXISTS', KEYS[4]) == 1 then
  for i = 6, #ARGV do appendEvent(KEYS[5], KEYS[6], ARGV[i]) end
end
return 1
