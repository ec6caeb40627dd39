/**
 * The reconcile job: make BullMQ's delayed jobs match a commitment's plan.
 *
 *   plan = planner(commitment, policy, parties, now)      (pure)
 *   add what is missing, remove what is stale, re-time what moved.
 *
 * One job per group of sends: the sends of one step that fall on one instant.
 * What is scheduled is kept in our own schedule index (src/store/schedule-index.ts):
 * it is written *before* jobs are added (as the union of old and new) and
 * narrowed after stale ones are removed, so a crash at any point leaves every
 * job we created findable by the next reconcile. Reconciles of one commitment
 * never run concurrently (deduplicated per commitment, see jobs/reminder-jobs.ts).
 */
import { isConnectionError } from '../jobs/outage-log.js';
import { reportCommitmentError } from '../src/app/isolate.js';
import { coerceError } from '../src/domain/errors.js';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { recipientsOf, type Planner } from '../jobs/plan.js';
import {
  JOB_NAMES,
  jobName,
  ReconcilePayloadSchema,
  groupInstant,
  groupJob,
  reminderGroupJobId,
  slotJobId,
  slotJobOptions,
  slotMember,
  checkMember,
  statusCheckJobId,
  statusCheckJobOptions,
  type SendSlotPayload,
  type StatusCheckPayload,
} from '../jobs/reminder-jobs.js';
import { msUntil, type Clock } from '../src/domain/clock.js';
import type { Commitment } from '../src/domain/commitment.js';
import type { DomainEvent } from '../src/domain/events.js';
import type { PlannedSend } from '../src/domain/planner.js';
import { childFor } from '../src/logger.js';
import type { SendLedger } from '../src/store/ledger-store.js';
import { countReminder, type Metrics } from '../src/metrics.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';
import type { ScheduleIndex, Scheduled } from '../src/store/schedule-index.js';
import type { PartyLookup } from './party-cache.js';

export interface ReconcileDeps {
  schedule: ScheduleIndex;
  /** The full reconcile's fan-out: one reconcile per commitment (CommitmentService.rescheduleAll). */
  rescheduleAll(): Promise<number>;
  /** The sweep: a reconcile per commitment written but not reconciled since (CommitmentService.rescheduleUnreconciled). */
  rescheduleUnreconciled(limit: number): Promise<number>;
  commitments: CommitmentStore;
  parties: PartyLookup;
  ledger: SendLedger;
  planner: Planner;
  clock: Clock;
  logger: Logger;
  queues: { reconcile: Queue; reminders: Queue; statusCheck: Queue };
  metrics?: Metrics;
}

