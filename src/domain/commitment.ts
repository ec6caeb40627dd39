/**
 * Commitments and the pure rules that change them. Every change returns the
 * next state (version + 1) together with the domain events that record it;
 * the store writes both atomically.
 */
import { z } from 'zod';
import { AppError } from './errors.js';
import { DateDueSchema, InstantDueSchema, dueInstant, isoDateSchema, normaliseDue, sameDue, type Due } from './deadline.js';
import { MeetingDueSchema, isMeetingDue, resolveMeetingDue, type MeetingDue } from './meeting-due.js';
import { PartyIdSchema } from './party.js';
import { ReminderPolicySchema, type ReminderPolicy } from './reminder-policy.js';
import { StatusSchema, assertTransition, isClosed, type Status } from './status.js';
import { multiLine, singleLine } from './text.js';
import { toLocal } from './local-time.js';
import type { DomainEvent } from './events.js';

export const SlugSchema = z
  .string()
  .min(2)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a lower-case slug such as workshop-information-campaigns');

export const EvidenceSchema = z.object({
  note: z.string().max(5000),
  evidenceUrl: z.string().max(2000).nullable(),
  completedOn: z.string().max(10),
  units: z.number().int().min(1).max(1000),
  recordedBy: z.string().max(320),
  recordedAt: z.string().max(40),
  withdrawn: z.boolean().optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export interface Commitment {
  id: string;
  meetingId: string;
  title: string;
  sourceText: string;
  theme: string | null;
  leads: string[];
  members: string[];
  /** The deadline in force: for a meeting-linked one, its resolution (null while the meeting has no date). */
  due: Due;
  /** Present when the deadline follows a meeting: `due` moves whenever that meeting's first day does. */
  dueLink?: MeetingDue;
  /** Present only for multi-unit commitments. */
  target?: { units: number; done: number };
  status: Status;
  evidence: Evidence[];
  cancellation: { reason: string; by: string; at: string } | null;
  reminderPolicy: ReminderPolicy | null;
  /** Bumped whenever the deadline changes; reminders bound to an older one never send. */
  dueVersion: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const partyList = z.array(PartyIdSchema).max(100);

/**
 * A deadline as given on input: none, a date in a zone, an instant, or tied to a meeting
 * (`{ meetingId, offset }`, resolved against the meeting's first day in its zone).
 */
export const DueInputSchema = z.union([DateDueSchema, InstantDueSchema, MeetingDueSchema]).nullable();
export type DueInput = z.infer<typeof DueInputSchema>;

/** What a meeting-linked deadline needs of its meeting. */
export type LinkedMeeting = { startDate?: string | null | undefined; timeZone?: string | null | undefined };

/** The stored deadline and link for an input deadline: a meeting link resolves against `meeting` (null without it or its date). */
export function resolveDueInput(due: DueInput, meeting: LinkedMeeting | null | undefined): { due: Due; dueLink?: MeetingDue } {
  if (due !== null && isMeetingDue(due)) {
    const link = { meetingId: due.meetingId, offset: due.offset };
    return { due: meeting ? resolveMeetingDue(link, meeting) : null, dueLink: link };
  }
  return { due: normaliseDue(due) };
}
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2000);
/**
 * Text fields lose their control characters before their length is checked
 * (see text.ts): one-line fields every one of them, multi-line fields (the
 * source text, a completion note) all but LF and TAB, CR LF becoming LF.
 */
const line = () => z.string().overwrite(singleLine);
const lines = () => z.string().overwrite(multiLine);

export const CommitmentInputSchema = z.strictObject({
  id: SlugSchema.optional(),
  meetingId: SlugSchema,
  title: line().trim().min(3).max(300),
  sourceText: lines().max(5000).default(''),
  theme: line().max(100).nullable().default(null),
  leads: partyList.default([]),
  members: partyList.default([]),
  due: DueInputSchema.default(null),
  target: z.strictObject({ units: z.number().int().min(2).max(1000) }).optional(),
  reminderPolicy: ReminderPolicySchema.nullable().default(null),
});
export type CommitmentInput = z.input<typeof CommitmentInputSchema>;

export const CommitmentPatchSchema = z
  .strictObject({
    title: line().trim().min(3).max(300),
    sourceText: lines().max(5000),
    theme: line().max(100).nullable(),
    leads: partyList,
    members: partyList,
    due: DueInputSchema,
    target: z.strictObject({ units: z.number().int().min(2).max(1000) }).nullable(),
    reminderPolicy: ReminderPolicySchema.nullable(),
    status: z.enum(['open', 'in_progress']),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'expected at least one field to change' });
export type CommitmentPatch = z.infer<typeof CommitmentPatchSchema>;

export const CompleteInputSchema = z.strictObject({
  /** Optional: `{}` marks it done. */
  note: lines().trim().min(1).max(5000).optional(),
  evidenceUrl: httpUrl.optional(),
  /** Optional: today in the zone of the deadline (UTC without a date deadline), by the service clock. */
  completedOn: isoDateSchema.optional(),
  units: z.number().int().min(1).max(1000).optional(),
});
export type CompleteInput = z.infer<typeof CompleteInputSchema>;

export const CancelInputSchema = z.strictObject({ reason: line().trim().min(1).max(2000) });
export const ReopenInputSchema = z.strictObject({ reason: line().trim().max(2000).optional() }).default({});

export interface Change {
  commitment: Commitment;
  events: DomainEvent[];
}

/** Derive a readable slug from a title. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug.length >= 2 ? slug : `commitment-${slug || 'x'}`;
}

/** Every party a commitment involves: its leads, then its members. */
export function partiesOf(c: Pick<Commitment, 'leads' | 'members'>): string[] {
  return [...new Set([...c.leads, ...c.members])];
}

export function isOverdue(c: Commitment, now: Date): boolean {
  const at = dueInstant(c.due);
  return at !== null && !isClosed(c.status) && at.getTime() < now.getTime();
}

function event(c: Commitment, type: DomainEvent['type'], who: string, at: string, changes: DomainEvent['changes'] = {}, data?: Record<string, unknown>): DomainEvent {
  return { type, commitmentId: c.id, meetingId: c.meetingId, at, who, version: c.version, changes, ...(data ? { data } : {}) };
}

/** Create a commitment from validated input; a meeting-linked deadline resolves against `linked`, the meeting it names. */
export function createCommitment(input: z.output<typeof CommitmentInputSchema>, who: string, now: Date, linked?: LinkedMeeting | null): Change {
  const at = now.toISOString();
  const resolved = resolveDueInput(input.due, linked);
  const c: Commitment = {
    id: input.id ?? slugify(input.title),
    meetingId: input.meetingId,
    title: input.title,
    sourceText: input.sourceText,
    theme: input.theme,
    leads: [...new Set(input.leads)],
    members: [...new Set(input.members)].filter((m) => !input.leads.includes(m)),
    due: resolved.due,
    ...(resolved.dueLink ? { dueLink: resolved.dueLink } : {}),
    ...(input.target ? { target: { units: input.target.units, done: 0 } } : {}),
    status: 'open',
    evidence: [],
    cancellation: null,
    reminderPolicy: input.reminderPolicy,
    dueVersion: 1,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  return { commitment: c, events: [event(c, 'commitment.created', who, at, {}, { title: c.title, due: c.due })] };
}

/**
 * Apply a validated patch. Deadline and policy changes get events of their own, which drive rescheduling.
 * A meeting-linked `due` resolves against `linked` (the meeting it names); a date or instant `due` unlinks.
 */
export function patchCommitment(current: Commitment, patch: CommitmentPatch, who: string, now: Date, linked?: LinkedMeeting | null): Change {
  const at = now.toISOString();
  const next: Commitment = structuredClone(current);
  const changes: DomainEvent['changes'] = {};
  const events: DomainEvent[] = [];
  let dueChanged = false;
  let policyChanged = false;

  // Normalise parties first (no duplicates, a lead is not also a member), so a
  // patch that only repeats a party is not a change and bumps nothing.
  const wanted: Partial<Pick<Commitment, 'title' | 'sourceText' | 'theme' | 'leads' | 'members'>> = { ...patch };
  if (patch.leads !== undefined || patch.members !== undefined) {
    const leads = [...new Set(patch.leads ?? current.leads)];
    wanted.leads = leads;
    wanted.members = [...new Set(patch.members ?? current.members)].filter((m) => !leads.includes(m));
  }
  for (const key of ['title', 'sourceText', 'theme', 'leads', 'members'] as const) {
    if (wanted[key] !== undefined && JSON.stringify(wanted[key]) !== JSON.stringify(current[key])) {
      changes[key] = { from: current[key], to: wanted[key] };
      (next as unknown as Record<string, unknown>)[key] = wanted[key];
    }
  }
  if (patch.due !== undefined) {
    const wantedDue = resolveDueInput(patch.due, linked);
    const linkChanged = JSON.stringify(wantedDue.dueLink ?? null) !== JSON.stringify(current.dueLink ?? null);
    if (!sameDue(wantedDue.due, current.due) || linkChanged) {
      changes.due = { from: current.due, to: wantedDue.due };
      if (linkChanged) changes.dueLink = { from: current.dueLink ?? null, to: wantedDue.dueLink ?? null };
      next.due = wantedDue.due;
      if (wantedDue.dueLink) next.dueLink = wantedDue.dueLink;
      else delete next.dueLink;
      next.dueVersion = current.dueVersion + 1;
      dueChanged = true;
    }
  }
  if (patch.reminderPolicy !== undefined && JSON.stringify(patch.reminderPolicy) !== JSON.stringify(current.reminderPolicy)) {
    changes.reminderPolicy = { from: current.reminderPolicy, to: patch.reminderPolicy };
    next.reminderPolicy = patch.reminderPolicy;
    policyChanged = true;
  }
  if (patch.target !== undefined && JSON.stringify(patch.target) !== JSON.stringify(current.target ? { units: current.target.units } : null)) {
    const done = current.target?.done ?? 0;
    // A closed commitment's progress is settled; changing its target would
    // make "done" claim 2 of 3, so it must be reopened first.
    if (isClosed(current.status)) {
      throw new AppError('illegal_transition', `The target of a ${current.status} commitment cannot change; reopen it first.`, [{ path: 'target', message: `commitment is ${current.status}` }]);
    }
    if (patch.target === null) {
      if (done > 0) throw new AppError('conflict', 'Units have been recorded; the target cannot be removed.', [{ path: 'target', message: 'units already recorded' }]);
      delete next.target;
    } else {
      // Equal to done would finish the commitment without completion evidence.
      if (patch.target.units <= done) {
        throw new AppError('validation', `The target must stay above the ${done} units already recorded; record the last unit with /complete.`, [{ path: 'target.units', message: `expected more than ${done}` }]);
      }
      next.target = { units: patch.target.units, done };
    }
    if (JSON.stringify(next.target ?? null) !== JSON.stringify(current.target ?? null)) {
      changes.target = { from: current.target ?? null, to: next.target ?? null };
    }
  }
  if (patch.status !== undefined && patch.status !== current.status) {
    assertTransition(current.status, patch.status);
    if (isClosed(current.status)) throw new AppError('illegal_transition', 'Use /reopen to reopen a closed commitment.', [{ path: 'status', message: 'use reopen' }]);
    changes.status = { from: current.status, to: patch.status };
    next.status = patch.status;
  }
  if (Object.keys(changes).length === 0) return { commitment: current, events: [] };

  next.version = current.version + 1;
  next.updatedAt = at;
  const { due, dueLink, reminderPolicy, status, ...rest } = changes;
  if (Object.keys(rest).length > 0) events.push(event(next, 'commitment.updated', who, at, rest));
  if (status) events.push(event(next, 'commitment.status_changed', who, at, { status }));
  if (dueChanged && due) events.push(event(next, 'commitment.due_changed', who, at, { due, ...(dueLink ? { dueLink } : {}) }, { dueVersion: next.dueVersion }));
  if (policyChanged && reminderPolicy) events.push(event(next, 'commitment.policy_changed', who, at, { reminderPolicy }));
  return { commitment: next, events };
}

/**
 * Record completion evidence. A single-unit commitment becomes done; a
 * multi-unit one records `units` (default 1) and is done only when all are in.
 */
export function completeCommitment(current: Commitment, given: CompleteInput, who: string, now: Date): Change {
  const at = now.toISOString();
  const input = { ...given, note: given.note ?? '', completedOn: given.completedOn ?? todayOfDeadline(current.due, now) };
  if (input.units !== undefined && !current.target) {
    throw new AppError('validation', 'units applies only to multi-unit commitments.', [{ path: 'units', message: 'this commitment has no multi-unit target' }]);
  }
  const target = current.target;
  const units = target ? (input.units ?? 1) : 1;
  const nextStatus: Status = target && target.done + units < target.units ? 'in_progress' : 'done';
  if (isClosed(current.status)) assertTransition(current.status, 'done');
  if (target && target.done + units > target.units) {
    throw new AppError('validation', `Only ${target.units - target.done} of ${target.units} units remain.`, [{ path: 'units', message: `expected at most ${target.units - target.done}` }]);
  }
  const next: Commitment = structuredClone(current);
  next.evidence.push({
    note: input.note,
    evidenceUrl: input.evidenceUrl ?? null,
    completedOn: input.completedOn,
    units,
    recordedBy: who,
    recordedAt: at,
  });
  if (next.target) next.target.done += units;
  next.status = nextStatus;
  next.version = current.version + 1;
  next.updatedAt = at;
  const events: DomainEvent[] = [];
  if (next.target) {
    events.push(event(next, 'commitment.unit_recorded', who, at, { 'target.done': { from: current.target!.done, to: next.target.done } }, { note: input.note, evidenceUrl: input.evidenceUrl ?? null, completedOn: input.completedOn, units }));
  }
  if (nextStatus === 'done') {
    events.push(event(next, 'commitment.completed', who, at, { status: { from: current.status, to: 'done' } }, { note: input.note, evidenceUrl: input.evidenceUrl ?? null, completedOn: input.completedOn }));
  } else if (current.status !== nextStatus) {
    events.push(event(next, 'commitment.status_changed', who, at, { status: { from: current.status, to: nextStatus } }));
  }
  return { commitment: next, events };
}

/**
 * Reopen a done commitment. On a multi-unit commitment the last recorded unit
 * is withdrawn (its evidence stays, marked withdrawn), so progress stays honest.
 */
export function reopenCommitment(current: Commitment, reason: string | undefined, who: string, now: Date): Change {
  if (current.status === 'cancelled') return reinstateCommitment(current, reason, who, now);
  if (current.status !== 'done') {
    throw new AppError('illegal_transition', `Only a done or cancelled commitment can be reopened; this one is ${current.status}.`, [{ path: 'status', message: `illegal transition ${current.status} → open` }]);
  }
  const at = now.toISOString();
  const next: Commitment = structuredClone(current);
  let to: Status = 'open';
  if (next.target) {
    const last = [...next.evidence].reverse().find((e) => !e.withdrawn);
    if (last) {
      last.withdrawn = true;
      next.target.done -= last.units;
    }
    to = next.target.done > 0 ? 'in_progress' : 'open';
  }
  next.status = to;
  next.version = current.version + 1;
  next.updatedAt = at;
  return { commitment: next, events: [event(next, 'commitment.reopened', who, at, { status: { from: current.status, to } }, reason ? { reason } : undefined)] };
}

/**
 * Reinstate a cancelled commitment (an admin's reopen): it becomes open again (in progress
 * when units were recorded), the cancellation is cleared, and the reopened event records the
 * reason, which is required. Its reminders are planned again from `now`; steps that fell due
 * meanwhile follow the planner's catch-up rule.
 */
function reinstateCommitment(current: Commitment, reason: string | undefined, who: string, now: Date): Change {
  if (!reason) throw new AppError('validation', 'Reinstating a cancelled commitment needs a reason.', [{ path: 'reason', message: 'required to reinstate a cancelled commitment' }]);
  const at = now.toISOString();
  const next: Commitment = structuredClone(current);
  const to: Status = next.target && next.target.done > 0 ? 'in_progress' : 'open';
  next.status = to;
  next.cancellation = null;
  next.version = current.version + 1;
  next.updatedAt = at;
  return { commitment: next, events: [event(next, 'commitment.reopened', who, at, { status: { from: 'cancelled', to } }, { reason, reinstated: true })] };
}

export function cancelCommitment(current: Commitment, reason: string, who: string, now: Date): Change {
  const at = now.toISOString();
  assertTransition(current.status, 'cancelled');
  const next: Commitment = structuredClone(current);
  next.status = 'cancelled';
  next.cancellation = { reason, by: who, at };
  next.version = current.version + 1;
  next.updatedAt = at;
  return { commitment: next, events: [event(next, 'commitment.cancelled', who, at, { status: { from: current.status, to: 'cancelled' } }, { reason })] };
}

/** Today's date (YYYY-MM-DD) in the zone of a date deadline; in UTC for an instant deadline or none. */
export function todayOfDeadline(due: Due, now: Date): string {
  const zone = due !== null && 'timeZone' in due ? due.timeZone : 'UTC';
  const { day } = toLocal(now, zone);
  return `${String(day.y).padStart(4, '0')}-${String(day.m + 1).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
}

/** True while a meeting-linked deadline waits for its meeting's date: the commitment needs a deadline. */
export function needsDeadline(c: Pick<Commitment, 'due' | 'dueLink'>): boolean {
  return c.due === null && c.dueLink !== undefined;
}

/** The JSON shape the API answers with: stored fields plus the derived `overdue`, `dueAt` and `needsDeadline`. */
export function toView(c: Commitment, now: Date) {
  const at = dueInstant(c.due);
  return { ...c, dueAt: at ? at.toISOString() : null, overdue: isOverdue(c, now), needsDeadline: needsDeadline(c) };
}
export type CommitmentView = ReturnType<typeof toView>;

export { StatusSchema };
