/**
 * npm run bench:status-page
 *
 * The public status page (GET /) with 2,000 commitments in one meeting, driven
 * by autocannon (20 connections) after a warm-up, side by side in the same run:
 *
 *   ours         the real service (`start({ role: 'api' })` of src/main.ts, helmet,
 *                metrics, pino JSON logs at info to /dev/null), its page cache on
 *   ours 304     the same server, each request revalidating with If-None-Match
 *   uncached     the same status page route with its cache off (cacheEntries: 0), in a
 *                bare Express app without the service's other middleware: every
 *                request reads the 2,000 commitments and renders the page
 *   constant     a bare Express route sending a fixed string as large as our page 1:
 *                the ceiling of any page server on this machine
 *
 * The URL mix is the same for ours and uncached: the first page, a status filter,
 * page 2, and a party-and-status filter. Prints requests/s, p50 and p99 per side,
 * and the ratios ours/uncached and ours/constant. The goal is ≥ 200 requests/s
 * for ours. Every non-2xx/304 answer fails the run. Each server runs in a child
 * process; everything lives under a throwaway REDIS_PREFIX, deleted at the end.
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_COMMITMENTS (2000),
 * BENCH_ROUNDS (2), BENCH_SECONDS (6 per round and side), BENCH_WARMUP_SECONDS (3).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { deletePrefixKeys } from '../src/store/prefix-keys.js';
import { populate, productionEnv, serveInChild, startChild, stopChild } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_COMMITMENTS ?? 2000);
const CONNECTIONS = 20;
const GOAL_RPS = 200;
const TOKEN = 'bench-status-admin-token-0123456789';
const MIX = ['/', '/?status=open', '/?page=2', '/?party=IDN&status=open'];

type Server = 'ours' | 'uncached' | 'constant';
type Side = Server | 'ours 304';

// ---------------------------------------------------------------- the servers (child processes)

function env(prefix: string): Record<string, string> {
  return {
    ...productionEnv(REDIS_URL, prefix),
    STATUS_PAGE: 'public',
    API_TOKENS: JSON.stringify([{ name: 'bench-admin', token: TOKEN, role: 'admin' }]),
    // Public pages may be rate-limited per address: high enough here that the bench is never refused.
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000000',
    RATE_LIMIT_API_PER_MINUTE: '100000000',
  };
}

function listen(app: express.Express): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err?: Error) => {
      if (err) return reject(err);
      const addr = server.address();
      resolve(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
    });
  });
}

async function serve(side: Server, prefix: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (side === 'ours') {
    const { start } = await import('../src/main.js');
    const running = await start({ role: 'api', env: env(prefix) });
    return { url: running.url!, stop: running.stop };
  }
  const { loadConfig } = await import('../config/env.js');
  const config = loadConfig(env(prefix));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const { createServices } = await import('../src/app/services.js');
  const { appDeps } = await import('../src/api/deps.js');
  const { systemClock } = await import('../src/domain/clock.js');
  const services = createServices(config, { redis }, { clock: systemClock, logger: pino({ level: 'silent' }) });
  const deps = appDeps(services);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (side === 'uncached') {
    const { statusPageRouter } = await import('../src/api/routes/status-page.js');
    const { createSessionCookies } = await import('../src/api/session-cookie.js');
    const { errorHandler } = await import('../src/api/problem.js');
    app.use(statusPageRouter(deps, createSessionCookies(deps), { cacheEntries: 0 }));
    app.use(errorHandler(deps.logger));
  } else {
    // As large as our first page, rendered once by the real route.
    const { statusPageRouter } = await import('../src/api/routes/status-page.js');
    const { createSessionCookies } = await import('../src/api/session-cookie.js');
    const probe = express();
    probe.set('query parser', 'simple');
    probe.use(statusPageRouter(deps, createSessionCookies(deps), { cacheEntries: 0 }));
    const probeUrl = await listen(probe);
    const page = await (await fetch(`${probeUrl}/`)).text();
    app.get('/', (_req, res) => {
      res.type('html').send(page);
    });
  }
  return { url: await listen(app), stop: async () => void (await services.close(), await redis.quit()) };
}

// ---------------------------------------------------------------- the driver

const DAY = 86_400_000;
const populateBench = (redis: Redis, prefix: string) => {
  const at = new Date();
  return populate(redis, prefix, N, {
    at,
    // Deadlines from 60 days ago to 120 days ahead, a quarter without one: overdue, upcoming and undated items.
    dueOf: (i) => (i % 4 === 0 ? null : { date: new Date(at.getTime() + (((i * 7919) % 180) - 60) * DAY).toISOString().slice(0, 10), timeZone: 'Asia/Jakarta' }),
    sourceText: (i) => `The meeting agreed that item ${i} would be taken forward by the parties named, with a report at the next meeting.`,
  });
};

interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** Share of 304 answers. */
  notModified: number;
}

async function load(url: string, paths: string[], seconds: number, headers: Record<string, string> = {}): Promise<Round> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests: paths.map((path) => ({ method: 'GET', path, headers })) });
  // A revalidation answers 304, or 200 with the new page once the minute on it has turned.
  const notModified = result.statusCodeStats?.['304']?.count ?? 0;
  const ok = result['2xx'] + notModified;
  const bad = result.requests.total - ok + result.errors + result.timeouts;
  // autocannon counts a request cut off at the end of the duration as sent: allow one per connection.
  if (bad > CONNECTIONS) throw new Error(`${url}${paths[0]}: ${bad} unexpected answers or errors in ${result.requests.total} requests (${JSON.stringify(result.statusCodeStats)})`);
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, notModified: notModified / Math.max(1, result.requests.total) };
}

