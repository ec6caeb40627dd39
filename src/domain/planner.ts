/**
 * The reminder planner: (commitment, policy, parties, now) → every send the
 * commitment's current deadline calls for, one per step and recipient party.
 * Pure and deterministic: the reconcile job makes the queues match its
 * output, and the fire-time guard re-runs it to check that a job's sends are
 * still planned. The rules (steps, recipients, send hours, quiet days and
 * holidays, collisions, catch-up) are told in docs/reminders.md; the subtle
 * spots are commented where they are decided. A send's `state` says what
 * would happen from `now`, so callers overlay the send ledger for what did.
 */
import type { Duration } from 'date-fns';
import type { Commitment } from './commitment.js';
import { dueInstant } from './deadline.js';
import { durationToMs, parseIsoDuration } from './duration.js';
import { parseSendAt, toLocal } from './local-time.js';
import { catchUpAt, localIso, placeAfter, placeBefore, shift, times, type Nominal, type Placement, type Placer } from './send-placement.js';
import { closedReason, NO_HOLIDAYS, type HolidayLookup } from './holidays.js';
import { isCoChair, type Party } from './party.js';
import type { ReminderPolicy } from './reminder-policy.js';
import { isClosed } from './status.js';

export type Step = 'before' | 'due' | 'overdue' | 'escalation';

export interface PlannedSend {
  /** Deterministic, stable across runs, unique within a plan, no ':' and not all digits; safe as a BullMQ job id.
      Bound to the deadline version, e.g. `${commitmentId}--d${dueVersion}--before-P7D--AUS`. */
  id: string;
  commitmentId: string;
  dueVersion: number;
  step: Step;
  /** 'before-P7D' | 'due' | 'overdue-1' … | 'escalation' */
  stepKey: string;
  /** UTC ISO instant to send at. */
  at: string;
  /** The recipient party: one send per (step, party), so each party gets it at its own local send hour. */
  partyId: string;
  timeZone: string;
  /** The party's contact emails. */
  to: string[];
  /** Copies: on the first lead's escalation only, the co-chairs' contacts and the steering-group list (leads left out); otherwise empty. */
  cc: string[];
  /** Set on the first lead's escalation only: the send that carries the copies, whose delivery records `commitment.escalated` (once per escalation, not once per lead). */
  recordsEscalation?: true;
  /** 'skipped' when `at` is older than the catch-up window at planning time. */
  state: 'planned' | 'skipped';
  skipReason?: string;
  /** Set when a missed overdue notice or escalation was re-timed to `now`: the instant it was planned for. */
  nominalAt?: string;
  /**
   * Set when the send was moved off a quiet day: the local time it would have gone out
   * (with its offset, "2010-01-01T09:00+11:00") and why ("weekend", "New Year's Day (AU)").
   */
  moved?: { from: string; because: string };
}

export interface PlanInput {
  commitment: Commitment;
  /** Effective policy: `commitment.reminderPolicy ?? default` (see `effectivePolicy`). */
  policy: ReminderPolicy;
  parties: ReadonlyMap<string, Party>;
  now: Date;
  catchUpWindowMs: number;
  steeringGroup: readonly string[];
  /** Public holidays by country; without it only the weekly quiet days and the parties' closed days apply. */
  holidays?: HolidayLookup;
}

/** The policy that applies to `c`: its own override, else the configured default. */
export function effectivePolicy(c: Commitment, fallback: ReminderPolicy): ReminderPolicy {
  return c.reminderPolicy ?? fallback;
}

/** The job id prefix of every send and check bound to `c`'s current deadline. */
export function planPrefix(c: Pick<Commitment, 'id' | 'dueVersion'>): string {
  return `${c.id}--d${c.dueVersion}`;
}

/** The status check at the deadline instant, or null without a deadline / when closed. */
export function planStatusCheck(c: Commitment): { id: string; at: string; dueVersion: number } | null {
  const deadline = dueInstant(c.due);
  if (deadline === null || isClosed(c.status)) return null;
  return { id: `${planPrefix(c)}--status-check`, at: deadline.toISOString(), dueVersion: c.dueVersion };
}

