/**
 * The digest's read models: indexes that answer a digest's counts and the
 * first items of its lists (src/domain/digest-view.ts) without reading every
 * commitment, so a digest's cost follows what it shows, not the store's size.
 *
 * They are index entries like the status sets: computed here from the
 * document before and after a write, and applied by lua/writeCommitment.lua in
 * the same script as the write, so they never disagree with the documents.
 * - `activeByDue`, `activeByDueOf(party)`, `leadActiveByDue(party)`: open and
 *   in-progress commitments scored by their deadline instant, +inf without one
 *   (overdue is a range below asOf, due soon a range above it, "needs a
 *   deadline" the +inf members, in id order);
 * - `leadDone(party)`, `withTarget`, `withTargetOf(party)`: score 0, so in id order;
 * - `statusOf(status, party)`: a party digest's counts (score 0);
 * - `leadParties`: the parties that lead or have led a commitment (added to only).
 *
 * Commitments written before these indexes existed are indexed once per
 * deployment by `ensureDigestIndexes`, on the first digest read.
 */
import type { Redis } from 'ioredis';
import { partiesOf, type Commitment } from '../domain/commitment.js';
import { dueInstant } from '../domain/deadline.js';
import { dueSoonUntil, isActive, viewKey, type DigestView, type DigestViewQuery, type Headline, type LeadLists, type ViewList } from '../domain/digest-view.js';
import type { IndexOp } from './commitment-store.js';
import type { Keys } from './keys.js';
import { withScripts } from './scripts.js';

type Score = number | '+inf';

/** The sorted-set entries of one commitment in the digest's indexes (key → score). */
function entries(keys: Keys, c: Commitment | null): Map<string, Score> {
  const out = new Map<string, Score>();
  if (!c) return out;
  if (isActive(c)) {
    const score: Score = dueInstant(c.due)?.getTime() ?? '+inf';
    out.set(keys.activeByDue, score);
    for (const p of partiesOf(c)) out.set(keys.activeByDueOf(p), score);
    for (const p of c.leads) out.set(keys.leadActiveByDue(p), score);
  } else if (c.status === 'done') {
    for (const p of c.leads) out.set(keys.leadDone(p), 0);
  }
  const parties = partiesOf(c);
  for (const p of parties) out.set(keys.statusOf(c.status, p), 0);
  if (c.target && c.status !== 'cancelled') {
    out.set(keys.withTarget, 0);
    for (const p of parties) out.set(keys.withTargetOf(p), 0);
  }
  return out;
}

/** The index ops that take the digest's indexes from `before` to `after` (create: before is null). */
export function digestIndexOps(keys: Keys, before: Commitment | null, after: Commitment): IndexOp[] {
  const a = entries(keys, before);
  const b = entries(keys, after);
  const ops: IndexOp[] = [];
  for (const k of a.keys()) if (!b.has(k)) ops.push(['zrem', k, after.id, 0]);
  for (const [k, score] of b) if (a.get(k) !== score) ops.push(['zadd', k, after.id, score]);
  // Only ever added to: a party stays known once it led something (its row is dropped when empty).
  for (const p of after.leads) if (!before?.leads.includes(p)) ops.push(['sadd', keys.leadParties, p, 0]);
  return ops;
}

const PAGE = 500;

/**
 * Make sure the digest's indexes cover the commitments written before they
 * existed: once per deployment, every commitment (in id order, by a cursor, so
 * creates meanwhile shift nothing) gets its entries through
 * lua/writeCommitment.lua in mode 'index', which applies them only while the
 * document is at the version they were computed from; a commitment written
 * meanwhile is read again. Then a marker is set. Entries are sets and scores,
 * so running twice (two processes at once) is harmless.
 */
export async function ensureDigestIndexes(redisClient: Redis, keys: Keys): Promise<{ indexed: number } | null> {
  if ((await redisClient.exists(keys.digestIndexBuilt)) === 1) return null;
  const redis = withScripts(redisClient);
  let indexed = 0;
  const indexOne = async (id: string): Promise<void> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const [v, json] = await redis.hmget(keys.commitment(id), 'v', 'json');
      if (v == null || json == null) return;
      const ops = digestIndexOps(keys, null, JSON.parse(json) as Commitment);
      const scriptKeys = [keys.commitment(id), keys.history(id), keys.events];
      const args: Array<string | number> = [];
      for (const [op, key, member, score] of ops) {
        let at = scriptKeys.indexOf(key);
        if (at < 0) at = scriptKeys.push(key) - 1;
        args.push(op, at + 1, member, score);
      }
      const [result] = await redis.writeCommitment(scriptKeys.length, ...scriptKeys, 'index', v, v, '', 0, ...args);
      if (result === 'missing' || result === 'ok') {
        if (result === 'ok') indexed++;
        return;
      }
    }
    throw new Error(`could not index commitment ${id} for the digest: it kept changing`);
  };
  for (let after = '-'; ; ) {
    const ids = await redis.zrangebylex(keys.allCommitments, after, '+', 'LIMIT', 0, PAGE);
    await Promise.all(ids.map(indexOne));
    if (ids.length < PAGE) break;
    after = `(${ids[ids.length - 1]}`;
  }
  await redis.set(keys.digestIndexBuilt, new Date().toISOString());
  return { indexed };
}

