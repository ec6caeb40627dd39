/**
 * Lua scripts that make each commitment write atomic with its version check,
 * its index updates and its events.
 */
import type { Redis } from 'ioredis';

/**
 * KEYS: 1 document hash, 2 history list, 3 event stream, 4.. index keys.
 * ARGV: 1 mode ('create' | 'update'), 2 expected version, 3 new version, 4 JSON,
 *       5 event count E, then E event JSON strings, then index ops as
 *       (op, keyIndex, member, score) quadruples; op is sadd, srem, zadd or zrem.
 * Returns {'ok', version} | {'exists', version} | {'missing', 0} | {'stale', version}.
 */
const WRITE_COMMITMENT = `
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == 'create' then
  if current then return {'exists', tonumber(current)} end
else
  if not current then return {'missing', 0} end
  if current ~= ARGV[2] then return {'stale', tonumber(current)} end
end
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'json', ARGV[4])
local e = tonumber(ARGV[5])
for i = 1, e do
  local ev = ARGV[5 + i]
  redis.call('RPUSH', KEYS[2], ev)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'e', ev)
end
local i = 6 + e
while i <= #ARGV do
  local op, key, member = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2]
  if op == 'sadd' then redis.call('SADD', key, member)
  elseif op == 'srem' then redis.call('SREM', key, member)
  elseif op == 'zadd' then redis.call('ZADD', key, ARGV[i + 3], member)
  elseif op == 'zrem' then redis.call('ZREM', key, member) end
  i = i + 4
end
return {'ok', tonumber(ARGV[3])}
`;

/**
 * Append events without changing the document (reminder.sent, commitment.overdue …),
 * but only while the commitment exists. KEYS: 1 document, 2 history, 3 stream. ARGV: events.
 */
const APPEND_EVENTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'e', ARGV[i])
end
return #ARGV
`;

/**
 * Append events once per marker, and only to the version of the commitment the
 * caller decided on. KEYS: 1 document, 2 history, 3 stream, 4 marker.
 * ARGV: 1 expected version, 2 marker value, then the events.
 * Returns 'missing', 'changed' (the document is at another version: read it
 * again and decide again), 'already' (the marker exists) or 'ok'.
 */
const APPEND_ONCE = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 'missing' end
if v ~= ARGV[1] then return 'changed' end
if not redis.call('SET', KEYS[4], ARGV[2], 'NX') then return 'already' end
for i = 3, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'e', ARGV[i])
end
return 'ok'
`;

export interface ScriptedRedis extends Redis {
  followupWrite(...args: (string | number)[]): Promise<[string, number]>;
  followupAppend(...args: (string | number)[]): Promise<number>;
  followupAppendOnce(...args: (string | number)[]): Promise<'missing' | 'changed' | 'already' | 'ok'>;
}

/** Define the scripts on a client (idempotent) and return it typed. */
export function withScripts(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.followupWrite !== 'function') {
    redis.defineCommand('followupWrite', { lua: WRITE_COMMITMENT });
    redis.defineCommand('followupAppend', { lua: APPEND_EVENTS });
    redis.defineCommand('followupAppendOnce', { numberOfKeys: 4, lua: APPEND_ONCE });
  }
  return r;
}
