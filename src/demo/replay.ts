/**
 * The replay behind `npm run demo`: the real service pieces on a fresh Redis
 * prefix, driven by a compressed clock from the 2009 meeting to the end of
 * 2010.
 *
 * What runs is what production runs: the store and its atomic writes, the
 * reconcile → delayed BullMQ jobs → send-reminder worker → mailer path, the
 * status-check worker and the digest worker. Only three things are the
 * demo's own: the clock (scaledClock; the workers turn planned instants into
 * real delays through it), the script of admin actions (story.ts), and the
 * digest runs, which are enqueued at virtual Mondays 09:00 Jakarta with
 * `enqueueDigestRun` instead of by the real-time cron scheduler.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import { pino } from 'pino';
import { loadConfig } from '../../config/env.js';
import { enqueueDigestRun, type DigestRunJobData } from '../../jobs/digest.js';
import { startDigestWorker } from '../../workers/digest.js';
import { startWorkers } from '../../workers/index.js';
import { msUntil, scaledClock, type Clock } from '../domain/clock.js';
import type { Commitment } from '../domain/commitment.js';
import { coerceError } from '../domain/errors.js';
import { createMailer } from '../mail/mailer.js';
import { connectRedis, createRedis } from '../redis.js';
import { createServices } from '../app/services.js';
import { deletePrefixKeys, prefixHasKeys } from '../store/prefix-keys.js';
import { dueLabel, entry, localDate } from './narration.js';
import { createNarrator, type MailTally } from './narrator.js';
import { DIGEST_RUNS, STEERING_GROUP, STORY, STORY_END, STORY_START, STORY_TZ, type StoryDeps } from './story.js';

const SEED_FILE = fileURLToPath(new URL('../../config/seed/ahg-som-2009.json', import.meta.url));

export interface DemoOptions {
  /** Virtual days per real second (default 4: the 522 days take about 2¼ minutes). */
  daysPerSecond?: number;
  redisUrl?: string;
  /** Send through SMTP (e.g. Mailpit) instead of writing .eml files. */
  smtpUrl?: string;
  /** Outbox folder when smtpUrl is unset; its .eml files are replaced. Default outbox/demo. */
  outboxDir?: string;
  mailFrom?: string;
  publicBaseUrl?: string;
  /** Keep the Redis prefix at the end (it is deleted otherwise). */
  keep?: boolean;
  /** Default: followup-demo-<random>. Must hold no keys yet. */
  prefix?: string;
  /** Where the narrated log goes, one line per call. */
  write?: (line: string) => void;
  /** Service log level (to stderr); default warn. */
  logLevel?: string;
  signal?: AbortSignal;
  /** Called with the virtual time about ten times a second (for a progress line). */
  onTick?: (virtualNow: Date) => void;
}

export interface DemoResult {
  prefix: string;
  kept: boolean;
  aborted: boolean;
  daysPerSecond: number;
  tally: MailTally;
  mail: { kind: 'smtp' | 'outbox'; target: string; emlFiles?: number };
  /** Real duration of the replay (from the meeting to the end of 2010), ms. */
  replayMs: number;
  /** The commitments as they stand at the end of 2010. */
  commitments: Commitment[];
  /** Jobs still waiting in a queue at the end (0 when the story played out). */
  leftoverJobs: number;
}

/** Keep late jobs sendable: two real seconds of lateness at the chosen speed, and never less than the service's 12 h. */
export function catchUpWindow(scale: number): string {
  return `PT${Math.max(12, Math.ceil((2_000 * scale) / 3_600_000))}H`;
}

async function clearOutbox(dir: string): Promise<void> {
  const files = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(files.filter((f) => f.endsWith('.eml')).map((f) => unlink(join(dir, f))));
}