/** One pipelined round; every reply a value or a thrown error. */
async function run(pipe: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  return ((await pipe.exec()) ?? []).map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

type IdList = { ids: string[]; total: number };
type IdLeads = { id: string; open: IdList; overdue: IdList; done: IdList };
type IdView = { query: DigestViewQuery; headline: Headline; overdue: IdList; dueSoon: IdList; needsDeadline: IdList; progress: IdList; leads: IdLeads[] };

/** The ids of one view: three pipelined rounds (counts and sections; the leads' rows; none of them reads a document). */
async function readIds(redis: Redis, keys: Keys, q: DigestViewQuery): Promise<IdView> {
  const now = q.asOf.getTime();
  const soon = dueSoonUntil(q);
  const L = q.listLimit;
  const party = q.party;
  const active = party === null ? keys.activeByDue : keys.activeByDueOf(party);
  const statuses = ['open', 'in_progress', 'done', 'cancelled'] as const;

  const pipe = redis.pipeline();
  if (party === null) for (const s of statuses) pipe.scard(keys.byStatus(s));
  else for (const s of statuses) pipe.zcard(keys.statusOf(s, party));
  pipe.zcount(active, '-inf', `(${now}`);
  pipe.zcount(active, now, soon);
  pipe.zcount(active, '+inf', '+inf');
  pipe.zrangebyscore(active, '-inf', `(${now}`, 'LIMIT', 0, L);
  pipe.zrangebyscore(active, now, soon, 'LIMIT', 0, L);
  pipe.zrangebyscore(active, '+inf', '+inf', 'LIMIT', 0, L);
  const target = party === null ? keys.withTarget : keys.withTargetOf(party);
  pipe.zcard(target);
  pipe.zrange(target, 0, L - 1);
  if (party === null) pipe.smembers(keys.leadParties);
  else pipe.sismember(keys.leadParties, party);
  const r = await run(pipe);
  const n = (i: number) => Number(r[i]);
  const ids = (i: number) => r[i] as string[];
  const [open, inProgress, done, cancelled, overdue, dueSoon, withoutDeadline] = [0, 1, 2, 3, 4, 5, 6].map(n) as [number, number, number, number, number, number, number];
  const headline: Headline = { total: open + inProgress + done + cancelled, open, inProgress, done, cancelled, overdue, withoutDeadline, dueSoon };
  const progress: IdList = { ids: ids(11), total: n(10) };
  const leads = party === null ? (r[12] as string[]).sort() : n(12) === 1 ? [party] : [];

  const P = q.partyListLimit;
  const rows = redis.pipeline();
  for (const p of leads) {
    const k = keys.leadActiveByDue(p);
    rows.zcount(k, now, '+inf').zrangebyscore(k, now, '+inf', 'LIMIT', 0, P);
    rows.zcount(k, '-inf', `(${now}`).zrangebyscore(k, '-inf', `(${now}`, 'LIMIT', 0, P);
    rows.zcard(keys.leadDone(p)).zrange(keys.leadDone(p), 0, P - 1);
  }
  const rr = leads.length ? await run(rows) : [];
  const list = (i: number): IdList => ({ total: Number(rr[i]), ids: rr[i + 1] as string[] });
  const rowsOut = leads
    .map((id, j) => ({ id, open: list(j * 6), overdue: list(j * 6 + 2), done: list(j * 6 + 4) }))
    .filter((x) => x.open.total + x.overdue.total + x.done.total > 0);

  return {
    query: q,
    headline,
    overdue: { ids: ids(7), total: overdue },
    dueSoon: { ids: ids(8), total: dueSoon },
    needsDeadline: { ids: ids(9), total: withoutDeadline },
    progress,
    leads: rowsOut,
  };
}

/** Documents by id, one pipelined read; ids without a document are left out. */
async function readDocs(redis: Redis, keys: Keys, ids: Iterable<string>): Promise<Map<string, Commitment>> {
  const list = [...new Set(ids)];
  const out = new Map<string, Commitment>();
  if (list.length === 0) return out;
  const pipe = redis.pipeline();
  for (const id of list) pipe.hget(keys.commitment(id), 'json');
  const res = await run(pipe);
  list.forEach((id, i) => {
    if (typeof res[i] === 'string') out.set(id, JSON.parse(res[i] as string) as Commitment);
  });
  return out;
}

/**
 * The views of `queries` (one per scope) and the documents of `related` (the
 * commitments a period's events name), from the indexes: what is read is
 * bounded by the lists' limits and the period, not by the store.
 */
export async function readDigestViews(redis: Redis, keys: Keys, queries: readonly DigestViewQuery[], related: Iterable<string> = []): Promise<{ views: Record<string, DigestView>; related: Commitment[] }> {
  await ensureDigestIndexes(redis, keys);
  const idViews = await Promise.all(queries.map((q) => readIds(redis, keys, q)));
  const wanted = new Set<string>(related);
  const relatedIds = [...wanted];
  for (const v of idViews) {
    for (const l of [v.overdue, v.dueSoon, v.needsDeadline, v.progress]) for (const id of l.ids) wanted.add(id);
    for (const row of v.leads) for (const l of [row.open, row.overdue, row.done]) for (const id of l.ids) wanted.add(id);
  }
  const docs = await readDocs(redis, keys, wanted);
  const toList = (l: IdList): ViewList => ({ items: l.ids.map((id) => docs.get(id)).filter((c): c is Commitment => c !== undefined), total: l.total });
  const views: Record<string, DigestView> = {};
  for (const v of idViews) {
    const leads: LeadLists[] = v.leads.map((r) => ({ id: r.id, open: toList(r.open), overdue: toList(r.overdue), done: toList(r.done) }));
    views[viewKey(v.query.party)] = { query: v.query, headline: v.headline, overdue: toList(v.overdue), dueSoon: toList(v.dueSoon), needsDeadline: toList(v.needsDeadline), progress: toList(v.progress), leads };
  }
  return { views, related: relatedIds.map((id) => docs.get(id)).filter((c): c is Commitment => c !== undefined) };
}
