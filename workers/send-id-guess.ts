/**
 * Which send a reminder job is for, guessed before the commitment is read,
 * so the fire-time guard can read the commitment and that send's ledger
 * entries in one round trip.
 *
 * A job id is `reminderJobId(sendId)`, a hash, and a send id is
 * `${commitmentId}--d${dueVersion}--${stepKey}--${partyId}`. The job data
 * carries the commitment, deadline version and party, so only the step is
 * unknown; the few step keys plans have produced lately (`before-P7D`, `due`,
 * `overdue-1` …) are tried until one hashes to the job id. A hit is exact
 * (96-bit hash), never stale (the mapping is fixed), and is still confirmed
 * against the re-computed plan; a miss only costs the second round trip the
 * guard would have made anyway. Nothing here is state another process needs.
 */
import { reminderJobId } from '../jobs/reminder-jobs.js';
import { planPrefix } from '../src/domain/planner.js';

export interface SendIdGuesser {
  /** Remember the step keys of a plan just computed (most recent first when guessing). */
  learn(stepKeys: Iterable<string>): void;
  /** The send id whose job id is `jobId`, if one of the known step keys makes it; else null. */
  guess(jobId: string, commitmentId: string, dueVersion: number, partyId: string): string | null;
}

/** A guesser that keeps at most `maxKeys` step keys (a policy has about ten). */
export function createSendIdGuesser(maxKeys = 64): SendIdGuesser {
  // Insertion order = recency: a key seen again moves to the end, the oldest is dropped first.
  const keys = new Map<string, true>();
  let newestFirst: string[] = [];
  return {
    learn(stepKeys) {
      let changed = false;
      for (const k of stepKeys) {
        if (newestFirst[0] === k) continue;
        keys.delete(k);
        keys.set(k, true);
        if (keys.size > maxKeys) keys.delete(keys.keys().next().value!);
        changed = true;
      }
      if (changed) newestFirst = [...keys.keys()].reverse();
    },
    guess(jobId, commitmentId, dueVersion, partyId) {
      const prefix = planPrefix({ id: commitmentId, dueVersion });
      for (const stepKey of newestFirst) {
        const sendId = `${prefix}--${stepKey}--${partyId}`;
        if (reminderJobId(sendId) === jobId) return sendId;
      }
      return null;
    },
  };
}
