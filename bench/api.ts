/**
 * npm run bench:api
 *
 * Our API against a bare Express 5 + ioredis server, side by side on the same
 * Redis data, with autocannon (20 connections), in alternating rounds after a
 * warm-up. Prints requests/s and p99 latency of each side and the ratio
 * ours/bare for:
 *
 *   one       GET /v1/commitments/:id         (target: ours ≥ 0.6× the bare requests/s)
 *   list50    GET /v1/commitments?limit=50
 *   status    GET /  (the status page, 2,000 commitments in the meeting)
 *
 * Each server runs in a child process of its own:
 *  - ours is the real service (`start({ role: 'api' })` of src/main.ts): real Redis,
 *    API_TOKENS bearer auth, the per-token rate limiter counted in Redis (its limit
 *    set high enough that no request is refused), helmet, metrics, and pino at
 *    `info` as JSON (NODE_ENV=production), written to /dev/null;
 *  - bare is the least a server can do for the same answers: a bearer check against
 *    a SHA-256 digest, then the stored JSON from Redis (one HGET; for the list, a
 *    ZRANGE and a pipeline of 50 HGETs; for the page, all 2,000 documents, parsed,
 *    counted by status and sorted by deadline, the first 50 rendered as escaped HTML
 *    rows, as our page shows them; nothing cached).
 * Every non-2xx answer or socket error fails the run: a fast 429 is not a result.
 * Everything lives under a throwaway REDIS_PREFIX, deleted at the end.
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_ROUNDS (3), BENCH_SECONDS (5
 * per round and side), BENCH_WARMUP_SECONDS (3), BENCH_ONLY (comma list of one,list50,status),
 * BENCH_OURS_ENV (a JSON object of extra variables for our server, to measure what a
 * setting costs), BENCH_PROFILE=1 (write a CPU profile of our server to the system's temporary folder and print
 * its heaviest functions and packages).
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import express from 'express';
import { Redis } from 'ioredis';
import { createKeys } from '../src/store/keys.js';
import { deletePrefixKeys } from '../src/store/prefix-keys.js';
import { cpuOf, populate, productionEnv, serveInChild, startChild, stopChild } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = 2000;
const TOKEN = 'bench-admin-token-0123456789abcdef';
const CONNECTIONS = 20;
const PROFILE_DIR = join(tmpdir(), 'followup-bench-api-profiles') + '/';

type Side = 'bare' | 'ours';
type Target = 'one' | 'list50' | 'status';
const PATHS: Record<Target, string> = { one: '/v1/commitments/c-17', list50: '/v1/commitments?limit=50', status: '/' };
const LABELS: Record<Target, string> = {
  one: 'one commitment   GET /v1/commitments/:id',
  list50: 'list of 50       GET /v1/commitments?limit=50',
  status: 'status page 2k   GET /',
};

// ---------------------------------------------------------------- the servers

async function serveBare(prefix: string): Promise<string> {
  const keys = createKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const expected = createHash('sha256').update(TOKEN).digest();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m || !timingSafeEqual(createHash('sha256').update(m[1]!).digest(), expected)) {
      res.status(401).json({ title: 'Unauthorized' });
      return;
    }
    next();
  });
  const docs = async (ids: string[]) => {
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hget(keys.commitment(id), 'json');
    return ((await pipe.exec()) ?? []).map(([, v]) => v as string);
  };
  app.get('/v1/commitments/:id', async (req, res) => {
    const json = await redis.hget(keys.commitment(req.params.id), 'json');
    if (!json) {
      res.status(404).json({ title: 'Not Found' });
      return;
    }
    res.type('json').send(json);
  });
  app.get('/v1/commitments', async (req, res) => {
    const limit = Math.min(500, Number(req.query['limit'] ?? 50));
    const ids = await redis.zrange(keys.allCommitments, 0, limit - 1);
    res.type('json').send(`{"items":[${(await docs(ids)).join(',')}],"nextCursor":null}`);
  });
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  // The page counts every commitment of the meeting and shows the first 50 by deadline.
  app.get('/', async (_req, res) => {
    const ids = await redis.zrange(keys.allCommitments, 0, -1);
    const all = (await docs(ids)).map((j) => JSON.parse(j) as { id: string; title: string; status: string; leads: string[]; due: { date?: string } | null });
    const counts: Record<string, number> = {};
    for (const c of all) counts[c.status] = (counts[c.status] ?? 0) + 1;
    const rows = all
      .sort((a, b) => (a.due?.date ?? '9').localeCompare(b.due?.date ?? '9') || a.title.localeCompare(b.title))
      .slice(0, 50)
      .map((c) => `<tr><td>${esc(c.title)}</td><td>${esc(c.status)}</td><td>${esc(c.leads.join(', '))}</td></tr>`);
    res.type('html').send(`<!doctype html><html><body><p>${esc(JSON.stringify(counts))}</p><table>${rows.join('')}</table></body></html>`);
  });
  return listen(app);
}

async function serveOurs(prefix: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { start } = await import('../src/main.js');
  const running = await start({
    role: 'api',
    env: {
      ...productionEnv(REDIS_URL, prefix),
      API_TOKENS: JSON.stringify([
        { name: 'bench-admin', token: TOKEN, role: 'admin' },
        { name: 'bench-editor', token: 'bench-editor-token-0123456789', role: 'editor', parties: ['AUS'] },
        { name: 'bench-viewer', token: 'bench-viewer-token-0123456789', role: 'viewer' },
      ]),
      // On, and counted in Redis for every request, but high enough that the bench is never refused.
      RATE_LIMIT_API_PER_MINUTE: '100000000',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '100000000',
      STATUS_PAGE: 'public',
      // For experiments only (what would turning X off buy?): never part of a reported figure.
      ...(process.env.BENCH_OURS_ENV ? (JSON.parse(process.env.BENCH_OURS_ENV) as Record<string, string>) : {}),
    },
  });
  return { url: running.url!, stop: running.stop };
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

// ---------------------------------------------------------------- the driver

const populateBench = (redis: Redis, prefix: string) =>
  populate(redis, prefix, N, {
    at: new Date('2009-08-01T00:00:00Z'),
    dueOf: (i) => (i % 4 === 0 ? null : { date: `2010-0${1 + (i % 6)}-1${i % 9}`, timeZone: 'Asia/Jakarta' }),
    sourceText: (i) => `The meeting agreed that item ${i} would be taken forward by the parties named.`,
  });

function startSide(side: Side, prefix: string) {
  const profile = side === 'ours' && process.env.BENCH_PROFILE === '1';
  if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
  return startChild(fileURLToPath(import.meta.url), side, prefix, profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []);
}

interface Round {
  rps: number;
  p99: number;
  /** Server CPU time per request, ms. */
  cpu: number;
}