export const SKIP_MISSED = 'missed: older than the catch-up window';
export const SKIP_SUPERSEDED = 'superseded: only the latest overdue notice is sent';

interface Draft {
  step: Step;
  stepKey: string;
  at: Date;
  moved?: Placement['moved'];
  party: Party;
  /** Lower wins a collision: distance from the deadline for before/due, k for overdue. */
  rank: number;
}

function emails(p: Party): string[] {
  return [...new Set(p.contacts.map((c) => c.email))];
}

/** One step of a policy, parsed once per plan: which way and how far from the deadline. */
interface StepSpec {
  step: Step;
  stepKey: string;
  dur: Duration;
  sign: 1 | -1;
  rank: number;
  leadsOnly: boolean;
}

/** The policy's steps in plan order; before/due go to everyone, overdue/escalation to the leads. */
function stepsOf(policy: ReminderPolicy): StepSpec[] {
  const out: StepSpec[] = [];
  for (const text of new Set(policy.before)) {
    const dur = parseIsoDuration(text);
    if (dur) out.push({ step: 'before', stepKey: `before-${text}`, dur, sign: -1, rank: durationToMs(dur), leadsOnly: false });
  }
  if (policy.onDue) out.push({ step: 'due', stepKey: 'due', dur: {}, sign: -1, rank: -1, leadsOnly: false });
  const every = parseIsoDuration(policy.overdue.every);
  // A zero interval would stack every follow-up on one instant: plan none.
  if (every && durationToMs(every) > 0) {
    for (let k = 1; k <= policy.overdue.max; k++) {
      out.push({ step: 'overdue', stepKey: `overdue-${k}`, dur: times(every, k), sign: 1, rank: k, leadsOnly: true });
    }
  }
  const esc = policy.escalateAfter === null ? null : parseIsoDuration(policy.escalateAfter);
  if (esc) out.push({ step: 'escalation', stepKey: 'escalation', dur: esc, sign: 1, rank: 0, leadsOnly: true });
  return out;
}

/** The step keys a policy plans (`before-P7D`, `due`, `overdue-1`, `escalation`), in plan order. */
export function stepKeys(policy: ReminderPolicy): string[] {
  return stepsOf(policy).map((s) => s.stepKey);
}

/** Every send one party would get, before collisions and catch-up. */
function draftsFor(c: Commitment, steps: readonly StepSpec[], party: Party, p: Placer): Draft[] {
  const isLead = c.leads.includes(party.id);
  // The moment steps are counted from. With a send hour and a date deadline it is the
  // end of the deadline's calendar date on the party's own calendar, so every party's
  // "due" lands on that date; otherwise it is the deadline instant itself.
  let anchor: Nominal;
  if (p.sendAt !== null && c.due !== null && 'date' in c.due) {
    const [y, m, d] = c.due.date.split('-').map(Number) as [number, number, number];
    anchor = { instant: null, day: { y, m: m - 1, d }, time: { h: 23, mi: 59, s: 59, ms: 999 } };
  } else {
    anchor = { instant: p.deadline, ...toLocal(p.deadline, p.zone) };
  }
  const out: Draft[] = [];
  for (const s of steps) {
    if (s.leadsOnly && !isLead) continue;
    const nominal = shift(p, anchor, s.dur, s.sign);
    const placed = s.sign < 0 ? placeBefore(p, nominal) : placeAfter(p, nominal);
    out.push({ step: s.step, stepKey: s.stepKey, at: placed.at, ...(placed.moved ? { moved: placed.moved } : {}), party, rank: s.rank });
  }
  return collapse(out);
}

