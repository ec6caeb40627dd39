/**
 * What the reconcile scheduled for each commitment, and the reminder slots.
 *
 * BullMQ is a black box here: which jobs exist and when they fire is read
 * from this record of ours, never from BullMQ's keys. A stale job or slot
 * entry (an old deadline version, a dropped step or party) cannot be derived
 * from the current plan, so this record is what makes it findable.
 *
 * One hash, field = commitment id, value = space-separated entries:
 * `g<group>@<epoch ms>` for a group of sends in the slot of that instant,
 * `r<job id>@<epoch ms>` for a group with a job of its own (a retry, a wait, a
 * slot already served), `s<job id>` for a status check (job ids start with
 * their letter already, see jobs/reminder-jobs.ts).
 *
 * A slot is a set of groups, of any commitment, that one job sends at one
 * instant: BullMQ's per-job cost is paid once per instant, not once per group.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { withScripts } from './scripts.js';
import { batchPerTurn } from './turn-batch.js';

export interface Scheduled {
  /** Group (jobs/reminder-jobs.ts: slotMember) → the instant of the slot it is in (epoch ms). */
  groups: Map<string, number>;
  /** Reminder job id → the instant (service clock, epoch ms) we asked it to fire at. */
  reminders: Map<string, number>;
  /** Status-check job ids. */
  checks: string[];
}

export const emptySchedule = (): Scheduled => ({ groups: new Map(), reminders: new Map(), checks: [] });

export function encodeSchedule(s: Scheduled): string {
  return [
    ...[...s.groups].map(([member, at]) => `g${member}@${at}`),
    ...[...s.reminders].map(([id, at]) => (Number.isFinite(at) ? `${id}@${at}` : id)),
    ...s.checks,
  ].join(' ');
}

export function decodeSchedule(raw: string | null): Scheduled {
  const s = emptySchedule();
  for (const entry of raw ? raw.split(' ') : []) {
    if (entry.startsWith('s')) s.checks.push(entry);
    else if (entry.startsWith('g')) {
      const at = entry.lastIndexOf('@');
      if (at > 1) s.groups.set(entry.slice(1, at), Number(entry.slice(at + 1)));
    }
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
  const servedInTurn = batchPerTurn<{ at: number; member: string }>(async (items) => {
    const bySlot = new Map<number, string[]>();
    for (const { at, member } of items) (bySlot.get(at) ?? bySlot.set(at, []).get(at)!).push(member);
    if (bySlot.size === 1) {
      const [at, members] = [...bySlot][0]!;
      await redis.srem(keys.slot(at), ...members);
      return;
    }
    const pipe = redis.pipeline();
    for (const [at, members] of bySlot) pipe.srem(keys.slot(at), ...members);
    for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
  });
  return {
    async get(commitmentId: string): Promise<Scheduled> {
      return decodeSchedule(await redis.hget(keys.scheduled, commitmentId));
    },
    async set(commitmentId: string, s: Scheduled): Promise<void> {
      if (s.groups.size === 0 && s.reminders.size === 0 && s.checks.length === 0) await redis.hdel(keys.scheduled, commitmentId);
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
    /**
     * Put groups into their slots, in one round trip. Returns the instants whose slot is already
     * served (closed): their groups were not added, and need a job of their own.
     */
    async addToSlots(slots: ReadonlyMap<number, readonly string[]>): Promise<Set<number>> {
      if (slots.size === 0) return new Set();
      const pipe = redis.pipeline() as unknown as { slotAdd(...a: Array<string | number>): void; exec(): Promise<Array<[Error | null, unknown]> | null> };
      const ats = [...slots.keys()];
      for (const at of ats) pipe.slotAdd(keys.slot(at), keys.slotClosed(at), ...slots.get(at)!);
      const results = (await pipe.exec()) ?? [];
      const closed = new Set<number>();
      results.forEach(([err, added], i) => {
        if (err) throw err;
        if (added === 0) closed.add(ats[i]!);
      });
      return closed;
    },
    /** Take groups out of their slots (a stale group, or one moved to another instant). */
    async removeFromSlots(entries: ReadonlyArray<readonly [member: string, at: number]>): Promise<void> {
      if (entries.length === 0) return;
      const pipe = redis.pipeline();
      for (const [member, at] of entries) pipe.srem(keys.slot(at), member);
      for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
    },
    /** The groups a slot still holds. */
    async slotMembers(at: number): Promise<string[]> {
      return redis.smembers(keys.slot(at));
    },
    /**
     * A group of the slot is served (sent, failed for good, or handed to a job of its own).
     * The members served in one event-loop turn leave their slot in one SREM.
     */
    served: (at: number, member: string): Promise<void> => servedInTurn({ at, member }),
    /** Close a slot with no member left (see lua/slotClose-2.lua); false while members remain. */
    async closeSlot(at: number, keepMarkerSeconds: number): Promise<boolean> {
      return (await redis.slotClose(keys.slot(at), keys.slotClosed(at), keepMarkerSeconds)) === 1;
    },
    /** The groups of one commitment still waiting in a slot, with the slot's instant. */
    async pendingGroups(commitmentId: string): Promise<Array<[member: string, at: number]>> {
      const s = decodeSchedule(await redis.hget(keys.scheduled, commitmentId));
      if (s.groups.size === 0) return [];
      const pipe = redis.pipeline();
      for (const [member, at] of s.groups) pipe.sismember(keys.slot(at), member);
      const results = (await pipe.exec()) ?? [];
      return [...s.groups].filter((_, i) => results[i]?.[1] === 1);
    },
    /** True once the overdue event of this deadline version is recorded (see CommitmentStore.recordOverdueOnce). */
    async overdueRecorded(commitmentId: string, dueVersion: number): Promise<boolean> {
      return (await redis.exists(keys.overdueMarker(commitmentId, dueVersion))) === 1;
    },
  };
}
export type ScheduleIndex = ReturnType<typeof createScheduleIndex>;
