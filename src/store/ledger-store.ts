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
import type { Keys, LedgerKind } from './keys.js';
import { withScripts } from './scripts.js';

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

  /** The commitment an entry belongs to, as its meta names it. */
  const commitmentOf = (entry: Pick<LedgerEntry, 'meta'>): string | null => (typeof entry.meta?.commitmentId === 'string' ? entry.meta.commitmentId : null);

  /** The script's arguments for one write (see lua/recordDelivery-8.lua). */
  function recordArgs(sendId: string, recipient: string, entry: LedgerEntry, score: number, with_?: LedgerEvents): Array<string | number> {
    const key = entryKey(sendId);
    const cid = commitmentOf(entry);
    const own = cid === null ? [key, key] : [keys.ledgerFailedOf(kind, cid), keys.ledgerSentOf(kind, cid)];
    const args = [recipient.toLowerCase(), JSON.stringify(entry), entry.state, score, member(sendId, recipient), cid === null ? '0' : '1'];
    if (!with_?.events.length) return [key, failedIndex, sentIndex, key, key, key, ...own, ...args];
    const id = with_.commitmentId;
    return [key, failedIndex, sentIndex, keys.commitment(id), keys.history(id), keys.events, ...own, ...args, ...with_.events.map((e) => JSON.stringify(e))];
  }

  // Writes waiting for this turn's flush (see the module comment).
  let batch: Array<{ args: Array<string | number>; resolve: () => void; reject: (err: Error) => void }> = [];
  function flush(): void {
    const writes = batch;
    batch = [];
    if (writes.length === 1) {
      const w = writes[0]!;
      redis.recordDelivery(...w.args).then(() => w.resolve(), w.reject);
      return;
    }
    const pipe = redis.pipeline() as unknown as { recordDelivery(...args: Array<string | number>): void; exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (const w of writes) pipe.recordDelivery(...w.args);
    pipe.exec().then(
      (results) => writes.forEach((w, i) => (results?.[i]?.[0] ? w.reject(results[i]![0]!) : w.resolve())),
      (err: Error) => writes.forEach((w) => w.reject(err)),
    );
  }
  function record(sendId: string, recipient: string, entry: LedgerEntry, score: number, with_?: LedgerEvents): Promise<void> {
    const args = recordArgs(sendId, recipient, entry, score, with_);
    return new Promise<void>((resolve, reject) => {
      if (batch.push({ args, resolve, reject }) === 1) setImmediate(flush);
    });
  }

  async function readMembers(members: string[]): Promise<LedgerRow[]> {
    const pipe = redis.pipeline();
    const parsed = members.map((m) => {
      const i = m.lastIndexOf('|');
      return { sendId: m.slice(0, i), recipient: m.slice(i + 1) };
    });
    for (const p of parsed) pipe.hget(entryKey(p.sendId), p.recipient.toLowerCase());
    const res = (await pipe.exec()) ?? [];
    return parsed.flatMap((p, i) => {
      const raw = res[i]?.[1];
      return typeof raw === 'string' ? [{ ...p, ...(JSON.parse(raw) as LedgerEntry) }] : [];
    });
  }

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
   * One page, newest first, of the union of some indexes: each read from the
   * cursor's position (at most `limit + 1` rows past it), then merged. Order:
   * score (the outcome's time) descending, then member descending, as Redis
   * orders equal scores; the cursor is the last row's (score, member).
   */
  async function pageOf(indexKeys: readonly string[], limit: number, after: DeliveryCursor | null): Promise<{ rows: LedgerRow[]; next: DeliveryCursor | null }> {
    const want = limit + 1;
    const before = (score: number, m: string) => after === null || score < after.s || (score === after.s && m < after.m);
    const readOne = async (key: string): Promise<Array<{ score: number; m: string }>> => {
      const out: Array<{ score: number; m: string }> = [];
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
    const merged = (await Promise.all(indexKeys.map(readOne))).flat();
    merged.sort((a, b) => b.score - a.score || (a.m < b.m ? 1 : a.m > b.m ? -1 : 0));
    const page = merged.slice(0, limit);
    const last = page[page.length - 1];
    const next = merged.length > limit && last ? { s: last.score, m: last.m } : null;
    return { rows: await readMembers(page.map((x) => x.m)), next };
  }

  return {
    /**
     * A page of failed or sent deliveries, newest first: of the whole ledger,
     * or of some commitments only (each has its own indexes, so the page costs
     * what it shows and the commitments asked, not the ledger's length).
     * `nextCursor` is null on the last page.
     */
    async page(q: { state: 'failed' | 'sent'; commitments?: readonly string[]; limit: number; cursor?: string }): Promise<{ rows: LedgerRow[]; nextCursor: string | null }> {
      const after = q.cursor === undefined ? null : decodeDeliveryCursor(q.cursor);
      let indexKeys: string[];
      if (q.commitments === undefined) indexKeys = [q.state === 'failed' ? failedIndex : sentIndex];
      else {
        await ensureCommitmentIndexes();
        indexKeys = q.commitments.map((id) => (q.state === 'failed' ? keys.ledgerFailedOf(kind, id) : keys.ledgerSentOf(kind, id)));
      }
      if (indexKeys.length === 0) return { rows: [], nextCursor: null };
      const { rows, next } = await pageOf(indexKeys, q.limit, after);
      return { rows, nextCursor: next === null ? null : encodeDeliveryCursor(next) };
    },
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
