/**
 * Reminder benchmark: N reminders (default 10,000) due over S seconds (default
 * 10), end to end: due instant → accepted by a local SMTP server in this process.
 *
 *   npm run bench:reminders            (REDIS_URL, BENCH_SHAPE, BENCH_N, BENCH_SPREAD_MS, BENCH_DAYS, BENCH_CONCURRENCY, BENCH_POOL, BENCH_ROUNDS, BENCH_WARMUP, BENCH_PROFILE)
 *
 * Two shapes (BENCH_SHAPE):
 *   grouped    (default) each commitment's ten parties share one zone and the
 *              exact-instant policy: one instant per commitment carries ten
 *              sends; deadlines spread evenly over the window.
 *   realistic  the parties are in the seed meeting's zones (UTC+4:30 to UTC+13),
 *              and each party's sends fire at its own instant, as a policy with
 *              a local send time makes them: the window is BENCH_DAYS (default 10)
 *              compressed days, and every send to party p on day d falls at p's
 *              "09:00" of that day (offset within the day by p's UTC offset).
 *              So no two parties of a commitment share an instant, and each
 *              instant carries the sends of many commitments to one party; here
 *              each commitment has one party (a multi-party commitment is, for
 *              the scheduler, one such commitment per party).
 *              The baseline's jobs fall on the same instants.
 *
 * After an unmeasured warm-up of each side (BENCH_WARMUP reminders, default 1,000),
 * runs alternate, ours then baseline, BENCH_ROUNDS times (default 5: A B A B …;
 * single runs on a shared 2-core machine vary by ±30 %, so one pair proves little),
 * so a busy neighbour on a shared machine does not bias one side; each run is
 * printed, and the table compares the medians. Same SMTP server, same worker
 * concurrency and SMTP pool on both sides:
 *   ours      commitments → reconcile jobs → groups in slots, one delayed job per
 *             instant → fire-time guard per group → template + signed links → pooled
 *             SMTP → ledger → reminder.sent event (see docs/reminders.md, "Groups and
 *             slots": grouped, each commitment's ten parties make one group; realistic,
 *             each instant's slot carries the groups of a hundred commitments)
 *   baseline  a bare BullMQ worker sending with pooled nodemailer, jobs added with addBulk
 * Prints reminders/s, p50/p99 lateness, Redis bytes per scheduled reminder
 * (MEMORY USAGE summed over the run's own prefix, before and after scheduling,
 * so other users of the same Redis do not skew it), this process's CPU time
 * per reminder (user + system, due → last accepted; it includes the in-process
 * SMTP server on both sides, and is steadier than throughput under load),
 * and our/baseline ratios.
 */
import { deletePrefixKeys, scanPrefix } from '../src/store/prefix-keys.js';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import inspector from 'node:inspector';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../config/env.js';
import { enqueueReconcileMany } from '../jobs/reminder-jobs.js';
import { createCommitment } from '../src/domain/commitment.js';
import { systemClock } from '../src/domain/clock.js';
import { createLinkToken, linkUrl, newLinkId } from '../src/mail/action-link.js';
import { createMailer } from '../src/mail/mailer.js';
import { renderReminder } from '../src/mail/reminder-template.js';
import { createServices } from '../src/app/services.js';
import { startWorkers } from '../workers/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_N ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const POOL = Number(process.env.BENCH_POOL ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const PARTIES = 10;
const SHAPE = (process.env.BENCH_SHAPE ?? 'grouped') as 'grouped' | 'realistic';
if (SHAPE !== 'grouped' && SHAPE !== 'realistic') throw new Error(`BENCH_SHAPE: expected grouped or realistic, not ${String(SHAPE)}`);
// Scheduling must finish before the first deadline; the realistic shape has ten times the commitments.
const LEAD_MS = Number(process.env.BENCH_LEAD_MS ?? (SHAPE === 'realistic' ? 60_000 : 15_000));
const DAYS = Number(process.env.BENCH_DAYS ?? 10);