async function load(url: string, seconds: number, proc: ChildProcess): Promise<Round> {
  const cpu0 = await cpuOf(proc);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { authorization: `Bearer ${TOKEN}` } });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${url}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors, ${result.timeouts} timeouts in ${result.requests.total} requests`);
  const cpu = (await cpuOf(proc)) - cpu0;
  return { rps: result.requests.total / result.duration, p99: result.latency.p99, cpu: cpu / Math.max(1, result.requests.total) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The heaviest functions and packages of a .cpuprofile, by self time. */
function summariseProfile(file: string) {
  interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const name = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '').replace(/.*\/(src|bench|jobs|workers|config)\//, '$1/');
    return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
  };
  // Percentages of busy time: the server idles while the other side is loaded.
  let busy = 0;
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  const pkgTime = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += t;
    fnSelf.set(name(id), (fnSelf.get(name(id)) ?? 0) + t);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith('node:') ? 'node:internal' : /\/(src|jobs|workers|config|bench)\//.exec(url)?.[1] ?? (url ? 'other' : `(${functionName})`));
    pkgTime.set(pkg, (pkgTime.get(pkg) ?? 0) + t);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(name(at));
    for (const fn of seen) fnTotal.set(fn, (fnTotal.get(fn) ?? 0) + t);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `  ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  console.log(`\nprofile ${file} (percent of busy time)\n heaviest packages (self time):\n${top(pkgTime, 15)}\n heaviest functions (self time):\n${top(fnSelf, 25)}\n heaviest functions (with callees):\n${top(fnTotal, 45)}`);
}

