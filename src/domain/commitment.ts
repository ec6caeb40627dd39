/**
 * Commitments and the pure rules that change them. Every change returns the
 * next state (version + 1) together with the domain events that record it;
 * the store writes both atomically.
 */
import { z } from 'zod';
import { AppError } from './errors.js';
import { DueSchema, dueInstant, isoDateSchema, normaliseDue, sameDue, type Due } from './deadline.js';
import { PartyIdSchema } from './party.js';
import { ReminderPolicySchema, type ReminderPolicy } from './reminder-policy.js';
import { StatusSchema, assertTransition, isClosed, type Status } from './status.js';
import { multiLine, singleLine } from './text.js';
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
  due: Due;
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
  due: DueSchema.default(null),
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
    due: DueSchema,
    target: z.strictObject({ units: z.number().int().min(2).max(1000) }).nullable(),
    reminderPolicy: ReminderPolicySchema.nullable(),
    status: z.enum(['open', 'in_progress']),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'expected at least one field to change' });
export type CommitmentPatch = z.infer<typeof CommitmentPatchSchema>;

export const CompleteInputSchema = z.strictObject({
  note: lines().trim().min(1).max(5000),
  evidenceUrl: httpUrl.optional(),
  completedOn: isoDateSchema,
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

/** Create a commitment from validated input. */
export function createCommitment(input: z.output<typeof CommitmentInputSchema>, who: string, now: Date): Change {
  const at = now.toISOString();
  const c: Commitment = {
    id: input.id ?? slugify(input.title),
    meetingId: input.meetingId,
    title: input.title,
    sourceText: input.sourceText,
    theme: input.theme,
    leads: [...new Set(input.leads)],
    members: [...new Set(input.members)].filter((m) => !input.leads.includes(m)),
    due: normaliseDue(input.due),
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

/** Apply a validated patch. Deadline and policy changes get events of their own, which drive rescheduling. */
export function patchCommitment(current: Commitment, patch: CommitmentPatch, who: string, now: Date): Change {
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
  if (patch.due !== undefined && !sameDue(patch.due, current.due)) {
    changes.due = { from: current.due, to: normaliseDue(patch.due) };
    next.due = normaliseDue(patch.due);
    next.dueVersion = current.dueVersion + 1;
    dueChanged = true;
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
  const { due, reminderPolicy, status, ...rest } = changes;
  if (Object.keys(rest).length > 0) events.push(event(next, 'commitment.updated', who, at, rest));
  if (status) events.push(event(next, 'commitment.status_changed', who, at, { status }));
  if (dueChanged && due) events.push(event(next, 'commitment.due_changed', who, at, { due }, { dueVersion: next.dueVersion }));
  if (policyChanged && reminderPolicy) events.push(event(next, 'commitment.policy_changed', who, at, { reminderPolicy }));
  return { commitment: next, events };
}

/**
 * Record completion evidence. A single-unit commitment becomes done; a
 * multi-unit one records `units` (default 1) and is done only when all are in.
 */
export function completeCommitment(current: Commitment, input: CompleteInput, who: string, now: Date): Change {
  const at = now.toISOString();
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
  if (current.status !== 'done') {
    throw new AppError('illegal_transition', `Only a done commitment can be reopened; this one is ${current.status}.`, [{ path: 'status', message: `illegal transition ${current.status} → open` }]);
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

/** The JSON shape the API answers with: stored fields plus the derived `overdue` and `dueAt`. */
export function toView(c: Commitment, now: Date) {
  const at = dueInstant(c.due);
  return { ...c, dueAt: at ? at.toISOString() : null, overdue: isOverdue(c, now) };
}
export type CommitmentView = ReturnType<typeof toView>;

export { StatusSchema };
