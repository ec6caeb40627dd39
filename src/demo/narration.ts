/**
 * How the demo tells what happened: pure formatting of the service's own
 * events (the commitment event stream, the digest archive) into a short
 * dated log. No I/O here; see narrator.ts for where the events come from.
 */
import { TZDate } from '@date-fns/tz';
import { differenceInCalendarDays, format } from 'date-fns';
import type { Due } from '../domain/deadline.js';
import type { DomainEvent } from '../domain/events.js';
import type { Party } from '../domain/party.js';
import { subjectLead } from '../mail/reminder-template.js';
import { STEERING_GROUP, STORY_TZ } from './story.js';

/** Width of the date column plus the kind column: continuation lines start here. */
const INDENT = ' '.repeat(24);

export const localDate = (at: Date | number, zone: string) => format(new TZDate(typeof at === 'number' ? at : at.getTime(), zone), 'yyyy-MM-dd');
const localTime = (at: Date | number, zone: string) => format(new TZDate(typeof at === 'number' ? at : at.getTime(), zone), 'HH:mm');
/** "31 Dec 2009" from "2009-12-31". */
export const dayLabel = (isoDate: string) => format(new Date(`${isoDate}T12:00:00Z`), 'd MMM yyyy');

/** One dated entry: the first line carries the date and the kind, the rest are indented. */
export function entry(date: string, kind: string, first: string, more: string[] = []): string[] {
  return [`${date}  ${kind.padEnd(10)}  ${first}`, ...more.map((l) => INDENT + l)];
}

export function dueLabel(due: Due): string {
  if (!due) return 'no deadline';
  return 'date' in due ? `${dayLabel(due.date)} ${due.timeZone}` : `${due.at}`;
}

/** How a party is named in the log: states by name, organisations by acronym. */
export const partyLabel = (p: Party | undefined, id: string) => (p && p.kind === 'state' ? p.name : id);

/** Who an address belongs to: a party's focal point, the steering group, or the address itself. */
export function addressLabel(address: string, parties: ReadonlyMap<string, Party>): string {
  if (address === STEERING_GROUP) return 'steering group';
  for (const p of parties.values()) if (p.contacts.some((c) => c.email.toLowerCase() === address)) return partyLabel(p, p.id);
  return address;
}

/** One delivered send of a reminder step (from a `reminder.sent` event). */
export interface DeliveredSend {
  partyId: string;
  plannedAt: number;
  recipients: string[];
}

/** The sends of one (commitment, deadline version, step), told as one entry. */
export function reminderEntry(title: string, stepKey: string, sends: DeliveredSend[], parties: ReadonlyMap<string, Party>): string[] {
  const sorted = [...sends].sort((a, b) => a.plannedAt - b.plannedAt);
  const first = sorted[0]!;
  const zoneOf = (s: DeliveredSend) => parties.get(s.partyId)?.timeZone ?? 'UTC';
  const kind = stepKey === 'escalation' ? 'escalation' : stepKey.startsWith('overdue') ? 'overdue' : stepKey === 'due' ? 'due today' : 'reminder';
  const who = (s: DeliveredSend) => `${partyLabel(parties.get(s.partyId), s.partyId)} (${zoneOf(s)} ${localTime(s.plannedAt, zoneOf(s))})`;
  const lines =
    stepKey === 'escalation'
      ? sorted.map((s) => {
          const own = new Set(parties.get(s.partyId)?.contacts.map((c) => c.email.toLowerCase()) ?? []);
          const cc = s.recipients.filter((r) => !own.has(r)).map((r) => addressLabel(r, parties));
          return `→ ${who(s)}${cc.length ? `, cc ${cc.join(', ')}` : ''}`;
        })
      : [`→ ${sorted.map(who).join(', ')}`];
  return entry(localDate(first.plannedAt, zoneOf(first)), kind, `"${subjectLead(stepKey)}: ${title}"`, lines);
}

/**
 * An event that is not a reminder delivery, as an entry; null for events
 * the log leaves out (creation is told by the seed summary, an escalation by
 * its delivery, a status change by the unit or completion that caused it).
 */
export function eventEntry(e: DomainEvent, c: { title: string; due: Due; units?: number }): string[] | null {
  const { title, due } = c;
  const date = localDate(Date.parse(e.at), STORY_TZ);
  const d = (e.data ?? {}) as Record<string, unknown>;
  const evidence = typeof d.evidenceUrl === 'string' ? [`evidence: ${d.evidenceUrl}`] : [];
  switch (e.type) {
    case 'commitment.due_changed': {
      const to = (e.changes.due?.to ?? null) as Due;
      return entry(date, 'deadline', `${e.who} sets a deadline: ${title}`, [`due ${dueLabel(to)}; reminders are planned for each party at 09:00 its local time`]);
    }
    case 'commitment.unit_recorded': {
      const done = Number(e.changes['target.done']?.to);
      // The last unit is told by the completion it causes.
      if (c.units !== undefined && done >= c.units) return null;
      return entry(date, 'progress', `${e.who} records ${done} of ${c.units ?? '?'} done: ${title}`, [`"${String(d.note)}"`, ...evidence]);
    }
    case 'commitment.completed': {
      let when = '';
      if (due && 'date' in due && typeof d.completedOn === 'string') {
        const late = differenceInCalendarDays(new Date(`${d.completedOn}T12:00:00Z`), new Date(`${due.date}T12:00:00Z`));
        when = late > 0 ? `, ${late} days late (deadline ${dayLabel(due.date)})` : ' on time';
      }
      const units = c.units !== undefined ? ` (${c.units} of ${c.units})` : '';
      return entry(date, 'completed', `${e.who} records completion${units}${when}: ${title}`, [`"${String(d.note)}"`, ...evidence]);
    }
    case 'commitment.overdue': {
      // Dated by when it became overdue, as reminders are by their planned instant: the check
      // itself may run a little later on BullMQ's timer, which in a compressed replay is days.
      const became = typeof d.dueAt === 'string' ? localDate(Date.parse(d.dueAt) + 1, STORY_TZ) : date;
      return entry(became, 'overdue', `${title} is overdue (deadline ${dueLabel(due)}); the status check records it`);
    }
    case 'reminder.skipped':
      return entry(date, 'skipped', `a ${String(d.step)} reminder for ${title}: ${String(d.reason)}`);
    case 'reminder.failed':
      return entry(date, 'failed', `a ${String(d.step)} reminder for ${title} could not be delivered`, [JSON.stringify(d.failures)]);
    case 'commitment.created':
    case 'commitment.escalated':
    case 'commitment.status_changed':
    case 'reminder.sent':
      return null;
    default:
      return entry(date, 'change', `${e.type.replace('commitment.', '')} by ${e.who}: ${title}`);
  }
}

/** A delivered weekly digest run. */
export function digestEntry(run: { scheduledAt: number; subject: string; recipients: string[]; from: string; to: string; first: boolean }, parties: ReadonlyMap<string, Party>): string[] {
  const period = `${localDate(Date.parse(run.from), STORY_TZ)} to ${localDate(Date.parse(run.to), STORY_TZ)}${run.first ? ', since the meeting' : ''}`;
  return entry(localDate(run.scheduledAt, STORY_TZ), 'digest', `"${run.subject}"`, [`→ ${run.recipients.map((r) => addressLabel(r, parties)).join(', ')} (covers ${period})`]);
}
