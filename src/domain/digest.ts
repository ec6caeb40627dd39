/**
 * The digest model, built by one pure function from a snapshot of the state
 * and a period. The templates only print what this computes, so the JSON
 * preview, the HTML and the text always agree.
 *
 * Performance: one pass over the commitments and one over the events; dates
 * are formatted only for the items shown, and deadline instants are memoised
 * (time-zone arithmetic is the expensive part).
 */
import { differenceInCalendarDays, format } from 'date-fns';
import { TZDate, tz } from '@date-fns/tz';
import type { Commitment } from './commitment.js';
import { dueInstant, type Due } from './deadline.js';
import type { DomainEvent } from './events.js';
import type { Meeting } from './meeting.js';
import type { Party } from './party.js';
import type { Status } from './status.js';
import { inPeriod, periodFilter, type DigestPeriod } from './digest-period.js';
import { summariseEvent } from './digest-changes.js';

export interface FailedDelivery {
  sendId: string;
  recipient: string;
  /** UTC ISO instant of the failure. */
  at: string;
  error: string;
  responseCode?: number;
  commitmentId: string | null;
  step: string | null;
}

export interface DigestSnapshot {
  meetings: Meeting[];
  parties: Party[];
  commitments: Commitment[];
  /** Events of the period; events outside it are ignored. */
  events: DomainEvent[];
  /** Reminder deliveries that failed in the period. */
  failedReminders: FailedDelivery[];
}

export interface DigestOptions {
  /** The instant the state is judged at (overdue, due soon). */
  asOf: Date;
  /** Zone of the dates and times shown. */
  timeZone: string;
  /** Only this party's commitments (those it leads or takes part in). */
  party?: string | null;
  dueSoonDays?: number;
  /** Most items shown per list; totals are always exact. */
  listLimit?: number;
}

export interface DigestItem {
  id: string;
  title: string;
  leads: string[];
  status: Status;
  /** In "needs a deadline": the meeting (and offset from its first day) a tied deadline waits for. */
  waitsFor?: { meetingId: string; offset: string };
}
export interface OverdueItem extends DigestItem { dueAt: string; dueLabel: string; daysOverdue: number }
export interface DueSoonItem extends DigestItem { dueAt: string; dueLabel: string; daysLeft: number }
export interface CompletedItem extends DigestItem { completedAt: string; completedOn: string; completedOnLabel: string; by: string; note: string; evidenceUrl: string | null; stillDone: boolean }
export interface ProgressItem extends DigestItem { done: number; units: number; label: string }
export interface ChangeItem { at: string; atLabel: string; who: string; commitmentId: string; title: string; type: string; summary: string }
export interface FailedItem { at: string; atLabel: string; recipient: string; error: string; commitmentId: string | null; title: string | null; step: string | null }
export interface PartyRow { id: string; name: string; open: Section<DigestItem>; overdue: Section<DigestItem>; done: Section<DigestItem> }
export interface Section<T> { items: T[]; total: number }

export interface Digest {
  period: { from: string; to: string; first: boolean; fromLabel: string; toLabel: string };
  asOf: string;
  timeZone: string;
  scope: { party: string; name: string } | null;
  /** Names of the parties, by id, for showing leads. */
  partyNames: Record<string, string>;
  meetings: Array<{ id: string; title: string; place: string; startDate: string; endDate: string }>;
  headline: { total: number; open: number; inProgress: number; done: number; cancelled: number; overdue: number; withoutDeadline: number; dueSoon: number };
  completed: Section<CompletedItem>;
  overdue: Section<OverdueItem>;
  dueSoon: Section<DueSoonItem>;
  needsDeadline: Section<DigestItem>;
  progress: Section<ProgressItem>;
  failedDeliveries: Section<FailedItem>;
  changes: Section<ChangeItem>;
  /** Who changed how much, busiest first. */
  changesByWho: Array<{ who: string; count: number }>;
  /** One row per party that leads a commitment in scope: the items it leads. */
  parties: PartyRow[];
  /** Nothing happened in the period: no change, completion or failed delivery. */
  isEmpty: boolean;
}

const DAY_MS = 86_400_000;
/**
 * One collator for every sort: String#localeCompare builds one per call, which
 * made sorting 10,000 titles the slowest part of the build. Numeric, so
 * "Meeting 9" sorts before "Meeting 10".
 */
const collator = new Intl.Collator('en', { numeric: true });
const cmp = collator.compare;

/** "1 of 2 meetings held": the unit noun comes from the title when it names one. */
export function progressLabel(title: string, done: number, units: number): string {
  const noun = /\bmeetings?\b/i.test(title) ? 'meetings held' : /\bworkshops?\b/i.test(title) ? 'workshops held' : /\bpapers?\b/i.test(title) ? 'papers shared' : 'units done';
  return `${done} of ${units} ${noun}`;
}