/** Log lines kept per slot job (the dashboard's view of what it carries; the slot's set is the record). */
const SLOT_LOG_ROWS = 1000;
/** A slot entry as a person reads it: the step (`before-P7D`, `due` …) or `status check`. */
const slotEntryLabel = (member: string) => (member.endsWith('|check') ? 'status check' : (member.split('|')[2] ?? member));
/** Commitments the sweep enqueues per run: the next run takes the rest. */
const SWEEP_PAGE = 1000;
const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
const sameMap = (a: Map<string, number>, b: Map<string, number>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const sameSchedule = (a: Scheduled, b: Scheduled) =>
  a.checks.join(' ') === b.checks.join(' ') &&
  sameMap(a.groups, b.groups) && a.reminders.size === b.reminders.size && [...a.reminders].every(([id, at]) => b.reminders.get(id) === at || (Number.isNaN(at) && Number.isNaN(b.reminders.get(id))));
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
  const { schedule, commitments, ledger, planner, clock, queues } = deps;

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
   * A kept job whose fire time moved (same id: e.g. a missed notice's catch-up moved past a quiet
   * day) is re-timed through BullMQ's public API. `asked` is the instant our index says we asked
   * for; when both it and the wanted instant have passed, the job is due or backing off after a
   * mail failure, and is left alone.
   */
  async function retime(jobId: string, asked: number | undefined, at: number, now: Date) {
    if (asked === undefined || Number.isNaN(asked) || Math.abs(asked - at) <= 1000) return;
    if (asked <= now.getTime() && at <= now.getTime()) return;
    const job = await queues.reminders.getJob(jobId);
    if (job && (await job.isDelayed())) await job.changeDelay(msUntil(clock, at, now));
  }

  async function reconcileOne(id: string, log: Logger) {
    const now = clock.now();
    const [c, prev] = await Promise.all([commitments.get(id), schedule.get(id)]);

    const plan = c ? planner.plan(c, await deps.parties.all(), now) : [];
    const check = c ? planner.statusCheck(c) : null;
    const planned = plan.filter((s) => s.state === 'planned');
    const groups = groupSends(planned);
    const memberOf = new Map([...groups].map(([jobId, sends]) => [jobId, slotMember({ c: id, v: sends[0]!.dueVersion, k: sends[0]!.stepKey, t: groupInstant(sends[0]!) })]));
    // The status check goes in the slot just after the deadline (1 ms: a commitment is overdue only
    // once its deadline has passed), unless it already has a job of its own.
    const checkJob = check ? statusCheckJobId(check.id) : null;
    // Once the overdue event of this deadline version is recorded, nothing is left to check.
    const checkPending = check !== null && !(await schedule.overdueRecorded(id, check.dueVersion));
    const checkM = checkPending && !prev.checks.includes(checkJob!) ? checkMember(id, check.dueVersion) : null;
    const checkAt = check ? Date.parse(check.at) + 1 : 0;
    const wantChecks = checkPending && !checkM ? [checkJob!] : [];

    // Intent first: every slot entry we may make is findable before it exists (at its planned instant).
    const wide: Scheduled = { groups: new Map(prev.groups), reminders: new Map(prev.reminders), checks: union(prev.checks, wantChecks) };
    for (const [jobId, sends] of groups) {
      const member = memberOf.get(jobId)!;
      if (!wide.reminders.has(jobId) && !wide.groups.has(member)) wide.groups.set(member, fireAt(sends));
    }
    if (checkM && !wide.groups.has(checkM)) wide.groups.set(checkM, checkAt);
    if (!sameSchedule(wide, prev)) await schedule.set(id, wide);

    const want: Scheduled = { groups: new Map(), reminders: new Map(), checks: wantChecks };
    /** As a job is re-timed (see retime): an entry stays in its slot unless its instant really moved;
     * one whose slot and wanted instant have both passed is due there now (a catch-up's "now" differs per run). */
    const toSlot = (member: string, at: number) => {
      const recorded = prev.groups.get(member);
      const slotAt = recorded !== undefined && (Math.abs(recorded - at) <= 1000 || (recorded <= now.getTime() && at <= now.getTime())) ? recorded : at;
      want.groups.set(member, slotAt);
      toSlots.set(slotAt, [...(toSlots.get(slotAt) ?? []), member]);
    };
    // Groups with a job of their own (a retry, a wait, a served slot, or scheduled before slots) keep it.
    const ownJobs: Array<[jobId: string, sends: PlannedSend[], at: number]> = [];
    const toSlots = new Map<number, string[]>();
    let added = 0;
    if (c) {
      const events = await recordSkipped(c, plan.filter((s) => s.state === 'skipped'), now);
      if (events.length) await commitments.appendEvents(c.id, events);

      // Each group's sends that still have a recipient without an outcome: a group with none needs
      // nothing scheduled, and the others fire at their earliest such send (not at one already delivered).
      const open = new Set((await unfinished(planned)).map((x) => x.id));
      for (const [jobId, all] of groups) {
        const sends = all.filter((x) => open.has(x.id));
        if (sends.length === 0) continue;
        const at = fireAt(sends);
        if (prev.reminders.has(jobId)) {
          want.reminders.set(jobId, at);
          ownJobs.push([jobId, sends, at]);
          await retime(jobId, prev.reminders.get(jobId), at, now);
        } else toSlot(memberOf.get(jobId)!, at);
      }
      if (checkM) toSlot(checkM, checkAt);
    }

    // Stale: scheduled before, not wanted now (done/cancelled → everything), or moved to another slot.
    // A job that is running cannot be removed (remove returns 0); its fire-time guard stops it instead.
    let removed = 0;
    for (const jobId of prev.reminders.keys()) if (!want.reminders.has(jobId)) removed += await queues.reminders.remove(jobId);
    for (const jobId of prev.checks.filter((x) => !wantChecks.includes(x))) removed += await queues.statusCheck.remove(jobId);
    const leaving = [...prev.groups].filter(([member, at]) => want.groups.get(member) !== at);
    await schedule.removeFromSlots(leaving);
    removed += leaving.length;

    // A slot whose job has already served it takes no new entry: such a group or check gets a job of its own.
    const closed = await schedule.addToSlots(toSlots);
    if (closed.size) {
      for (const [jobId, sends] of groups) {
        const member = memberOf.get(jobId)!;
        const at = want.groups.get(member);
        if (at === undefined || !closed.has(at)) continue;
        want.groups.delete(member);
        want.reminders.set(jobId, at);
        ownJobs.push([jobId, sends, at]);
      }
      if (checkM && closed.has(want.groups.get(checkM) ?? Number.NaN)) {
        want.groups.delete(checkM);
        want.checks = [checkJob!];
      }
      await schedule.set(id, { groups: wide.groups, reminders: new Map([...wide.reminders, ...want.reminders]), checks: union(wide.checks, want.checks) });
    }
    const slots = [...toSlots.keys()].filter((at) => !closed.has(at));
    if (slots.length) {
      // Adding a slot's job that exists is a no-op: every group of the instant shares it.
      await queues.reminders.addBulk(
        slots.map((at) => ({ name: `${JOB_NAMES.slot} ${new Date(at).toISOString()}`, data: { s: at } satisfies SendSlotPayload, opts: { ...slotJobOptions, jobId: slotJobId(at), delay: msUntil(clock, at, now) } })),
      );
      added += [...toSlots].filter(([at]) => !closed.has(at)).reduce((n, [, members]) => n + members.length, 0);
      // What a slot carries, as the queue dashboard shows it: a log line per commitment that joins it.
      const joined = slots.map((at) => [at, toSlots.get(at)!.filter((m) => prev.groups.get(m) !== at)] as const).filter(([, members]) => members.length > 0);
      await Promise.all(joined.map(([at, members]) => queues.reminders.addJobLog(slotJobId(at), `${id}: ${members.map(slotEntryLabel).join(', ')}`, SLOT_LOG_ROWS)));
    }
    if (c && ownJobs.length) {
      // Adding an id that exists is a no-op.
      await queues.reminders.addBulk(ownJobs.map(([, sends, at]) => groupJob({ c: c.id, v: sends[0]!.dueVersion, k: sends[0]!.stepKey, t: groupInstant(sends[0]!) }, msUntil(clock, at, now))));
      added += ownJobs.length;
    }
    if (c && check && checkPending && want.checks.length) {
      await queues.statusCheck.add(jobName(JOB_NAMES.statusCheck, c.id), { c: c.id, v: check.dueVersion } satisfies StatusCheckPayload, {
        ...statusCheckJobOptions,
        jobId: statusCheckJobId(check.id),
        // 1 ms after the deadline instant: a commitment is overdue only once its deadline has
        // passed, so a check due exactly at it would only put itself back (a second run).
        delay: msUntil(clock, checkAt, now),
      });
    }
    if (!sameSchedule(want, wide)) await schedule.set(id, want);
    await schedule.reconciled(id, c?.version ?? Number.MAX_SAFE_INTEGER);
    log.debug({ planned: planned.length, ensured: added, removed, skipped: plan.length - planned.length }, 'reconciled');
    return { planned: planned.length, ensured: added, removed };
  }

  return async function processReconcile(job: Job) {
    const parsed = ReconcilePayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed reconcile payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const data = parsed.data;
    if ('full' in data) return { fannedOut: await deps.rescheduleAll() };
    if ('sweep' in data) return { swept: await deps.rescheduleUnreconciled(SWEEP_PAGE) };
    try {
      return await reconcileOne(data.commitmentId, childFor(deps.logger, { queue: 'reconcile', jobId: job.id, commitmentId: data.commitmentId }));
    } catch (err) {
      // Redis away: BullMQ tries again. Anything else is this commitment's own (a document that
      // cannot be planned): reported and counted, never retried; every other commitment has its own job.
      if (isConnectionError(err)) throw err;
      // Reported once here; the full reconcile tries again, the sweep need not.
      const c = await commitments.get(data.commitmentId).catch(() => null);
      await schedule.reconciled(data.commitmentId, c?.version ?? Number.MAX_SAFE_INTEGER).catch(() => undefined);
      reportCommitmentError({ logger: deps.logger, metrics: deps.metrics }, 'reconcile', data.commitmentId, err);
      throw new UnrecoverableError(`commitment ${data.commitmentId} cannot be reconciled: ${coerceError(err).message}`);
    }
  };
}
