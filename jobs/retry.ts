/**
 * How a delivery job tries again after a temporary mail failure, for
 * reminders and digests alike.
 *
 * - A 4xx reply about one message: exponential backoff with jitter, capped at
 *   MAIL_RETRY_MAX_MS, for as long as the send is still useful (the reminder's
 *   fire-time guard decides; digests and admin retries stop after MAIL_ATTEMPTS).
 *   The processors move their own job to the delayed set (moveToDelayed), so
 *   BullMQ's own `attempts` only re-runs a job after an unexpected error.
 * - An outage (src/app/delivery.ts: isOutage): the whole queue pauses through
 *   BullMQ's rate limiter (`queue.rateLimit(ms)` and a RateLimitError, which
 *   puts the job back in the wait list without spending a try), so no job
 *   burns its tries against a server that is not there. After the pause the
 *   next job is the probe: it goes through and delivery resumes by itself, or
 *   fails and pauses the queue again. The worker needs a `limiter` for BullMQ to
 *   honour the pause: OUTAGE_LIMITER, which never limits otherwise.
 */
import { DelayedError, RateLimitError, UnrecoverableError, type Job } from 'bullmq';
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

/** The longest wait between two tries of one message after 4xx replies. */
export const MAIL_RETRY_MAX_MS = 10 * 60_000;

/**
 * Exponential backoff with jitter for temporary mail failures: base·2^(try−1),
 * minus up to half (1 s, 2 s, 4 s … ±50 %), never more than `maxMs`.
 */
export function mailBackoffMs(tryNumber: number, baseMs = 1000, random = Math.random, maxMs = MAIL_RETRY_MAX_MS): number {
  const max = Math.min(maxMs, baseMs * 2 ** Math.min(40, Math.max(0, tryNumber - 1)));
  return Math.floor(max * (0.5 + 0.5 * random()));
}

/**
 * The worker limiter that lets a delivery queue be paused by `queue.rateLimit(ms)`: BullMQ
 * honours a manual rate limit only on a worker with a limiter. Its own budget is never reached.
 */
export const OUTAGE_LIMITER = { max: 1_000_000_000, duration: 1000 } as const;

/** Pause a delivery queue for `ms` (every worker of it, in every process). */
export type PauseDelivery = (ms: number) => Promise<void>;

/**
 * The mail server is out: pause the queue for `ms` and put this job back in the wait list,
 * without spending a try. Never returns.
 */
export async function pauseForOutage(pause: PauseDelivery, ms: number): Promise<never> {
  await pause(ms);
  throw new RateLimitError();
}


/**
 * Put a job back in the delayed set until its next try, and end this run.
 * BullMQ requires the DelayedError after moveToDelayed, so this never returns.
 */
export async function retryLater(job: Job, token: string | undefined, tryNumber: number, baseMs?: number, maxMs?: number): Promise<never> {
  await job.moveToDelayed(Date.now() + mailBackoffMs(tryNumber, baseMs, Math.random, maxMs), token);
  throw new DelayedError();
}

/** A job's data checked against its schema; malformed data is a permanent failure (never retried). */
export function parsePayload<S extends z.ZodType>(schema: S, job: Pick<Job, 'data' | 'name'>): z.output<S> {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed ${job.name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
