/**
 * The commitment repository on Redis.
 *
 * Each write is one Lua script: it checks the version, stores the document,
 * updates the indexes and appends the events, all or nothing.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';
import { dueInstant } from '../domain/deadline.js';
import { isOverdue, partiesOf, type Change, type Commitment } from '../domain/commitment.js';
import type { DomainEvent } from '../domain/events.js';
import type { Status } from '../domain/status.js';
import { PARTY_INDEXED_LEDGERS, type Keys } from './keys.js';
import { withScripts } from './scripts.js';
import { digestIndexOps } from './digest-view-store.js';

export interface CommitmentFilter {
  status?: Status[];
  /** Commitments led by or including any of these parties. */
  parties?: string[];
  meetingId?: string;
  /** An editor's parties: intersected with the other filters, so `parties` narrows within the scope. */
  scope?: string[];
  overdue?: boolean;
  /** Inclusive bounds on the deadline instant, epoch ms. */
  dueBefore?: number;
  dueAfter?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An index op of lua/writeCommitment.lua; for zcopy and zremfrom the member is a key (a commitment's ledger index). */
export type IndexOp = ['sadd' | 'srem' | 'zadd' | 'zrem' | 'zcopy' | 'zremfrom', string, string, number | '+inf'];

function indexEntries(keys: Keys, c: Commitment | null): { sets: Set<string>; due: number | null } {
  if (!c) return { sets: new Set(), due: null };
  const sets = new Set<string>([keys.byStatus(c.status), keys.byMeeting(c.meetingId)]);
  for (const p of partiesOf(c)) sets.add(keys.byParty(p));
  if (c.dueLink) sets.add(keys.byDueMeeting(c.dueLink.meetingId));
  return { sets, due: dueInstant(c.due)?.getTime() ?? null };
}

function indexOps(keys: Keys, before: Commitment | null, after: Commitment): IndexOp[] {
  const a = indexEntries(keys, before);
  const b = indexEntries(keys, after);
  const ops: IndexOp[] = [];
  for (const k of a.sets) if (!b.sets.has(k)) ops.push(['srem', k, after.id, 0]);
  for (const k of b.sets) if (!a.sets.has(k)) ops.push(['sadd', k, after.id, 0]);
  if (b.due === null && a.due !== null) ops.push(['zrem', keys.byDue, after.id, 0]);
  if (b.due !== null && b.due !== a.due) ops.push(['zadd', keys.byDue, after.id, b.due]);
  if (!before) ops.push(['zadd', keys.allCommitments, after.id, 0]);
  ops.push(...digestIndexOps(keys, before, after));
  ops.push(...ledgerPartyOps(keys, before, after));
  // The reschedule outbox: a write whose reconcile never gets enqueued (the process or Redis died
  // in between) is still found and reconciled (see ScheduleIndex.unreconciled).
  ops.push(['zadd', keys.unreconciled, after.id, after.version]);
  return ops;
}

/**
 * A party added to or removed from a commitment takes the commitment's ledger rows into or out of
 * its per-party ledger indexes, in the same script as the write (and so at the version it checks):
 * a delivery recorded meanwhile reads the parties in its own script, before or after this one.
 * A commitment's rows are bounded (its sends times their recipients).
 */
function ledgerPartyOps(keys: Keys, before: Commitment | null, after: Commitment): IndexOp[] {
  const was = new Set(before ? partiesOf(before) : []);
  const is = new Set(partiesOf(after));
  const ops: IndexOp[] = [];
  for (const kind of PARTY_INDEXED_LEDGERS) {
    for (const [own, ofParty] of [
      [keys.ledgerFailedOf(kind, after.id), keys.ledgerFailedOfParty],
      [keys.ledgerSentOf(kind, after.id), keys.ledgerSentOfParty],
    ] as const) {
      for (const p of was) if (!is.has(p)) ops.push(['zremfrom', ofParty(kind, p), own, 0]);
      for (const p of is) if (!was.has(p)) ops.push(['zcopy', ofParty(kind, p), own, 0]);
    }
  }
  return ops;
}

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9-]+$/.test(id)) throw new AppError('validation', 'The cursor is not valid.', [{ path: 'cursor', message: 'expected a cursor from nextCursor' }]);
  return id;
}

/** The overdue event of one deadline version, to record once (see recordOverdueOnce). */
export interface OverdueRecord {
  commitmentId: string;
  version: number;
  dueVersion: number;
  at: string;
  events: DomainEvent[];
}

