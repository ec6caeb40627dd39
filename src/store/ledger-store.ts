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

export function createSendLedger(client: Redis, keys: Keys, kind: LedgerKind) {
  const redis = withScripts(client);
  const entryKey = (sendId: string) => keys.ledgerEntry(kind, sendId);
  const failedIndex = keys.ledgerFailed(kind);
  const sentIndex = keys.ledgerSent(kind);
  const member = (sendId: string, recipient: string) => `${sendId}|${recipient}`;

  /** The script's arguments for one write (see lua/recordDelivery-6.lua). */
  function recordArgs(sendId: string, recipient: string, entry: LedgerEntry, score: number, with_?: LedgerEvents): Array<string | number> {
    const key = entryKey(sendId);
    const args = [recipient.toLowerCase(), JSON.stringify(entry), entry.state, score, member(sendId, recipient)];
    if (!with_?.events.length) return [key, failedIndex, sentIndex, key, key, key, ...args];
    const id = with_.commitmentId;
    return [key, failedIndex, sentIndex, keys.commitment(id), keys.history(id), keys.events, ...args, ...with_.events.map((e) => JSON.stringify(e))];
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

  return {
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
