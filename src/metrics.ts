/**
 * The service's Prometheus metrics, on a Registry of their own (never
 * prom-client's global one), so a test can build several apps in one process.
 *
 * Workers count what they do with the small helpers below:
 *
 *   countReminder(metrics, 'sent', step)      // 'sent' | 'skipped' | 'failed'
 *   countDigest(metrics, 'steering-group')    // after a digest mail is accepted
 *   instrumentWorker(worker, metrics)         // job durations from BullMQ's own timestamps
 *
 * The entry point makes one `Metrics` per process and hands it to the API and
 * the workers. Queue depths are read from Redis at scrape time, so every
 * process that serves /metrics reports them, whichever process runs the workers.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue, Worker } from 'bullmq';
import { stepKeys } from './domain/planner.js';
import { defaultPolicy } from './domain/reminder-policy.js';

/** The digest audiences counted in `digests_sent_total`. */
export const DIGEST_AUDIENCES = ['steering-group', 'party'] as const;

/** The step keys of the configured default reminder policy: the labels counted from 0 at start. */
export function reminderStepKeys(config: Parameters<typeof defaultPolicy>[0]): string[] {
  return stepKeys(defaultPolicy(config));
}

/** The job states a queue-depth gauge reports. */
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  remindersSent: Counter<'step'>;
  remindersSkipped: Counter<'step'>;
  remindersFailed: Counter<'step'>;
  digestsSent: Counter<'audience'>;
  /** Committed changes whose reschedule could not be enqueued; the reconcile sweep repairs them. */
  rescheduleDeferred: Counter;
  /** One commitment whose reconcile or view failed, by where (reconcile, view, digest, status-page); the others went on. */
  commitmentErrors: Counter<'where'>;
  /** Sends put back while the mail server could not be reached (transport failures, not counted as tries). */
  mailTransportDeferred: Counter<'kind'>;
  jobDuration: Histogram<'queue' | 'name' | 'outcome'>;
  queueJobs: Gauge<'queue' | 'state'>;
  redisRoundTrip: Gauge;
  /** Report the depth of these queues at every scrape (replaces the previous list). */
  watchQueues(queues: readonly Queue[]): void;
}

/**
 * A fresh set of metrics. `defaults: true` adds prom-client's process metrics
 * (CPU, memory, event-loop lag); the entry point turns them on, tests leave them off.
 */
export function createMetrics(opts: { defaults?: boolean; prefix?: string; steps?: readonly string[] } = {}): Metrics {
  const registry = new Registry();
  const p = opts.prefix ?? 'followup_';
  if (opts.defaults) collectDefaultMetrics({ register: registry, prefix: p });
  let watched: readonly Queue[] = [];

  const queueJobs = new Gauge({
    name: `${p}queue_jobs`,
    help: 'Jobs per BullMQ queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // A queue that cannot be read (Redis down) is left out rather than failing the scrape.
      await Promise.all(
        watched.map(async (q) => {
          const counts = await q.getJobCounts(...QUEUE_STATES).catch(() => null);
          if (!counts) return;
          for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
        }),
      );
    },
  });

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `${p}${name}`, help, labelNames, registers: [registry] });

  const metrics: Metrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    remindersSent: counter('reminders_sent_total', 'Reminder mails accepted by the mail server, by step', ['step'] as const),
    remindersSkipped: counter('reminders_skipped_total', 'Planned reminders not sent (closed, deadline moved, missed the catch-up window), by step', ['step'] as const),
    remindersFailed: counter('reminders_failed_total', 'Reminder sends that failed permanently, by step', ['step'] as const),
    digestsSent: counter('digests_sent_total', 'Digest mails sent, by audience', ['audience'] as const),
    rescheduleDeferred: counter('reschedule_deferred_total', 'Committed changes whose reschedule could not be enqueued (repaired by the reconcile sweep)', [] as const),
    commitmentErrors: counter('commitment_errors_total', 'Commitments whose reconcile or view failed alone (the others went on), by where', ['where'] as const),
    mailTransportDeferred: counter('mail_transport_deferred_total', 'Sends put back while the mail server could not be reached, by kind (reminder, digest)', ['kind'] as const),
    jobDuration: new Histogram({
      name: `${p}job_duration_seconds`,
      help: 'BullMQ job processing time, by queue, job name and outcome',
      labelNames: ['queue', 'name', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    queueJobs,
    redisRoundTrip: new Gauge({
      name: `${p}redis_round_trip_seconds`,
      help: 'Round-trip time of the last readiness PING to Redis',
      registers: [registry],
    }),
    watchQueues(queues) {
      watched = [...queues];
    },
  };
  // Every known series starts at 0, so a rate() or an alert has a sample before the first event.
  for (const step of opts.steps ?? []) {
    for (const c of [metrics.remindersSent, metrics.remindersSkipped, metrics.remindersFailed]) c.inc({ step }, 0);
  }
  for (const audience of DIGEST_AUDIENCES) metrics.digestsSent.inc({ audience }, 0);
  for (const where of ['reconcile', 'view', 'digest', 'status-page']) metrics.commitmentErrors.inc({ where }, 0);
  for (const kind of ['reminder', 'digest']) metrics.mailTransportDeferred.inc({ kind }, 0);
  metrics.rescheduleDeferred.inc(0);
  return metrics;
}

/** Count one reminder outcome for a policy step (e.g. `before:P7D`, `on-due`, `overdue:1`, `escalation`). */
export function countReminder(metrics: Metrics | undefined, outcome: 'sent' | 'skipped' | 'failed', step: string, n = 1): void {
  if (!metrics) return;
  const c = outcome === 'sent' ? metrics.remindersSent : outcome === 'skipped' ? metrics.remindersSkipped : metrics.remindersFailed;
  c.inc({ step }, n);
}

/** Count digest mails sent to one audience (e.g. `steering-group`, `party`). */
export function countDigest(metrics: Metrics | undefined, audience = 'steering-group', n = 1): void {
  metrics?.digestsSent.inc({ audience }, n);
}

/** Time a piece of work as a job of `queue`/`name`; the outcome label says whether it threw. */
export async function timeJob<T>(metrics: Metrics | undefined, queue: string, name: string, work: () => Promise<T>): Promise<T> {
  const end = metrics?.jobDuration.startTimer({ queue, name });
  try {
    const result = await work();
    end?.({ outcome: 'completed' });
    return result;
  } catch (err) {
    end?.({ outcome: 'failed' });
    throw err;
  }
}

/**
 * Observe a worker's job durations from BullMQ's own timestamps (processedOn →
 * finishedOn), without touching the processor. Call once per worker.
 */
export function instrumentWorker(worker: Worker, metrics: Metrics | undefined): void {
  if (!metrics) return;
  // A job's name carries its commitment for the dashboard (see jobName); the label keeps its first word, the kind, so it stays bounded.
  const observe = (job: { name: string; processedOn?: number | undefined; finishedOn?: number | undefined } | undefined, outcome: string) => {
    if (!job?.processedOn) return;
    const end = job.finishedOn ?? Date.now();
    metrics.jobDuration.observe({ queue: worker.name, name: job.name.split(' ', 1)[0]!, outcome }, Math.max(0, end - job.processedOn) / 1000);
  };
  worker.on('completed', (job) => observe(job, 'completed'));
  worker.on('failed', (job) => observe(job, 'failed'));
}
