/**
 * Reminder jobs: payload schemas (ids only), job options, and the producers
 * that enqueue reconciles, the periodic full reconcile and admin retries.
 *
 * Job ids: reminder and status-check jobs use ids derived from the planner's
 * ids (deterministic, bound to the deadline version, no ':'), so adding one
 * twice is a no-op.
 * Reconcile jobs use BullMQ's deduplication instead, keyed per commitment with
 * `keepLastIfActive`: while one reconcile of a commitment waits, further
 * changes fold into it; while one runs, exactly one more is queued behind it,
 * so a change made mid-run is never lost and two never run at once.
 */
import { createHash } from 'node:crypto';
import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { durationToMs, parseIsoDuration } from '../src/domain/duration.js';

const COMMITMENT_ID = /^[a-z0-9-]{1,80}$/;
const PARTY_ID = /^[A-Z][A-Z0-9-]{1,15}$/;
const commitmentId = z.string().regex(COMMITMENT_ID, 'expected a commitment id');

export const ReconcilePayloadSchema = z.union([
  z.strictObject({ commitmentId }),
  z.strictObject({ full: z.literal(true) }),
  z.strictObject({ sweep: z.literal(true) }),
]);
export type ReconcilePayload = z.infer<typeof ReconcilePayloadSchema>;

const STEP_KEY = /^[A-Za-z0-9-]{1,40}$/;

/**
 * How many runs of the job ended waiting for a send whose instant was still
 * ahead (a missed notice waiting out a quiet day) rather than trying mail:
 * mail tries = BullMQ's attemptsStarted − w (see mailTries). A count, not data.
 */
const waits = z.number().int().min(1).optional();

/**
 * A reminder job's data: ids only, in one of two shapes. Keys are one letter on
 * purpose: with a short job id (below) every field of the job hash stays under
 * Redis's 64-byte listpack limit, which roughly halves the memory of a
 * scheduled job (see bench/reminders.ts).
 *
 * - A **group** (what reconcile schedules): every send of one step of one
 *   commitment that falls on one instant, `{ c, v, k, t }`. Parties whose local
 *   send hour is the same instant share one job; the worker re-plans at fire
 *   time and sends to whichever parties the plan then puts at that instant
 *   (`t` is the group instant, see groupInstant).
 * - **One send** (an admin retry, and jobs scheduled before groups existed),
 *   `{ c, v, p, m? }`: the send of party `p` whose job id this is.
 */
export const SendReminderPayloadSchema = z.union([
  /** A slot: every group the slot of this instant (epoch ms) holds, of any commitment. */
  z.strictObject({ s: z.number().int().min(0), w: waits }),
  z.strictObject({
    /** Commitment id. */
    c: commitmentId,
    /** Deadline version the sends were planned for. */
    v: z.number().int().min(1),
    /** The step (`before-P7D`, `due`, `overdue-1`, `escalation` …). */
    k: z.string().regex(STEP_KEY, 'expected a step key'),
    /** The planned instant, epoch milliseconds. */
    t: z.number().int().min(0),
    w: waits,
  }),
  z.strictObject({
    c: commitmentId,
    v: z.number().int().min(1),
    /** The recipient party. */
    p: z.string().regex(PARTY_ID, 'expected a party id'),
    /** Set by an admin retry: send even if the planned instant has aged out of the catch-up window. */
    m: z.literal(1).optional(),
    w: waits,
  }),
]);
export type SendReminderPayload = z.infer<typeof SendReminderPayloadSchema>;
export type SendGroupPayload = Extract<SendReminderPayload, { k: string }>;
export type SendSlotPayload = Extract<SendReminderPayload, { s: number }>;
/** A job's sends: a group or one send (a slot job runs each of its groups as a group). */
export type SendSendsPayload = Exclude<SendReminderPayload, SendSlotPayload>;

/**
 * A group as a slot holds it: `commitment|deadline version|step|instant`. Ids and step keys
 * have no `|`, `@` or space (their schemas say so), so it is also a schedule-index entry's name.
 */