/** Keep one send per (collision group, instant): the lowest rank wins. */
function collapse(drafts: Draft[]): Draft[] {
  const best = new Map<string, Draft>();
  for (const d of drafts) {
    const group = d.step === 'before' || d.step === 'due' ? 'pre' : d.step;
    const key = `${group}@${d.at.getTime()}`;
    const seen = best.get(key);
    if (!seen || d.rank < seen.rank || (d.rank === seen.rank && d.stepKey < seen.stepKey)) best.set(key, d);
  }
  return [...best.values()];
}

/**
 * The full plan, sorted by `at` then id. Empty when the commitment has no
 * deadline or is done/cancelled. See the module comment for the rules.
 */
export function planReminders(input: PlanInput): PlannedSend[] {
  const { commitment: c, parties, now, catchUpWindowMs, policy } = input;
  const deadline = dueInstant(c.due);
  if (deadline === null || isClosed(c.status)) return [];

  const coChairCc = [...parties.values()]
    .filter(isCoChair)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap(emails);
  // The copies go out once per escalation, with the first lead's send (in `c.leads` order, of
  // the leads that have contacts), and leave out every lead: each lead gets its own escalation.
  const leadParties = c.leads.map((id) => parties.get(id)).filter((p): p is Party => p !== undefined && emails(p).length > 0);
  const leadAddresses = new Set(leadParties.flatMap(emails).map((e) => e.toLowerCase()));
  const copyHolder = leadParties[0]?.id;
  const escalationCc = [...new Set([...coChairCc, ...input.steeringGroup])].filter((e) => !leadAddresses.has(e.toLowerCase()));
  const horizon = now.getTime() - catchUpWindowMs;
  const sendAt = policy.sendAt === null ? null : parseSendAt(policy.sendAt);
  const quiet = new Set(policy.quietDays);
  const holidays = input.holidays ?? NO_HOLIDAYS;
  const steps = stepsOf(policy);
  const out: PlannedSend[] = [];

  for (const partyId of new Set([...c.leads, ...c.members])) {
    const party = parties.get(partyId);
    if (!party) continue;
    const to = emails(party);
    if (to.length === 0) continue;
    const placer: Placer = { zone: party.timeZone, deadline, sendAt, quiet, closed: closedReason(party, holidays) };
    const drafts = draftsFor(c, steps, party, placer);
    // One overdue notice: of the follow-ups already due, only the latest may go out.
    const pastOverdue = drafts
      .filter((d) => d.step === 'overdue' && d.at.getTime() <= now.getTime())
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const latestOverdue = pastOverdue.at(-1);

    for (const d of drafts) {
      const carriesCopies = d.step === 'escalation' && party.id === copyHolder;
      const send: PlannedSend = {
        id: `${planPrefix(c)}--${d.stepKey}--${party.id}`,
        commitmentId: c.id,
        dueVersion: c.dueVersion,
        step: d.step,
        stepKey: d.stepKey,
        at: d.at.toISOString(),
        partyId: party.id,
        timeZone: party.timeZone,
        to: [...to],
        cc: carriesCopies ? [...escalationCc] : [],
        state: 'planned',
        ...(carriesCopies ? { recordsEscalation: true as const } : {}),
        ...(d.moved ? { moved: { from: localIso(d.moved.from, party.timeZone), because: d.moved.because } } : {}),
      };
      const missed = d.at.getTime() < horizon;
      const retime = (d.step === 'escalation' || d === latestOverdue) && missed;
      if (retime) {
        send.nominalAt = send.at;
        const caught = catchUpAt(placer, now);
        send.at = caught.at.toISOString();
        if (caught.moved) send.moved = { from: localIso(caught.moved.from, party.timeZone), because: caught.moved.because };
        else delete send.moved;
      } else if (d !== latestOverdue && pastOverdue.includes(d)) {
        send.state = 'skipped';
        send.skipReason = missed ? SKIP_MISSED : SKIP_SUPERSEDED;
      } else if (missed) {
        send.state = 'skipped';
        send.skipReason = SKIP_MISSED;
      }
      out.push(send);
    }
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
