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
 * Two round trips: the read, then the script. The check runs as a member of
 * the reminder slot of its instant (workers/send-reminder.processor.ts), or as
 * a job of its own when that slot was already served.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { StatusCheckPayloadSchema } from '../jobs/reminder-jobs.js';
import { realInstant, type Clock } from '../src/domain/clock.js';
import { dueInstant } from '../src/domain/deadline.js';
import type { DomainEvent } from '../src/domain/events.js';
import { isClosed } from '../src/domain/status.js';
import type { Commitment } from '../src/domain/commitment.js';
import type { CommitmentStore, OverdueRecord } from '../src/store/commitment-store.js';
import { batchPerTurn } from '../src/store/turn-batch.js';

export type CheckOutcome = { outcome: 'overdue' | 'already-recorded' | 'not-applicable' | 'unknown' } | { outcome: 'early'; until: number };

export interface StatusCheckDeps {
  commitments: CommitmentStore;
  clock: Clock;
  logger: Logger;
}

export function createStatusCheckProcessor(deps: StatusCheckDeps) {
  const { commitments, clock } = deps;
  // The checks of a slot run side by side: the records made in one turn go in one pipeline.
  const recordOverdueOnce = batchPerTurn<OverdueRecord, Awaited<ReturnType<CommitmentStore['recordOverdueOnce']>>>((items) => commitments.recordOverdueOnceMany(items));
  /**
   * Decide and record once (see the module comment). `early`: fired at or before the deadline
   * (clock skew between processes), to look again just after it, on BullMQ's real timeline.
   * `read` reads the stored commitment (a slot passes its batched, memoised reader).
   */
  async function check(commitmentId: string, dueVersion: number, read: (id: string) => Promise<Commitment | null> = commitments.get): Promise<CheckOutcome> {
    // Decide on what is stored, then record only if it is still stored (see recordOverdueOnce);
    // a change in between (the commitment was just completed) means reading and deciding again.
    for (let round = 0; ; round++) {
      const c = await read(commitmentId);
      if (!c) return { outcome: 'unknown' };
      if (isClosed(c.status) || c.dueVersion !== dueVersion) return { outcome: 'not-applicable' };
      const due = dueInstant(c.due);
      if (!due) return { outcome: 'not-applicable' };
      const now = clock.now();
      if (now.getTime() <= due.getTime()) return { outcome: 'early', until: realInstant(clock, due.getTime() + 1) };
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
      const result = await recordOverdueOnce({ commitmentId: c.id, version: c.version, dueVersion, at: now.toISOString(), events: [event] });
      if (result === 'already') return { outcome: 'already-recorded' };
      if (result === 'missing') return { outcome: 'unknown' };
      if (result === 'ok') {
        if (deps.logger.isLevelEnabled('info')) deps.logger.info({ queue: 'status-check', commitmentId, dueAt: due.toISOString() }, 'commitment overdue');
        return { outcome: 'overdue' };
      }
      // 'changed': a few rounds settle any real sequence of edits; past that the job is retried.
      if (round >= 4) throw new Error(`commitment ${commitmentId} kept changing during its status check`);
    }
  }

  async function processStatusCheck(job: Job, token?: string) {
    const parsed = StatusCheckPayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed status-check payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const r = await check(parsed.data.c, parsed.data.v);
    if (r.outcome === 'unknown') throw new UnrecoverableError(`unknown commitment ${parsed.data.c}`);
    if (r.outcome === 'early') {
      await job.moveToDelayed(r.until, token);
      throw new DelayedError();
    }
    return { outcome: r.outcome };
  }
  return Object.assign(processStatusCheck, { check });
}
export type StatusCheck = ReturnType<typeof createStatusCheckProcessor>['check'];
