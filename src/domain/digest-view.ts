/**
 * What a digest needs of the commitments besides the period's events: the
 * headline counts and the first items of each state list, for one scope (every
 * commitment, or one party's) at one instant. Pure.
 *
 * The store answers a view from indexes kept by the commitment write itself
 * (src/store/digest-view-store.ts), so a digest reads a bounded number of
 * documents whatever the size of the store. `digestViewOf` derives the same
 * view from every document: small stores and tests use it, and it is the
 * reference the store's answer is checked against.
 *
 * Which items a list shows is fixed here, in an order an index can give:
 * - overdue: open or in progress with a deadline before `asOf`, by deadline
 *   (longest overdue first), ties by id;
 * - due soon: the same with a deadline in [asOf, asOf + dueSoonDays], soonest
 *   first, ties by id;
 * - needs a deadline: open or in progress without a deadline instant, by id;
 * - progress: multi-unit and not cancelled, by id;
 * - per lead (each party leading an open, in-progress or done commitment in
 *   scope, by id): overdue as above; open (open or in progress, not overdue) by
 *   deadline, those without one last, ties by id; done by id.
 * The first `listLimit` items (`partyListLimit` per lead) are taken in that
 * order; the digest builder then shows them in its own order (by title where
 * it always was). Ids are slugs, usually of the title, so "by id" picks nearly
 * what "by title" would. Totals are always exact.
 */
import { partiesOf, type Commitment } from './commitment.js';
import { dueInstant, type Due } from './deadline.js';

export interface Headline {
  total: number;
  open: number;
  inProgress: number;
  done: number;
  cancelled: number;
  overdue: number;
  withoutDeadline: number;
  dueSoon: number;
}

/** A list's first items and its exact length. */
export interface ViewList {
  items: Commitment[];
  total: number;
}

export interface LeadLists {
  id: string;
  open: ViewList;
  overdue: ViewList;
  done: ViewList;
}

export interface DigestViewQuery {
  /** The instant the state is judged at. */
  asOf: Date;
  /** null: every commitment; a party id: those it leads or takes part in. */
  party: string | null;
  dueSoonDays: number;
  /** Most items per section. */
  listLimit: number;
  /** Most items per list of a lead's row. */
  partyListLimit: number;
}

export interface DigestView {
  query: DigestViewQuery;
  headline: Headline;
  overdue: ViewList;
  dueSoon: ViewList;
  needsDeadline: ViewList;
  progress: ViewList;
  /** By party id. */
  leads: LeadLists[];
}

/** Items per section of a digest: enough to act on, short enough to read in a mail. */
export const DIGEST_LIST_LIMIT = 50;
/** Items per list in a lead's row of the party table (a table cell). */
export const DIGEST_PARTY_LIST_LIMIT = 10;
export const DUE_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

/** The full query from a builder's options; a lead's lists are never longer than the sections. */
export function digestQuery(opts: { asOf: Date; party?: string | null; dueSoonDays?: number; listLimit?: number; partyListLimit?: number }): DigestViewQuery {
  const listLimit = opts.listLimit ?? DIGEST_LIST_LIMIT;
  return { asOf: opts.asOf, party: opts.party ?? null, dueSoonDays: opts.dueSoonDays ?? DUE_SOON_DAYS, listLimit, partyListLimit: opts.partyListLimit ?? Math.min(listLimit, DIGEST_PARTY_LIST_LIMIT) };
}

/** The key of a scope in a snapshot's views: '' for every commitment. */
export const viewKey = (party: string | null) => party ?? '';

/** The same question: a view read for one query cannot be used for another. */
export function sameQuery(a: DigestViewQuery, b: DigestViewQuery): boolean {
  return a.asOf.getTime() === b.asOf.getTime() && a.party === b.party && a.dueSoonDays === b.dueSoonDays && a.listLimit === b.listLimit && a.partyListLimit === b.partyListLimit;
}

