/**
 * Worker startup: the reconcile, reminder and status-check workers on one
 * worker-side Redis connection (maxRetriesPerRequest: null, so they wait for
 * Redis to come back), plus the periodic full reconcile Job Scheduler.
 *
 * `close()` stops taking jobs, waits for the active ones to finish, then
 * closes the queues and the data connection; it is safe to call twice. The
 * caller owns the Redis connection it passed and the mailer, and closes them after.
 */
import type { Queue, Worker, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, createQueue, createWorker } from '../jobs/queues.js';
import { reminderWorkerOptions, upsertFullReconcile, upsertReconcileSweep } from '../jobs/reminder-jobs.js';
import { outageLogFor } from '../jobs/outage-log.js';
import { OUTAGE_LIMITER } from '../jobs/retry.js';
import { durationToMs, parseIsoDuration } from '../src/domain/duration.js';
import type { Services } from '../src/app/services.js';
import { coerceError } from '../src/domain/errors.js';
import { instrumentWorker } from '../src/metrics.js';
import { createPartyLookup } from './party-cache.js';
import { createReconcileProcessor } from './reconcile.processor.js';
import { createSendReminderProcessor } from './send-reminder.processor.js';
import { createStatusCheckProcessor } from './status-check.processor.js';
import { createNoticeProcessor } from './notice.processor.js';
import { upsertExpirySweep } from '../jobs/notices.js';

export interface WorkerDeps {
  services: Services;
  /** A worker-side connection: createRedis(url, 'worker'). */
  redis: Redis;
  /** Tuning, mostly for tests and the benchmark. */
  options?: {
    reminderConcurrency?: number;
    reconcileConcurrency?: number;
    /** Base of the exponential retry backoff of reminder jobs, ms. */
    backoffMs?: number;
    /** Skip the periodic full reconcile scheduler (tests that count jobs). */
    noFullReconcile?: boolean;
    partyCacheMs?: number;
    /** Extra BullMQ worker options for every worker, e.g. a short lockDuration in the crash test. */
    worker?: Partial<WorkerOptions>;
  };
}

export interface RunningWorkers {
  queues: { reconcile: Queue; reminders: Queue; statusCheck: Queue; notices: Queue };
  workers: Worker[];
  close(): Promise<void>;
}

/** The reminder worker's job lock, ms: renewed every half of it while a job runs. */
export const REMINDER_LOCK_MS = 8_000;
/** How often the reminder worker looks for jobs whose worker died, ms. */
export const REMINDER_STALLED_INTERVAL_MS = 3_000;

