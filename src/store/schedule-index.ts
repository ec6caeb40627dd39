/**
 * What the reconcile scheduled for each commitment: its reminder jobs, with
 * the instant we asked each to fire at, and its status-check jobs.
 *
 * BullMQ is a black box here: which jobs exist and when they fire is read
 * from this record of ours, never from BullMQ's keys. A stale job (an old
 * deadline version, a dropped step or party) cannot be derived from the
 * current plan, so this record is what makes it findable.
 *
 * One hash, field = commitment id, value = space-separated entries:
 * `r<job id>@<epoch ms>` for a reminder job, `s<job id>` for a status check
 * (job ids start with their letter already, see jobs/reminder-jobs.ts).
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { withScripts } from './scripts.js';

export interface Scheduled {
  /** Reminder job id → the instant (service clock, epoch ms) we asked it to fire at. */
  reminders: Map<string, number>;
  /** Status-check job ids. */
  checks: string[];
}

export const emptySchedule = (): Scheduled => ({ reminders: new Map(), checks: [] });

export function encodeSchedule(s: Scheduled): string {
  return [...[...s.reminders].map(([id, at]) => (Number.isFinite(at) ? `${id}@${at}` : id)), ...s.checks].join(' ');
}

export function decodeSchedule(raw: string | null): Scheduled {
  const s = emptySchedule();
  for (const entry of raw ? raw.split(' ') : []) {
    if (entry.startsWith('s')) s.checks.push(entry);
    else if (entry.startsWith('r')) {
      const at = entry.indexOf('@');
      // An entry written without its instant reads as NaN: "unknown, leave the job's time alone".
      s.reminders.set(at < 0 ? entry : entry.slice(0, at), at < 0 ? Number.NaN : Number(entry.slice(at + 1)));
    }
  }
  return s;
}

export function createScheduleIndex(redisClient: Redis, keys: Keys) {
  const redis = withScripts(redisClient);
  return {
    async get(commitmentId: string): Promise<Scheduled> {
      return decodeSchedule(await redis.hget(keys.scheduled, commitmentId));
    },
    async set(commitmentId: string, s: Scheduled): Promise<void> {
      if (s.reminders.size === 0 && s.checks.length === 0) await redis.hdel(keys.scheduled, commitmentId);
      else await redis.hset(keys.scheduled, commitmentId, encodeSchedule(s));
    },
    /** Every commitment that has (or had, before a crash) scheduled jobs. */
    async commitmentIds(): Promise<string[]> {
      return redis.hkeys(keys.scheduled);
    },
    /**
     * Commitments written but not reconciled since (at most `limit`): every write marks its
     * commitment in the same script, so a write whose reconcile was never enqueued is found here.
     */
    async unreconciled(limit: number): Promise<string[]> {
      return redis.zrange(keys.unreconciled, 0, limit - 1);
    },
    /** The reconcile of `version` is done: clear the mark unless a later write set it again. */
    async reconciled(commitmentId: string, version: number): Promise<void> {
      await redis.zremIfAtMost(keys.unreconciled, commitmentId, version);
    },
    /** True once the overdue event of this deadline version is recorded (see CommitmentStore.recordOverdueOnce). */
    async overdueRecorded(commitmentId: string, dueVersion: number): Promise<boolean> {
      return (await redis.exists(keys.overdueMarker(commitmentId, dueVersion))) === 1;
    },
  };
}
export type ScheduleIndex = ReturnType<typeof createScheduleIndex>;
