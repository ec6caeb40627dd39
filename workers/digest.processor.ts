/**
 * The digest job: a scheduled run prepares its period's digests and delivers
 * them; a manual send delivers what the API prepared. The story is the digest
 * use cases' (src/app/digests.ts); this adapts them to BullMQ: the period
 * comes from the run's scheduled instant, a 4xx reply moves the job back to
 * the delayed set (jobs/retry.ts), a mail server outage pauses the digest
 * queue without spending a try (jobs/retry.ts: pauseForOutage), and a final
 * failure is recorded.
 */
import type { Job } from 'bullmq';
import { DIGEST_JOBS, DigestRunPayloadSchema, DigestSendPayloadSchema } from '../jobs/digest.js';
import { MAIL_ATTEMPTS, parsePayload, pauseForOutage, retryLater, type PauseDelivery } from '../jobs/retry.js';
import { isOutage } from '../src/app/delivery.js';
import type { MailError } from '../src/mail/mailer.js';
import type { DeliveryResult, DigestService } from '../src/app/digests.js';
import type { Logger } from 'pino';
import { UnrecoverableError } from 'bullmq';

export interface DigestProcessorDeps {
  digests: DigestService;
  logger: Logger;
  /** Base of the retry backoff for temporary mail failures, ms. */
  backoffMs?: number;
  /** Pause the digest queue while the mail server is out (queue.rateLimit). */
  pauseDelivery?: PauseDelivery;
  outagePauseMs?: number;
  onOutage?: (err: MailError) => void;
}

/**
 * The instant a digest run was due: named in the data of a run queued by hand;
 * for a scheduler fire, BullMQ keeps it as `prevMillis` and in the job id
 * `repeat:<scheduler>:<millis>`.
 */
export function scheduledTimeOf(job: Pick<Job, 'id' | 'opts' | 'timestamp' | 'data'>): Date {
  const given = (job.data as { scheduledAt?: unknown } | undefined)?.scheduledAt;
  if (typeof given === 'number' && Number.isFinite(given) && given > 0) return new Date(given);
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number' && prev > 0) return new Date(prev);
  const m = /:(\d{10,})$/.exec(job.id ?? '');
  if (m) return new Date(Number(m[1]));
  return new Date(job.timestamp + (job.opts.delay ?? 0));
}

export function createDigestProcessor(deps: DigestProcessorDeps) {
  const { digests } = deps;

  return async function processDigest(job: Job, token?: string): Promise<Omit<DeliveryResult, 'retry'> & { sendId: string }> {
    let sendId: string;
    let prepared;
    if (job.name === DIGEST_JOBS.send) {
      sendId = parsePayload(DigestSendPayloadSchema, job).sendId;
      prepared = await digests.archived(sendId);
      if (prepared.length === 0) throw new UnrecoverableError(`no archived digest has the send id ${sendId}`);
    } else if (job.name === DIGEST_JOBS.scheduled) {
      parsePayload(DigestRunPayloadSchema, job);
      // The schedule that fired this job, so a retry after a cron change still covers the same period.
      const repeat = (job.opts as { repeat?: { pattern?: string; tz?: string } }).repeat;
      const definition = { cron: repeat?.pattern ?? digests.weekly.cron, timeZone: repeat?.tz ?? digests.weekly.timeZone };
      ({ sendId, digests: prepared } = await digests.prepareScheduled(scheduledTimeOf(job), definition));
    } else {
      throw new UnrecoverableError(`unknown digest job ${job.name}`);
    }
    const tries = job.attemptsStarted;
    const { retry, ...result } = await digests.deliver(prepared, { lastAttempt: tries >= MAIL_ATTEMPTS });
    const outage = retry.find((e) => isOutage(e));
    if (outage && deps.pauseDelivery) {
      deps.onOutage?.(outage);
      return pauseForOutage(deps.pauseDelivery, deps.outagePauseMs ?? 30_000);
    }
    if (retry.length) {
      deps.logger.warn({ err: retry[0], sendId, recipients: retry.length, attempt: tries }, 'temporary digest delivery failure; will retry');
      return retryLater(job, token, tries, deps.backoffMs ?? 5_000);
    }
    return { sendId, ...result };
  };
}
