/**
 * The digest's Redis side: the snapshot reader (a few rounds of concurrent,
 * pipelined reads, none of them growing with the store) and the archive of every digest prepared for sending.
 *
 * The archive freezes a digest's content before the first mail goes out: a
 * retry, or a restart after a crash, sends the archived subject, text and
 * HTML again rather than rebuilding from a state that has moved on. So every
 * recipient of one digest gets the same bytes, and the archive holds exactly
 * what was sent.
 */
import type { Redis } from 'ioredis';
import { digestPeriod, periodFilter, runAtOrAfter, type DigestPeriod } from '../domain/digest-period.js';
import { meetingStartInstant, type DigestSnapshot, type FailedDelivery } from '../domain/digest.js';
import type { DigestViewQuery } from '../domain/digest-view.js';
import type { DomainEvent } from '../domain/events.js';
import type { Meeting } from '../domain/meeting.js';
import type { Party } from '../domain/party.js';
import { readDigestViews } from './digest-view-store.js';
import type { Keys } from './keys.js';

export interface SnapshotSources {
  redis: Redis;
  keys: Keys;
  meetings: { list(): Promise<Meeting[]> };
  parties: { list(): Promise<Party[]> };
  /** The reminder send ledger's failed index (src/mail/ledger.ts). */
  reminderLedger: { failed(opts: { from?: Date; to?: Date; limit?: number }): Promise<Array<{ sendId: string; recipient: string; at: string; error?: string; responseCode?: number; meta?: Record<string, unknown> }>> };
}

const STREAM_PAGE = 10_000;
/** Stream entries read per pipelined round when fetching a period's events by id. */
const ID_PAGE = 2_000;

/** `"at":"…"` sits near the front of every event; reading it first skips parsing events outside the period. */
function eventAt(json: string): string | null {
  const i = json.indexOf('"at":"');
  return i < 0 ? null : json.slice(i + 6, json.indexOf('"', i + 6));
}

/** Stream ids (`ms-seq`) in the stream's order: numerically, not as strings. */
function sortStreamIds(ids: string[]): string[] {
  const key = (id: string) => {
    const dash = id.indexOf('-');
    return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))] as const;
  };
  return ids
    .map((id) => ({ id, k: key(id) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1])
    .map((x) => x.id);
}

/**
 * Make sure the `at` index (keys.eventsByAt) covers the events appended before
 * it existed: once per deployment, the stream is read page by page and every
 * event indexed by its `at`; then a marker is set. Appends made meanwhile are
 * indexed by their own script, and adding an id twice is harmless.
 */
export async function ensureEventIndex(redis: Redis, keys: Keys): Promise<void> {
  if ((await redis.exists(keys.eventsByAtBuilt)) === 1) return;
  let start = '-';
  for (;;) {
    const page = await redis.xrange(keys.events, start, '+', 'COUNT', STREAM_PAGE);
    const args: Array<string | number> = [];
    for (const [id, fields] of page) {
      const at = fields[0] === 'e' && fields[1] !== undefined ? eventAt(fields[1]) : null;
      const ms = at === null ? NaN : Date.parse(at);
      if (Number.isFinite(ms)) args.push(ms, id);
    }
    if (args.length) await redis.zadd(keys.eventsByAt, ...args);
    if (page.length < STREAM_PAGE) break;
    start = `(${page[page.length - 1]![0]}`;
  }
  await redis.set(keys.eventsByAtBuilt, new Date().toISOString());
}

/**
 * The events whose `at` lies in [from, to), in the stream's order (the order
 * they were written, as a scan of the stream gives them): a
 * range of the `at` index, then the stream entries by id (pipelined). The
 * cost follows the period's events, not the length of the history.
 */
export async function readEventsBetween(redis: Redis, keys: Keys, period: { from: Date; to: Date }): Promise<DomainEvent[]> {
  await ensureEventIndex(redis, keys);
  const ids = sortStreamIds(await redis.zrangebyscore(keys.eventsByAt, period.from.getTime(), `(${period.to.getTime()}`));
  const within = periodFilter(period);
  const out: DomainEvent[] = [];
  for (let i = 0; i < ids.length; i += ID_PAGE) {
    const pipe = redis.pipeline();
    for (const id of ids.slice(i, i + ID_PAGE)) pipe.xrange(keys.events, id, id);
    for (const [err, entries] of (await pipe.exec()) ?? []) {
      if (err) throw err;
      // An id the stream has trimmed away reads as nothing.
      const fields = (entries as Array<[string, string[]]>)[0]?.[1];
      if (!fields || fields[0] !== 'e' || fields[1] === undefined) continue;
      const e = JSON.parse(fields[1]) as DomainEvent;
      if (within(e.at)) out.push(e);
    }
  }
  return out;
}

