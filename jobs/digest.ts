/**
 * The digest's producers: the weekly Job Scheduler and out-of-schedule sends.
 *
 * There is one scheduler id. `upsertJobScheduler` replaces the stored
 * schedule (pattern, zone and its next delayed job) under that id, so every
 * start installs the configured schedule and restarts never leave two.
 */
import type { Queue } from 'bullmq';
import { ConfigError } from '../config/env.js';
import { checkSchedule } from '../src/domain/digest-period.js';

export const DIGEST_SCHEDULER_ID = 'weekly-digest';
export const DIGEST_JOBS = {
  /** Fired by the scheduler; data is empty, the period comes from the scheduled time. */
  scheduled: 'digest',
  /** Send the archived digests of one send id (a manual send). */
  send: 'send',
} as const;

export interface DigestSendJobData {
  sendId: string;
}

/** A scheduler fire carries no data; a run queued by hand names the scheduled instant it stands for. */
export interface DigestRunJobData {
  scheduledAt?: number;
}

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

/** Install (or replace) the digest schedule, and remove any scheduler left under another id. */
export async function upsertDigestScheduler(queue: Queue, schedule: { cron: string; timeZone: string }): Promise<void> {
  assertDigestSchedule(schedule.cron, schedule.timeZone);
  await queue.upsertJobScheduler(
    DIGEST_SCHEDULER_ID,
    { pattern: schedule.cron, tz: schedule.timeZone },
    {
      name: DIGEST_JOBS.scheduled,
      data: {},
      opts: { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { count: 200 }, removeOnFail: { count: 1000 } },
    },
  );
  for (const s of await queue.getJobSchedulers()) {
    if (s.key !== DIGEST_SCHEDULER_ID) await queue.removeJobScheduler(s.key);
  }
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
