/** Build the real app against real Redis, with a pinned clock and known tokens. */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../config/env.js';
import { createApp } from '../../src/api/app.js';
import type { AppDeps } from '../../src/api/deps.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createAuthenticator } from '../../src/store/auth-store.js';
import { createRedisCommitmentStore } from '../../src/store/commitment-store.js';
import { createKeys } from '../../src/store/keys.js';
import { importMeetingFile } from '../../src/store/meeting-import.js';
import { createRedisMeetingStore, createRedisPartyStore } from '../../src/store/party-store.js';
import { deletePrefix, newRedis, redisUrl, uniquePrefix } from './redis.js';

export const TOKENS = {
  admin: 'admin-token-0123456789abcdef',
  lka: 'lka-editor-token-0123456789',
  idn: 'idn-editor-token-0123456789',
  viewer: 'viewer-token-0123456789abcd',
} as const;

export const API_TOKENS = JSON.stringify([
  { name: 'secretariat', token: TOKENS.admin, role: 'admin' },
  { name: 'lka-focal', token: TOKENS.lka, role: 'editor', parties: ['LKA'] },
  { name: 'idn-focal', token: TOKENS.idn, role: 'editor', parties: ['IDN'] },
  { name: 'observer', token: TOKENS.viewer, role: 'viewer' },
]);

export const SEED_FILE = new URL('../../config/seed/ahg-som-2009.json', import.meta.url);
export const seedFile = (): unknown => JSON.parse(readFileSync(SEED_FILE, 'utf8'));

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface TestContext {
  prefix: string;
  redis: Redis;
  config: Config;
  clock: ReturnType<typeof fixedClock>;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  seed(): Promise<void>;
  cleanup(): Promise<void>;
}

/** A fresh app on its own Redis prefix. Call `cleanup` in afterAll. */
export function createTestContext(name: string, env: Record<string, string> = {}, now = '2009-08-01T00:00:00Z'): TestContext {
  const prefix = uniquePrefix(name);
  const config = loadConfig({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, API_TOKENS, NODE_ENV: 'test', ...env });
  const redis = newRedis();
  const keys = createKeys(prefix);
  const clock = fixedClock(now);
  const logger = pino({ level: 'silent' });
  const commitments = createRedisCommitmentStore(redis, keys);
  const parties = createRedisPartyStore(redis, keys);
  const meetings = createRedisMeetingStore(redis, keys);
  const auth = createAuthenticator(redis, keys, config.API_TOKENS);
  const deps: AppDeps = { config, redis, keys, clock, logger, auth, commitments, parties, meetings };
  return {
    prefix,
    redis,
    config,
    clock,
    deps,
    app: createApp(deps),
    async seed() {
      await importMeetingFile(seedFile(), deps, 'seed', clock.now());
    },
    async cleanup() {
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
