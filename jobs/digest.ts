/**
 * The digest's jobs: payload schemas, one Job Scheduler per digest
 * definition, and out-of-schedule runs and sends.
 *
 * A scheduler's id is its definition's id: `upsertJobScheduler` replaces the
 * stored schedule (pattern, zone and next delayed job) under that id, so every
 * start installs the configured schedule, restarts never leave two, and
 * another definition's scheduler is never touched.
 */
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { ConfigError } from '../config/env.js';
import { checkSchedule } from '../src/domain/digest-period.js';

export const DIGEST_JOBS = {
  /** Fired by a scheduler (data names the definition) or queued by hand for one scheduled instant. */
  scheduled: 'digest',
  /** Send the archived digests of one send id (a manual send). */
  send: 'send',
} as const;

/** A scheduled run: the definition that fired it, and for a run queued by hand the instant it stands for. */
export const DigestRunPayloadSchema = z.strictObject({
  definition: z.string().regex(/^[a-z0-9-]{1,60}$/).optional(),
  scheduledAt: z.number().int().positive().optional(),
});
export type DigestRunJobData = z.infer<typeof DigestRunPayloadSchema>;

export const DigestSendPayloadSchema = z.strictObject({ sendId: z.string().regex(/^[a-z0-9-]{1,100}$/, 'expected a send id') });
export type DigestSendJobData = z.infer<typeof DigestSendPayloadSchema>;

/**
 * Stop with a clear message when the schedule is unusable. BullMQ would
 * otherwise throw "CronDate: unhandled timestamp" for a bad zone, which names
 * neither variable.
 */
export function assertDigestSchedule(cron: string, timeZone: string): void {
  const problems = checkSchedule(cron, timeZone);
  const list: Array<{ variable: string; message: string }> = [];
  if (problems.cron) list.push({ variable: 'DIGEST_CRON', message: problems.cron });
  if (problems.timeZone) list.push({ variable: 'DIGEST_TZ', message: problems.timeZone });
  if (list.length) throw new ConfigError(list);
}

/** Install (or replace) the schedule of one digest definition; other definitions' schedulers are left alone. */
export async function upsertDigestScheduler(queue: Queue, definition: { id: string; cron: string; timeZone: string }): Promise<void> {
  assertDigestSchedule(definition.cron, definition.timeZone);
  await queue.upsertJobScheduler(
    definition.id,
    { pattern: definition.cron, tz: definition.timeZone },
    {
      name: DIGEST_JOBS.scheduled,
      data: { definition: definition.id } satisfies DigestRunJobData,
      opts: { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { count: 200 }, removeOnFail: { count: 1000 } },
    },
  );
}

/** Queue the delivery of a prepared manual send. The job id is the send id, so a repeat adds nothing. */
export async function enqueueDigestSend(queue: Queue, sendId: string, opts: { backoffMs?: number } = {}): Promise<void> {
  await queue.add(DIGEST_JOBS.send, { sendId } satisfies DigestSendJobData, {
    jobId: `digest-send-${sendId}`,
    attempts: 8,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 5_000 },
    removeOnComplete: { age: 7 * 86_400 },
    removeOnFail: { age: 30 * 86_400 },
  });
}

/**
 * Queue the digest of the scheduled run at `scheduledAt` (epoch ms), e.g. to
 * re-run a run that was missed. It goes through the same ledger, so recipients
 * already served are not sent to again.
 */
export async function enqueueDigestRun(queue: Queue, scheduledAt: Date, opts: { backoffMs?: number } = {}): Promise<void> {
  await queue.add(DIGEST_JOBS.scheduled, { scheduledAt: scheduledAt.getTime() } satisfies DigestRunJobData, {
    jobId: `digest-run-${scheduledAt.getTime()}`,
    attempts: 8,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 5_000 },
    removeOnComplete: { count: 200 },
    removeOnFail: { count: 1000 },
  });
}