/** The end of "due soon" (inclusive), epoch ms. */
export const dueSoonUntil = (q: DigestViewQuery) => q.asOf.getTime() + q.dueSoonDays * DAY_MS;

export const isActive = (c: Pick<Commitment, 'status'>) => c.status === 'open' || c.status === 'in_progress';

/** A deadline's instant, memoised (time-zone arithmetic is the expensive part of a full pass). */
export function dueMsMemo(): (due: Due) => number | null {
  const cache = new Map<string, number | null>();
  return (due) => {
    if (due === null) return null;
    const key = 'at' in due ? due.at : `${due.date}|${due.timeZone}`;
    let v = cache.get(key);
    if (v === undefined) {
      v = dueInstant(due)?.getTime() ?? null;
      cache.set(key, v);
    }
    return v;
  };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The first `limit` by (key, id), with the exact total. */
function first(xs: Array<{ c: Commitment; k: number }>, limit: number): ViewList {
  xs.sort((a, b) => a.k - b.k || byId(a.c, b.c));
  return { items: xs.slice(0, limit).map((x) => x.c), total: xs.length };
}

/** The view of `query` from every document: a full pass (the reference of the store's indexed read). */
export function digestViewOf(commitments: readonly Commitment[], query: DigestViewQuery): DigestView {
  const dueMs = dueMsMemo();
  const now = query.asOf.getTime();
  const soonUntil = dueSoonUntil(query);
  const scope = query.party;
  const headline: Headline = { total: 0, open: 0, inProgress: 0, done: 0, cancelled: 0, overdue: 0, withoutDeadline: 0, dueSoon: 0 };
  const overdue: Array<{ c: Commitment; k: number }> = [];
  const dueSoon: Array<{ c: Commitment; k: number }> = [];
  const needsDeadline: Array<{ c: Commitment; k: number }> = [];
  const progress: Array<{ c: Commitment; k: number }> = [];
  const rows = new Map<string, { open: Array<{ c: Commitment; k: number }>; overdue: Array<{ c: Commitment; k: number }>; done: Array<{ c: Commitment; k: number }> }>();

  for (const c of commitments) {
    if (scope !== null && !partiesOf(c).includes(scope)) continue;
    headline.total++;
    if (c.status === 'open') headline.open++;
    else if (c.status === 'in_progress') headline.inProgress++;
    else if (c.status === 'done') headline.done++;
    else headline.cancelled++;
    const active = isActive(c);
    const ms = active ? dueMs(c.due) : null;
    const late = ms !== null && ms < now;
    if (active) {
      if (ms === null) {
        headline.withoutDeadline++;
        needsDeadline.push({ c, k: 0 });
      } else if (late) {
        headline.overdue++;
        overdue.push({ c, k: ms });
      } else if (ms <= soonUntil) {
        headline.dueSoon++;
        dueSoon.push({ c, k: ms });
      }
    }
    if (c.target && c.status !== 'cancelled') progress.push({ c, k: 0 });
    if (!active && c.status !== 'done') continue;
    for (const lead of c.leads) {
      if (scope !== null && lead !== scope) continue;
      let row = rows.get(lead);
      if (!row) rows.set(lead, (row = { open: [], overdue: [], done: [] }));
      if (c.status === 'done') row.done.push({ c, k: 0 });
      else if (late) row.overdue.push({ c, k: ms });
      else row.open.push({ c, k: ms ?? Infinity });
    }
  }
  const n = query.partyListLimit;
  return {
    query,
    headline,
    overdue: first(overdue, query.listLimit),
    dueSoon: first(dueSoon, query.listLimit),
    needsDeadline: first(needsDeadline, query.listLimit),
    progress: first(progress, query.listLimit),
    leads: [...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, r]) => ({ id, open: first(r.open, n), overdue: first(r.overdue, n), done: first(r.done, n) })),
  };
}
