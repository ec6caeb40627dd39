/**
 * Digest worker startup: validate the schedule, install it (one Job
 * Scheduler, replaced at every start), and process scheduled fires and
 * manual sends. `close()` is safe to call twice; the caller owns the Redis
 * connection and the mailer.
 */
import type { Queue, Worker } from 'bullmq';
import { assertDigestSchedule, upsertDigestScheduler } from '../jobs/digest.js';
import { QUEUES, createQueue, createWorker } from '../jobs/queues.js';
import { coerceError } from '../src/domain/errors.js';
import { createSendLedger } from '../src/mail/ledger.js';
import { instrumentWorker } from '../src/metrics.js';
import { createDigestArchive } from '../src/store/digest-store.js';
import { createRedisMeetingStore, createRedisPartyStore } from '../src/store/party-store.js';
import { createDigestProcessor } from './digest.processor.js';
import type { WorkerDeps } from './index.js';

/** The same runtime deps as the reminder workers, without their tuning options. */
export interface DigestWorkerDeps extends Omit<WorkerDeps, 'options'> {
  /** Leave the scheduler alone (tests that drive the processor by hand). */
  noScheduler?: boolean;
}

export interface RunningDigestWorker {
  queue: Queue;
  worker: Worker;
  close(): Promise<void>;
}

/** Start the digest worker. Throws a ConfigError naming DIGEST_CRON / DIGEST_TZ before touching BullMQ when either is unusable. */
export async function startDigestWorker(deps: DigestWorkerDeps): Promise<RunningDigestWorker> {
  const { config, redis, keys, clock, logger, mailer, metrics } = deps;
  assertDigestSchedule(config.DIGEST_CRON, config.DIGEST_TZ);

  const processor = createDigestProcessor({
    config,
    clock,
    logger,
    sources: { redis, keys, meetings: createRedisMeetingStore(redis, keys), parties: createRedisPartyStore(redis, keys), reminderLedger: createSendLedger(redis, keys, 'reminder') },
    archive: createDigestArchive(redis, keys),
    ledger: createSendLedger(redis, keys, 'digest'),
    mailer,
    ...(metrics ? { metrics } : {}),
  });
  const queue = createQueue(QUEUES.digest, redis, config.REDIS_PREFIX, logger);
  if (!deps.noScheduler) await upsertDigestScheduler(queue, { cron: config.DIGEST_CRON, timeZone: config.DIGEST_TZ });
  // One at a time: a digest run is a handful of mails, and serial runs keep the archive's story simple.
  const worker = createWorker(QUEUES.digest, processor, redis, config.REDIS_PREFIX, logger, { concurrency: 1 });
  instrumentWorker(worker, metrics);
  logger.info({ cron: config.DIGEST_CRON, tz: config.DIGEST_TZ, scheduler: !deps.noScheduler }, 'digest worker started');

  let closing: Promise<void> | undefined;
  return {
    queue,
    worker,
    close() {
      closing ??= (async () => {
        await worker.close().catch((err: unknown) => logger.warn({ err: coerceError(err) }, 'digest worker close failed'));
        await queue.close().catch((err: unknown) => logger.warn({ err: coerceError(err) }, 'digest queue close failed'));
      })();
      return closing;
    },
  };
}
