/** Redis clients for the entry points. */
import { Redis, type RedisOptions } from 'ioredis';

export class RedisUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot reach Redis at ${redactUrl(url)} (${reason}).\n` +
        '  Start one with:  redis-server --daemonize yes   (or: docker compose up -d redis)\n' +
        '  or point REDIS_URL at a running server, e.g. REDIS_URL=redis://127.0.0.1:6379',
    );
    this.name = 'RedisUnreachableError';
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * `api` clients fail fast while Redis is down (the API answers 503);
 * `worker` clients wait for Redis to come back, as BullMQ workers require.
 */
export function createRedis(url: string, kind: 'api' | 'worker', extra: RedisOptions = {}, onError?: (err: Error) => void): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: `followup-${kind}`,
    ...(kind === 'api' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null }),
    ...extra,
  });
  // Without a listener, ioredis prints every reconnect failure as an unhandled error with a stack.
  redis.on('error', onError ?? (() => {}));
  return redis;
}

/** Connect, or throw a RedisUnreachableError that says where we looked and how to start Redis. */
export async function connectRedis(redis: Redis, url: string, timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let lastError: Error | undefined;
  const remember = (err: Error) => {
    lastError = err;
  };
  redis.on('error', remember);
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new RedisUnreachableError(url, lastError ?? err);
  } finally {
    clearTimeout(timer);
    redis.off('error', remember);
  }
}