/** Resolve when no queue has a job that is waiting or running (delayed jobs are the future; they may stay). */
async function settle(queues: Queue[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2 && Date.now() < end) {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('active', 'waiting', 'prioritized')));
    quiet = counts.every((c) => Object.values(c).every((n) => n === 0)) ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Run the demo. Never leaves workers running; deletes its prefix unless `keep`. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const daysPerSecond = opts.daysPerSecond ?? 4;
  const scale = daysPerSecond * 86_400;
  const prefix = opts.prefix ?? `followup-demo-${randomBytes(3).toString('hex')}`;
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const config = loadConfig({
    NODE_ENV: 'development',
    REDIS_URL: opts.redisUrl ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    ...(opts.smtpUrl ? { SMTP_URL: opts.smtpUrl } : {}),
    OUTBOX_DIR: opts.outboxDir ?? 'outbox/demo',
    ...(opts.mailFrom ? { MAIL_FROM: opts.mailFrom } : {}),
    ...(opts.publicBaseUrl ? { PUBLIC_BASE_URL: opts.publicBaseUrl } : {}),
    SEED: 'none',
    CATCH_UP_WINDOW: catchUpWindow(scale),
    DIGEST_STEERING_GROUP: STEERING_GROUP,
    DIGEST_TZ: STORY_TZ,
  });
  const logger = pino({ level: opts.logLevel ?? 'warn' }, pino.destination(2));
  const redis = createRedis(config.REDIS_URL, 'api');
  await connectRedis(redis, config.REDIS_URL);
  const workerRedis = createRedis(config.REDIS_URL, 'worker');
  // Released in reverse order of setup, each step even when one fails; the connections last.
  const releasers: Array<() => Promise<unknown>> = [];

  try {
    await connectRedis(workerRedis, config.REDIS_URL);
    if (await prefixHasKeys(redis, prefix)) throw new Error(`The Redis prefix ${prefix} already holds keys; the demo needs a fresh one.`);
    if (!config.SMTP_URL) await clearOutbox(resolve(config.OUTBOX_DIR));
    const mailer = createMailer({ ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}), outboxDir: config.OUTBOX_DIR, from: config.MAIL_FROM });
    releasers.push(() => mailer.close());

    // The workers hold this clock; it is started again as the meeting opens, once everything is
    // ready, so that the seconds spent starting up are not days of the story.
    let running = scaledClock({ start: STORY_START, scale });
    const clock: Clock = { now: () => running.now(), get compression() { return running.compression; } };
    const services = createServices(config, { redis, notifier: mailer }, { clock, logger });
    releasers.push(() => services.close());
    const workers = await startWorkers({ services, redis: workerRedis, options: { noFullReconcile: true } });
    releasers.push(() => workers.close());
    const digest = await startDigestWorker({ services, redis: workerRedis, noScheduler: true });
    releasers.push(() => digest.close());

    // The meeting: its parties and its six commitments, recorded as the meeting opens.
    running = scaledClock({ start: STORY_START, scale });
    const seed = await services.commitments.importMeeting(JSON.parse(await readFile(SEED_FILE, 'utf8')), { name: 'seed' });
    const meeting = (await services.meetings.list())[0]!;
    const partyMap = new Map((await services.parties.list()).map((p) => [p.id, p] as const));
    const seeded = await services.commitmentStore.getMany(seed.commitments.created);
    for (const line of entry(localDate(clock.now(), STORY_TZ), 'meeting', `${meeting.title}, ${meeting.place}: ${seeded.length} commitments agreed`, seeded.map((c) => `· ${c.title} (${c.due ? `due ${dueLabel(c.due)}` : 'no deadline yet'}${c.target ? `, ${c.target.units} units` : ''})`))) write(line);

    const info = new Map(seeded.map((c) => [c.id, { title: c.title, due: c.due, ...(c.target ? { units: c.target.units } : {}) }]));
    const narrator = createNarrator({ events: services.tailEvents(), clock, parties: partyMap, commitments: info, write });
    releasers.push(() => narrator.stop());
    narrator.start();
    // Tell each delivered digest run; the listener is async, so the end waits for it.
    const telling = new Set<Promise<void>>();
    digest.worker.on('completed', (job, result: { sendId: string; sent: string[] }) => {
      const p = (async () => {
        const full = (await services.digests.archived(result.sendId)).find((d) => d.scope === null);
        if (!full) return;
        const scheduledAt = (job.data as DigestRunJobData).scheduledAt ?? Date.parse(full.asOf);
        narrator.digestDelivered({ scheduledAt, subject: full.subject, recipients: result.sent, ...full.period });
      })().catch((err: unknown) => logger.warn({ err: coerceError(err) }, 'could not tell a digest run'));
      telling.add(p);
      void p.finally(() => telling.delete(p));
    });

    const ticker = opts.onTick ? setInterval(() => opts.onTick!(clock.now()), 100) : undefined;
    const realStart = Date.now();
    const sleepUntil = (at: Date) =>
      new Promise<void>((done) => {
        if (opts.signal?.aborted) return done();
        const timer = setTimeout(finish, msUntil(clock, at.getTime(), clock.now()));
        function finish() {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', finish);
          done();
        }
        opts.signal?.addEventListener('abort', finish, { once: true });
      });

    const deps: StoryDeps = { commitments: services.commitments };
    const timeline = [
      ...STORY.map((a) => ({ at: a.at, run: () => a.run(deps) })),
      ...DIGEST_RUNS.map((at) => ({ at, run: () => enqueueDigestRun(digest.queue, at) })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    try {
      for (const step of timeline) {
        await sleepUntil(step.at);
        if (opts.signal?.aborted) break;
        await step.run();
      }
      await sleepUntil(STORY_END);
      // Let the last jobs finish; the narrator prints what it still holds when it stops.
      if (!opts.signal?.aborted) await settle([...Object.values(workers.queues), digest.queue], 15_000);
    } finally {
      if (ticker) clearInterval(ticker);
    }
    const replayMs = Date.now() - realStart;
    await Promise.all([...telling]);
    await narrator.stop();

    // A Job Scheduler's next run (the reconcile sweep's) is not a leftover of the story.
    const jobs = await Promise.all([...Object.values(workers.queues), digest.queue].map((q) => q.getJobs(['active', 'waiting', 'delayed', 'prioritized'])));
    const leftoverJobs = jobs.flat().filter((j) => !j.repeatJobKey).length;
    const finalState = await services.commitmentStore.getMany(await services.commitmentStore.allIds());
    const emlFiles = mailer.kind === 'outbox' ? (await readdir(mailer.target).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).length : undefined;
    const result: DemoResult = {
      prefix,
      kept: opts.keep === true,
      aborted: opts.signal?.aborted === true,
      daysPerSecond,
      tally: { ...narrator.tally },
      mail: { kind: mailer.kind, target: mailer.target, ...(emlFiles !== undefined ? { emlFiles } : {}) },
      replayMs,
      commitments: finalState,
      leftoverJobs,
    };
    return result;
  } finally {
    for (const release of releasers.reverse()) await release().catch((err: unknown) => logger.warn({ err: coerceError(err) }, 'demo shutdown step failed'));
    if (!opts.keep) await deletePrefixKeys(redis, prefix).catch((err: unknown) => logger.warn({ err: coerceError(err) }, `could not delete the Redis prefix ${prefix}`));
    await workerRedis.quit().catch(() => workerRedis.disconnect());
    await redis.quit().catch(() => redis.disconnect());
  }
}
