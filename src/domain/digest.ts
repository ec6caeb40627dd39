/**
 * The digest model, built by one pure function from a snapshot of the state
 * and a period. The templates only print what this computes, so the JSON
 * preview, the HTML and the text always agree.
 *
 * Performance: the state sections come from a view (src/domain/digest-view.ts):
 * counts and the first items of each list, which the store reads from its
 * indexes; the builder only orders and formats what it shows. Then one pass
 * over the period's events; dates are formatted only for the items shown.
 */
import { differenceInCalendarDays, format } from 'date-fns';
import { TZDate, tz } from '@date-fns/tz';
import { partiesOf, type Commitment } from './commitment.js';
import type { Due } from './deadline.js';
import { digestQuery, digestViewOf, dueMsMemo, sameQuery, viewKey, type DigestView, type Headline, type ViewList } from './digest-view.js';
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
  /**
   * Every commitment: the builder derives each scope's view from them (small
   * stores, tests). A store-read snapshot gives `views` and `related` instead.
   */
  commitments?: Commitment[];
  /** The views read from the store's indexes, by scope (viewKey): the counts and first items of each list. */
  views?: Record<string, DigestView>;
  /** With `views`: the commitments the period's events and failed deliveries name (their titles, leads, status). */
  related?: Commitment[];
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
  /** Most items shown per list (DIGEST_LIST_LIMIT); totals are always exact. */
  listLimit?: number;
  /** Most items shown per list of a lead's row (DIGEST_PARTY_LIST_LIMIT, at most listLimit). */
  partyListLimit?: number;
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
  headline: Headline;
  completed: Section<CompletedItem>;
  overdue: Section<OverdueItem>;
  dueSoon: Section<DueSoonItem>;
  needsDeadline: Section<DigestItem>;
  progress: Section<ProgressItem>;
  failedDeliveries: Section<FailedItem>;
  changes: Section<ChangeItem>;
  /** Who changed how much, busiest first. */
  changesByWho: Array<{ who: string; count: number }>;
  /** One row per party that leads an open, in-progress or done commitment in scope: the items it leads. */
  parties: PartyRow[];
  /** Nothing happened in the period: no change, completion or failed delivery. */
  isEmpty: boolean;
}

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

/** The view of the digest's scope: the snapshot's, or derived from every commitment it holds. */
function viewFor(snapshot: DigestSnapshot, opts: DigestOptions): DigestView {
  const query = digestQuery(opts);
  if (!snapshot.views) return digestViewOf(snapshot.commitments ?? [], query);
  const view = snapshot.views[viewKey(query.party)];
  if (!view || !sameQuery(view.query, query)) throw new Error(`the snapshot holds no digest view for ${JSON.stringify({ ...query, asOf: query.asOf.toISOString() })}`);
  return view;
}

/** Build the digest of `period` from `snapshot`. Pure and deterministic. */
export function buildDigest(snapshot: DigestSnapshot, period: DigestPeriod, opts: DigestOptions): Digest {
  const zone = tz(opts.timeZone);
  const asOf = opts.asOf;
  const now = asOf.getTime();
  const view = viewFor(snapshot, opts);
  const limit = view.query.listLimit;
  const scopeParty = view.query.party;

  const dueMs = dueMsMemo();
  const dateLabel = (iso: string) => format(new Date(`${iso}T12:00:00Z`), 'd MMMM yyyy');
  const instantLabel = (ms: number) => format(new Date(ms), 'EEEE d MMMM yyyy, HH:mm', { in: zone });
  const dueLabel = (due: NonNullable<Due>, ms: number) => ('date' in due ? dateLabel(due.date) : instantLabel(ms));
  /** Calendar days in the deadline's own zone for a date deadline, else in the digest's zone. */
  const calendarDays = (due: NonNullable<Due>, later: number, earlier: number) =>
    differenceInCalendarDays(later, earlier, { in: 'date' in due ? tz(due.timeZone) : zone });

  const partyById = new Map(snapshot.parties.map((p) => [p.id, p]));
  const inScope = (c: Commitment) => scopeParty === null || partiesOf(c).includes(scopeParty);
  const item = (c: Commitment): DigestItem => ({ id: c.id, title: c.title, leads: c.leads, status: c.status });
  const byTitle = (a: { title: string }, b: { title: string }) => cmp(a.title, b.title);

  // The commitments events may name, in scope: for titles, leads, status, and a party digest's filter.
  const byId = new Map<string, Commitment>();
  for (const c of snapshot.views ? (snapshot.related ?? []) : (snapshot.commitments ?? [])) if (inScope(c)) byId.set(c.id, c);

  /** A dated list: by deadline, ties by title (the view chose which items; this orders them). */
  const dated = (l: ViewList) =>
    l.items
      .map((c) => ({ c, due: c.due!, ms: dueMs(c.due)! }))
      .sort((a, b) => a.ms - b.ms || cmp(a.c.title, b.c.title))
      .slice(0, limit);
  const titled = <T extends { title: string }>(l: ViewList, f: (c: Commitment) => T, n = limit): Section<T> => ({ items: l.items.slice(0, n).map(f).sort(byTitle), total: l.total });
  const needsDeadline = titled(view.needsDeadline, (c) => (c.dueLink ? { ...item(c), waitsFor: c.dueLink } : item(c)));
  const progress = titled(view.progress, (c) => ({ ...item(c), done: c.target!.done, units: c.target!.units, label: progressLabel(c.title, c.target!.done, c.target!.units) }));

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

  const n = view.query.partyListLimit;
  const parties: PartyRow[] = view.leads.map((r) => ({ id: r.id, name: partyById.get(r.id)?.name ?? r.id, open: titled(r.open, item, n), overdue: titled(r.overdue, item, n), done: titled(r.done, item, n) }));
  const overdue = dated(view.overdue);
  const dueSoon = dated(view.dueSoon);

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
    headline: { ...view.headline },
    completed: section(completed, limit),
    overdue: {
      total: view.overdue.total,
      items: overdue.map(({ c, due, ms }) => ({ ...item(c), dueAt: new Date(ms).toISOString(), dueLabel: dueLabel(due, ms), daysOverdue: Math.max(0, calendarDays(due, now, ms)) })),
    },
    dueSoon: {
      total: view.dueSoon.total,
      items: dueSoon.map(({ c, due, ms }) => ({ ...item(c), dueAt: new Date(ms).toISOString(), dueLabel: dueLabel(due, ms), daysLeft: Math.max(0, calendarDays(due, ms, now)) })),
    },
    needsDeadline,
    progress,
    failedDeliveries: section(failed, limit),
    changes,
    changesByWho: [...whoCount.entries()].map(([who, count]) => ({ who, count })).sort((a, b) => b.count - a.count || cmp(a.who, b.who)),
    parties,
    isEmpty: events.length === 0 && completed.length === 0 && failed.length === 0,
  };
}