export const slotMember = (g: { c: string; v: number; k: string; t: number }) => `${g.c}|${g.v}|${g.k}|${g.t}`;
export function parseSlotMember(member: string): SendGroupPayload | null {
  const [c, v, k, t, ...rest] = member.split('|');
  const parsed = SendReminderPayloadSchema.safeParse({ c, v: Number(v), k, t: Number(t) });
  return rest.length === 0 && parsed.success && 'k' in parsed.data ? parsed.data : null;
}
/** A status check as a slot holds it: `commitment|deadline version|check`, in the slot just after the deadline. */
export const checkMember = (c: string, v: number) => `${c}|${v}|check`;
export function parseCheckMember(member: string): StatusCheckPayload | null {
  const m = /^([a-z0-9-]{1,80})\|(\d{1,9})\|check$/.exec(member);
  return m ? { c: m[1]!, v: Number(m[2]) } : null;
}
/** The BullMQ job id of a slot: `t` + its instant (deterministic, so every reconcile adds the same one). */
export const slotJobId = (at: number) => `t${at}`;
/**
 * A slot job's options. Mail tries are per group (a group that must wait or retry gets a job of
 * its own), so a slot's attempts only cover Redis errors; a slot job that runs out of them is
 * removed, which frees its id for the next reconcile to add again (its groups stay in the slot).
 */
export const slotJobOptions: JobsOptions = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnFail: true };
/** A group's own job (a retry, a wait, a group whose slot was already served), for add or addBulk. */
export function groupJob(g: SendGroupPayload, delayMs: number) {
  return {
    name: jobName(JOB_NAMES.send, g.c, g.k),
    data: { c: g.c, v: g.v, k: g.k, t: g.t } satisfies SendGroupPayload,
    opts: { ...reminderJobOptions, jobId: reminderGroupJobId({ commitmentId: g.c, dueVersion: g.v, stepKey: g.k, at: g.t }), delay: Math.max(0, delayMs) },
  };
}
/** How long a served slot stays closed to new groups: far past any catch-up window. */
export const SLOT_CLOSED_SECONDS = 14 * 24 * 3600;

export const StatusCheckPayloadSchema = z.strictObject({ c: commitmentId, v: z.number().int().min(1) });
export type StatusCheckPayload = z.infer<typeof StatusCheckPayloadSchema>;

export const JOB_NAMES = { reconcile: 'reconcile', fullReconcile: 'full-reconcile', sweep: 'reconcile-sweep', send: 'reminder', slot: 'reminders', statusCheck: 'status-check' } as const;

/** Redis keeps a hash compact (a listpack) while every value is at most this many bytes; a job's name is one. */
const NAME_MAX_BYTES = 64;

/**
 * A job's name as the queue dashboard shows it: its kind, then the commitment
 * and the step, e.g. `reminder workshop-information-campaigns before-P7D`.
 * Nothing dispatches on these names (processors read the payload), so they are
 * for people only; the first word is the kind (metrics label jobs by it). The
 * name is cut to 64 bytes, shortening the commitment id, so a job's hash stays
 * as small as its short id made it.
 */
export function jobName(kind: (typeof JOB_NAMES)[keyof typeof JOB_NAMES], commitmentId?: string, ...rest: string[]): string {
  if (commitmentId === undefined) return kind;
  const tail = rest.length ? ` ${rest.join(' ')}` : '';
  const full = `${kind} ${commitmentId}${tail}`;
  if (Buffer.byteLength(full) <= NAME_MAX_BYTES) return full;
  // Ids, steps and parties are ASCII (their schemas say so): one character is one byte, '…' is three.
  const room = NAME_MAX_BYTES - Buffer.byteLength(`${kind} …${tail}`);
  return room >= 8 ? `${kind} ${commitmentId.slice(0, room)}…${tail}` : `${full.slice(0, NAME_MAX_BYTES - 3)}…`;
}
export const FULL_RECONCILE_SCHEDULER_ID = 'full-reconcile';
export const RECONCILE_SWEEP_SCHEDULER_ID = 'reconcile-sweep';

const shortId = (kind: 'r' | 's', planId: string) => kind + createHash('sha256').update(planId).digest('base64url').slice(0, 16);

/**
 * The BullMQ job id of a planned send: `r` + 96 bits of SHA-256 of the
 * planner's id (which is long and readable, and is what the ledger, events
 * and API show). Deterministic, no ':', never all digits; short, so it fits
 * the job hash in a listpack. The worker finds its send by hashing the plan's ids.
 */
export const reminderJobId = (sendId: string) => shortId('r', sendId);
/**
 * The BullMQ job id of a group of sends (see SendReminderPayloadSchema): the
 * same kind of hash over the commitment, deadline version, step and instant.
 * A send that moves to another instant moves to another group, so the
 * reconcile removes and adds jobs; it re-times a kept job only when a missed
 * notice's catch-up instant moves (its group instant stays the planned one).
 */