/** A plain GET: status and ETag. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
      })
      .on('error', reject);
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const seconds = Number(process.env.BENCH_SECONDS ?? 6);
  const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  const prefix = `bench-status-page-${randomBytes(3).toString('hex')}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const children: ChildProcess[] = [];
  try {
    const t0 = performance.now();
    await populateBench(redis, prefix);
    console.log(`populated ${N} commitments in ${((performance.now() - t0) / 1000).toFixed(1)} s under prefix ${prefix}`);
    const servers = {} as Record<Server, { proc: ChildProcess; url: string }>;
    for (const side of ['ours', 'uncached', 'constant'] as const) {
      servers[side] = await startChild(fileURLToPath(import.meta.url), side, prefix);
      children.push(servers[side].proc);
    }

    // Each side answers before any load; ours and uncached answer the same page.
    const first = await fetch(`${servers.ours.url}/`);
    const page = await first.text();
    if (!first.ok || !first.headers.get('etag') || !page.includes(`of ${N.toLocaleString('en-GB')} commitments`)) throw new Error(`ours GET /: ${first.status}, etag ${first.headers.get('etag')}, ${page.slice(0, 200)}`);
    for (const path of MIX) {
      for (const side of ['ours', 'uncached'] as const) {
        const res = await fetch(servers[side].url + path);
        if (!res.ok) throw new Error(`${side} ${path}: ${res.status}`);
        console.log(`  ${side.padEnd(8)} ${path.padEnd(26)} ${res.status} ${String((await res.text()).length).padStart(8)} bytes`);
      }
    }
    // The page says "as of HH:MM": its tag changes each minute, so take it just before use.
    // (Not with fetch: a fetch with If-None-Match also sends Cache-Control: no-cache, which asks for a full answer.)
    const tagNow = async () => (await get(`${servers.ours.url}/`)).etag!;
    const revalidated = await get(`${servers.ours.url}/`, { 'if-none-match': await tagNow() });
    if (revalidated.status !== 304) throw new Error(`ours If-None-Match: ${revalidated.status}, expected 304`);

    const plan: Record<Side, () => Promise<Round>> = {
      ours: () => load(servers.ours.url, MIX, seconds),
      'ours 304': async () => {
        // Start within a minute that has room for the whole round, so the tag holds throughout.
        const left = 60_000 - (Date.now() % 60_000);
        if (left < (seconds + 1) * 1000) await new Promise((r) => setTimeout(r, left + 100));
        return load(servers.ours.url, ['/'], seconds, { 'if-none-match': await tagNow() });
      },
      uncached: () => load(servers.uncached.url, MIX, seconds),
      constant: () => load(servers.constant.url, ['/'], seconds),
    };
    const sides = Object.keys(plan) as Side[];
    console.log(`${CONNECTIONS} connections, warm-up ${warmup} s per side, then ${rounds} rounds of ${seconds} s per side, in alternating order`);
    await load(servers.ours.url, MIX, warmup);
    await load(servers.uncached.url, MIX, warmup);
    await load(servers.constant.url, ['/'], warmup);
    const results = Object.fromEntries(sides.map((s) => [s, [] as Round[]])) as Record<Side, Round[]>;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides) results[side].push(await plan[side]());
    }

    const med = (side: Side, k: keyof Round) => median(results[side].map((x) => x[k]));
    console.log(`\nstatus page, ${N} commitments, ${PAGE_BYTES(page)} per page (medians of ${rounds} rounds)`);
    console.log('  side        requests/s     p50 ms   p99 ms');
    for (const side of sides) {
      const share = side === 'ours 304' ? `   (${(100 * med(side, 'notModified')).toFixed(0)} % answered 304)` : '';
      console.log(`  ${side.padEnd(10)} ${med(side, 'rps').toFixed(0).padStart(11)} ${med(side, 'p50').toFixed(0).padStart(10)} ${med(side, 'p99').toFixed(0).padStart(8)}${share}`);
    }
    const ours = med('ours', 'rps');
    console.log(`\n  ours / uncached   ${(ours / med('uncached', 'rps')).toFixed(1)}× the requests/s`);
    console.log(`  ours / constant   ${(ours / med('constant', 'rps')).toFixed(2)}× the requests/s of a fixed string`);
    console.log(`  goal ≥ ${GOAL_RPS} requests/s: ${ours >= GOAL_RPS ? 'met' : 'NOT met'} (${ours.toFixed(0)})`);
  } finally {
    for (const proc of children) await stopChild(proc);
    await deletePrefixKeys(redis, prefix);
    await redis.quit();
  }
}

const PAGE_BYTES = (page: string) => `${(Buffer.byteLength(page) / 1024).toFixed(0)} KB`;

const serveArg = process.argv.find((a) => a.startsWith('--serve='))?.slice('--serve='.length) as Server | undefined;
const prefixArg = process.argv.find((a) => a.startsWith('--prefix='))?.slice('--prefix='.length);
if (serveArg && prefixArg) {
  void serveInChild(() => serve(serveArg, prefixArg));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
