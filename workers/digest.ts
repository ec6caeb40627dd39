/**
 * Digest worker startup: install the digest definitions' Job Schedulers (each
 * replaced at every start, none removing another) and process scheduled runs
 * and manual sends. `close()` is safe to call twice; the caller owns the Redis
 * connection and the notifier.
 */
import { outageLogFor } from '../jobs/outage-log.js';
import { OUTAGE_LIMITER } from '../jobs/retry.js';
import { durationToMs, parseIsoDuration } from '../src/domain/duration.js';
import type { Queue, Worker } from 'bullmq';
import { upsertDigestScheduler } from '../jobs/digest.js';
import { QUEUES, createQueue, createWorker } from '../jobs/queues.js';
import type { DigestDefinition } from '../src/app/digests.js';
import { coerceError } from '../src/domain/errors.js';
import { instrumentWorker } from '../src/metrics.js';
import { createDigestProcessor } from './digest.processor.js';
import type { WorkerDeps } from './index.js';

export interface DigestWorkerDeps extends Omit<WorkerDeps, 'options'> {
  /** Leave the schedulers alone (tests that drive the processor by hand). */
  noScheduler?: boolean;
  /** The digest definitions to schedule; the configured weekly digest by default. */
  definitions?: readonly DigestDefinition[];
  /** Base of the retry backoff for temporary mail failures, ms. */
  backoffMs?: number;
}

export interface RunningDigestWorker {
  queue: Queue;
  worker: Worker;
  close(): Promise<void>;
}

/** Start the digest worker. Throws a ConfigError naming DIGEST_CRON / DIGEST_TZ before touching BullMQ when either is unusable. */
export async function startDigestWorker(deps: DigestWorkerDeps): Promise<RunningDigestWorker> {
  const { services, redis } = deps;
  const { config, logger, metrics } = services;
  const { digests } = services.on(redis);
  const definitions = deps.definitions ?? [digests.weekly];
  const queue = createQueue(QUEUES.digest, redis, config.REDIS_PREFIX, logger);
  const mailOutage = outageLogFor(logger, 'mail server');
  const outagePauseMs = durationToMs(parseIsoDuration(config.MAIL_OUTAGE_PAUSE) ?? { seconds: 30 });
  const processor = createDigestProcessor({
    digests,
    logger,
    ...(deps.backoffMs !== undefined ? { backoffMs: deps.backoffMs } : {}),
    // A mail server outage pauses the digest queue instead of spending tries (jobs/retry.ts).
    pauseDelivery: (ms) => queue.rateLimit(ms),
    outagePauseMs,
    onOutage: (err) => {
      metrics?.mailTransportDeferred.inc({ kind: 'digest' });
      mailOutage.report(err, { queue: QUEUES.digest, pauseMs: outagePauseMs }, true);
    },
  });
  if (!deps.noScheduler) for (const d of definitions) await upsertDigestScheduler(queue, d);
  // One at a time: a digest run is a handful of mails, and serial runs keep the archive's story simple.
  const worker = createWorker(QUEUES.digest, processor, redis, config.REDIS_PREFIX, logger, { concurrency: 1, limiter: OUTAGE_LIMITER });
  instrumentWorker(worker, metrics);
  logger.info({ definitions: definitions.map((d) => `${d.id} ${d.cron} ${d.timeZone}`), scheduler: !deps.noScheduler }, 'digest worker started');

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