/**
 * Read the state a digest is built from: for each query (one per audience's
 * scope) its view, the counts and first items of each list, from the digest's
 * indexes (src/store/digest-view-store.ts); the events whose `at` lies in
 * [from, to) and the documents of the commitments they name; the parties,
 * meetings, and the reminder deliveries that failed in the period.
 *
 * No read grows with the store: events come from the `at` index beside the
 * global stream (see readEventsBetween), counts and lists from indexes kept by
 * each commitment write; a period's read costs what the period holds and what
 * the digest shows.
 */
export async function readDigestSnapshot(src: SnapshotSources, period: { from: Date; to: Date }, queries: readonly DigestViewQuery[]): Promise<DigestSnapshot> {
  const { redis, keys } = src;
  const readFailed = async (): Promise<FailedDelivery[]> => {
    const rows = await src.reminderLedger.failed({ from: period.from, to: period.to, limit: 1000 });
    return rows.map((r) => ({
      sendId: r.sendId,
      recipient: r.recipient,
      at: r.at,
      error: r.error ?? 'unknown error',
      ...(r.responseCode ? { responseCode: r.responseCode } : {}),
      commitmentId: typeof r.meta?.commitmentId === 'string' ? r.meta.commitmentId : null,
      step: typeof r.meta?.step === 'string' ? r.meta.step : null,
    }));
  };
  const [events, parties, meetings, failedReminders] = await Promise.all([readEventsBetween(redis, keys, period), src.parties.list(), src.meetings.list(), readFailed()]);
  const named = [...events.map((e) => e.commitmentId), ...failedReminders.flatMap((f) => (f.commitmentId ? [f.commitmentId] : []))];
  const { views, related } = await readDigestViews(redis, keys, queries, named);
  return { views, related, events, parties, meetings, failedReminders };
}

/** The snapshot reader bound to its sources: `read(period, queries)`. */
export function createDigestSnapshotReader(src: SnapshotSources) {
  return { read: (period: { from: Date; to: Date }, queries: readonly DigestViewQuery[]) => readDigestSnapshot(src, period, queries) };
}
export type DigestSnapshotReader = ReturnType<typeof createDigestSnapshotReader>;

export type RecipientState = 'pending' | 'sent' | 'failed' | 'skipped';

export interface RecipientRecord {
  email: string;
  messageId: string;
  state: RecipientState;
  at?: string;
  error?: string;
}

export interface ArchivedDigest {
  /** `${sendId}-${scope}`, e.g. `20100111t020000000z-20100118t020000000z-all`. */
  id: string;
  /** The ledger's send id: one per period (scheduled) or per idempotency key (manual). */
  sendId: string;
  kind: 'scheduled' | 'manual';
  /** null: the full digest; a party id: that party's digest. */
  scope: string | null;
  period: { from: string; to: string; first: boolean };
  asOf: string;
  createdAt: string;
  subject: string;
  text: string;
  html: string;
  /** The period had no changes; the short form was sent. */
  empty: boolean;
  recipients: RecipientRecord[];
  /** Manual sends: a hash of the request, so a reused key with another request is refused. */
  requestHash?: string;
}

export type DigestSummary = Omit<ArchivedDigest, 'text' | 'html'>;

/** What the archive needs of a composed digest (structurally: the store does not import mail/). */
export interface ArchivableDigest {
  id: string;
  scope: string | null;
  digest: { isEmpty: boolean };
  rendered: { subject: string; text: string; html: string };
  recipients: ReadonlyArray<{ email: string; messageId: string }>;
}

/** The archive record of a digest about to be sent: every recipient still pending. */
export function archiveEntry(
  c: ArchivableDigest,
  ctx: { sendId: string; kind: ArchivedDigest['kind']; period: { from: Date; to: Date; first: boolean }; asOf: Date; createdAt: Date; requestHash?: string },
): ArchivedDigest {
  return {
    id: c.id,
    sendId: ctx.sendId,
    kind: ctx.kind,
    scope: c.scope,
    period: { from: ctx.period.from.toISOString(), to: ctx.period.to.toISOString(), first: ctx.period.first },
    asOf: ctx.asOf.toISOString(),
    createdAt: ctx.createdAt.toISOString(),
    subject: c.rendered.subject,
    text: c.rendered.text,
    html: c.rendered.html,
    empty: c.digest.isEmpty,
    recipients: c.recipients.map((r) => ({ ...r, state: 'pending' as const })),
    ...(ctx.requestHash ? { requestHash: ctx.requestHash } : {}),
  };
}

