/**
 * The API's per-token limit counts in Redis, batched per process
 * (sharedWindowCounter in src/api/rate-limit.ts). Two counters on one store
 * stand for two API processes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYNC_MS, sharedWindowCounter } from '../../src/api/rate-limit.js';
import { createKeys } from '../../src/store/keys.js';
import { createRateLimitStore } from '../../src/store/rate-limit-store.js';
import { deletePrefix, newRedis, uniquePrefix } from '../support/redis.js';

const prefix = uniquePrefix('rl-shared');
const redis = newRedis();
const keys = createKeys(prefix);
const store = createRateLimitStore(redis, keys, 'api');
const errors: unknown[] = [];
const apiProcess = (limit: number, maxKeys?: number) => sharedWindowCounter(store, 60_000, limit, (err) => errors.push(err), maxKeys);
const hit = async (c: ReturnType<typeof apiProcess>, key: string) => (await c.hit(key)).count;
const inRedis = async (key: string) => Number((await redis.get(store.prefixKey(key))) ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('the shared, batched request count', () => {
  it('when one process counts a burst, then it answers each hit in order and Redis gets the whole count', async () => {
    const a = apiProcess(1000);
    const counts: number[] = [];
    for (let i = 0; i < 25; i++) counts.push(await hit(a, 'token:burst'));
    expect(counts).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    // The batch leaves within SYNC_MS; poll a bounded while rather than time it.
    for (let i = 0; i < 50 && (await inRedis('token:burst')) < 25; i++) await sleep(SYNC_MS);
    expect(await inRedis('token:burst')).toBe(25);
    expect(errors).toEqual([]);
  });

  it('when a token reaches its limit in one process, then another process refuses it on its first hit', async () => {
    const a = apiProcess(5);
    const b = apiProcess(5);
    for (let i = 1; i <= 5; i++) expect(await hit(a, 'token:busy')).toBe(i);
    expect(await hit(a, 'token:busy')).toBe(6);
    expect(await hit(b, 'token:busy')).toBeGreaterThan(5);
  });

  it('when two processes share a token, then each learns the other\'s hits at its next sync', async () => {
    const a = apiProcess(1000);
    const b = apiProcess(1000);
    for (let i = 0; i < 10; i++) await hit(a, 'token:shared');
    for (let i = 0; i < 50 && (await inRedis('token:shared')) < 10; i++) await sleep(SYNC_MS);
    // b's first hit waits for Redis and sees a's ten.
    expect(await hit(b, 'token:shared')).toBe(11);
    await sleep(SYNC_MS + 20);
    // a's knowledge is stale now: its next hit asks Redis, which holds b's hit too.
    expect(await hit(a, 'token:shared')).toBe(12);
  });

  it('when more keys arrive than it may remember, then the oldest are dropped and their hits still reach Redis', async () => {
    const a = apiProcess(1000, 3);
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      await hit(a, `addr:${k}`);
      await hit(a, `addr:${k}`);
    }
    expect(a.size()).toBe(3);
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      for (let i = 0; i < 50 && (await inRedis(`addr:${k}`)) < 2; i++) await sleep(SYNC_MS);
      expect(await inRedis(`addr:${k}`)).toBe(2);
    }
  });
});
