/**
 * The send ledger: one entry per (send id, recipient), so a message goes out at
 * most once across retries, crashes and restarts.
 *
 * Ordering, and the one window it leaves: a worker checks the ledger, sends,
 * and records `sent` immediately after the SMTP server accepts. A crash in
 * between (after acceptance, before the HSET returns) means the retry sends
 * again: at most twice, with the same Message-ID so mail clients can fold the
 * copies. Recording before sending would close that window but lose mail on a
 * crash before acceptance, which is the worse failure for a deadline reminder.
 *
 * Writes made in one turn of the event loop leave together: the first one
 * schedules a flush with setImmediate, which runs right after the I/O callbacks
 * of that turn (the SMTP acceptances that arrived together) and before the
 * process waits for I/O again; the flush sends them as one pipeline (one socket
 * write) and does not wait for an earlier flush to be answered. So a write is
 * on its way to Redis within the turn of the acceptance it records, as it was
 * when each went alone; what changes is that a burst of acceptances costs one
 * round trip instead of one each (on a loopback connection a round trip costs
 * ~250 µs of client CPU alone, ~75 µs each when five travel together).
 */
import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';
import { PARTY_INDEXED_LEDGERS, type Keys, type LedgerKind } from './keys.js';
import { withScripts } from './scripts.js';
import { batchPerTurn } from './turn-batch.js';

export type LedgerState = 'sent' | 'failed' | 'skipped';

export interface LedgerEntry {
  state: LedgerState;
  /** UTC ISO instant of the outcome. */
  at: string;
  messageId?: string;
  error?: string;
  responseCode?: number;
  /** Free-form context: commitment id, step, period … */
  meta?: Record<string, unknown>;
}

export interface LedgerRow extends LedgerEntry {
  sendId: string;
  recipient: string;
}

/** Events to append to a commitment's history in the same script call as a ledger write. */
export interface LedgerEvents {
  commitmentId: string;
  /** Already-built domain events (reminder.sent, reminder.failed …); JSON-serialisable. */
  events: readonly object[];
}

/** Where a page of deliveries ended: the last row's score (ms) and index member. */
export interface DeliveryCursor {
  s: number;
  m: string;
}

export function encodeDeliveryCursor(c: DeliveryCursor): string {
  return Buffer.from(JSON.stringify([c.s, c.m]), 'utf8').toString('base64url');
}

/** The cursor a page handed out, or a 400 naming `cursor`. */
export function decodeDeliveryCursor(cursor: string): DeliveryCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'number' || !Number.isFinite(parsed[0]) || typeof parsed[1] !== 'string' || parsed[1].length > 600) {
    throw new AppError('validation', 'The cursor is not valid.', [{ path: 'cursor', message: 'expected a cursor from nextCursor' }]);
  }
  return { s: parsed[0], m: parsed[1] };
}

