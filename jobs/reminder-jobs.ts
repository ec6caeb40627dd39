/**
 * Reminder jobs: payload schemas (ids only), job options, and the producers
 * that enqueue reconciles, the periodic full reconcile and admin retries.
 *
 * Job ids: reminder and status-check jobs use the planner's ids (deterministic,
 * bound to the deadline version, no ':'), so adding one twice is a no-op.
 * Reconcile jobs use BullMQ's deduplication instead, keyed per commitment with
 * `keepLastIfActive`: while one reconcile of a commitment waits, further
 * changes fold into it; while one runs, exactly one more is queued behind it,
 * so a change made mid-run is never lost and two never run at once.
 */
import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { durationToMs, parseIsoDuration } from '../src/domain/duration.js';

const commitmentId = z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id');

export const ReconcilePayloadSchema = z.union([
  z.strictObject({ commitmentId }),
  z.strictObject({ full: z.literal(true) }),
]);
export type ReconcilePayload = z.infer<typeof ReconcilePayloadSchema>;

/** A reminder job: its id is the planned send's id; the data says which commitment and deadline version. */
export const SendReminderPayloadSchema = z.strictObject({
  commitmentId,
  dueVersion: z.number().int().min(1),
  /** Set by an admin retry: send even if the planned instant has aged out of the catch-up window. */
  manual: z.literal(true).optional(),
});
export type SendReminderPayload = z.infer<typeof SendReminderPayloadSchema>;

export const StatusCheckPayloadSchema = z.strictObject({ commitmentId, dueVersion: z.number().int().min(1) });
export type StatusCheckPayload = z.infer<typeof StatusCheckPayloadSchema>;

export const JOB_NAMES = { reconcile: 'reconcile', fullReconcile: 'full-reconcile', send: 'send', statusCheck: 'status-check' } as const;
export const FULL_RECONCILE_SCHEDULER_ID = 'full-reconcile';

/**
 * Reminder jobs retry 4xx and network errors with exponential backoff and
 * jitter (1 s, 2 s, 4 s … ±50 %, about 4 minutes in all); 5xx and rejected
 * recipients end the job at once (UnrecoverableError). Completed jobs are
 * removed: the send ledger is the record, and it keeps Redis small.
 */
export function reminderJobOptions(backoffMs = 1000): JobsOptions {
  return {
    attempts: 8,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 },
    removeOnComplete: true,
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

export const statusCheckJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 30 * 24 * 3600 },
};

const reconcileJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};

/** Enqueue a reconcile of one commitment, deduplicated per commitment. */
export async function enqueueReconcile(queue: Queue, id: string): Promise<void> {
  await queue.add(JOB_NAMES.reconcile, { commitmentId: id } satisfies ReconcilePayload, {
    ...reconcileJobOptions,
    deduplication: { id: `reconcile-${id}`, keepLastIfActive: true },
  });
}

/** Enqueue reconciles of many commitments in one round trip (the full reconcile fans out with this). */
export async function enqueueReconcileMany(queue: Queue, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    await queue.addBulk(
      ids.slice(i, i + 1000).map((id) => ({
        name: JOB_NAMES.reconcile,
        data: { commitmentId: id } satisfies ReconcilePayload,
        opts: { ...reconcileJobOptions, deduplication: { id: `reconcile-${id}`, keepLastIfActive: true } },
      })),
    );
  }
}

/** The API's ChangeListener (structurally; jobs/ does not import the API): every committed change enqueues a deduplicated reconcile. */
export function createReconcileScheduler(queue: Queue): { commitmentChanged(id: string): Promise<void> } {
  return { commitmentChanged: (id) => enqueueReconcile(queue, id) };
}

/**
 * The periodic full reconcile, as a Job Scheduler (upsert is idempotent, so
 * every worker process may call it at start). Each run fans out into
 * per-commitment reconciles, which repair whatever a crash left half done.
 */
export async function upsertFullReconcile(queue: Queue, every: string): Promise<void> {
  const ms = durationToMs(parseIsoDuration(every) ?? { minutes: 15 });
  await queue.upsertJobScheduler(
    FULL_RECONCILE_SCHEDULER_ID,
    { every: Math.max(1000, ms) },
    { name: JOB_NAMES.fullReconcile, data: { full: true } satisfies ReconcilePayload, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
  );
}

/**
 * Re-enqueue a failed reminder send now (admin retry). The old job, if BullMQ
 * still keeps it, is removed first so the deterministic id is free again; the
 * worker re-runs the fire-time guard and skips recipients already sent.
 */
export async function enqueueReminderRetry(queue: Queue, sendId: string, data: Omit<SendReminderPayload, 'manual'>, backoffMs?: number): Promise<void> {
  const old = await queue.getJob(sendId);
  if (old) {
    const state = await old.getState();
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized') return;
    await old.remove();
  }
  await queue.add(JOB_NAMES.send, { ...data, manual: true } satisfies SendReminderPayload, { ...reminderJobOptions(backoffMs), jobId: sendId });
}
