/**
 * The status check at the deadline: if the commitment is not done, record
 * `commitment.overdue` once per deadline version (visible in the history; the
 * API derives `overdue: true` from the deadline and the clock).
 *
 * The overdue follow-ups and the escalation are already in the plan (and
 * scheduled by the reconcile job), so this job sends no mail itself.
 * "Once" rests on a SET NX marker per (commitment, deadline version): a
 * retried or duplicated job finds it and records nothing more.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StatusCheckPayloadSchema } from '../jobs/reminder-jobs.js';
import { realInstant, type Clock } from '../src/domain/clock.js';
import { dueInstant } from '../src/domain/deadline.js';
import { isClosed } from '../src/domain/status.js';
import { childFor } from '../src/logger.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';
import type { Keys } from '../src/store/keys.js';
import { overdueMarkerKey } from './reconcile.processor.js';

export interface StatusCheckDeps {
  redis: Redis;
  keys: Keys;
  commitments: CommitmentStore;
  clock: Clock;
  logger: Logger;
}

export function createStatusCheckProcessor(deps: StatusCheckDeps) {
  const { redis, keys, commitments, clock } = deps;
  return async function processStatusCheck(job: Job, token?: string) {
    const parsed = StatusCheckPayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed status-check payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { c: commitmentId, v: dueVersion } = parsed.data;
    const c = await commitments.get(commitmentId);
    if (!c) throw new UnrecoverableError(`unknown commitment ${commitmentId}`);
    if (isClosed(c.status) || c.dueVersion !== dueVersion) return { outcome: 'not-applicable' as const };
    const due = dueInstant(c.due);
    if (!due) return { outcome: 'not-applicable' as const };
    const now = clock.now();
    if (now.getTime() <= due.getTime()) {
      // Fired at or before the deadline (clock skew between processes): look again just after it
      // (on BullMQ's real timeline: realInstant is the identity unless the clock is compressed).
      await job.moveToDelayed(realInstant(clock, due.getTime() + 1), token);
      throw new DelayedError();
    }
    const marker = overdueMarkerKey(keys, c.id, dueVersion);
    if ((await redis.set(marker, now.toISOString(), 'NX')) !== 'OK') return { outcome: 'already-recorded' as const };
    try {
      await commitments.appendEvents(c.id, [
        {
          type: 'commitment.overdue',
          commitmentId: c.id,
          meetingId: c.meetingId,
          at: now.toISOString(),
          who: 'status-check',
          version: c.version,
          changes: {},
          data: { dueVersion, dueAt: due.toISOString(), status: c.status },
        },
      ]);
    } catch (err) {
      // Let the retry record it: the marker must not claim an event that was never written.
      await redis.del(marker);
      throw err;
    }
    // The child logger only when it will write (a burst of deadlines runs this a thousand times).
    if (deps.logger.isLevelEnabled('info')) childFor(deps.logger, { queue: 'status-check', jobId: job.id, commitmentId }).info({ dueAt: due.toISOString() }, 'commitment overdue');
    return { outcome: 'overdue' as const };
  };
}
