/**
 * Queue names and the one way to make a BullMQ Queue or Worker here: the
 * hash-tagged prefix, an 'error' listener on every instance, and connection
 * settings that suit the side (producers fail fast, workers wait for Redis).
 */
import { outageLogFor } from './outage-log.js';
import { Queue, Worker, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createKeys } from '../src/store/keys.js';

export const QUEUES = {
  /** Per-commitment reconcile jobs and the periodic full reconcile. */
  reconcile: 'reconcile',
  /** Delayed reminder sends, one job per planned send. */
  reminders: 'reminders',
  /** Deadline status checks. */
  statusCheck: 'status-check',
  /** The weekly digest scheduler and out-of-schedule sends. */
  digest: 'digest',
  /** Mails of requests for more time, and their expiry at the decision deadline. */
  notices: 'notices',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Length of BullMQ's event stream per queue. The default (10,000) costs about
 * 150 B per scheduled reminder at 10k reminders; nothing here reads old
 * events, so the high-volume queues keep about 100. Every Queue instance writes
 * this to the queue's meta, so all of them must be made here.
 */
const EVENTS_MAX_LEN: Partial<Record<QueueName, number>> = { reminders: 100, reconcile: 100, 'status-check': 100 };

/** BullMQ's prefix: the same hash tag as our own keys, so one deployment lives in one Cluster slot. */
export const bullPrefix = (redisPrefix: string) => createKeys(redisPrefix).bullPrefix;

/**
 * A producer-side queue. Pass a client made with `enableOfflineQueue: false` from
 * the API, so adding a job while Redis is down fails at once (the API answers 503).
 */
export function createQueue(name: QueueName, connection: Redis, redisPrefix: string, logger: Logger, opts: Partial<QueueOptions> = {}): Queue {
  const queue = new Queue(name, { connection, prefix: bullPrefix(redisPrefix), ...(EVENTS_MAX_LEN[name] ? { streams: { events: { maxLen: EVENTS_MAX_LEN[name] } } } : {}), ...opts });
  queue.on('error', (err) => outageLogFor(logger).report(err, { queue: name }));
  return queue;
}

/** A worker. BullMQ duplicates the connection for its blocking client; it must use maxRetriesPerRequest: null. */
export function createWorker<T = unknown, R = unknown>(
  name: QueueName,
  processor: Processor<T, R>,
  connection: Redis,
  redisPrefix: string,
  logger: Logger,
  opts: Partial<WorkerOptions> = {},
): Worker<T, R> {
  const worker = new Worker<T, R>(name, processor, { connection, prefix: bullPrefix(redisPrefix), ...opts });
  // While Redis is out every worker reports it many times a second: logged once, then every 30 s (jobs/outage-log.ts).
  worker.on('error', (err) => outageLogFor(logger).report(err, { queue: name }));
  worker.on('failed', (job, err) =>
    logger.warn({ err, queue: name, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'job failed'),
  );
  return worker;
}
