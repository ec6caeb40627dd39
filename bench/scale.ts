/**
 * npm run bench:scale
 *
 * How the costs grow with the store: at 1k, 10k and 100k commitments (each
 * with about five events, and one sent reminder in the ledger) it prints
 *   - Redis bytes per commitment (MEMORY USAGE summed over the run's prefix);
 *   - the full reconcile's time (every commitment re-planned by the workers);
 *   - the digest's time for one constant week, while the history around it
 *     grows: the week's events read through the `at` index, the whole digest
 *     (snapshot + build: counts and lists from the digest's indexes, not every
 *     document), one party's digest, and, for comparison, a scan of the whole
 *     event stream (what the digest did before the index);
 *   - list-page latency over loopback HTTP (the median of BENCH_REQUESTS):
 *     GET /v1/commitments?limit=50, GET /v1/reminders?state=sent&limit=50,
 *     the same for one commitment, and an editor's page.
 * The target: the week's digest reads and the list pages stay flat (within
 * 1.5×) from 10k to 100k; the table's last column is the 100k/10k ratio.
 *
 * Every size lives side by side under its own prefix, and the timings are taken
 * in BENCH_ROUNDS rounds that visit the sizes in turn (medians printed), so a
 * busy neighbour on a shared machine slows every size alike and the ratios
 * hold. The history's events are dated over 2025 and the first 300 commitments each have one event
 * in the measured week, so the week holds the same events at every size. One
 * commitment in ten is open with a deadline in 2031 and one reminder step
 * (a delayed job each); the others have no deadline or are done.
 *
 * Bounded: sizes up to 200,000 (the defaults hold 111,000 commitments, about
 * 0.6 GB of Redis), each wait has a deadline, and every prefix is deleted at
 * the end (also on failure).
 *
 * Env: REDIS_URL, BENCH_SCALES (default 1000,10000,100000), BENCH_REQUESTS
 * (default 40), BENCH_RECONCILE (0 to skip the full reconcile),
 * BENCH_RECONCILE_MAX (default 10,000: the largest size it runs at; it is
 * linear in the commitments, one plan each, and the µs per commitment are
 * printed, so the top size's time is that times 100k).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { z } from 'zod';
import { loadConfig } from '../config/env.js';
import { createApp } from '../src/api/app.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/domain/clock.js';
import { completeCommitment, createCommitment, patchCommitment, type Change, type Commitment, type CommitmentInputSchema } from '../src/domain/commitment.js';
import { buildDigest } from '../src/domain/digest.js';
import { digestQuery } from '../src/domain/digest-view.js';
import type { DomainEvent } from '../src/domain/events.js';
import { MeetingFileSchema } from '../src/domain/meeting.js';
import { readDigestSnapshot, readEventsBetween } from '../src/store/digest-store.js';
import { createKeys } from '../src/store/keys.js';
import { createSendLedger } from '../src/store/ledger-store.js';
import { deletePrefixKeys, scanPrefix } from '../src/store/prefix-keys.js';
import { startWorkers } from '../workers/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCALES = (process.env.BENCH_SCALES ?? '1000,10000,100000').split(',').map(Number).sort((a, b) => a - b);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RECONCILE = process.env.BENCH_RECONCILE !== '0';
/** Above this size the full reconcile is not run (it is linear; its per-commitment cost is printed). */
const RECONCILE_MAX = Number(process.env.BENCH_RECONCILE_MAX ?? 10_000);
const MAX = 200_000;
if (SCALES.some((n) => !Number.isInteger(n) || n < 1 || n > MAX)) throw new Error(`BENCH_SCALES: sizes from 1 to ${MAX}`);

const TZ = 'Asia/Jakarta';
const WEEK = { from: new Date('2026-06-01T00:00:00.000Z'), to: new Date('2026-06-08T00:00:00.000Z'), first: false };
const IN_WEEK = 300;
const HISTORY_START = Date.parse('2025-01-01T00:00:00.000Z');
const YEAR_MS = 365 * 86_400_000;
const ADMIN = 'scale-admin-token-0123456789abcdef';
const EDITOR = 'scale-editor-token-0123456789abcd';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const workerRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });

/** One size's store: its prefix, services, ledger and API server. */
function sizeContext(n: number) {
  const prefix = `bench-scale-${n}-${randomBytes(3).toString('hex')}`;
  const keys = createKeys(prefix);
  const config = loadConfig({
    REDIS_URL,
    REDIS_PREFIX: prefix,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    API_TOKENS: JSON.stringify([
      { name: 'admin', token: ADMIN, role: 'admin' },
      { name: 'lka', token: EDITOR, role: 'editor', parties: ['LKA'] },
    ]),
    RATE_LIMIT_API_PER_MINUTE: '0',
  });
  const services = createServices(config, { redis }, { clock: systemClock, logger: pino({ level: 'silent' }) });
  return { n, prefix, keys, services, ledger: createSendLedger(redis, keys, 'reminder'), server: undefined as Server | undefined, base: '' };
}
type SizeContext = ReturnType<typeof sizeContext>;

/** A deterministic pseudo-random sequence, so every run builds the same state. */
let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

let partyIds: string[] = [];
let meetingId = '';

async function seedMeeting({ services }: SizeContext): Promise<void> {
  const file = MeetingFileSchema.parse(JSON.parse(readFileSync(new URL('../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')));
  await services.meetings.create(file.meeting);
  for (const p of file.parties) await services.parties.create(p);
  partyIds = file.parties.map((p) => p.id);
  meetingId = file.meeting.id;
}

/** Commitment i with its five events (create, edits, perhaps done), dated in the history or, for the first few, one in the week. */
function commitmentAt(i: number): Change {
  const t = (k: number) => new Date(HISTORY_START + ((i * 7919 + k * 86_400_000 * 9) % YEAR_MS));
  const open = i % 10 === 0;
  const leads = [pick(partyIds), pick(partyIds)].filter((x, j, a) => a.indexOf(x) === j);
  const input = {
    meetingId,
    id: `c-${i}`,
    title: `Commitment ${i}: technical meeting on topic ${i % 97}`,
    sourceText: '',
    theme: null,
    leads,
    members: [pick(partyIds)],
    due: open ? { at: new Date(Date.parse('2031-01-01T00:00:00Z') + i * 60_000).toISOString() } : null,
    reminderPolicy: open ? { before: [], onDue: true, overdue: { every: 'PT1H', max: 0 }, escalateAfter: null, sendAt: null, quietDays: [] } : null,
  };
  let change = createCommitment(input as z.output<typeof CommitmentInputSchema>, 'bench', t(0));
  const events: DomainEvent[] = [...change.events];
  let c: Commitment = change.commitment;
  for (let k = 1; k < 5; k++) {
    const at = k === 4 && i < IN_WEEK ? new Date(WEEK.from.getTime() + i * 1_000_000) : t(k);
    if (k === 4 && !open && rnd() < 0.3) change = completeCommitment(c, { note: `done ${i}`, completedOn: '2025-12-01' }, 'secretariat', at);
    else change = patchCommitment(c, { title: `Commitment ${i}: revised ${k}` }, pick(['secretariat', 'idn-focal', 'lka-focal']), at);
    events.push(...change.events);
    c = change.commitment;
  }
  return { commitment: c, events };
}

async function grow({ services, ledger }: SizeContext, from: number, to: number): Promise<void> {
  const CHUNK = 500;
  for (let i = from; i < to; i += CHUNK) {
    const n = Math.min(CHUNK, to - i);
    const changes = Array.from({ length: n }, (_, k) => commitmentAt(i + k));
    await Promise.all(changes.map((w) => services.commitmentStore.create(w)));
    // One sent reminder per commitment, dated in the history.
    await Promise.all(
      changes.map((w, k) => {
        const c = w.commitment;
        const at = new Date(HISTORY_START + (((i + k) * 104_729) % YEAR_MS));
        return ledger.markSent(`${c.id}--d1--due--${c.leads[0]}`, `lead-${c.leads[0]!.toLowerCase()}@example.org`, at, `<${c.id}@bench>`, { commitmentId: c.id, partyId: c.leads[0], step: 'due', dueVersion: 1, plannedAt: at.toISOString() });
      }),
    );
  }
}

async function prefixBytes(prefix: string): Promise<number> {
  let total = 0;
  await scanPrefix(
    redis,
    prefix,
    async (batch) => {
      const pipe = redis.pipeline();
      for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', 0);
      for (const [, v] of (await pipe.exec()) ?? []) total += Number(v ?? 0);
    },
    2000,
  );
  return total;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The whole stream scanned and filtered by `at`: how the digest read its events before the index. */
async function scanStream(keys: SizeContext['keys']): Promise<number> {
  let n = 0;
  let start = '-';
  const from = WEEK.from.toISOString();
  const to = WEEK.to.toISOString();
  for (;;) {
    const page = await redis.xrange(keys.events, start, '+', 'COUNT', 10_000);
    for (const [, f] of page) {
      const json = f[1]!;
      const i = json.indexOf('"at":"');
      const at = json.slice(i + 6, i + 30);
      if (at >= from && at < to) n++;
    }
    if (page.length < 10_000) return n;
    start = `(${page[page.length - 1]![0]}`;
  }
}

async function untilDrained(queue: { getJobCounts(...t: string[]): Promise<Record<string, number>> }, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    if (Object.values(c).every((n) => !n)) return;
    if (Date.now() > end) throw new Error(`the full reconcile did not finish within ${deadlineMs / 1000} s: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Row {
  n: number;
  bytesPerCommitment: number;
  reconcileMs: number;
  reconcileUsPer: number;
  weekEvents: number;
  weekReadMs: number;
  digestMs: number;
  partyDigestMs: number;
  scanMs: number;
  listCommitmentsMs: number;
  listRemindersMs: number;
  listOneCommitmentMs: number;
  listEditorMs: number;
}

async function main() {
  const sizes = SCALES.map(sizeContext);
  try {
    process.stdout.write(`bench:scale  sizes ${SCALES.join(', ')} side by side; ~5 events and one sent reminder per commitment; week ${WEEK.from.toISOString().slice(0, 10)}; ${ROUNDS} rounds\n`);
    const rows = new Map<number, Row>();
    for (const ctx of sizes) {
      seed = 7;
      await seedMeeting(ctx);
      const t = performance.now();
      await grow(ctx, 0, ctx.n);
      const bytes = await prefixBytes(ctx.prefix);
      let reconcileMs = NaN;
      if (RECONCILE && ctx.n <= RECONCILE_MAX) {
        const workers = await startWorkers({ services: ctx.services, redis: workerRedis, options: { noFullReconcile: true } });
        try {
          const r0 = performance.now();
          await ctx.services.commitments.rescheduleAll();
          await untilDrained(workers.queues.reconcile, 900_000);
          reconcileMs = performance.now() - r0;
        } finally {
          await workers.close();
        }
      }
      const app = createApp(ctx.services);
      ctx.server = await new Promise<Server>((r) => {
        const srv = app.listen(0, '127.0.0.1', () => r(srv));
      });
      ctx.base = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
      const weekEvents = (await readEventsBetween(redis, ctx.keys, WEEK)).length;
      rows.set(ctx.n, { n: ctx.n, bytesPerCommitment: bytes / ctx.n, reconcileMs, reconcileUsPer: (reconcileMs * 1000) / ctx.n, weekEvents, weekReadMs: 0, digestMs: 0, partyDigestMs: 0, scanMs: 0, listCommitmentsMs: 0, listRemindersMs: 0, listOneCommitmentMs: 0, listEditorMs: 0 });
      process.stdout.write(`  ${ctx.n}: populated and reconciled in ${((performance.now() - t) / 1000).toFixed(1)} s; ${(bytes / ctx.n).toFixed(0)} B/commitment\n`);
    }

    // Timings: rounds that visit every size in turn; medians per size.
    const samples = new Map<number, Record<string, number[]>>(SCALES.map((n) => [n, {}]));
    const note = (n: number, k: keyof Row, ms: number) => (samples.get(n)![k] ??= []).push(ms);
    const perRound = Math.max(1, Math.round(REQUESTS / ROUNDS));
    for (let round = 0; round <= ROUNDS; round++) {
      for (const ctx of sizes) {
        const sources = { redis, keys: ctx.keys, meetings: ctx.services.meetings, parties: ctx.services.parties, reminderLedger: ctx.ledger };
        const get = (path: string, token: string) => async () => {
          const res = await fetch(`${ctx.base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
          if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        };
        const measures: Array<[keyof Row, number, () => Promise<unknown>]> = [
          ['weekReadMs', 3, () => readEventsBetween(redis, ctx.keys, WEEK)],
          ['digestMs', 3, async () => buildDigest(await readDigestSnapshot(sources, WEEK, [digestQuery({ asOf: WEEK.to })]), WEEK, { asOf: WEEK.to, timeZone: TZ })],
          ['partyDigestMs', 3, async () => buildDigest(await readDigestSnapshot(sources, WEEK, [digestQuery({ asOf: WEEK.to, party: 'LKA' })]), WEEK, { asOf: WEEK.to, timeZone: TZ, party: 'LKA' })],
          ['scanMs', 1, () => scanStream(ctx.keys)],
          ['listCommitmentsMs', perRound, get('/v1/commitments?limit=50', ADMIN)],
          ['listRemindersMs', perRound, get('/v1/reminders?state=sent&limit=50', ADMIN)],
          ['listOneCommitmentMs', perRound, get('/v1/reminders?state=sent&limit=50&commitment=c-7', ADMIN)],
          ['listEditorMs', 1, get('/v1/reminders?state=sent&limit=50', EDITOR)],
        ];
        for (const [k, times, f] of measures) {
          for (let i = 0; i < times; i++) {
            const t = performance.now();
            await f();
            // Round 0 warms up.
            if (round > 0) note(ctx.n, k, performance.now() - t);
          }
        }
      }
      if (round > 0) process.stdout.write(`  round ${round}/${ROUNDS} done\n`);
    }
    for (const [n, byKey] of samples) Object.assign(rows.get(n)!, Object.fromEntries(Object.entries(byKey).map(([k, v]) => [k, median(v)])));

    const table: Array<[string, keyof Row, string]> = [
      ['Redis bytes / commitment', 'bytesPerCommitment', ''],
      ['full reconcile, ms', 'reconcileMs', `linear (one plan each); run up to ${RECONCILE_MAX}`],
      ['  per commitment, µs', 'reconcileUsPer', ''],
      ['events in the week', 'weekEvents', 'constant by construction'],
      ['week’s events via the at index, ms', 'weekReadMs', 'flat (≤ 1.5×)'],
      ['digest: snapshot + build, ms', 'digestMs', 'flat (≤ 1.5×)'],
      ['  one party’s digest (LKA), ms', 'partyDigestMs', 'flat (≤ 1.5×)'],
      ['  for comparison: scan of the stream, ms', 'scanMs', 'the read before the index'],
      ['GET /v1/commitments?limit=50, ms', 'listCommitmentsMs', 'flat (≤ 1.5×)'],
      ['GET /v1/reminders?limit=50, ms', 'listRemindersMs', 'flat (≤ 1.5×)'],
      ['  … &commitment=c-7, ms', 'listOneCommitmentMs', 'flat (≤ 1.5×)'],
      ['  … as an editor (LKA), ms', 'listEditorMs', 'flat (≤ 1.5×)'],
    ];
    const all = SCALES.map((n) => rows.get(n)!);
    const w = 40;
    const col = 11;
    const last = all.at(-1)!;
    const ref = all.find((r) => r.n === 10_000) ?? all.at(-2) ?? last;
    process.stdout.write(`\nmedians of ${ROUNDS} rounds\n${'metric'.padEnd(w)}${all.map((r) => String(r.n).padStart(col)).join('')}${`${last.n / 1000}k/${ref.n / 1000}k`.padStart(col)}  target\n`);
    for (const [name, k, target] of table) {
      const ratio = (last[k] as number) / Math.max(1e-9, ref[k] as number);
      const verdict = target.startsWith('flat') ? (ratio <= 1.5 ? `ok, ${target}` : `MISSED, ${target}`) : target;
      process.stdout.write(`${name.padEnd(w)}${all.map((r) => (r[k] as number).toFixed(k === 'weekEvents' ? 0 : 1).padStart(col)).join('')}${ratio.toFixed(2).padStart(col)}  ${verdict}\n`);
    }
  } finally {
    let deleted = 0;
    for (const ctx of sizes) {
      await new Promise<void>((r) => (ctx.server ? ctx.server.close(() => r()) : r()));
      await ctx.services.close();
      deleted += await deletePrefixKeys(redis, ctx.prefix);
    }
    process.stdout.write(`\ncleaned up: ${deleted} keys under ${sizes.map((c) => c.prefix).join(', ')}\n`);
    await Promise.all([redis.quit(), workerRedis.quit()]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
