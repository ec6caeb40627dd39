/**
 * The notice queue: a request for more time's mails (sent by the worker that
 * holds the mail transport) and its expiry, a delayed job at the decision
 * deadline. Job ids are deterministic, so asking twice queues once.
 */
import type { Queue } from 'bullmq';
import { realInstant, type Clock } from '../src/domain/clock.js';
import type { NoticePort } from '../src/app/extensions.js';
import type { NoticeKind } from '../src/mail/notice-template.js';

export interface NoticeJobData {
  /** A notice to send, one request to expire, or the sweep that expires every overdue request. */
  kind: NoticeKind | 'expire' | 'sweep';
  requestId: string;
}

export const EXPIRY_SWEEP_SCHEDULER_ID = 'extension-expiry-sweep';

/**
 * The backstop of the delayed expiry jobs: every `everyMs`, expire whatever pending request is
 * past its decision deadline (a job lost with its queue, or a clock that jumped).
 */
export async function upsertExpirySweep(queue: Queue, everyMs = 3_600_000): Promise<void> {
  await queue.upsertJobScheduler(EXPIRY_SWEEP_SCHEDULER_ID, { every: Math.max(1000, everyMs) }, { name: 'sweep', data: { kind: 'sweep', requestId: '' } satisfies NoticeJobData, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } });
}

const OPTS = { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } } as const;

export function createNoticePort(queue: () => Queue, clock: Clock): NoticePort {
  return {
    async notify(kind, requestId) {
      await queue().add(kind, { kind, requestId } satisfies NoticeJobData, { jobId: `notice-${kind}-${requestId}`, ...OPTS });
    },
    async expireAt(requestId, at) {
      // On the service clock's timeline (a compressed clock maps it onto real time).
      const delay = Math.max(0, realInstant(clock, at.getTime()) - realInstant(clock, clock.now().getTime()));
      await queue().add('expire', { kind: 'expire', requestId } satisfies NoticeJobData, { jobId: `notice-expire-${requestId}`, delay, ...OPTS });
    },
  };
}