export function createRedisCommitmentStore(redisClient: Redis, keys: Keys) {
  const redis = withScripts(redisClient);

  async function write(mode: 'create' | 'update', before: Commitment | null, after: Commitment, events: DomainEvent[]) {
    const ops = indexOps(keys, before, after);
    const scriptKeys = [keys.commitment(after.id), keys.history(after.id), keys.events];
    const keyIndex = new Map<string, number>();
    const argOps: (string | number)[] = [];
    for (const [op, key, member, score] of ops) {
      if (!keyIndex.has(key)) {
        scriptKeys.push(key);
        keyIndex.set(key, scriptKeys.length);
      }
      if (op === 'zcopy' || op === 'zremfrom') {
        // The member names a key too: pass it as one, by its index.
        if (!keyIndex.has(member)) {
          scriptKeys.push(member);
          keyIndex.set(member, scriptKeys.length);
        }
        argOps.push(op, keyIndex.get(key)!, keyIndex.get(member)!, score);
      } else argOps.push(op, keyIndex.get(key)!, member, score);
    }
    return redis.writeCommitment(
      scriptKeys.length,
      ...scriptKeys,
      mode,
      before?.version ?? 0,
      after.version,
      JSON.stringify(after),
      events.length,
      ...events.map((e) => JSON.stringify(e)),
      ...argOps,
    );
  }

  const overdueArgs = (r: OverdueRecord): [string, string, string, string, number, string, ...string[]] => [
    keys.commitment(r.commitmentId),
    keys.history(r.commitmentId),
    keys.events,
    keys.overdueMarker(r.commitmentId, r.dueVersion),
    r.version,
    r.at,
    ...r.events.map((e) => JSON.stringify(e)),
  ];

  async function get(id: string): Promise<Commitment | null> {
    const json = await redis.hget(keys.commitment(id), 'json');
    return json ? (JSON.parse(json) as Commitment) : null;
  }

  /** A commitment's stored JSON, unparsed: a hot path can skip the parse when the string is one it has seen. */
  async function getJson(id: string): Promise<string | null> {
    return redis.hget(keys.commitment(id), 'json');
  }

  /** The stored JSON of these commitments, unparsed, in the order asked; an id without a document is left out. */
  async function getManyJson(ids: readonly string[]): Promise<Array<{ id: string; json: string }>> {
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hget(keys.commitment(id), 'json');
    const results = (await pipe.exec()) ?? [];
    const out: Array<{ id: string; json: string }> = [];
    results.forEach(([err, json], i) => {
      if (err) throw err;
      if (typeof json === 'string') out.push({ id: ids[i]!, json });
    });
    return out;
  }

  async function getMany(ids: readonly string[]): Promise<Commitment[]> {
    return (await getManyJson(ids)).map((r) => JSON.parse(r.json) as Commitment);
  }

  async function mustGet(id: string): Promise<Commitment> {
    const c = await get(id);
    if (!c) throw new AppError('not_found', `No commitment has the id ${id}.`);
    return c;
  }

  return {
    get,
    getJson,
    getManyJson,
    getMany,
    mustGet,

    /** Create if absent. Returns false (and writes nothing) when the id is taken. */
    async create(change: Change): Promise<boolean> {
      const [result] = await write('create', null, change.commitment, change.events);
      return result === 'ok';
    },

    /**
     * Read, apply `fn`, write, atomically with respect to every other writer.
     * With `ifMatch`, a different current version is a 412. Without it, a lost
     * race re-reads and re-applies `fn`, which sees the winner's state (so two
     * concurrent completions record exactly one transition; the loser gets a 409).
     * `visible` runs first on what was read, so a caller that may not see the
     * commitment gets its error before anything (a 412 included) says it exists.
     */
    async mutate(id: string, fn: (current: Commitment) => Change, opts: { ifMatch?: number; visible?: (current: Commitment) => void } = {}): Promise<Change> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const current = await mustGet(id);
        opts.visible?.(current);
        if (opts.ifMatch !== undefined && current.version !== opts.ifMatch) {
          throw new AppError('precondition_failed', `The commitment is at version ${current.version}, not ${opts.ifMatch}. Fetch it again and retry.`, [{ path: 'If-Match', message: `stale version ${opts.ifMatch}` }]);
        }
        const change = fn(current);
        if (change.events.length === 0 && change.commitment === current) return change;
        const [result, version] = await write('update', current, change.commitment, change.events);
        if (result === 'ok') return change;
        if (result === 'missing') throw new AppError('not_found', `No commitment has the id ${id}.`);
        if (opts.ifMatch !== undefined) {
          throw new AppError('precondition_failed', `The commitment changed to version ${version} meanwhile. Fetch it again and retry.`, [{ path: 'If-Match', message: 'stale version' }]);
        }
      }
      throw new AppError('conflict', 'The commitment is being changed by many writers at once; try again.');
    },

    /** Record events that change no field, such as reminder.sent or commitment.overdue. */
    async appendEvents(commitmentId: string, events: DomainEvent[]): Promise<boolean> {
      if (events.length === 0) return true;
      const n = await redis.appendEvents(keys.commitment(commitmentId), keys.history(commitmentId), keys.events, ...events.map((e) => JSON.stringify(e)));
      return n > 0;
    },

    /**
     * Record the overdue event of a deadline version at most once (a marker set with SET NX and
     * kept), and only while the commitment is still at `version`, all in one script call: a caller
     * that decided from version N never writes after a change to N+1 (it gets 'changed', reads again
     * and decides again). See lua/appendEventsOnce-4.lua for the outcomes.
     */
    recordOverdueOnce(commitmentId: string, version: number, dueVersion: number, at: string, events: DomainEvent[]) {
      return redis.appendEventsOnce(...overdueArgs({ commitmentId, version, dueVersion, at, events }));
    },
    /** recordOverdueOnce for several commitments in one pipeline; one result per item, in order. */
    async recordOverdueOnceMany(items: readonly OverdueRecord[]): Promise<Array<Awaited<ReturnType<typeof redis.appendEventsOnce>>>> {
      const pipe = redis.pipeline() as unknown as { appendEventsOnce(...a: Array<string | number>): void; exec(): Promise<Array<[Error | null, unknown]> | null> };
      for (const item of items) pipe.appendEventsOnce(...overdueArgs(item));
      return ((await pipe.exec()) ?? []).map(([err, r]) => {
        if (err) throw err;
        return r as Awaited<ReturnType<typeof redis.appendEventsOnce>>;
      });
    },

    async history(id: string): Promise<DomainEvent[]> {
      const raw = await redis.lrange(keys.history(id), 0, -1);
      return raw.map((r) => JSON.parse(r) as DomainEvent);
    },

    /** Ids of the commitments whose deadline follows the meeting (kept by every write with the other indexes), sorted. */
    async linkedTo(meetingId: string): Promise<string[]> {
      return (await redis.smembers(keys.byDueMeeting(meetingId))).sort();
    },

    /** Every commitment id, sorted. For the full reconcile and the digest. */
    async allIds(): Promise<string[]> {
      return redis.zrange(keys.allCommitments, 0, -1);
    },

    /**
     * A string that changes on every commitment write: the id of the newest event
     * (every write appends at least one). Read models that cache (the status page)
     * compare it instead of reading every document again.
     */
    async changeMark(): Promise<string> {
      const [newest] = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
      return newest?.[0] ?? '0-0';
    },

    /** Matching ids, sorted, using the indexes only. */
    async findIds(filter: CommitmentFilter, now: Date): Promise<string[]> {
      const setKeys: string[][] = [];
      if (filter.status?.length) setKeys.push(filter.status.map((s) => keys.byStatus(s)));
      if (filter.parties) setKeys.push(filter.parties.map((p) => keys.byParty(p)));
      if (filter.meetingId) setKeys.push([keys.byMeeting(filter.meetingId)]);
      if (filter.scope) setKeys.push(filter.scope.map((p) => keys.byParty(p)));

      const pipe = redis.pipeline();
      for (const group of setKeys) pipe.sunion(...(group.length ? group : [keys.emptySet]));
      if (setKeys.length === 0) pipe.zrange(keys.allCommitments, 0, -1);
      const wantsDue = filter.dueBefore !== undefined || filter.dueAfter !== undefined;
      if (wantsDue) pipe.zrangebyscore(keys.byDue, filter.dueAfter ?? '-inf', filter.dueBefore ?? '+inf');
      if (filter.overdue !== undefined) {
        pipe.zrangebyscore(keys.byDue, '-inf', `(${now.getTime()}`);
        pipe.sunion(keys.byStatus('open'), keys.byStatus('in_progress'));
      }
      const results = ((await pipe.exec()) ?? []).map(([err, val]) => {
        if (err) throw err;
        return val as string[];
      });
      let i = 0;
      let ids: Set<string> | null = null;
      const intersect = (list: string[]) => {
        ids = ids === null ? new Set(list) : new Set(list.filter((x) => ids!.has(x)));
      };
      for (let g = 0; g < setKeys.length; g++) intersect(results[i++]!);
      if (setKeys.length === 0) intersect(results[i++]!);
      if (wantsDue) intersect(results[i++]!);
      if (filter.overdue !== undefined) {
        const pastDue = results[i++]!;
        const active = new Set(results[i++]!);
        const overdue = new Set(pastDue.filter((x) => active.has(x)));
        const current: Set<string> = ids ?? new Set();
        ids = new Set([...current].filter((x) => overdue.has(x) === filter.overdue));
      }
      return [...(ids ?? new Set<string>())].sort();
    },

    async list(filter: CommitmentFilter, page: { limit: number; cursor?: string }, now: Date): Promise<Page<Commitment>> {
      const raw = await this.listJson(filter, page, now);
      return { items: raw.items.map((r) => JSON.parse(r.json) as Commitment), nextCursor: raw.nextCursor };
    },

    /** `list`, with each commitment's stored JSON unparsed (a reader that caches its views skips the parse). */
    async listJson(filter: CommitmentFilter, page: { limit: number; cursor?: string }, now: Date): Promise<Page<{ id: string; json: string }>> {
      const after = page.cursor ? decodeCursor(page.cursor) : null;
      const unfiltered = !filter.status?.length && !filter.parties && !filter.meetingId && !filter.scope && filter.dueBefore === undefined && filter.dueAfter === undefined && filter.overdue === undefined;
      if (unfiltered) {
        // Every id has score 0 in the all-commitments index, so it is in id order: read only the page
        // (and one more, to know whether there is a next), not every id.
        const ids = await redis.zrangebylex(keys.allCommitments, after === null ? '-' : `(${after}`, '+', 'LIMIT', 0, page.limit + 1);
        const slice = ids.slice(0, page.limit);
        const items = await getManyJson(slice);
        return { items, nextCursor: ids.length > page.limit && slice.length ? encodeCursor(slice[slice.length - 1]!) : null };
      }
      const ids = await this.findIds(filter, now);
      const start = after === null ? 0 : ids.findIndex((x) => x > after);
      const slice = start < 0 ? [] : ids.slice(start, start + page.limit);
      const items = await getManyJson(slice);
      const more = start >= 0 && start + page.limit < ids.length;
      return { items, nextCursor: more && slice.length ? encodeCursor(slice[slice.length - 1]!) : null };
    },

    /**
     * Counts by status, overall and per party, from the indexes. With `scope`
     * (an editor's parties) only commitments those parties lead or belong to
     * are counted, and only those parties get a row.
     */
    async summary(partyIds: string[], now: Date, opts: { scope?: readonly string[] } = {}) {
      const statuses: Status[] = ['open', 'in_progress', 'done', 'cancelled'];
      if (opts.scope) {
        const scope = partyIds.filter((p) => opts.scope!.includes(p));
        const docs = await getMany(await this.findIds({ scope }, now));
        const zero = () => ({ open: 0, in_progress: 0, done: 0, cancelled: 0, overdue: 0 }) as Record<Status | 'overdue', number>;
        const totals = zero();
        const byParty: Record<string, Record<Status | 'overdue', number>> = Object.fromEntries(scope.map((p) => [p, zero()]));
        for (const c of docs) {
          const overdue = isOverdue(c, now);
          totals[c.status]++;
          if (overdue) totals.overdue++;
          for (const p of partiesOf(c)) {
            const row = byParty[p];
            if (!row) continue;
            row[c.status]++;
            if (overdue) row.overdue++;
          }
        }
        return { total: docs.length, byStatus: totals, byParty };
      }
      const pipe = redis.pipeline();
      for (const s of statuses) pipe.scard(keys.byStatus(s));
      for (const p of partyIds) for (const s of statuses) pipe.sintercard(2, keys.byParty(p), keys.byStatus(s));
      const res = ((await pipe.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return Number(v);
      });
      const overdueIds = new Set(await this.findIds({ overdue: true }, now));
      const byStatus = Object.fromEntries(statuses.map((s, i) => [s, res[i]!])) as Record<Status, number>;
      const byPartyCounts: Record<string, Record<Status | 'overdue', number>> = {};
      partyIds.forEach((p, pi) => {
        const row = Object.fromEntries(statuses.map((s, si) => [s, res[statuses.length + pi * statuses.length + si]!])) as Record<Status | 'overdue', number>;
        row.overdue = 0;
        byPartyCounts[p] = row;
      });
      if (overdueIds.size > 0) {
        const pipe2 = redis.pipeline();
        for (const p of partyIds) pipe2.smembers(keys.byParty(p));
        const members = ((await pipe2.exec()) ?? []).map(([, v]) => v as string[]);
        partyIds.forEach((p, pi) => {
          byPartyCounts[p]!.overdue = members[pi]!.filter((id) => overdueIds.has(id)).length;
        });
      }
      const total = statuses.reduce((n, s) => n + byStatus[s], 0);
      return { total, byStatus: { ...byStatus, overdue: overdueIds.size }, byParty: byPartyCounts };
    },
  };
}

export type CommitmentStore = ReturnType<typeof createRedisCommitmentStore>;
