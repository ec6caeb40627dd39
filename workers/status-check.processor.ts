/**
 * The status check at the deadline: if the commitment is not done, record
 * `commitment.overdue` once per deadline version (visible in the history; the
 * API derives `overdue: true` from the deadline and the clock).
 *
 * The overdue follow-ups and the escalation are already in the plan (and
 * scheduled by the reconcile job), so this job sends no mail itself.
 * "Once" rests on a marker per (commitment, deadline version), set with SET
 * NX in the same script call that appends the event, and only while the
 * commitment is still at the version the check decided on: a retried or
 * duplicated job finds the marker and records nothing more, and a completion
 * that lands between the read and the write sends the check back to read again.
 * Two round trips: the read, then the script.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { StatusCheckPayloadSchema } from '../jobs/reminder-jobs.js';
import { realInstant, type Clock } from '../src/domain/clock.js';
import { dueInstant } from '../src/domain/deadline.js';
import type { DomainEvent } from '../src/domain/events.js';
import { isClosed } from '../src/domain/status.js';
import { childFor } from '../src/logger.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';

export interface StatusCheckDeps {
  commitments: CommitmentStore;
  clock: Clock;
  logger: Logger;
}

export function createStatusCheckProcessor(deps: StatusCheckDeps) {
  const { commitments, clock } = deps;
  // The child logger only when it will write (a burst of deadlines runs this a thousand times).
  const logOverdue = (job: Job, commitmentId: string, due: Date) => {
    if (deps.logger.isLevelEnabled('info')) childFor(deps.logger, { queue: 'status-check', jobId: job.id, commitmentId }).info({ dueAt: due.toISOString() }, 'commitment overdue');
  };
  return async function processStatusCheck(job: Job, token?: string) {
    const parsed = StatusCheckPayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed status-check payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { c: commitmentId, v: dueVersion } = parsed.data;
    // Decide on what is stored, then record only if it is still stored (see recordOverdueOnce);
    // a change in between (the commitment was just completed) means reading and deciding again.
    for (let round = 0; ; round++) {
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
      const event: DomainEvent = {
        type: 'commitment.overdue',
        commitmentId: c.id,
        meetingId: c.meetingId,
        at: now.toISOString(),
        who: 'status-check',
        version: c.version,
        changes: {},
        data: { dueVersion, dueAt: due.toISOString(), status: c.status },
      };
      const result = await commitments.recordOverdueOnce(c.id, c.version, dueVersion, now.toISOString(), [event]);
      if (result === 'already') return { outcome: 'already-recorded' as const };
      if (result === 'missing') throw new UnrecoverableError(`unknown commitment ${commitmentId}`);
      if (result === 'ok') {
        logOverdue(job, commitmentId, due);
        return { outcome: 'overdue' as const };
      }
      // 'changed': a few rounds settle any real sequence of edits; past that BullMQ retries the job.
      if (round >= 4) throw new Error(`commitment ${commitmentId} kept changing during its status check`);
    }
  };
}
