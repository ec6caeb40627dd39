--[[
  Write a commitment: version check, document, events and index updates, all or nothing.
  KEYS: 1 document hash, 2 history list, 3 event stream, 4.. index keys.
  ARGV: 1 mode ('create' | 'update'), 2 expected version, 3 new version, 4 JSON,
        5 event count E, then E event JSON strings, then index ops as
        (op, keyIndex, member, score) quadruples; op is sadd, srem, zadd or zrem, or, for a party
        added to or removed from the commitment, zcopy or zremfrom: every row of the index whose
        key index is `member` (the commitment's ledger index) into or out of the key (the party's).
  Mode 'index' (the digest read models' backfill, src/store/digest-view-store.ts) writes no
  document and no event: it applies the index ops only while the document is at the expected version.
  Returns {'ok', version} | {'exists', version} | {'missing', 0} | {'stale', version}.
]]
--@include "appendEvent"
--@include "ledgerRows"
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == 'create' then
  if current then return {'exists', tonumber(current)} end
else
  if not current then return {'missing', 0} end
  if current ~= ARGV[2] then return {'stale', tonumber(current)} end
end
if ARGV[1] ~= 'index' then redis.call('HSET', KEYS[1], 'v', ARGV[3], 'json', ARGV[4]) end
local e = tonumber(ARGV[5])
for i = 1, e do appendEvent(KEYS[2], KEYS[3], ARGV[5 + i]) end
local i = 6 + e
while i <= #ARGV do
  local op, key, member = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2]
  if op == 'sadd' then redis.call('SADD', key, member)
  elseif op == 'srem' then redis.call('SREM', key, member)
  elseif op == 'zadd' then redis.call('ZADD', key, ARGV[i + 3], member)
  elseif op == 'zrem' then redis.call('ZREM', key, member)
  elseif op == 'zcopy' then ledgerCopyRows(KEYS[tonumber(member)], { key })
  elseif op == 'zremfrom' then ledgerRemoveRows(KEYS[tonumber(member)], key) end
  i = i + 4
end
return {'ok', tonumber(ARGV[3])}
