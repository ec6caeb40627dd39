/** Rate-limit counters in Redis (rate-limit-redis), one key prefix per limit, so every API process shares one count. */
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Keys } from './keys.js';

export function createRateLimitStore(redis: Redis, keys: Keys, name: string): RedisStore {
  return new RedisStore({
    prefix: keys.rateLimit(name),
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
}

/** Add n to a fixed window's count (creating it with the window's TTL); answer the count and the ms left. */
const ADD_SCRIPT = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) ttl = tonumber(ARGV[2]) end
return {n, ttl}`;

/**
 * Add `n` hits to `key`'s window in one round trip, through the store's own connection and
 * key prefix (the API's batched per-token count, src/api/rate-limit.ts).
 */
export async function addToWindow(store: RedisStore, key: string, n: number, windowMs: number): Promise<{ count: number; ttl: number }> {
  const redisKey = store.prefixKey(key);
  const [count, ttl] = (await store.sendCommand({ key: redisKey, isReadOnly: false, command: ['EVAL', ADD_SCRIPT, '1', redisKey, String(n), String(windowMs)] })) as [number, number];
  return { count: Number(count), ttl: Number(ttl) };
}