/** The seed meeting's zones, one per bench party (ten of its twelve, east to west). */
const SEED_ZONES = ['Pacific/Auckland', 'Australia/Sydney', 'Asia/Kuala_Lumpur', 'Asia/Jakarta', 'Asia/Yangon', 'Asia/Dhaka', 'Asia/Colombo', 'Asia/Karachi', 'Asia/Kabul', 'Indian/Maldives'];
/** Minutes east of UTC of a zone at an instant. */
function offsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at);
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
/** Where each party's "09:00" falls within a UTC day, as a fraction of the day (east first). */
const ZONE_FRACTION = (() => {
  const now = new Date();
  const utcNine = SEED_ZONES.map((z) => (((9 * 60 - offsetMinutes(z, now)) % 1440) + 1440) % 1440);
  return utcNine.map((m) => m / 1440);
})();

/**
 * Reminder i of `total`: its party and due instant (ms after t0).
 *   grouped: (only the baseline uses it) evenly spread, parties in turn.
 *   realistic: party i mod 10 on compressed day ⌊i·DAYS/total⌋, at that party's 09:00.
 */
function reminderAt(i: number, total: number, spreadMs: number): { party: number; offsetMs: number } {
  const party = i % PARTIES;
  if (SHAPE === 'grouped') return { party, offsetMs: Math.floor((i * spreadMs) / total) };
  const dayMs = spreadMs / DAYS;
  const day = Math.floor((i * DAYS) / total);
  const min = Math.min(...ZONE_FRACTION);
  const max = Math.max(...ZONE_FRACTION);
  // The parties' 09:00s span part of a day; stretched over 90 % of the compressed day.
  const within = max > min ? ((ZONE_FRACTION[party]! - min) / (max - min)) * 0.9 : 0;
  return { party, offsetMs: Math.floor(day * dayMs + within * dayMs) };
}

/**
 * One rendered reminder, so the baseline moves the same bytes through nodemailer and SMTP as we do:
 * with the signed links ours issues (a lead's four in the realistic shape, where each commitment
 * has one party; a member's two in the grouped shape, where nine of each job's ten are members).
 */
const SAMPLE = (() => {
  const c = createCommitment(
    {
      id: 'bench-sample',
      meetingId: 'bench',
      title: 'Technical meeting on irregular maritime ventures 1234',
      sourceText: 'Participants agreed to convene a technical meeting.',
      theme: null,
      leads: ['B00'],
      members: [],
      due: { at: new Date().toISOString() },
      reminderPolicy: null,
    },
    'bench',
    new Date(),
  ).commitment;
  const purposes = SHAPE === 'realistic' ? (['view', 'complete', 'progress', 'extend'] as const) : (['view', 'progress'] as const);
  const links = Object.fromEntries(purposes.map((p) => [p, linkUrl('http://followup.bench', createLinkToken('bench-secret-0123456789-0123456789-abcdef', newLinkId()))]));
  return renderReminder({
    commitment: c,
    send: { id: 'bench-sample--d1--due--B00', step: 'due', stepKey: 'due', at: new Date().toISOString(), timeZone: 'Asia/Jakarta', partyId: 'B00' },
    recipient: 'b0@example.org',
    copied: false,
    leadNames: ['Party 0'],
    baseUrl: 'http://followup.bench',
    links,
  });
})();

interface Arrival {
  plannedAt: number;
  receivedAt: number;
}

