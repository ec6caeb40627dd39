/**
 * The notice job: send one notice of a request for more time through the
 * ledgered delivery (each recipient at most once), or expire a request at its
 * decision deadline. A temporary mail failure throws, so BullMQ retries the
 * job with backoff; the ledger skips whoever was already served.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { ExtensionService } from '../src/app/extensions.js';
import type { NoticeJobData } from '../jobs/notices.js';

export function createNoticeProcessor(deps: { extensions: ExtensionService }) {
  return async function processNotice(job: Job<NoticeJobData>): Promise<{ sent?: number; expired?: boolean | number }> {
    const { kind, requestId } = job.data ?? ({} as NoticeJobData);
    if (kind === 'sweep') return { expired: await deps.extensions.expireDue() };
    if (typeof requestId !== 'string') throw new UnrecoverableError('notice job without a request id');
    if (kind === 'expire') return { expired: await deps.extensions.expire(requestId) };
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { sent, retry } = await deps.extensions.deliverNotice(kind, requestId, { lastAttempt });
    if (retry) throw retry;
    return { sent };
  };
}
