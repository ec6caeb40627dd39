/**
 * The fault suite's own Redis: a redis-server on a free loopback port with the append-only file
 * on (fsync on every write, so a stop loses no acknowledged write), started here and stopped at
 * the end. Every test of the suite (the crash test included) gets it as `redisUrl`; the fault
 * tests that stop and restart Redis start their own besides. The shared 6379 is never touched.
 */
import type { TestProject } from 'vitest/node';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.js';

let redis: OwnRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  redis = await startOwnRedis({ aof: true });
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.dispose();
}
