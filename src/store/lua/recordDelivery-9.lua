--[[
  One ledger entry and its index updates, and optionally the send's events.
  KEYS: 1 entry hash, 2 failed index, 3 sent index, 4 commitment hash, 5 history list, 6 event stream,
        7 the commitment's failed index, 8 the commitment's sent index,
        9 the document of the commitment the entry names (when ARGV 6 is '2').
  ARGV: 1 recipient, 2 entry JSON, 3 state, 4 score, 5 index member, 6 which indexes besides the
        ledger's own: '0' none (the entry names no commitment; KEYS 7-9 are not touched), '1' the
        commitment's (KEYS 7-8), '2' the commitment's and those of each party its document names
        now (derived: KEYS 2-3 + ':p:' + party), then 0.. event JSON strings.
  The events are appended only while the commitment exists, as appendEvents does;
  without events KEYS 4-6 are not touched (the caller repeats the entry key).
]]
--@include "appendEvent"
--@include "ledgerRows"
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local perCommitment = ARGV[6] == '1' or ARGV[6] == '2'
local parties = ARGV[6] == '2' and ledgerPartiesOf(KEYS[9]) or {}
if ARGV[3] == 'failed' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
  if perCommitment then redis.call('ZADD', KEYS[7], ARGV[4], ARGV[5]) end
  for _, p in ipairs(parties) do redis.call('ZADD', ledgerPartyIndex(KEYS[2], p), ARGV[4], ARGV[5]) end
else
  redis.call('ZREM', KEYS[2], ARGV[5])
  if perCommitment then redis.call('ZREM', KEYS[7], ARGV[5]) end
  for _, p in ipairs(parties) do redis.call('ZREM', ledgerPartyIndex(KEYS[2], p), ARGV[5]) end
end
if ARGV[3] == 'sent' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
  if perCommitment then redis.call('ZADD', KEYS[8], ARGV[4], ARGV[5]) end
  for _, p in ipairs(parties) do redis.call('ZADD', ledgerPartyIndex(KEYS[3], p), ARGV[4], ARGV[5]) end
end
if #ARGV >= 7 and redis.call('EXISTS', KEYS[4]) == 1 then
  for i = 7, #ARGV do appendEvent(KEYS[5], KEYS[6], ARGV[i]) end
end
return 1
