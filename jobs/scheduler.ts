/**
 * The Scheduler port on BullMQ: what a committed change, an admin retry or a
 * manual digest send asks of the queues. The queues are the producer side
 * (an API process opens them on its fail-fast connection), opened on first use.
 */
import type { Queue } from 'bullmq';
import { enqueueDigestSend } from './digest.js';
import { enqueueReconcileMany, enqueueReminderRetry } from './reminder-jobs.js';

export interface SchedulerQueues {
  reconcile: Queue;
  reminders: Queue;
  digest: Queue;
}

export function createBullScheduler(queues: () => SchedulerQueues) {
  return {
    commitmentsChanged: (ids: readonly string[]) => enqueueReconcileMany(queues().reconcile, ids),
    retryReminder: (sendId: string, data: { c: string; v: number; p: string }) => enqueueReminderRetry(queues().reminders, sendId, data),
    deliverDigest: (sendId: string) => enqueueDigestSend(queues().digest, sendId),
  };
}