/** One SMTP server for both runs; it notes when each message was accepted and when it was due. */
async function startSink() {
  let arrivals: Arrival[] = [];
  let onArrival: (() => void) | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 8192) head += c.toString('latin1');
      });
      stream.on('end', () => {
        const m = /^X-Followup-Planned-At:\s*(\S+)/im.exec(head);
        arrivals.push({ plannedAt: m ? Date.parse(m[1]!) : NaN, receivedAt: Date.now() });
        onArrival?.();
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    reset: () => {
      arrivals = [];
    },
    waitFor: (n: number, timeoutMs: number) =>
      new Promise<Arrival[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${arrivals.length}/${n} messages arrived`)), timeoutMs);
        const check = () => {
          if (arrivals.length >= n) {
            clearTimeout(timer);
            onArrival = null;
            resolve(arrivals);
          }
        };
        onArrival = check;
        check();
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** MEMORY USAGE of each key in a batch. */
async function memoryUsage(redis: Redis, batch: string[]): Promise<number[]> {
  const pipe = redis.pipeline();
  for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', 0);
  return ((await pipe.exec()) ?? []).map(([, v]) => Number(v ?? 0));
}

/** MEMORY USAGE per key family (job ids and commitment ids folded), for BENCH_BREAKDOWN=1. */
async function breakdown(redis: Redis, prefix: string, n: number): Promise<void> {
  const groups = new Map<string, number>();
  await scanPrefix(
    redis,
    prefix,
    async (batch) => {
      const bytes = await memoryUsage(redis, batch);
      batch.forEach((k, i) => {
        const family = k.replace(/:(r|s)[A-Za-z0-9_-]{16}$/, ':<job>').replace(/bench-\d+/, '<id>');
        groups.set(family, (groups.get(family) ?? 0) + bytes[i]!);
      });
    },
    2000,
  );
  for (const [k, b] of [...groups].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${k.padEnd(48)} ${(b / n).toFixed(1)} B/reminder\n`);
}

/** Sum of MEMORY USAGE over every key of a prefix. */
async function prefixBytes(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  await scanPrefix(
    redis,
    prefix,
    async (batch) => {
      for (const b of await memoryUsage(redis, batch)) total += b;
    },
    2000,
  );
  return total;
}

/**
 * CPU µs of this process, and of the Redis server (INFO cpu), from now until `done`
 * settles. With BENCH_PROFILE=<dir>, a V8 CPU profile of the same window (the send phase
 * only, no setup or scheduling) is written there as <side>-<n>.cpuprofile, for
 * chrome://inspect or any .cpuprofile viewer.
 */
async function cpuDuring<T>(redis: Redis, side: string, done: Promise<T>): Promise<{ value: T; cpuUs: number; redisCpuUs: number }> {
  const profile = process.env.BENCH_PROFILE ? await startProfile() : null;
  const r0 = await redisCpuUs(redis);
  const c0 = process.cpuUsage();
  const value = await done;
  const c = process.cpuUsage(c0);
  const r1 = await redisCpuUs(redis);
  if (profile) await profile.stop(process.env.BENCH_PROFILE!, side);
  return { value, cpuUs: c.user + c.system, redisCpuUs: r1 - r0 };
}

/** The Redis server's CPU time so far (INFO cpu: used_cpu_user + used_cpu_sys), µs. */
async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

let profiles = 0;
async function startProfile() {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(dir: string, side: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${side}-${++profiles}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

function summarise(arrivals: Arrival[]) {
  const late = arrivals.map((a) => a.receivedAt - a.plannedAt).sort((a, b) => a - b);
  const q = (p: number) => late[Math.min(late.length - 1, Math.floor(p * late.length))]!;
  const firstDue = Math.min(...arrivals.map((a) => a.plannedAt));
  const last = Math.max(...arrivals.map((a) => a.receivedAt));
  return { perSecond: arrivals.length / ((last - firstDue) / 1000), p50: q(0.5), p99: q(0.99), max: late.at(-1)!, early: late.filter((x) => x < 0).length };
}

async function runBaseline(redis: Redis, sink: Awaited<ReturnType<typeof startSink>>, total = N, spreadMs = SPREAD_MS) {
  const prefix = `bench-base-${randomBytes(3).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('reminders', { connection, prefix: `{${prefix}}` });
  const transport = nodemailer.createTransport({ pool: true, maxConnections: POOL, maxMessages: 1000, host: '127.0.0.1', port: sink.port, secure: false });
  const worker = new Worker<{ to: string; at: string }>(
    'reminders',
    async (job) => {
      // The same message our pipeline sends, prepared once: the same text and HTML, and the
      // same header set (nodemailer's cost grows with each header it normalises and encodes).
      await transport.sendMail({
        from: 'Follow-up <followup@localhost>',
        to: [job.data.to],
        subject: SAMPLE.subject,
        text: SAMPLE.text,
        html: SAMPLE.html,
        date: new Date(),
        messageId: `<bench-${job.id}--d1--due--B00.0123456789abcdef@followup>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Followup-Send-Id': `bench-${job.id}--d1--due--B00`, 'X-Followup-Planned-At': job.data.at },
      });
    },
    { connection, prefix: `{${prefix}}`, concurrency: CONCURRENCY },
  );
  const before = await prefixBytes(redis, prefix);
  const t0 = Date.now() + LEAD_MS / 3;
  const jobs = Array.from({ length: total }, (_, i) => {
    const { party, offsetMs } = reminderAt(i, total, spreadMs);
    const at = t0 + offsetMs;
    return { name: 'send', data: { to: `b${party}@example.org`, at: new Date(at).toISOString() }, opts: { jobId: `r-${i}`, delay: at - Date.now(), removeOnComplete: true, attempts: 8, backoff: { type: 'exponential', delay: 1000 } } };
  });
  const scheduledAt = Date.now();
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  const scheduleMs = Date.now() - scheduledAt;
  const bytes = (await prefixBytes(redis, prefix)) - before;
  await new Promise((r) => setTimeout(r, Math.max(0, t0 - Date.now())));
  const { value: arrivals, cpuUs, redisCpuUs } = await cpuDuring(redis, 'baseline', sink.waitFor(total, spreadMs + 120_000));
  await worker.close();
  await queue.close();
  transport.close();
  await deletePrefixKeys(redis, prefix);
  await connection.quit();
  return { ...summarise(arrivals), bytesPerReminder: bytes / total, scheduleMs, cpuPerReminderUs: cpuUs / total, redisCpuPerReminderUs: redisCpuUs / total, jobs: total };
}

