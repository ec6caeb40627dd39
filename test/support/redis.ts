/** Real-Redis helpers: one prefix per test file, and cleanup of everything under it. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { deletePrefixKeys, scanPrefix } from '../../src/store/prefix-keys.js';

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A prefix no other test file uses, e.g. `t-commitments-3f9a1c`. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(4).toString('hex')}`;
}

export function newRedis(opts: { maxRetriesPerRequest?: number | null } = {}): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: opts.maxRetriesPerRequest ?? null });
}

/** Delete every key of a prefix (our keys and BullMQ's share the hash tag). */
export const deletePrefix = deletePrefixKeys;

/**
 * Every key under a prefix with its type and value, to show that a request changed nothing.
 * The rate limits' request counters (`…:ratelimit:…`, src/api/rate-limit.ts) are left out:
 * counting a request is not a change to the store, and every request is counted.
 */
export async function snapshotPrefix(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  await scanPrefix(redis, prefix, (batch) => {
    keys.push(...batch.filter((k) => !k.includes('}:ratelimit:')));
  });
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    if (type === 'string') out[key] = await redis.get(key);
    else if (type === 'hash') out[key] = await redis.hgetall(key);
    else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
    else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'list') out[key] = await redis.lrange(key, 0, -1);
    else if (type === 'stream') out[key] = await redis.xlen(key);
    else out[key] = type;
  }
  return out;
}
