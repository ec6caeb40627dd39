/**
 * npm run bench:digest
 *
 * Builds the digest for 10,000 commitments with 50,000 history events, and in
 * the same run times the bare read of that state from Redis (every commitment
 * document and every event, fetched and JSON-parsed, nothing else). Prints the
 * ratio of the digest's time to the bare read's; the target is at most 2.
 *
 *   digest = readDigestSnapshot + buildDigest (+ rendering HTML and text, shown apart)
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_COMMITMENTS, BENCH_EVENTS, BENCH_RUNS.
 */
import { deletePrefixKeys } from '../src/store/prefix-keys.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { completeCommitment, createCommitment, patchCommitment, type Change, type Commitment, type CommitmentInputSchema } from '../src/domain/commitment.js';
import type { DomainEvent } from '../src/domain/events.js';
import { buildDigest, meetingStartInstant } from '../src/domain/digest.js';
import { digestQuery } from '../src/domain/digest-view.js';
import { digestPeriod } from '../src/domain/digest-period.js';
import { MeetingFileSchema } from '../src/domain/meeting.js';
import { renderDigest } from '../src/mail/digest-template.js';
import { createSendLedger } from '../src/store/ledger-store.js';
import { readDigestSnapshot } from '../src/store/digest-store.js';
import { createKeys } from '../src/store/keys.js';
import { pino } from 'pino';
import { loadConfig } from '../config/env.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/domain/clock.js';
import type { z } from 'zod';