/** Midnight of a meeting's first day in `timeZone`: where the first digest starts. */
export function meetingStartInstant(meetings: readonly Pick<Meeting, 'startDate'>[], timeZone: string): Date | null {
  if (meetings.length === 0) return null;
  const [y, m, d] = meetings.map((x) => x.startDate).sort()[0]!.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, timeZone).getTime());
}

function section<T>(items: T[], limit: number): Section<T> {
  return { items: items.length > limit ? items.slice(0, limit) : items, total: items.length };
}

/** Build the digest of `period` from `snapshot`. Pure and deterministic. */
export function buildDigest(snapshot: DigestSnapshot, period: DigestPeriod, opts: DigestOptions): Digest {
  const zone = tz(opts.timeZone);
  const asOf = opts.asOf;
  const now = asOf.getTime();
  const soonUntil = now + (opts.dueSoonDays ?? 30) * DAY_MS;
  const limit = opts.listLimit ?? 100;
  const scopeParty = opts.party ?? null;

  const dueCache = new Map<string, number | null>();
  const dueMs = (due: Due): number | null => {
    if (due === null) return null;
    const key = 'at' in due ? due.at : `${due.date}|${due.timeZone}`;
    let v = dueCache.get(key);
    if (v === undefined) {
      v = dueInstant(due)!.getTime();
      dueCache.set(key, v);
    }
    return v;
  };
  const dateLabel = (iso: string) => format(new Date(`${iso}T12:00:00Z`), 'd MMMM yyyy');
  const instantLabel = (ms: number) => format(new Date(ms), 'EEEE d MMMM yyyy, HH:mm', { in: zone });
  const dueLabel = (due: NonNullable<Due>, ms: number) => ('date' in due ? dateLabel(due.date) : instantLabel(ms));
  /** Calendar days in the deadline's own zone for a date deadline, else in the digest's zone. */
  const calendarDays = (due: NonNullable<Due>, later: number, earlier: number) =>
    differenceInCalendarDays(later, earlier, { in: 'date' in due ? tz(due.timeZone) : zone });

  const partyById = new Map(snapshot.parties.map((p) => [p.id, p]));
  const inScope = (c: Commitment) => scopeParty === null || c.leads.includes(scopeParty) || c.members.includes(scopeParty);
  const item = (c: Commitment): DigestItem => ({ id: c.id, title: c.title, leads: c.leads, status: c.status });

  const headline = { total: 0, open: 0, inProgress: 0, done: 0, cancelled: 0, overdue: 0, withoutDeadline: 0, dueSoon: 0 };
  const overdue: Array<{ c: Commitment; due: NonNullable<Due>; ms: number }> = [];
  const dueSoon: Array<{ c: Commitment; due: NonNullable<Due>; ms: number }> = [];
  const needsDeadline: DigestItem[] = [];
  const progress: ProgressItem[] = [];
  const rows = new Map<string, { open: DigestItem[]; overdue: DigestItem[]; done: DigestItem[] }>();
  const byId = new Map<string, Commitment>();

  for (const c of snapshot.commitments) {
    if (!inScope(c)) continue;
    byId.set(c.id, c);
    headline.total++;
    const active = c.status === 'open' || c.status === 'in_progress';
    if (c.status === 'open') headline.open++;
    else if (c.status === 'in_progress') headline.inProgress++;
    else if (c.status === 'done') headline.done++;
    else headline.cancelled++;
    const ms = dueMs(c.due);
    let isOverdue = false;
    if (active) {
      if (ms === null) {
        headline.withoutDeadline++;
        // A deadline tied to a meeting without a date says which meeting it waits for.
        needsDeadline.push(c.dueLink ? { ...item(c), waitsFor: c.dueLink } : item(c));
      } else if (ms < now) {
        isOverdue = true;
        headline.overdue++;
        overdue.push({ c, due: c.due!, ms });
      } else if (ms <= soonUntil) {
        headline.dueSoon++;
        dueSoon.push({ c, due: c.due!, ms });
      }
    }
    if (c.target && c.status !== 'cancelled') progress.push({ ...item(c), done: c.target.done, units: c.target.units, label: progressLabel(c.title, c.target.done, c.target.units) });
    for (const lead of c.leads) {
      if (scopeParty !== null && lead !== scopeParty) continue;
      let row = rows.get(lead);
      if (!row) rows.set(lead, (row = { open: [], overdue: [], done: [] }));
      if (c.status === 'done') row.done.push(item(c));
      else if (isOverdue) row.overdue.push(item(c));
      else if (active) row.open.push(item(c));
    }
  }

  // Longest overdue first; soonest due first; ties by title so the order is stable.
  overdue.sort((a, b) => a.ms - b.ms || cmp(a.c.title, b.c.title));
  dueSoon.sort((a, b) => a.ms - b.ms || cmp(a.c.title, b.c.title));
  const byTitle = (a: { title: string }, b: { title: string }) => cmp(a.title, b.title);
  needsDeadline.sort(byTitle);
  progress.sort(byTitle);

  // Events: one pass, keeping the period's events about commitments in scope.
  const events: DomainEvent[] = [];
  const completions = new Map<string, DomainEvent>();
  const whoCount = new Map<string, number>();
  let sorted = true;
  const within = periodFilter(period);
  for (const e of snapshot.events) {
    if (!within(e.at)) continue;
    if (scopeParty !== null && !byId.has(e.commitmentId)) continue;
    if (e.type.startsWith('reminder.') || e.type === 'digest.sent') continue;
    if (events.length && e.at < events[events.length - 1]!.at) sorted = false;
    events.push(e);
    whoCount.set(e.who, (whoCount.get(e.who) ?? 0) + 1);
    if (e.type === 'commitment.completed') completions.set(e.commitmentId, e);
  }
  if (!sorted) events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  // The most recent changes are the ones worth reading; show the last `limit` in time order.
  const shown = events.length > limit ? events.slice(events.length - limit) : events;
  const changes: Section<ChangeItem> = {
    total: events.length,
    items: shown.map((e) => ({
      at: e.at,
      atLabel: instantLabel(Date.parse(e.at)),
      who: e.who,
      commitmentId: e.commitmentId,
      title: byId.get(e.commitmentId)?.title ?? e.commitmentId,
      type: e.type,
      summary: summariseEvent(e, dateLabel, (ms) => instantLabel(ms)),
    })),
  };

  const completed: CompletedItem[] = [];
  for (const [id, e] of completions) {
    const c = byId.get(id);
    const data = (e.data ?? {}) as { note?: string; evidenceUrl?: string | null; completedOn?: string };
    const completedOn = data.completedOn ?? e.at.slice(0, 10);
    completed.push({
      id,
      title: c?.title ?? id,
      leads: c?.leads ?? [],
      status: c?.status ?? 'done',
      completedAt: e.at,
      completedOn,
      completedOnLabel: /^\d{4}-\d{2}-\d{2}$/.test(completedOn) ? dateLabel(completedOn) : completedOn,
      by: e.who,
      note: data.note ?? '',
      evidenceUrl: data.evidenceUrl ?? null,
      stillDone: c?.status === 'done',
    });
  }
  completed.sort((a, b) => (a.completedAt < b.completedAt ? -1 : a.completedAt > b.completedAt ? 1 : 0));

  const failed: FailedItem[] = snapshot.failedReminders
    .filter((f) => inPeriod(f.at, period) && (scopeParty === null || (f.commitmentId !== null && byId.has(f.commitmentId))))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map((f) => ({
      at: f.at,
      atLabel: instantLabel(Date.parse(f.at)),
      recipient: f.recipient,
      error: f.error,
      commitmentId: f.commitmentId,
      title: f.commitmentId ? (byId.get(f.commitmentId)?.title ?? null) : null,
      step: f.step,
    }));

  const limited = (xs: DigestItem[]) => section(xs.sort(byTitle), limit);
  const parties: PartyRow[] = [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, r]) => ({ id, name: partyById.get(id)?.name ?? id, open: limited(r.open), overdue: limited(r.overdue), done: limited(r.done) }));

  const scoped = scopeParty === null ? null : { party: scopeParty, name: partyById.get(scopeParty)?.name ?? scopeParty };
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString(), first: period.first, fromLabel: instantLabel(period.from.getTime()), toLabel: instantLabel(period.to.getTime()) },
    asOf: asOf.toISOString(),
    timeZone: opts.timeZone,
    scope: scoped,
    partyNames: Object.fromEntries(snapshot.parties.map((p) => [p.id, p.name])),
    meetings: [...snapshot.meetings]
      .sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0))
      .map((m) => ({ id: m.id, title: m.title, place: m.place, startDate: m.startDate, endDate: m.endDate })),
    headline,
    completed: section(completed, limit),
    overdue: {
      total: overdue.length,
      items: overdue.slice(0, limit).map(({ c, due, ms }) => ({ ...item(c), dueAt: new Date(ms).toISOString(), dueLabel: dueLabel(due, ms), daysOverdue: Math.max(0, calendarDays(due, now, ms)) })),
    },
    dueSoon: {
      total: dueSoon.length,
      items: dueSoon.slice(0, limit).map(({ c, due, ms }) => ({ ...item(c), dueAt: new Date(ms).toISOString(), dueLabel: dueLabel(due, ms), daysLeft: Math.max(0, calendarDays(due, ms, now)) })),
    },
    needsDeadline: section(needsDeadline, limit),
    progress: section(progress, limit),
    failedDeliveries: section(failed, limit),
    changes,
    changesByWho: [...whoCount.entries()].map(([who, count]) => ({ who, count })).sort((a, b) => b.count - a.count || cmp(a.who, b.who)),
    parties,
    isEmpty: events.length === 0 && completed.length === 0 && failed.length === 0,
  };
}
