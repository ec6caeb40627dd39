/**
 * The reminder pipeline for integration tests, on real Redis and a real SMTP
 * server: the services and the API, the workers (optional: the crash test
 * runs them in a child process), and an smtp-server sink. The clock is the
 * real one: BullMQ's delays run on real time, so the runtime tests assert
 * order and "never before the planned instant", never durations.
 */
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { loadConfig, type Config } from '../../config/env.js';
import { createApp } from '../../src/api/app.js';
import { appDeps, type AppDeps } from '../../src/api/deps.js';
import { createServices, type Services } from '../../src/app/services.js';
import { systemClock } from '../../src/domain/clock.js';
import { NO_HOLIDAYS, type HolidayLookup } from '../../src/domain/holidays.js';
import type { Party } from '../../src/domain/party.js';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { createScheduleIndex } from '../../src/store/schedule-index.js';
import { parseCheckMember, slotJobId } from '../../jobs/reminder-jobs.js';
import { startWorkers, type RunningWorkers, type WorkerDeps } from '../../workers/index.js';
import { seedFile } from './app.js';
import { API_TOKENS } from './app.js';
import { deletePrefix, newRedis, redisUrl, uniquePrefix } from './redis.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './smtp-sink.js';

/** Second-scale steps, exact instants, no quiet days: what the runtime tests use. */
export const FAST_POLICY: ReminderPolicy = {
  before: ['PT4S', 'PT2S'],
  onDue: true,
  overdue: { every: 'PT2S', max: 1 },
  escalateAfter: null,
  sendAt: null,
  quietDays: [],
};

/** One notice at the deadline, nothing else: for tests that count deliveries. */
export const DUE_ONLY: ReminderPolicy = { ...FAST_POLICY, before: [], overdue: { every: 'PT2S', max: 0 } };

export interface ReminderHarness {
  prefix: string;
  config: Config;
  redis: Redis;
  keys: Keys;
  sink: SmtpSink;
  services: Services;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  ledger: ReturnType<typeof createSendLedger>;
  queues: { reconcile: Queue; reminders: Queue; statusCheck: Queue; digest: Queue };
  workers: RunningWorkers | null;
  mailer: Mailer;
  /** Messages whose send id belongs to this commitment. */
  mailFor(commitmentId: string): ReceivedMail[];
  /**
   * Resolve once nothing more can be sent for this commitment right now: no reconcile is
   * waiting or running, and none of its reminder jobs is waiting, running or delayed (pass
   * `delayedToo: false` to leave delayed jobs out, for a job that waits for a later send).
   * A recorded state, so tests need not sleep to prove that nothing more arrives.
   */
  settled(commitmentId: string, opts?: { delayedToo?: boolean; timeoutMs?: number }): Promise<void>;
  /** The commitment's groups still scheduled: in a slot, or in a job of their own that waits or is delayed. */
  scheduledGroups(commitmentId: string): Promise<string[]>;
  /** The instants of the slots that hold this commitment's groups now (read it before a change removes them). */
  slotsOf(commitmentId: string): Promise<number[]>;
  /**
   * Resolve once none of these slots' jobs is running. A slot that took a group before a
   * completion landed may be past its guard and still sending it; counting mail before then races it.
   */
  slotsIdle(instants: readonly number[], timeoutMs?: number): Promise<void>;
  addParty(p: Party): Promise<void>;
  cleanup(): Promise<void>;
}

export const sendIdOf = (m: ReceivedMail) => String(m.parsed.headers.get('x-followup-send-id') ?? '');
export const plannedAtOf = (m: ReceivedMail) => String(m.parsed.headers.get('x-followup-planned-at') ?? '');
export const instant = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** No reconcile of a commitment waits, runs or is delayed (a Job Scheduler's next run, such as the sweep's, does not count). */
export async function reconcilesIdle(reconcile: Queue): Promise<boolean> {
  return !(await reconcile.getJobs(['waiting', 'active', 'delayed'])).some((j) => !j.repeatJobKey);
}

