/**
 * The reconcile job: make BullMQ's delayed jobs match a commitment's plan.
 *
 *   plan = planner(commitment, policy, parties, now)      (pure)
 *   add what is missing, remove what is stale, leave the rest untouched.
 *
 * One job per group of sends: the sends of one step that fall on one instant
 * (parties whose local send hour is the same moment). The job id hashes the
 * step and the instant, so a send that moves (a new send hour, a party's new
 * time zone) lands in another group: its new job is added and, once no send
 * is left at the old instant, the old one is removed as stale.
 *
 * What is scheduled for each commitment is remembered in one hash
 * (`reminders:scheduled`, field = commitment id), because a stale job (an old
 * deadline version, a dropped step or party) cannot be derived from the
 * current plan. The hash is written *before* jobs are added (as the union of
 * old and new) and narrowed after stale ones are removed, so a crash at any
 * point leaves every job we created findable by the next reconcile.
 *
 * Reconciles of one commitment never run concurrently (deduplicated per
 * commitment, see jobs/reminder-jobs.ts); the full reconcile only fans out
 * into those per-commitment jobs.
 */
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { recipientsOf, type Planner } from '../jobs/plan.js';
import {
  JOB_NAMES,
  ReconcilePayloadSchema,
  enqueueReconcileMany,
  groupInstant,
  reminderGroupJobId,
  reminderJobOptions,
  statusCheckJobId,
  statusCheckJobOptions,
  type SendGroupPayload,
  type StatusCheckPayload,
} from '../jobs/reminder-jobs.js';
import { msUntil, realInstant, type Clock } from '../src/domain/clock.js';
import type { Commitment } from '../src/domain/commitment.js';
import type { DomainEvent } from '../src/domain/events.js';
import type { PlannedSend } from '../src/domain/planner.js';
import { childFor } from '../src/logger.js';
import type { SendLedger } from '../src/mail/ledger.js';
import { countReminder, type Metrics } from '../src/metrics.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';
import type { Keys } from '../src/store/keys.js';
import type { PartyLookup } from './party-cache.js';

export interface ReconcileDeps {
  redis: Redis;
  keys: Keys;
  commitments: CommitmentStore;
  parties: PartyLookup;
  ledger: SendLedger;
  planner: Planner;
  clock: Clock;
  logger: Logger;
  queues: { reconcile: Queue; reminders: Queue; statusCheck: Queue };
  metrics?: Metrics;
}

/** What is scheduled for one commitment: reminder job ids and status-check job ids (BullMQ ids, see reminderGroupJobId). */
interface Scheduled {
  r: string[];
  s: string[];
}

export const scheduledIndexKey = (keys: Keys) => keys.ns('reminders:scheduled');
/** Set once the overdue event of a deadline version is recorded (see status-check.processor.ts). */
export const overdueMarkerKey = (keys: Keys, id: string, dueVersion: number) => keys.ns(`overdue:${id}:${dueVersion}`);

/** Stored as one space-separated list; reminder job ids start with 'r', status checks with 's' (see reminderGroupJobId). */
const encode = (x: Scheduled) => [...x.r, ...x.s].join(' ');
const decode = (raw: string | null): Scheduled => {
  const ids = raw ? raw.split(' ').filter(Boolean) : [];
  return { r: ids.filter((i) => i.startsWith('r')), s: ids.filter((i) => i.startsWith('s')) };
};
const same = (a: Scheduled, b: Scheduled) => encode(a) === encode(b);
const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
/** When a group's job should fire: its earliest send (they differ only for missed notices moved by the catch-up rule). */
const fireAt = (sends: readonly PlannedSend[]) => Math.min(...sends.map((s) => Date.parse(s.at)));

/** Planned sends by reminder job: one group per (step, group instant), in plan order. */
function groupSends(planned: readonly PlannedSend[]): Map<string, PlannedSend[]> {
  const groups = new Map<string, PlannedSend[]>();
  for (const s of planned) {
    const id = reminderGroupJobId({ commitmentId: s.commitmentId, dueVersion: s.dueVersion, stepKey: s.stepKey, at: groupInstant(s) });
    const g = groups.get(id);
    if (g) g.push(s);
    else groups.set(id, [s]);
  }
  return groups;
}