export function createDigestArchive(redis: Redis, keys: Keys) {
  const doc = keys.digest;
  const rcpt = keys.digestRecipients;
  const bySend = keys.digestBySend;
  const index = keys.digestArchive;
  const runs = keys.digestRuns;
  const log = keys.digestLog;

  async function get(id: string): Promise<ArchivedDigest | null> {
    const [[, json], [, states]] = (await redis.multi().get(doc(id)).hgetall(rcpt(id)).exec()) as [[null, string | null], [null, Record<string, string>]];
    if (!json) return null;
    const d = JSON.parse(json) as ArchivedDigest;
    d.recipients = d.recipients.map((r) => (states[r.email] ? { ...r, ...(JSON.parse(states[r.email]!) as Partial<RecipientRecord>) } : r));
    return d;
  }

  return {
    get,

    /**
     * Store a digest unless one with its id exists; either way return the
     * stored one, so concurrent or repeated preparations agree on one content.
     */
    async saveIfAbsent(d: ArchivedDigest): Promise<{ digest: ArchivedDigest; created: boolean }> {
      const [[, set]] = (await redis
        .multi()
        .set(doc(d.id), JSON.stringify(d), 'NX')
        .zadd(index, 'NX', Date.parse(d.createdAt), d.id)
        .sadd(bySend(d.sendId), d.id)
        .exec()) as [[null, string | null], unknown, unknown];
      return set === 'OK' ? { digest: d, created: true } : { digest: (await get(d.id))!, created: false };
    },

    async recordRecipient(id: string, email: string, update: Omit<RecipientRecord, 'email' | 'messageId'>): Promise<void> {
      await redis.hset(rcpt(id), email, JSON.stringify(update));
    },

    /** Every digest prepared under one send id, e.g. the full and the party digests of a period. */
    async listBySend(sendId: string): Promise<ArchivedDigest[]> {
      const ids = (await redis.smembers(bySend(sendId))).sort();
      const out = await Promise.all(ids.map(get));
      return out.filter((d): d is ArchivedDigest => d !== null);
    },

    /** Newest first; the cursor is an offset from a previous page. */
    async list(opts: { limit: number; offset?: number; filter?: (d: DigestSummary) => boolean }): Promise<{ items: DigestSummary[]; nextOffset: number | null }> {
      const items: DigestSummary[] = [];
      let offset = opts.offset ?? 0;
      const PAGE = 200;
      while (items.length < opts.limit) {
        const ids = await redis.zrevrange(index, offset, offset + PAGE - 1);
        if (ids.length === 0) return { items, nextOffset: null };
        const docs = await Promise.all(ids.map(get));
        for (let i = 0; i < docs.length; i++) {
          offset++;
          const d = docs[i];
          if (!d) continue;
          const { text: _t, html: _h, ...summary } = d;
          if (opts.filter && !opts.filter(summary)) continue;
          items.push(summary);
          if (items.length === opts.limit) return { items, nextOffset: (await redis.zcard(index)) > offset ? offset : null };
        }
      }
      return { items, nextOffset: null };
    },

    /** Remember that the scheduled run ending at `to` was processed (sent or skipped as empty). */
    async markRun(to: Date, sendId: string): Promise<void> {
      await redis.zadd(runs, to.getTime(), sendId);
    },

    /** True when a scheduled run before `to` was processed: then this digest is not the first. */
    async hasRunBefore(to: Date): Promise<boolean> {
      return (await redis.zcount(runs, '-inf', `(${to.getTime()}`)) > 0;
    },

    /** The digest log: one `digest.sent` entry per delivered mail, newest first, capped. */
    async appendLog(entry: { at: string; digestId: string; sendId: string; recipient: string; messageId: string }): Promise<void> {
      await redis.multi().lpush(log, JSON.stringify({ type: 'digest.sent', ...entry })).ltrim(log, 0, 9_999).exec();
    },

    async readLog(limit = 100): Promise<Array<{ type: 'digest.sent'; at: string; digestId: string; sendId: string; recipient: string; messageId: string }>> {
      return (await redis.lrange(log, 0, limit - 1)).map((x) => JSON.parse(x));
    },
  };
}
export type DigestArchive = ReturnType<typeof createDigestArchive>;

/**
 * The period of the digest sent at the first scheduled run at or after
 * `asOf`. It is the first digest (covering everything since the earliest
 * meeting) when no scheduled run before it was processed.
 */
export async function resolveDigestPeriod(
  deps: { archive: Pick<DigestArchive, 'hasRunBefore'>; meetings: { list(): Promise<Meeting[]> } },
  cron: string,
  timeZone: string,
  asOf: Date,
): Promise<DigestPeriod> {
  const to = runAtOrAfter(cron, timeZone, asOf);
  const [meetings, ranBefore] = await Promise.all([deps.meetings.list(), deps.archive.hasRunBefore(to)]);
  return digestPeriod(cron, timeZone, asOf, meetingStartInstant(meetings, timeZone), { first: !ranBefore });
}
