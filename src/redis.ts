/**
 * Redis clients for the entry points, in each of the topologies a deployment
 * may use (see docs/redis-topologies.md):
 *
 * - one server: `REDIS_URL` (`redis://` or `rediss://` for TLS);
 * - a Sentinel set: `REDIS_SENTINELS=host:port,…` and `REDIS_SENTINEL_NAME`; the
 *   client asks the sentinels for the current primary and follows a failover.
 *   `REDIS_URL` still gives the data nodes' user, password, database and TLS;
 * - a Redis Cluster: `REDIS_CLUSTER_NODES=host:port,…` (seeds; the client learns
 *   the rest). `REDIS_URL` gives the nodes' user, password and TLS.
 *
 * Every key of a deployment carries the one hash tag `{REDIS_PREFIX}` (see
 * src/store/keys.ts; BullMQ's prefix is the same tag), so on a Cluster each
 * script, pipeline and multi-key command goes to one node. An ioredis Cluster
 * answers the same commands as a single-server client, so it is handed out
 * under the `Redis` type; the one command that differs is SCAN, which sees one
 * node only: walk keys with `scanEachMaster` (src/store/prefix-keys.ts does).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Where Redis is: the four variables of config/env.ts (a bare URL means one server). */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_SENTINELS?: readonly string[];
  REDIS_SENTINEL_NAME?: string;
  REDIS_CLUSTER_NODES?: readonly string[];
}

export type RedisTopology = 'single' | 'sentinel' | 'cluster';

const asTarget = (target: string | RedisTarget): RedisTarget => (typeof target === 'string' ? { REDIS_URL: target } : target);

export function topologyOf(target: string | RedisTarget): RedisTopology {
  const t = asTarget(target);
  if (t.REDIS_CLUSTER_NODES?.length) return 'cluster';
  if (t.REDIS_SENTINELS?.length) return 'sentinel';
  return 'single';
}

/** Where we look, for messages: the URL without its password, or the seeds. */
export function describeTarget(target: string | RedisTarget): string {
  const t = asTarget(target);
  switch (topologyOf(t)) {
    case 'cluster':
      return `the Redis Cluster seeded by ${t.REDIS_CLUSTER_NODES!.join(',')}`;
    case 'sentinel':
      return `the primary "${t.REDIS_SENTINEL_NAME ?? 'mymaster'}" of the sentinels ${t.REDIS_SENTINELS!.join(',')}`;
    default:
      return redactUrl(t.REDIS_URL);
  }
}

export class RedisUnreachableError extends Error {
  constructor(target: string | RedisTarget, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot reach Redis at ${describeTarget(target)} (${reason}).\n` +
        '  Start one with:  redis-server --daemonize yes   (or: docker compose up -d redis)\n' +
        '  or point REDIS_URL (or REDIS_SENTINELS, REDIS_CLUSTER_NODES) at running servers, e.g. REDIS_URL=redis://127.0.0.1:6379',
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

/** `host:port` → {host, port}; IPv6 as `[::1]:7000`. */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`expected host:port, got "${s}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** What REDIS_URL says beyond host and port: credentials, database, TLS. */
function urlCredentials(url: string): Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'> {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A client of the configured topology, not yet connected (see connectRedis).
 * `api` clients fail fast while Redis is down (the API answers 503);
 * `worker` clients wait for Redis to come back, as BullMQ workers require.
 */
export function createRedis(target: string | RedisTarget, kind: 'api' | 'worker', extra: RedisOptions = {}, onError?: (err: Error) => void): Redis {
  const t = asTarget(target);
  const perKind: RedisOptions = kind === 'api' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null };
  const common: RedisOptions = { connectionName: `followup-${kind}`, ...perKind, ...extra };
  let redis: Redis;
  switch (topologyOf(t)) {
    case 'cluster': {
      const { db: _db, ...credentials } = urlCredentials(t.REDIS_URL);
      const { enableOfflineQueue, ...redisOptions } = common;
      const options: ClusterOptions = {
        lazyConnect: true,
        // The offline queue of a Cluster client is its own; each node's stays on for slot moves.
        enableOfflineQueue: enableOfflineQueue ?? true,
        redisOptions: { ...credentials, ...redisOptions },
        // A failover moves slots; retry on MOVED/TRYAGAIN a little before giving up.
        retryDelayOnFailover: 200,
        retryDelayOnTryAgain: 200,
        slotsRefreshTimeout: 2000,
      };
      // Same command interface (see the module comment); SCAN is the one to do per node.
      redis = new Cluster(t.REDIS_CLUSTER_NODES!.map(parseHostPort), options) as unknown as Redis;
      break;
    }
    case 'sentinel': {
      const credentials = urlCredentials(t.REDIS_URL);
      redis = new Redis({
        lazyConnect: true,
        sentinels: t.REDIS_SENTINELS!.map(parseHostPort),
        name: t.REDIS_SENTINEL_NAME ?? 'mymaster',
        ...credentials,
        ...(credentials.tls ? { enableTLSForSentinelMode: true } : {}),
        // Hear the sentinels' +switch-master and move to the new primary at once.
        failoverDetector: true,
        // A write that reached the old primary after it became a replica was refused (READONLY),
        // not applied: reconnect (the sentinels name the new primary) and send it again.
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
        ...common,
      });
      break;
    }
    default:
      redis = new Redis(t.REDIS_URL, { lazyConnect: true, ...common });
  }
  // Without a listener, ioredis prints every reconnect failure as an unhandled error with a stack.
  redis.on('error', onError ?? (() => {}));
  return redis;
}

/** True for a Redis Cluster client. */
export const isCluster = (redis: Redis): boolean => (redis as unknown as { isCluster?: boolean }).isCluster === true;

/**
 * The clients to run a per-node command on (SCAN, INFO, DBSIZE): every master of a
 * Cluster, or the client itself.
 */
export function eachMaster(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
}

/** Connect, or throw a RedisUnreachableError that says where we looked and how to start Redis. */
export async function connectRedis(redis: Redis, target: string | RedisTarget, timeoutMs = 3000): Promise<void> {
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
    throw new RedisUnreachableError(target, lastError ?? err);
  } finally {
    clearTimeout(timer);
    redis.off('error', remember);
  }
}
