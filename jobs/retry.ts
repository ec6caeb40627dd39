/**
 * How a delivery job tries again after a temporary mail failure, for
 * reminders and digests alike: up to MAIL_ATTEMPTS tries, exponential
 * backoff with jitter between them. The processors move their own job to
 * the delayed set (moveToDelayed), so BullMQ's own `attempts` only re-runs a
 * job after an unexpected error (a Redis blip).
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';

/** Tries of one delivery job against a mail server answering 4xx or unreachable. */
export const MAIL_ATTEMPTS = 8;

/**
 * The mail tries a reminder job has started, this run included: BullMQ counts
 * every run (attemptsStarted), and runs that only waited for a later send are
 * not tries, so a group that waits out a quiet day keeps all MAIL_ATTEMPTS for
 * SMTP failures.
 */
export const mailTries = (attemptsStarted: number, data: { w?: number | undefined }) => Math.max(1, attemptsStarted - (data.w ?? 0));

/**
 * Exponential backoff with jitter for temporary mail failures: base·2^(try−1),
 * minus up to half (1 s, 2 s, 4 s … ±50 %, about 4 minutes over 8 tries).
 */
export function mailBackoffMs(tryNumber: number, baseMs = 1000, random = Math.random): number {
  const max = baseMs * 2 ** Math.max(0, tryNumber - 1);
  return Math.floor(max * (0.5 + 0.5 * random()));
}


/**
 * Put a job back in the delayed set until its next try, and end this run.
 * BullMQ requires the DelayedError after moveToDelayed, so this never returns.
 */
export async function retryLater(job: Job, token: string | undefined, tryNumber: number, baseMs?: number): Promise<never> {
  await job.moveToDelayed(Date.now() + mailBackoffMs(tryNumber, baseMs), token);
  throw new DelayedError();
}

/** A job's data checked against its schema; malformed data is a permanent failure (never retried). */
export function parsePayload<S extends z.ZodType>(schema: S, job: Pick<Job, 'data' | 'name'>): z.output<S> {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed ${job.name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