const N = Number(process.env.BENCH_COMMITMENTS ?? 10_000);
const E = Number(process.env.BENCH_EVENTS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TZ = 'Asia/Jakarta';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `bench-digest-${randomBytes(3).toString('hex')}`;
const keys = createKeys(prefix);
const services = createServices(loadConfig({ REDIS_PREFIX: prefix, NODE_ENV: 'production' }), { redis }, { clock: systemClock, logger: pino({ level: 'silent' }) });
const store = services.commitmentStore;
const parties = services.parties;
const meetings = services.meetings;

/** A deterministic pseudo-random sequence, so every run builds the same state. */
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

async function populate() {
  const file = MeetingFileSchema.parse(JSON.parse(readFileSync(new URL('../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')));
  await meetings.create(file.meeting);
  for (const p of file.parties) await parties.create(p);
  const ids = file.parties.map((p) => p.id);
  const start = Date.parse('2009-08-01T00:00:00Z');
  const perCommitment = Math.max(1, Math.round(E / N));
  const writes: Change[] = [];
  for (let i = 0; i < N; i++) {
    const t = (k: number) => new Date(start + (i * 37 + k * 86_400_000 * 7) % (150 * 86_400_000));
    const leads = [pick(ids), pick(ids)].filter((x, j, a) => a.indexOf(x) === j);
    const dueKind = rnd();
    const due = dueKind < 0.3 ? null : { date: `2010-0${1 + Math.floor(rnd() * 6)}-1${Math.floor(rnd() * 9)}`, timeZone: TZ };
    const input = { meetingId: file.meeting.id, id: `c-${i}`, title: `Commitment ${i}: technical meeting on topic ${i % 97}`, sourceText: '', theme: null, leads, members: [pick(ids)], due, reminderPolicy: null, ...(i % 10 === 0 ? { target: { units: 3 } } : {}) };
    let change = createCommitment(input as z.output<typeof CommitmentInputSchema>, 'bench', t(0));
    const events: DomainEvent[] = [...change.events];
    let c: Commitment = change.commitment;
    // The rest of this commitment's history: title edits and deadline moves, then perhaps completion.
    for (let k = 1; k < perCommitment; k++) {
      const last = k === perCommitment - 1;
      if (last && rnd() < 0.3) change = completeCommitment(c, { note: `done ${i}`, completedOn: '2009-12-01', ...(c.target ? { units: 1 } : {}) }, 'secretariat', t(k));
      else if (k % 2) change = patchCommitment(c, { title: `Commitment ${i}: revised ${k}` }, pick(['secretariat', 'idn-focal', 'lka-focal']), t(k));
      else change = patchCommitment(c, { due: { date: pick(['2009-11-30', '2009-12-31', '2010-01-29', '2010-02-15', '2010-04-30', '2010-06-30']), timeZone: TZ } }, 'secretariat', t(k));
      events.push(...change.events);
      c = change.commitment;
    }
    writes.push({ commitment: c, events });
  }
  for (let i = 0; i < writes.length; i += 500) await Promise.all(writes.slice(i, i + 500).map((w) => store.create(w)));
}

/**
 * The baseline: fetch and parse every commitment and every event, nothing
 * more, as efficiently as the digest's reader (one pipeline for the
 * documents, the stream in pages of 10,000, both at once), so the ratio
 * measures the digest's own work.
 */
async function bareRead() {
  const readDocs = async () => {
    const ids = await redis.zrange(keys.allCommitments, 0, -1);
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hget(keys.commitment(id), 'json');
    return ((await pipe.exec()) ?? []).map(([, v]) => JSON.parse(v as string) as Commitment);
  };
  const readStream = async () => {
    const out: DomainEvent[] = [];
    let start = '-';
    for (;;) {
      const page = await redis.xrange(keys.events, start, '+', 'COUNT', 10_000);
      for (const [, f] of page) out.push(JSON.parse(f[1]!) as DomainEvent);
      if (page.length < 10_000) return out;
      start = `(${page[page.length - 1]![0]}`;
    }
  };
  const [commitments, events] = await Promise.all([readDocs(), readStream()]);
  return commitments.length + events.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const t0 = performance.now();
  await populate();
  const events = await redis.xlen(keys.events);
  console.log(`populated ${N} commitments and ${events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s (prefix ${prefix})`);

  const asOf = new Date('2010-01-18T02:00:00Z');
  const period = digestPeriod('0 9 * * 1', TZ, asOf, meetingStartInstant(await meetings.list(), TZ), { first: true });
  const sources = { redis, keys, meetings, parties, reminderLedger: createSendLedger(redis, keys, 'reminder') };
  const times = { bare: [] as number[], snapshot: [] as number[], build: [] as number[], render: [] as number[] };
  let last: ReturnType<typeof buildDigest> | undefined;
  for (let run = 0; run <= RUNS; run++) {
    // Interleave baseline and digest so both see the same machine load; run 0 warms up.
    let t = performance.now();
    await bareRead();
    const bare = performance.now() - t;
    t = performance.now();
    const snapshot = await readDigestSnapshot(sources, period, [digestQuery({ asOf })]);
    const snap = performance.now() - t;
    t = performance.now();
    last = buildDigest(snapshot, period, { asOf, timeZone: TZ });
    const build = performance.now() - t;
    t = performance.now();
    renderDigest(last);
    const render = performance.now() - t;
    if (run === 0) continue;
    times.bare.push(bare);
    times.snapshot.push(snap);
    times.build.push(build);
    times.render.push(render);
  }
  const m = { bare: median(times.bare), snapshot: median(times.snapshot), build: median(times.build), render: median(times.render) };
  const digest = m.snapshot + m.build;
  console.log(`digest: ${last!.headline.total} commitments, ${last!.changes.total} changes in the period, ${last!.overdue.total} overdue`);
  console.log(`median of ${RUNS} runs (ms): bare read ${m.bare.toFixed(1)} | snapshot read ${m.snapshot.toFixed(1)} | build ${m.build.toFixed(1)} | render ${m.render.toFixed(1)}`);
  console.log(`ratio (snapshot read + build) / bare read = ${(digest / m.bare).toFixed(2)}   (target <= 2)`);
  console.log(`ratio (snapshot read + build + render) / bare read = ${((digest + m.render) / m.bare).toFixed(2)}`);
  console.log(`ratio build alone / bare read = ${(m.build / m.bare).toFixed(2)}`);
}

async function cleanup() {
  await deletePrefixKeys(redis, prefix);
  await services.close();
  await redis.quit();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => void cleanup());