/** Start the reminder-side workers. See the module comment for shutdown. */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { services, redis } = deps;
  const { config, clock, logger, metrics } = services;
  const opts = deps.options ?? {};
  const prefix = config.REDIS_PREFIX;

  // Our own reads and writes go on a second connection, so they never queue behind
  // BullMQ's blocking commands. Not auto-pipelined: the hot command, the ledger write
  // after each SMTP acceptance, is almost always alone in its tick, and alone it costs
  // about twice the CPU through an auto-pipeline (measured: ~140 µs against ~75 µs).
  const data = redis.duplicate({ enableAutoPipelining: false });
  // Redis outages are logged once, then every 30 s, and their end once (jobs/outage-log.ts).
  const redisOutage = outageLogFor(logger, 'Redis');
  data.on('error', (err) => redisOutage.report(err, { connection: 'worker data' }));
  data.on('ready', () => redisOutage.recovered());
  redis.on('ready', () => redisOutage.recovered());
  const mailOutage = outageLogFor(logger, 'mail server');
  const outagePauseMs = durationToMs(parseIsoDuration(config.MAIL_OUTAGE_PAUSE) ?? { seconds: 30 });
  const { stores, planner, delivery, commitments: useCases, links, extensions } = services.on(data);
  const { commitments, reminderLedger: ledger, schedule } = stores;
  // The reminder burst reads parties through a short cache; a reconcile reads them fresh, so
  // one enqueued right after a party's time zone changed plans with the new zone.
  const parties = createPartyLookup(stores.parties, opts.partyCacheMs ?? 2000);
  const freshParties = createPartyLookup(stores.parties, 0);
  const actionSecret = () => services.secret('action-link');

  const queues = {
    reconcile: createQueue(QUEUES.reconcile, redis, prefix, logger),
    reminders: createQueue(QUEUES.reminders, redis, prefix, logger),
    statusCheck: createQueue(QUEUES.statusCheck, redis, prefix, logger),
    notices: createQueue(QUEUES.notices, redis, prefix, logger),
  };
  const backoff = opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {};

  const statusCheck = createStatusCheckProcessor({ commitments, clock, logger });
  const workers: Worker[] = [
    createWorker(
      QUEUES.reconcile,
      createReconcileProcessor({ schedule, rescheduleAll: () => useCases.rescheduleAll(), rescheduleUnreconciled: (limit) => useCases.rescheduleUnreconciled(limit), commitments, parties: freshParties, ledger, planner, clock, logger, queues, ...(metrics ? { metrics } : {}) }),
      redis,
      prefix,
      logger,
      { concurrency: opts.reconcileConcurrency ?? 4, ...opts.worker },
    ),
    createWorker(
      QUEUES.reminders,
      createSendReminderProcessor({
        commitments, parties, ledger, planner, delivery, clock, logger, baseUrl: config.PUBLIC_BASE_URL, actionSecret, links, ...(metrics ? { metrics } : {}), ...backoff,
        // A mail server outage pauses the whole queue (every process) instead of spending tries.
        slots: schedule,
        check: statusCheck.check,
        pauseDelivery: (ms) => queues.reminders.rateLimit(ms),
        outagePauseMs,
        onOutage: (err) => {
          metrics?.mailTransportDeferred.inc({ kind: 'reminder' });
          mailOutage.report(err, { queue: QUEUES.reminders, pauseMs: outagePauseMs }, true);
        },
      }),
      redis,
      prefix,
      logger,
      {
        concurrency: opts.reminderConcurrency ?? 20,
        ...reminderWorkerOptions,
        // The limiter only lets queue.rateLimit pause the queue (jobs/retry.ts); it never limits otherwise.
        limiter: OUTAGE_LIMITER,
        // Reminder jobs take milliseconds: a short lock and stalled check bring a killed worker's
        // jobs back within about 11 s (lock expiry + one check), not 30 s + 30 s. BullMQ also runs
        // a stalled check as soon as a worker starts.
        lockDuration: REMINDER_LOCK_MS,
        stalledInterval: REMINDER_STALLED_INTERVAL_MS,
        ...opts.worker,
      },
    ),
    createWorker(QUEUES.notices, createNoticeProcessor({ extensions }), redis, prefix, logger, { concurrency: 4, ...opts.worker }),
    createWorker(QUEUES.statusCheck, statusCheck, redis, prefix, logger, { concurrency: 4, removeOnComplete: { count: 0 }, removeOnFail: { age: 30 * 24 * 3600 }, ...opts.worker }),
  ];
  for (const w of workers) instrumentWorker(w, metrics);

  // The outbox sweep is the safety net of every write, so it runs even where the full reconcile is off.
  await upsertReconcileSweep(queues.reconcile, config.RECONCILE_SWEEP_EVERY);
  if (!opts.noFullReconcile) {
    await upsertFullReconcile(queues.reconcile, config.FULL_RECONCILE_EVERY);
    await upsertExpirySweep(queues.notices);
  }
  logger.info({ queues: Object.values(QUEUES) }, 'workers started');

  let closing: Promise<void> | undefined;
  return {
    queues,
    workers,
    close() {
      closing ??= (async () => {
        // Worker.close() stops fetching and waits for active jobs; all workers wind down together.
        const results = await Promise.allSettled(workers.map((w) => w.close()));
        for (const r of results) if (r.status === 'rejected') logger.warn({ err: coerceError(r.reason) }, 'worker close failed');
        await Promise.allSettled(Object.values(queues).map((q) => q.close()));
        await data.quit().catch(() => data.disconnect());
      })();
      return closing;
    },
  };
}
