/** Which client the Redis variables select, and what a bad value says. No connection is made (clients are lazy). */
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../config/env.js';
import { createRedis, describeTarget, eachMaster, isCluster, parseHostPort, topologyOf } from '../../src/redis.js';

const made: Redis[] = [];
const client = (...args: Parameters<typeof createRedis>) => {
  const r = createRedis(...args);
  made.push(r);
  return r;
};
afterEach(() => {
  for (const r of made.splice(0)) r.disconnect();
});

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('Redis variables', () => {
  it('parse sentinels and cluster seeds as host:port lists', () => {
    const c = loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379, sentinel-b:26380', REDIS_SENTINEL_NAME: 'followup-primary' });
    expect(c.REDIS_SENTINELS).toEqual(['127.0.0.1:26379', 'sentinel-b:26380']);
    expect(c.REDIS_SENTINEL_NAME).toBe('followup-primary');
    expect(c.REDIS_CLUSTER_NODES).toEqual([]);
    expect(topologyOf(c)).toBe('sentinel');
    expect(topologyOf(loadConfig({ REDIS_CLUSTER_NODES: '[::1]:7000,127.0.0.1:7001' }))).toBe('cluster');
    expect(topologyOf(loadConfig({}))).toBe('single');
  });

  it('name the variable of a bad entry, and refuse sentinels and a cluster together', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1' })).toEqual([{ variable: 'REDIS_CLUSTER_NODES', message: expect.stringContaining('host:port') }]);
    expect(problemsOf({ REDIS_SENTINELS: 'a:1,b:x' })).toEqual([{ variable: 'REDIS_SENTINELS', message: expect.stringContaining('host:port') }]);
    expect(problemsOf({ REDIS_URL: 'http://127.0.0.1:6379' })).toEqual([{ variable: 'REDIS_URL', message: 'expected a redis:// or rediss:// URL' }]);
    expect(problemsOf({ REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2' })).toEqual([{ variable: 'REDIS_CLUSTER_NODES', message: expect.stringContaining('not both') }]);
  });

  it('parseHostPort reads IPv4, names and bracketed IPv6, and rejects a missing or bad port', () => {
    expect(parseHostPort('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseHostPort('[::1]:7001')).toEqual({ host: '::1', port: 7001 });
    expect(parseHostPort('redis-a:6380')).toEqual({ host: 'redis-a', port: 6380 });
    expect(() => parseHostPort('redis-a')).toThrow(/host:port/);
    expect(() => parseHostPort('redis-a:70000')).toThrow(/host:port/);
  });
});

describe('createRedis', () => {
  it('makes a Cluster client from the seeds, with REDIS_URL\'s credentials and TLS on every node, and the kind\'s retry rules', () => {
    const c = loadConfig({ REDIS_URL: 'rediss://app:s3cret@ignored:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' });
    const worker = client(c, 'worker');
    expect(isCluster(worker)).toBe(true);
    const opts = (worker as unknown as { options: { redisOptions: Record<string, unknown>; enableOfflineQueue: boolean } }).options;
    expect(opts.redisOptions).toMatchObject({ username: 'app', password: 's3cret', tls: {}, maxRetriesPerRequest: null });
    expect(opts.enableOfflineQueue).toBe(true);
    const api = client(c, 'api');
    const apiOpts = (api as unknown as { options: { redisOptions: Record<string, unknown>; enableOfflineQueue: boolean } }).options;
    expect(apiOpts.enableOfflineQueue).toBe(false);
    expect(apiOpts.redisOptions.maxRetriesPerRequest).toBe(1);
    expect(describeTarget(c)).toBe('the Redis Cluster seeded by 127.0.0.1:7000,127.0.0.1:7001');
  });

  it('makes a Sentinel client that asks the sentinels for the named primary', () => {
    const c = loadConfig({ REDIS_URL: 'redis://:pw@ignored:6379/2', REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380', REDIS_SENTINEL_NAME: 'fu' });
    const r = client(c, 'worker');
    expect(isCluster(r)).toBe(false);
    expect(eachMaster(r)).toEqual([r]);
    expect(r.options).toMatchObject({ name: 'fu', password: 'pw', db: 2, sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }], maxRetriesPerRequest: null });
  });

  it('makes a single-server client from the URL alone, with TLS for rediss://, and never shows the password', () => {
    const r = client('rediss://:topsecret@redis.example:6380', 'api');
    expect(r.options).toMatchObject({ host: 'redis.example', port: 6380, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(r.options.tls).toBeDefined();
    expect(describeTarget('rediss://:topsecret@redis.example:6380')).not.toContain('topsecret');
  });
});