async function main() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  const only = (process.env.BENCH_ONLY ?? 'one,list50,status').split(',').filter((t): t is Target => t in PATHS);
  const prefix = `bench-api-${randomBytes(3).toString('hex')}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const children: ChildProcess[] = [];
  const profilesBefore = new Set(process.env.BENCH_PROFILE === '1' ? safeList(PROFILE_DIR) : []);
  try {
    const t0 = performance.now();
    await populateBench(redis, prefix);
    console.log(`populated ${N} commitments in ${((performance.now() - t0) / 1000).toFixed(1)} s under prefix ${prefix}`);
    const bare = await startSide('bare', prefix);
    children.push(bare.proc);
    const ours = await startSide('ours', prefix);
    children.push(ours.proc);
    const urls: Record<Side, string> = { bare: bare.url, ours: ours.url };
    const procs: Record<Side, ChildProcess> = { bare: bare.proc, ours: ours.proc };
    console.log(`${CONNECTIONS} connections, warm-up ${warmup} s, then ${rounds} alternating rounds of ${seconds} s per side and route`);

    // Both sides answer each route with a 2xx and a body of the expected kind before any load.
    for (const t of only) {
      for (const side of ['bare', 'ours'] as const) {
        const res = await fetch(urls[side] + PATHS[t], { headers: { authorization: `Bearer ${TOKEN}` } });
        const body = await res.text();
        if (!res.ok) throw new Error(`${side} ${PATHS[t]}: ${res.status} ${body.slice(0, 200)}`);
        console.log(`  ${side.padEnd(4)} ${PATHS[t].padEnd(26)} ${res.status} ${String(body.length).padStart(8)} bytes`);
      }
    }
    const results: Record<Target, Record<Side, Round[]>> = { one: { bare: [], ours: [] }, list50: { bare: [], ours: [] }, status: { bare: [], ours: [] } };
    for (const t of only) for (const side of ['bare', 'ours'] as const) await load(urls[side] + PATHS[t], warmup, procs[side]);
    for (let r = 0; r < rounds; r++) {
      for (const t of only) {
        // Alternate which side goes first, so neither always runs on a cooler machine.
        const order: Side[] = r % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
        for (const side of order) results[t][side].push(await load(urls[side] + PATHS[t], seconds, procs[side]));
      }
      process.stdout.write(`  round ${r + 1}/${rounds} done\n`);
    }

    console.log('\nmedian of rounds   bare req/s  p99 ms  CPU ms/req   ours req/s  p99 ms  CPU ms/req   ratio req/s  ratio p99  ratio CPU');
    for (const t of only) {
      const m = (side: Side) => ({ rps: median(results[t][side].map((x) => x.rps)), p99: median(results[t][side].map((x) => x.p99)), cpu: median(results[t][side].map((x) => x.cpu)) });
      const b = m('bare');
      const o = m('ours');
      const cols = (x: Round) => `${x.rps.toFixed(0).padStart(10)}  ${x.p99.toFixed(1).padStart(6)}  ${x.cpu.toFixed(3).padStart(10)}`;
      console.log(`${LABELS[t]}\n${''.padEnd(19)}${cols(b)}   ${cols(o)}   ${(o.rps / b.rps).toFixed(2).padStart(10)}×  ${(o.p99 / b.p99).toFixed(2).padStart(8)}×  ${(o.cpu / b.cpu).toFixed(2).padStart(8)}×`);
    }
    console.log('target: one commitment ≥ 0.60× the bare requests/s');
  } finally {
    await Promise.all(children.map(stopChild));
    const deleted = await deletePrefixKeys(redis, prefix);
    console.log(`deleted ${deleted} keys under ${prefix}`);
    await redis.quit();
  }
  if (process.env.BENCH_PROFILE === '1') {
    for (const f of safeList(PROFILE_DIR)) if (!profilesBefore.has(f) && f.endsWith('.cpuprofile')) summariseProfile(PROFILE_DIR + f);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const serveArg = process.argv.find((a) => a.startsWith('--serve='))?.slice('--serve='.length) as Side | undefined;
const prefixArg = process.argv.find((a) => a.startsWith('--prefix='))?.slice('--prefix='.length);
if (serveArg && prefixArg) {
  serveInChild(() => (serveArg === 'bare' ? serveBare(prefixArg).then((url) => ({ url, stop: async () => {} })) : serveOurs(prefixArg))).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