async function runOurs(redis: Redis, sink: Awaited<ReturnType<typeof startSink>>, total = N, spreadMs = SPREAD_MS) {
  const prefix = `bench-ours-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ REDIS_URL, REDIS_PREFIX: prefix, SMTP_URL: sink.url, NODE_ENV: 'production', LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://followup.bench', ACTION_LINK_SECRET: 'bench-secret-0123456789-0123456789-abcdef' });
  const data = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const workerRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: config.MAIL_FROM, maxConnections: POOL });
  const services = createServices(config, { redis: data, notifier: mailer }, { clock: systemClock, logger: pino({ level: 'silent' }) });
  const commitments = services.commitmentStore;
  const parties = services.parties;
  for (let p = 0; p < PARTIES; p++) {
    await parties.put({ id: `B${String(p).padStart(2, '0')}`, name: `Party ${p}`, kind: 'state', timeZone: SHAPE === 'realistic' ? SEED_ZONES[p]! : 'Asia/Jakarta', contacts: [{ name: `p${p}`, email: `b${p}@example.org` }], roles: [] });
  }
  // grouped: total / PARTIES commitments, each with one 'due' send per party at its deadline;
  // realistic: total commitments, each with one party, due at that party's instant (reminderAt).
  const count = SHAPE === 'grouped' ? Math.ceil(total / PARTIES) : total;
  const t0 = Date.now() + LEAD_MS;
  const ids: string[] = [];
  const now = new Date();
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, k) => {
        const n = i + k;
        const one = SHAPE === 'realistic' ? reminderAt(n, total, spreadMs) : null;
        const change = createCommitment(
          {
            id: `bench-${n}`,
            meetingId: 'bench',
            title: `Technical meeting on irregular maritime ventures ${n}`,
            sourceText: 'Participants agreed to convene a technical meeting.',
            theme: null,
            leads: [one ? `B${String(one.party).padStart(2, '0')}` : 'B00'],
            members: one ? [] : Array.from({ length: PARTIES - 1 }, (_, p) => `B${String(p + 1).padStart(2, '0')}`),
            due: { at: new Date(t0 + (one ? one.offsetMs : Math.floor((n * spreadMs) / count))).toISOString() },
            reminderPolicy: { before: [], onDue: true, overdue: { every: 'PT1H', max: 0 }, escalateAfter: null, sendAt: null, quietDays: [] },
          },
          'bench',
          now,
        );
        ids.push(change.commitment.id);
        return commitments.create(change);
      }),
    );
  }
  const workers = await startWorkers({ services, redis: workerRedis, options: { noFullReconcile: true, reminderConcurrency: CONCURRENCY } });
  const before = await prefixBytes(data, prefix);
  const scheduledAt = Date.now();
  await enqueueReconcileMany(workers.queues.reconcile, ids);
  let jobs = 0;
  for (;;) {
    const c = await workers.queues.reminders.getJobCounts('delayed', 'waiting', 'active', 'completed');
    jobs = (c.delayed ?? 0) + (c.waiting ?? 0) + (c.active ?? 0);
    const r = await workers.queues.reconcile.getJobCounts('waiting', 'active', 'delayed');
    // Each Job Scheduler (the reconcile sweep) always has its next run delayed.
    const schedulers = await workers.queues.reconcile.getJobSchedulersCount();
    // Every reconcile done (each was enqueued above): the slots and their jobs are in place.
    if (jobs > 0 && (r.waiting ?? 0) + (r.active ?? 0) + Math.max(0, (r.delayed ?? 0) - schedulers) === 0) break;
    if (Date.now() > t0) throw new Error('scheduling did not finish before the first deadline; raise BENCH_LEAD_MS');
    await new Promise((r) => setTimeout(r, 50));
  }
  const scheduleMs = Date.now() - scheduledAt;
  const bytes = (await prefixBytes(data, prefix)) - before;
  if (process.env.BENCH_BREAKDOWN) await breakdown(data, prefix, total);
  await new Promise((r) => setTimeout(r, Math.max(0, t0 - Date.now())));
  const { value: arrivals, cpuUs, redisCpuUs } = await cpuDuring(data, 'ours', sink.waitFor(total, spreadMs + 120_000));
  await workers.close();
  await services.close();
  await mailer.close();
  await deletePrefixKeys(data, prefix);
  await Promise.all([data.quit(), workerRedis.quit()]);
  return { ...summarise(arrivals), bytesPerReminder: bytes / total, scheduleMs, cpuPerReminderUs: cpuUs / total, redisCpuPerReminderUs: redisCpuUs / total, jobs };
}

type RunResult = Awaited<ReturnType<typeof runOurs>>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** Field-by-field median of several runs. */
function medianOf(runs: RunResult[]): RunResult {
  const keys = Object.keys(runs[0]!) as Array<keyof RunResult>;
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])) as RunResult;
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(9);

async function main() {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const hz = (await redis.config('GET', 'hz').catch(() => ['hz', '?'])) as string[];
  const sink = await startSink();
  const only = process.env.BENCH_ONLY;
  process.stdout.write(
    `bench:reminders  shape ${SHAPE}${SHAPE === 'realistic' ? ` (${DAYS} days × ${PARTIES} zones = ${DAYS * PARTIES} instants)` : ''}  N=${N} over ${SPREAD_MS / 1000}s, ${ROUNDS} round(s) alternating ours/baseline; both sides: worker concurrency ${CONCURRENCY}, SMTP pool ${POOL} connections; Redis hz ${hz[1]}\n`,
  );
  const ours: RunResult[] = [];
  const base: RunResult[] = [];
  const line = (name: string, r: RunResult) =>
    process.stdout.write(
      `  ${name.padEnd(9)} ${r.perSecond.toFixed(0).padStart(5)}/s  p50 ${r.p50.toFixed(0).padStart(6)} ms  p99 ${r.p99.toFixed(0).padStart(6)} ms  ${r.bytesPerReminder.toFixed(0)} B/reminder  CPU ${r.cpuPerReminderUs.toFixed(0)} µs/reminder, Redis ${r.redisCpuPerReminderUs.toFixed(0)} µs\n`,
    );
  // An unmeasured warm-up of both sides first (BENCH_WARMUP reminders each, default 1,000;
  // 0 to skip): whichever side ran first otherwise paid alone for loading and JIT-compiling
  // the code both share (nodemailer, BullMQ, ioredis, smtp-server), and ours always runs first.
  if (WARMUP > 0) {
    process.stdout.write(`warm-up: ${WARMUP} reminders per side, not measured\n`);
    if (only !== 'baseline') {
      sink.reset();
      await runOurs(redis, sink, WARMUP, 1000);
    }
    if (only !== 'ours') {
      sink.reset();
      await runBaseline(redis, sink, WARMUP, 1000);
    }
  }
  for (let round = 1; round <= ROUNDS; round++) {
    process.stdout.write(`round ${round}/${ROUNDS}\n`);
    if (only !== 'baseline') {
      sink.reset();
      ours.push(await runOurs(redis, sink));
      line('ours', ours.at(-1)!);
    }
    if (only !== 'ours') {
      sink.reset();
      base.push(await runBaseline(redis, sink));
      line('baseline', base.at(-1)!);
    }
  }
  await sink.close();
  await redis.quit();
  if (!ours.length || !base.length) return;
  const o = medianOf(ours);
  const b = medianOf(base);

  const rows: Array<[string, number, number, number, string]> = [
    ['reminders/s (due → accepted)', o.perSecond, b.perSecond, o.perSecond / b.perSecond, o.perSecond / b.perSecond >= 0.8 ? 'ok (≥ 0.8)' : 'MISSED (≥ 0.8)'],
    ['p50 lateness, ms', o.p50, b.p50, o.p50 / Math.max(1, b.p50), ''],
    ['p99 lateness, ms', o.p99, b.p99, o.p99 / Math.max(1, b.p99), o.p99 <= 1.5 * b.p99 ? 'ok (≤ 1.5)' : 'MISSED (≤ 1.5)'],
    ['max lateness, ms', o.max, b.max, o.max / Math.max(1, b.max), ''],
    ['Redis bytes / scheduled reminder', o.bytesPerReminder, b.bytesPerReminder, o.bytesPerReminder / b.bytesPerReminder, o.bytesPerReminder <= 500 ? 'ok (≤ 500 B)' : 'MISSED (≤ 500 B)'],
    ['CPU µs / reminder (this process)', o.cpuPerReminderUs, b.cpuPerReminderUs, o.cpuPerReminderUs / b.cpuPerReminderUs, ''],
    ['Redis server CPU µs / reminder', o.redisCpuPerReminderUs, b.redisCpuPerReminderUs, o.redisCpuPerReminderUs / b.redisCpuPerReminderUs, ''],
    ['scheduling time, ms', o.scheduleMs, b.scheduleMs, o.scheduleMs / Math.max(1, b.scheduleMs), ''],
    ['delayed jobs scheduled', o.jobs, b.jobs, o.jobs / b.jobs, ''],
  ];
  process.stdout.write(`\nshape ${SHAPE}: medians of ${ROUNDS} round(s)\n${'metric'.padEnd(34)}${'ours'.padStart(9)}${'baseline'.padStart(9)}${'ratio'.padStart(9)}  target\n`);
  for (const [name, ov, bv, r, t] of rows) process.stdout.write(`${name.padEnd(34)}${fmt(ov, 1)}${fmt(bv, 1)}${fmt(r, 2)}  ${t}\n`);
  process.stdout.write(`\nsent early (before the planned instant): ours ${ours.reduce((n, r) => n + r.early, 0)}, baseline ${base.reduce((n, r) => n + r.early, 0)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