/** The reconcile processor: `{ commitmentId }` reconciles one commitment, `{ full: true }` fans out to all. */
export function createReconcileProcessor(deps: ReconcileDeps) {
  const { redis, keys, commitments, ledger, planner, clock, queues } = deps;
  const indexKey = scheduledIndexKey(keys);

  async function writeIndex(id: string, s: Scheduled) {
    if (s.r.length === 0 && s.s.length === 0) await redis.hdel(indexKey, id);
    else await redis.hset(indexKey, id, encode(s));
  }

  /** Record planned-but-missed sends as skipped (once: HSETNX), with one event per newly skipped send. */
  async function recordSkipped(c: Commitment, skipped: PlannedSend[], now: Date): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    for (const s of skipped) {
      const fresh: string[] = [];
      for (const r of recipientsOf(s)) {
        const meta = { commitmentId: c.id, partyId: s.partyId, step: s.stepKey, dueVersion: s.dueVersion, plannedAt: s.at };
        if (await ledger.markSkippedIfAbsent(s.id, r.address, now, s.skipReason ?? 'skipped', meta)) fresh.push(r.address);
      }
      if (fresh.length === 0) continue;
      countReminder(deps.metrics, 'skipped', s.stepKey, fresh.length);
      events.push({
        type: 'reminder.skipped',
        commitmentId: c.id,
        meetingId: c.meetingId,
        at: now.toISOString(),
        who: 'reconcile',
        version: c.version,
        changes: {},
        data: { sendId: s.id, step: s.stepKey, plannedAt: s.at, recipients: fresh, reason: s.skipReason ?? 'skipped' },
      });
    }
    return events;
  }

  /** Sends whose every recipient already has an outcome need no job (the job may have been removed on completion). */
  async function unfinished(sends: PlannedSend[]): Promise<PlannedSend[]> {
    if (sends.length === 0) return [];
    const entries = await ledger.getMany(sends.map((s) => s.id));
    return sends.filter((s, i) => recipientsOf(s).some((r) => !entries[i]![r.address] || entries[i]![r.address]!.state === 'skipped'));
  }

  /**
   * A kept job whose fire time moved (same id: e.g. a missed notice's catch-up moved past a quiet day)
   * is re-timed. Compared on BullMQ's real timeline (realInstant is the identity unless the clock is compressed).
   * The job's current fire time is its score in the delayed set (BullMQ stores due time × 4096 plus a
   * counter), not timestamp + delay: a job that moved itself to later (moveToDelayed) keeps those.
   */
  async function retime(jobId: string, at: number, now: Date) {
    const score = await redis.zscore(queues.reminders.keys.delayed!, jobId);
    if (score === null) return; // not delayed: waiting, active or gone
    const current = Math.floor(Number(score) / 4096);
    const wanted = realInstant(clock, at);
    const nowMs = realInstant(clock, now.getTime());
    if (Math.abs(current - wanted) <= 1000 || (current <= nowMs && wanted <= nowMs)) return;
    const job = await queues.reminders.getJob(jobId);
    if (job) await job.changeDelay(msUntil(clock, at, now));
  }

  async function reconcileOne(id: string, log: Logger) {
    const now = clock.now();
    const [c, prevRaw] = await Promise.all([commitments.get(id), redis.hget(indexKey, id)]);
    const prev = decode(prevRaw);

    const plan = c ? planner.plan(c, await deps.parties.all(), now) : [];
    const check = c ? planner.statusCheck(c) : null;
    const planned = plan.filter((s) => s.state === 'planned');
    const groups = groupSends(planned);
    const want: Scheduled = { r: [...groups.keys()], s: check ? [statusCheckJobId(check.id)] : [] };

    // Intent first: every job we may create is findable before it exists.
    const wide: Scheduled = { r: union(prev.r, want.r), s: union(prev.s, want.s) };
    if (!same(wide, prev)) await writeIndex(id, wide);

    // Stale: scheduled before, not wanted now (done/cancelled → everything). A job that is
    // running cannot be removed (remove returns 0); its fire-time guard stops it instead.
    let removed = 0;
    for (const jobId of prev.r.filter((x) => !want.r.includes(x))) removed += await queues.reminders.remove(jobId);
    for (const jobId of prev.s.filter((x) => !want.s.includes(x))) removed += await queues.statusCheck.remove(jobId);

    let added = 0;
    if (c) {
      const events = await recordSkipped(c, plan.filter((s) => s.state === 'skipped'), now);
      if (events.length) await commitments.appendEvents(c.id, events);

      // Each group's sends that still have a recipient without an outcome: a group with none needs
      // no job, and the others fire at their earliest such send (not at one already delivered).
      const open = new Set((await unfinished(planned)).map((x) => x.id));
      const pending = [...groups].map(([jobId, sends]) => [jobId, sends.filter((x) => open.has(x.id))] as const).filter(([, sends]) => sends.length > 0);
      const known = new Set(prev.r);
      for (const [jobId, sends] of pending) if (known.has(jobId)) await retime(jobId, fireAt(sends), now);
      if (pending.length) {
        // Adding an id that exists is a no-op.
        await queues.reminders.addBulk(
          pending.map(([jobId, sends]) => ({
            name: JOB_NAMES.send,
            data: { c: c.id, v: sends[0]!.dueVersion, k: sends[0]!.stepKey, t: groupInstant(sends[0]!) } satisfies SendGroupPayload,
            opts: { ...reminderJobOptions, jobId, delay: msUntil(clock, fireAt(sends), now) },
          })),
        );
        added += pending.length;
      }
      if (check && !(await redis.exists(overdueMarkerKey(keys, c.id, check.dueVersion)))) {
        await queues.statusCheck.add(JOB_NAMES.statusCheck, { c: c.id, v: check.dueVersion } satisfies StatusCheckPayload, {
          ...statusCheckJobOptions,
          jobId: statusCheckJobId(check.id),
          // 1 ms after the deadline instant: a commitment is overdue only once its deadline has
          // passed, so a check due exactly at it would only put itself back (a second run).
          delay: msUntil(clock, Date.parse(check.at) + 1, now),
        });
      }
    }
    if (!same(want, wide)) await writeIndex(id, want);
    log.debug({ planned: planned.length, ensured: added, removed, skipped: plan.length - planned.length }, 'reconciled');
    return { planned: planned.length, ensured: added, removed };
  }

  return async function processReconcile(job: Job) {
    const parsed = ReconcilePayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed reconcile payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const data = parsed.data;
    if ('full' in data) {
      const ids = await commitments.allIds();
      // Also revisit commitments that have jobs but no document any more.
      const indexed = await redis.hkeys(indexKey);
      const all = union(ids, indexed);
      await enqueueReconcileMany(queues.reconcile, all);
      return { fannedOut: all.length };
    }
    return reconcileOne(data.commitmentId, childFor(deps.logger, { queue: 'reconcile', jobId: job.id, commitmentId: data.commitmentId }));
  };
}