export const reminderGroupJobId = (g: { commitmentId: string; dueVersion: number; stepKey: string; at: number }) =>
  shortId('r', `${g.commitmentId}--d${g.dueVersion}--${g.stepKey}--@${g.at}`);

/**
 * The instant a send is grouped by: its planned instant, or for a missed
 * notice moved to "now" by the catch-up rule, the instant it was planned for
 * (which, unlike "now", is the same at every reconcile and at fire time).
 */
export const groupInstant = (s: { at: string; nominalAt?: string }) => Date.parse(s.nominalAt ?? s.at);
/** The BullMQ job id of a status check, likewise. */
export const statusCheckJobId = (checkId: string) => shortId('s', checkId);

/** Per-job options of a reminder; completed/failed retention is set on the worker (see reminderWorkerOptions). */
export const reminderJobOptions: JobsOptions = { attempts: 3 };

/** Retention of reminder jobs: completed ones go at once (the ledger is the record); failed ones stay 30 days for retry. */
export const reminderWorkerOptions = { removeOnComplete: { count: 0 }, removeOnFail: { age: 30 * 24 * 3600 } } as const;

export const statusCheckJobOptions: JobsOptions = { attempts: 5 };

const reconcileJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};

/** Enqueue reconciles of many commitments in one round trip (the full reconcile fans out with this). */
export async function enqueueReconcileMany(queue: Queue, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    await queue.addBulk(
      ids.slice(i, i + 1000).map((id) => ({
        name: jobName(JOB_NAMES.reconcile, id),
        data: { commitmentId: id } satisfies ReconcilePayload,
        opts: { ...reconcileJobOptions, deduplication: { id: `reconcile-${id}`, keepLastIfActive: true } },
      })),
    );
  }
}

/** A periodic reconcile run, as a Job Scheduler (upsert is idempotent, so every worker process may call it at start). */
async function upsertPeriodic(queue: Queue, id: string, name: string, data: ReconcilePayload, every: string, fallbackMs: number): Promise<void> {
  const ms = durationToMs(parseIsoDuration(every) ?? { seconds: fallbackMs / 1000 });
  await queue.upsertJobScheduler(id, { every: Math.max(1000, ms) }, { name, data, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } });
}

/**
 * The periodic full reconcile. Each run fans out into per-commitment
 * reconciles, which repair whatever a crash left half done.
 */
export const upsertFullReconcile = (queue: Queue, every: string) => upsertPeriodic(queue, FULL_RECONCILE_SCHEDULER_ID, JOB_NAMES.fullReconcile, { full: true }, every, 15 * 60_000);

/**
 * The reconcile sweep: every run enqueues a reconcile for each commitment written but not yet
 * reconciled (the write marks it in the same script). It repairs, within one interval, a write
 * whose own reconcile was never enqueued because Redis or the process died in between; one
 * already queued is folded into by deduplication.
 */
export const upsertReconcileSweep = (queue: Queue, every: string) => upsertPeriodic(queue, RECONCILE_SWEEP_SCHEDULER_ID, JOB_NAMES.sweep, { sweep: true }, every, 30_000);

/**
 * Re-enqueue a failed reminder send now (admin retry). The old job, if BullMQ
 * still keeps it, is removed first so the deterministic id is free again; the
 * worker re-runs the fire-time guard and skips recipients already sent.
 */
export async function enqueueReminderRetry(queue: Queue, sendId: string, data: { c: string; v: number; p: string }): Promise<void> {
  const jobId = reminderJobId(sendId);
  const old = await queue.getJob(jobId);
  if (old) {
    const state = await old.getState();
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized') return;
    await old.remove();
  }
  // The planner's send id is `<commitment>--d<version>--<step>--<party>`: show the step when it reads so.
  const head = `${data.c}--d${data.v}--`;
  const step = sendId.startsWith(head) && sendId.endsWith(`--${data.p}`) ? sendId.slice(head.length, -(data.p.length + 2)) : '';
  const name = jobName(JOB_NAMES.send, data.c, ...(STEP_KEY.test(step) ? [step] : []), data.p, 'retry');
  await queue.add(name, { ...data, m: 1 } satisfies SendReminderPayload, { ...reminderJobOptions, jobId });
}
