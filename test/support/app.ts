/** Build the real app against real Redis, with a pinned clock and known tokens. */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../config/env.js';
import { createApp } from '../../src/api/app.js';
import { appDeps, type AppDeps } from '../../src/api/deps.js';
import { createServices, type Clients, type ServiceOptions, type Services } from '../../src/app/services.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
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
  /** The key map, for tests that look at what the store wrote. */
  keys: Keys;
  services: Services;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  /** Another app on the same prefix (a second API process), with other clients or env. */
  withApp(env?: Record<string, string>, clients?: Partial<Clients>, opts?: Partial<ServiceOptions>): ReturnType<typeof createApp>;
  /** More services on the same prefix (e.g. with a notifier, for workers); closed by `cleanup`. */
  servicesWith(clients?: Partial<Clients>, opts?: Partial<ServiceOptions>, env?: Record<string, string>): Services;
  seed(): Promise<void>;
  cleanup(): Promise<void>;
}

/** A fresh app on its own Redis prefix. Call `cleanup` in afterAll. */
export function createTestContext(name: string, env: Record<string, string> = {}, now = '2009-08-01T00:00:00Z'): TestContext {
  const prefix = uniquePrefix(name);
  const configFor = (more: Record<string, string> = {}) => loadConfig({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, API_TOKENS, NODE_ENV: 'test', ...env, ...more });
  const config = configFor();
  const redis = newRedis();
  const clock = fixedClock(now);
  const logger = pino({ level: 'silent' });
  const services = createServices(config, { redis }, { clock, logger });
  const extra: Services[] = [];
  return {
    prefix,
    redis,
    config,
    clock,
    keys: createKeys(prefix),
    services,
    deps: appDeps(services),
    app: createApp(services),
    withApp(more = {}, clients = {}, opts = {}) {
      return createApp(this.servicesWith(clients, opts, more));
    },
    servicesWith(clients = {}, opts = {}, more = {}) {
      const other = createServices(configFor(more), { redis, ...clients }, { clock, logger, ...opts });
      extra.push(other);
      return other;
    },
    async seed() {
      await services.commitments.importMeeting(seedFile(), { name: 'seed' });
    },
    async cleanup() {
      await Promise.all([services, ...extra].map((s) => s.close()));
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