/** Poll until `fn` returns a truthy value or the timeout passes. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function startReminderHarness(
  name: string,
  opts: { workers?: boolean; env?: Record<string, string>; worker?: WorkerDeps['options']; holidays?: HolidayLookup; smtpThreadModule?: URL } = {},
): Promise<ReminderHarness> {
  const prefix = uniquePrefix(name);
  const sink = await startSmtpSink();
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    API_TOKENS,
    NODE_ENV: 'test',
    SMTP_URL: sink.url,
    PUBLIC_BASE_URL: 'http://followup.test',
    // The sweep repairs writes made behind the scheduler's back, which the fire-time guard tests make on purpose.
    RECONCILE_SWEEP_EVERY: 'PT1H',
    ...opts.env,
  });
  const keys = createKeys(prefix);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const redis = newRedis();
  const workerRedis = newRedis();
  // SMTP_URL in opts.env puts something between the workers and the sink (an outage gate).
  const mailer = createMailer({ smtpUrl: config.SMTP_URL ?? sink.url, outboxDir: 'outbox', from: config.MAIL_FROM, threadModule: opts.smtpThreadModule });
  // No public holidays unless a test names its own: these tests run on today's date, and their plans must not depend on it.
  const services = createServices(config, { redis, notifier: mailer }, { clock: systemClock, logger, holidays: opts.holidays ?? NO_HOLIDAYS });
  const [reconcile, reminders, statusCheck, digest] = services.queues as [Queue, Queue, Queue, Queue];
  // The 2009 meeting and its parties, without its commitments (their 2009 deadlines would all be overdue).
  await services.commitments.importMeeting({ ...(seedFile() as object), commitments: [] }, { name: 'seed' });
  const workers =
    opts.workers === false ? null : await startWorkers({ services, redis: workerRedis, options: { noFullReconcile: true, backoffMs: 200, partyCacheMs: 0, ...opts.worker } });

  return {
    prefix,
    config,
    redis,
    keys,
    sink,
    services,
    deps: appDeps(services),
    app: createApp(services),
    ledger: createSendLedger(redis, keys, 'reminder'),
    queues: { reconcile, reminders, statusCheck, digest },
    workers,
    mailer,
    mailFor: (id) => sink.messages.filter((m) => sendIdOf(m).startsWith(`${id}--`)),
    async settled(id, o = {}) {
      const schedule = createScheduleIndex(redis, keys);
      const states = o.delayedToo === false ? (['waiting', 'active'] as const) : (['waiting', 'active', 'delayed'] as const);
      await until(
        async () => {
          if (!(await reconcilesIdle(reconcile))) return false;
          const mine = (await reminders.getJobs([...states])).filter((j) => (j.data as { c?: string }).c === id);
          if (mine.length > 0) return false;
          // Its groups waiting in a slot: the slot's job (shared by every commitment of its instant) must not be due or running.
          for (const [member, at] of await schedule.pendingGroups(id)) {
            if (parseCheckMember(member)) continue; // its status check: no mail
            if ((states as readonly string[]).includes(await reminders.getJobState(slotJobId(at)))) return false;
          }
          return true;
        },
        o.timeoutMs ?? 15_000,
        `the jobs of ${id} to settle`,
      );
    },
    async scheduledGroups(id) {
      const own = (await reminders.getJobs(['delayed', 'waiting'])).filter((j) => (j.data as { c?: string }).c === id).map((j) => j.id!);
      const inSlots = (await createScheduleIndex(redis, keys).pendingGroups(id)).map(([member]) => member).filter((m) => !parseCheckMember(m));
      return [...own, ...inSlots];
    },
    async slotsOf(id) {
      const groups = await createScheduleIndex(redis, keys).pendingGroups(id);
      return [...new Set(groups.filter(([member]) => !parseCheckMember(member)).map(([, at]) => at))];
    },
    async slotsIdle(instants, timeoutMs = 15_000) {
      await until(
        async () => (await Promise.all(instants.map((at) => reminders.getJobState(slotJobId(at))))).every((s) => s !== 'active'),
        timeoutMs,
        'the slots to finish their runs',
      );
    },
    addParty: (p) => services.parties.put(p),
    async cleanup() {
      await workers?.close();
      await services.close();
      await mailer.close();
      await sink.close();
      await deletePrefix(redis, prefix);
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
}