export function createSendLedger(client: Redis, keys: Keys, kind: LedgerKind) {
  const redis = withScripts(client);
  const entryKey = (sendId: string) => keys.ledgerEntry(kind, sendId);
  const failedIndex = keys.ledgerFailed(kind);
  const sentIndex = keys.ledgerSent(kind);
  const member = (sendId: string, recipient: string) => `${sendId}|${recipient}`;
  const byParty = PARTY_INDEXED_LEDGERS.includes(kind);

  /** The commitment an entry belongs to, as its meta names it. */
  const commitmentOf = (entry: Pick<LedgerEntry, 'meta'>): string | null => (typeof entry.meta?.commitmentId === 'string' ? entry.meta.commitmentId : null);

  /** The script's arguments for one write (see lua/recordDelivery-9.lua). */
  function recordArgs(sendId: string, recipient: string, entry: LedgerEntry, score: number, with_?: LedgerEvents): Array<string | number> {
    const key = entryKey(sendId);
    const cid = commitmentOf(entry);
    // The commitment's two indexes, and its document: the script reads the parties there, for their indexes.
    const own = cid === null ? [key, key, key] : [keys.ledgerFailedOf(kind, cid), keys.ledgerSentOf(kind, cid), byParty ? keys.commitment(cid) : key];
    const args = [recipient.toLowerCase(), JSON.stringify(entry), entry.state, score, member(sendId, recipient), cid === null ? '0' : byParty ? '2' : '1'];
    if (!with_?.events.length) return [key, failedIndex, sentIndex, key, key, key, ...own, ...args];
    const id = with_.commitmentId;
    return [key, failedIndex, sentIndex, keys.commitment(id), keys.history(id), keys.events, ...own, ...args, ...with_.events.map((e) => JSON.stringify(e))];
  }

  // The writes of one turn leave as one pipeline (see the module comment); a write that fails
  // in Redis rejects only its own caller.
  const recordInTurn = batchPerTurn<Array<string | number>>(async (writes) => {
    if (writes.length === 1) {
      await redis.recordDelivery(...writes[0]!);
      return;
    }
    const pipe = redis.pipeline() as unknown as { recordDelivery(...args: Array<string | number>): void; exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (const w of writes) pipe.recordDelivery(...w);
    const results = (await pipe.exec()) ?? [];
    return writes.map((_, i) => results[i]?.[0] ?? undefined);
  });
  function record(sendId: string, recipient: string, entry: LedgerEntry, score: number, with_?: LedgerEvents): Promise<void> {
    return recordInTurn(recordArgs(sendId, recipient, entry, score, with_));
  }

  /** Each member's row, in order; null where the entry is gone. */
  async function readRows(members: readonly string[]): Promise<Array<LedgerRow | null>> {
    if (members.length === 0) return [];
    const pipe = redis.pipeline();
    const parsed = members.map((m) => {
      const i = m.lastIndexOf('|');
      return { sendId: m.slice(0, i), recipient: m.slice(i + 1) };
    });
    for (const p of parsed) pipe.hget(entryKey(p.sendId), p.recipient.toLowerCase());
    const res = (await pipe.exec()) ?? [];
    return parsed.map((p, i) => {
      const raw = res[i]?.[1];
      return typeof raw === 'string' ? { ...p, ...(JSON.parse(raw) as LedgerEntry) } : null;
    });
  }
  const readMembers = async (members: string[]): Promise<LedgerRow[]> => (await readRows(members)).filter((r): r is LedgerRow => r !== null);

  /**
   * Rows written before the per-commitment indexes existed are indexed once per
   * deployment (from the two global indexes, by each row's current state); then
   * a marker is set. A row that changes state meanwhile is written by its own
   * script, which keeps the per-commitment indexes itself.
   */
  let indexed = false;
  async function ensureCommitmentIndexes(): Promise<void> {
    if (indexed) return;
    const marker = keys.ledgerByCommitmentBuilt(kind);
    if ((await redis.exists(marker)) === 0) {
      for (const [index, state, own] of [
        [failedIndex, 'failed', keys.ledgerFailedOf],
        [sentIndex, 'sent', keys.ledgerSentOf],
      ] as const) {
        const PAGE = 2_000;
        for (let start = 0; ; start += PAGE) {
          const flat = await redis.zrange(index, start, start + PAGE - 1, 'WITHSCORES');
          if (flat.length === 0) break;
          const members: string[] = [];
          const scores = new Map<string, string>();
          for (let i = 0; i + 1 < flat.length; i += 2) {
            members.push(flat[i]!);
            scores.set(flat[i]!, flat[i + 1]!);
          }
          const rows = await readMembers(members);
          const pipe = redis.pipeline();
          for (const r of rows) {
            const cid = commitmentOf(r);
            if (cid !== null && r.state === state) pipe.zadd(own(kind, cid), scores.get(member(r.sendId, r.recipient))!, member(r.sendId, r.recipient));
          }
          await pipe.exec();
          if (flat.length < PAGE * 2) break;
        }
      }
      await redis.set(marker, new Date().toISOString());
    }
    indexed = true;
  }

  /**
   * The backfill of the per-party indexes, once per deployment: rows written
   * before they existed are copied, commitment by commitment, from the
   * per-commitment indexes (built first) into the indexes of the parties each
   * commitment's document names now (lua/indexLedgerByParty.lua, atomic per
   * batch); then a marker is set. Rows recorded meanwhile, and party changes,
   * keep the per-party indexes in their own scripts; copying a row twice is
   * harmless, so a backfill cut short by a crash is simply run again. Commitments
   * are never deleted, so every commitment with rows and parties is in the
   * all-commitments index. One run per process at a time: concurrent callers
   * share it.
   */
  let partyIndexed: Promise<void> | null = null;
  function ensurePartyIndexes(): Promise<void> {
    partyIndexed ??= (async () => {
      const marker = keys.ledgerByPartyBuilt(kind);
      if ((await redis.exists(marker)) === 1) return;
      await ensureCommitmentIndexes();
      const BATCH = 500;
      for (let start = 0; ; start += BATCH) {
        const ids = await redis.zrange(keys.allCommitments, start, start + BATCH - 1);
        if (ids.length === 0) break;
        const perCommitment = ids.flatMap((id) => [keys.commitment(id), keys.ledgerFailedOf(kind, id), keys.ledgerSentOf(kind, id)]);
        await redis.indexLedgerByParty(2 + perCommitment.length, failedIndex, sentIndex, ...perCommitment);
        if (ids.length < BATCH) break;
      }
      await redis.set(marker, new Date().toISOString());
    })().catch((err: unknown) => {
      // Not remembered: the next page tries again.
      partyIndexed = null;
      throw err;
    });
    return partyIndexed;
  }

  /** Index entries after a position, newest first (score descending, then member descending, as Redis orders equal scores). */
  type At = { score: number; m: string };

  /**
   * At most `want` entries of the union of some indexes after `after`, each
   * member once (a row in two parties' indexes is one row): each index read
   * from the position (at most `want` past it), then merged.
   */
  async function unionAfter(indexKeys: readonly string[], want: number, after: DeliveryCursor | null): Promise<At[]> {
    const before = (score: number, m: string) => after === null || score < after.s || (score === after.s && m < after.m);
    const readOne = async (key: string): Promise<At[]> => {
      const out: At[] = [];
      const BATCH = want + 16;
      for (let offset = 0; ; offset += BATCH) {
        const flat = await redis.zrevrangebyscore(key, after === null ? '+inf' : after.s, '-inf', 'WITHSCORES', 'LIMIT', offset, BATCH);
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const score = Number(flat[i + 1]);
          // Rows tied with the cursor's score and at or before its member were on earlier pages.
          if (before(score, flat[i]!)) out.push({ score, m: flat[i]! });
        }
        if (out.length >= want || flat.length < BATCH * 2) return out.slice(0, want);
      }
    };
    const seen = new Set<string>();
    const merged = (await Promise.all(indexKeys.map(readOne))).flat().filter((x) => !seen.has(x.m) && (seen.add(x.m), true));
    merged.sort((a, b) => b.score - a.score || (a.m < b.m ? 1 : a.m > b.m ? -1 : 0));
    return merged.slice(0, want);
  }

  /**
   * One page, newest first, of the union of some indexes; the cursor is the
   * last row's (score, member). With `keep`, rows it refuses are left out and
   * more are read in their place, so a page is short only at the end.
   */
  async function pageOf(
    indexKeys: readonly string[],
    limit: number,
    after: DeliveryCursor | null,
    keep?: (rows: LedgerRow[]) => Promise<boolean[]>,
  ): Promise<{ rows: LedgerRow[]; next: DeliveryCursor | null }> {
    const found: Array<{ at: At; row: LedgerRow }> = [];
    let pos = after;
    for (;;) {
      const want = limit + 1 - found.length;
      const ats = await unionAfter(indexKeys, want, pos);
      const rows = await readRows(ats.map((x) => x.m));
      const present = ats.flatMap((at, i) => (rows[i] ? [{ at, row: rows[i]! }] : []));
      const verdicts = keep ? await keep(present.map((x) => x.row)) : present.map(() => true);
      found.push(...present.filter((_, i) => verdicts[i]));
      const last = ats[ats.length - 1];
      if (found.length > limit || ats.length < want || !last) break;
      pos = { s: last.score, m: last.m };
    }
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page.map((x) => x.row), next: found.length > limit && last ? { s: last.at.score, m: last.at.m } : null };
  }

  /** Which rows belong to a commitment one of the parties leads or belongs to now (the commitments' own party indexes). */
  async function ofParties(parties: readonly string[], rows: LedgerRow[]): Promise<boolean[]> {
    const ids = [...new Set(rows.map(commitmentOf).filter((c): c is string => c !== null))];
    if (ids.length === 0) return rows.map(() => false);
    const pipe = redis.pipeline();
    for (const p of parties) pipe.smismember(keys.byParty(p), ...ids);
    const res = (await pipe.exec()) ?? [];
    const inScope = new Set<string>();
    res.forEach(([err, flags]) => {
      if (err) throw err;
      (flags as number[]).forEach((f, i) => f === 1 && inScope.add(ids[i]!));
    });
    return rows.map((r) => inScope.has(commitmentOf(r) ?? ''));
  }

  return {
    /**
     * A page of failed or sent deliveries, newest first: of the whole ledger,
     * of some commitments, or of the commitments some parties lead or belong to
     * (each has its own indexes, so the page costs what it shows and the
     * commitments or parties asked, not the ledger's length). A party's page
     * also checks each row's commitment against the party's commitments, so a
     * row never shows for a party its commitment no longer names.
     * `nextCursor` is null on the last page.
     */
    async page(q: { state: 'failed' | 'sent'; commitments?: readonly string[]; parties?: readonly string[]; limit: number; cursor?: string }): Promise<{ rows: LedgerRow[]; nextCursor: string | null }> {
      const after = q.cursor === undefined ? null : decodeDeliveryCursor(q.cursor);
      let indexKeys: string[];
      let keep: ((rows: LedgerRow[]) => Promise<boolean[]>) | undefined;
      if (q.parties !== undefined) {
        if (!byParty) throw new Error(`the ${kind} ledger has no per-party indexes`);
        const parties = [...new Set(q.parties)];
        if (parties.length === 0) return { rows: [], nextCursor: null };
        await ensurePartyIndexes();
        indexKeys = parties.map((p) => (q.state === 'failed' ? keys.ledgerFailedOfParty(kind, p) : keys.ledgerSentOfParty(kind, p)));
        keep = (rows) => ofParties(parties, rows);
      } else if (q.commitments !== undefined) {
        await ensureCommitmentIndexes();
        indexKeys = q.commitments.map((id) => (q.state === 'failed' ? keys.ledgerFailedOf(kind, id) : keys.ledgerSentOf(kind, id)));
      } else indexKeys = [q.state === 'failed' ? failedIndex : sentIndex];
      if (indexKeys.length === 0) return { rows: [], nextCursor: null };
      const { rows, next } = await pageOf(indexKeys, q.limit, after, keep);
      return { rows, nextCursor: next === null ? null : encodeDeliveryCursor(next) };
    },
    /** Make sure the per-party indexes hold the rows written before they existed (see ensurePartyIndexes); the first party page does it too. */
    ensurePartyIndexes,
    async get(sendId: string, recipient: string): Promise<LedgerEntry | null> {
      const raw = await redis.hget(entryKey(sendId), recipient.toLowerCase());
      return raw ? (JSON.parse(raw) as LedgerEntry) : null;
    },
    /** Every recipient's entry for one send. */
    async getAll(sendId: string): Promise<Record<string, LedgerEntry>> {
      const raw = await redis.hgetall(entryKey(sendId));
      return Object.fromEntries(Object.entries(raw).map(([r, v]) => [r, JSON.parse(v) as LedgerEntry]));
    },
    /** Every recipient's entry for each of several sends (a reminder job's group), in one command. */
    async getMany(sendIds: readonly string[]): Promise<Array<Record<string, LedgerEntry>>> {
      if (sendIds.length === 0) return [];
      const lists = await redis.readEntries(sendIds.length, ...sendIds.map(entryKey));
      return lists.map((flat) => {
        const entries: Record<string, LedgerEntry> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) entries[flat[i]!] = JSON.parse(flat[i + 1]!) as LedgerEntry;
        return entries;
      });
    },
    /** Record `sent`; with `events`, append them to the commitment's history in the same script call. */
    markSent: (sendId: string, recipient: string, at: Date, messageId: string, meta?: Record<string, unknown>, events?: LedgerEvents) =>
      record(sendId, recipient, { state: 'sent', at: at.toISOString(), messageId, ...(meta ? { meta } : {}) }, at.getTime(), events),
    /** Record `failed`; with `events`, append them to the commitment's history in the same script call. */
    markFailed: (sendId: string, recipient: string, at: Date, error: string, responseCode?: number, meta?: Record<string, unknown>, events?: LedgerEvents) =>
      record(sendId, recipient, { state: 'failed', at: at.toISOString(), error, ...(responseCode ? { responseCode } : {}), ...(meta ? { meta } : {}) }, at.getTime(), events),
    markSkipped: (sendId: string, recipient: string, at: Date, reason: string, meta?: Record<string, unknown>) =>
      record(sendId, recipient, { state: 'skipped', at: at.toISOString(), error: reason, ...(meta ? { meta } : {}) }, at.getTime()),
    /**
     * Record `skipped` only where the recipient has no entry yet (HSETNX), so a
     * late planner verdict never overwrites a real `sent` or `failed`. True when written.
     */
    async markSkippedIfAbsent(sendId: string, recipient: string, at: Date, reason: string, meta?: Record<string, unknown>): Promise<boolean> {
      const entry: LedgerEntry = { state: 'skipped', at: at.toISOString(), error: reason, ...(meta ? { meta } : {}) };
      return (await redis.hsetnx(entryKey(sendId), recipient.toLowerCase(), JSON.stringify(entry))) === 1;
    },
    /** Failed deliveries whose failure time lies in [from, to), newest first. */
    async failed(opts: { from?: Date; to?: Date; limit?: number } = {}): Promise<LedgerRow[]> {
      const members = await redis.zrevrangebyscore(failedIndex, opts.to ? `(${opts.to.getTime()}` : '+inf', opts.from ? opts.from.getTime() : '-inf', 'LIMIT', 0, opts.limit ?? 500);
      return readMembers(members);
    },
    /** Sent deliveries in [from, to), oldest first. */
    async sent(opts: { from?: Date; to?: Date; limit?: number } = {}): Promise<LedgerRow[]> {
      const members = await redis.zrangebyscore(sentIndex, opts.from ? opts.from.getTime() : '-inf', opts.to ? `(${opts.to.getTime()}` : '+inf', 'LIMIT', 0, opts.limit ?? 500);
      return readMembers(members);
    },
  };
}
export type SendLedger = ReturnType<typeof createSendLedger>;
