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
