/**
 * The digest's read models on real Redis: the counts and first items a digest
 * reads from the indexes (kept by the commitment write's own script) are
 * exactly what a scan of every document gives, after any mix of writes; lists
 * are bounded and say how many more there are; commitments written before the
 * indexes existed get indexed on the first digest read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import {
  cancelCommitment,
  completeCommitment,
  createCommitment,
  patchCommitment,
  reopenCommitment,
  type Change,
  type Commitment,
  type CommitmentInputSchema,
  type CommitmentPatch,
} from '../../src/domain/commitment.js';
import { buildDigest } from '../../src/domain/digest.js';
import { digestQuery, digestViewOf, type DigestView } from '../../src/domain/digest-view.js';
import { AppError } from '../../src/domain/errors.js';
import { renderDigest } from '../../src/mail/digest-template.js';
import { createRedisCommitmentStore } from '../../src/store/commitment-store.js';
import { readDigestSnapshot } from '../../src/store/digest-store.js';
import { ensureDigestIndexes, readDigestViews } from '../../src/store/digest-view-store.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { withScripts } from '../../src/store/scripts.js';
import { deletePrefix, newRedis, uniquePrefix } from '../support/redis.js';
import { MEETING, PARTIES } from '../unit/digest-fixture.js';

const T0 = Date.parse('2010-01-01T00:00:00Z');
const DAY = 86_400_000;
const AS_OF = new Date('2010-03-01T00:00:00Z');
const PARTY_IDS = ['IDN', 'AUS', 'LKA', 'THA', 'NZL'];

let redis: Redis;
let prefix: string;
let keys: Keys;
let store: ReturnType<typeof createRedisCommitmentStore>;
let clockMs = T0;
const tick = () => new Date((clockMs += 60_000));

/** A deterministic sequence, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return { next, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

function input(i: number, r: ReturnType<typeof rng>) {
  const leads = [r.pick(PARTY_IDS), r.pick(PARTY_IDS)].filter((x, j, a) => a.indexOf(x) === j);
  const kind = r.next();
  const due = kind < 0.3 ? null : kind < 0.55 ? { date: `2010-0${1 + Math.floor(r.next() * 5)}-1${Math.floor(r.next() * 9)}`, timeZone: 'Asia/Jakarta' } : { at: new Date(T0 + Math.floor(r.next() * 120) * DAY).toISOString() };
  return {
    meetingId: MEETING.id,
    id: `item-${String(i).padStart(3, '0')}`,
    title: `Item ${i}: ${r.pick(['workshop', 'paper', 'meeting', 'campaign'])}`,
    sourceText: '',
    theme: null,
    leads,
    members: [r.pick(PARTY_IDS)].filter((m) => !leads.includes(m)),
    due,
    ...(r.next() < 0.2 ? { target: { units: 2 + Math.floor(r.next() * 3) } } : {}),
    reminderPolicy: null,
  } as z.output<typeof CommitmentInputSchema>;
}

async function create(i: number, r: ReturnType<typeof rng>): Promise<Commitment> {
  const ch = createCommitment(input(i, r), 'test', tick());
  expect(await store.create(ch)).toBe(true);
  return ch.commitment;
}

/** One random write of the kinds a commitment goes through; an illegal transition changes nothing. */
async function randomWrite(id: string, r: ReturnType<typeof rng>): Promise<void> {
  const x = r.next();
  const step = (c: Commitment): Change => {
    const at = tick();
    if (x < 0.15) return completeCommitment(c, { completedOn: '2010-02-01' }, 'test', at);
    if (x < 0.25) return cancelCommitment(c, 'no longer needed', 'test', at);
    if (x < 0.4) return reopenCommitment(c, 'again', 'test', at);
    const patches: CommitmentPatch[] = [
      { due: null },
      { due: { at: new Date(T0 + Math.floor(r.next() * 120) * DAY).toISOString() } },
      { due: { date: '2010-03-15', timeZone: 'Pacific/Auckland' } },
      { leads: [r.pick(PARTY_IDS)] },
      { members: [r.pick(PARTY_IDS), r.pick(PARTY_IDS)].filter((m, j, a) => a.indexOf(m) === j && !c.leads.includes(m)) },
      { status: c.status === 'open' ? 'in_progress' : 'open' },
      { target: r.next() < 0.5 ? null : { units: 3 } },
      { title: `Renamed ${c.id}` },
    ];
    return patchCommitment(c, r.pick(patches), 'test', at);
  };
  try {
    await store.mutate(id, step);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
  }
}

async function allDocs(): Promise<Commitment[]> {
  return store.getMany(await store.allIds());
}

/** A view with its items as ids: what the comparison needs, and readable in a failure. */
const ids = (v: DigestView) => ({
  headline: v.headline,
  lists: Object.fromEntries((['overdue', 'dueSoon', 'needsDeadline', 'progress'] as const).map((k) => [k, { total: v[k].total, ids: v[k].items.map((c) => c.id) }])),
  leads: v.leads.map((l) => ({ id: l.id, ...Object.fromEntries((['open', 'overdue', 'done'] as const).map((k) => [k, { total: l[k].total, ids: l[k].items.map((c) => c.id) }])) })),
});

/** The indexed views against a scan of every document, for the full digest and each party, at two instants. */
async function expectViewsMatchScan(opts: { listLimit?: number; partyListLimit?: number } = {}): Promise<void> {
  const docs = await allDocs();
  for (const asOf of [AS_OF, new Date(T0 + 40 * DAY)]) {
    const queries = [null, ...PARTY_IDS].map((party) => digestQuery({ asOf, party, ...opts }));
    const { views } = await readDigestViews(redis, keys, queries);
    for (const q of queries) expect(ids(views[q.party ?? '']!), `scope ${q.party ?? 'all'} at ${asOf.toISOString()}`).toEqual(ids(digestViewOf(docs, q)));
  }
}

beforeAll(() => {
  redis = newRedis();
});
afterEach(async () => {
  await deletePrefix(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

function freshStore(name: string) {
  prefix = uniquePrefix(name);
  keys = createKeys(prefix);
  store = createRedisCommitmentStore(redis, keys);
}

describe('the digest read models', () => {
  it('when commitments are created, patched, completed, cancelled and reopened, then the indexed counts and first items equal a scan of every document', async () => {
    freshStore('digest-view-writes');
    const r = rng(20_100_118);
    for (let i = 0; i < 60; i++) await create(i, r);
    await expectViewsMatchScan({ listLimit: 7, partyListLimit: 3 });
    const idsNow = await store.allIds();
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 80; k++) await randomWrite(r.pick(idsNow), r);
      await expectViewsMatchScan({ listLimit: 7, partyListLimit: 3 });
    }
    // The writes reached every kind of state the views distinguish.
    const docs = await allDocs();
    expect(new Set(docs.map((c) => c.status))).toEqual(new Set(['open', 'in_progress', 'done', 'cancelled']));
    expect(docs.some((c) => c.due === null) && docs.some((c) => c.target)).toBe(true);
  });

  it('when a list is longer than its limit, then it shows the limit, the exact total, and "and N more" with a link to the filtered status page', async () => {
    freshStore('digest-view-bounded');
    for (let i = 0; i < 120; i++) {
      // Every one overdue at AS_OF and led by LKA: 120 overdue, 120 in LKA's overdue cell.
      const ch = createCommitment({ ...input(i, rng(i)), leads: ['LKA'], members: [], due: { at: new Date(T0 + i * 60_000).toISOString() } }, 'test', tick());
      await store.create(ch);
    }
    const snap = await readDigestSnapshot({ redis, keys, meetings: { list: async () => [MEETING] }, parties: { list: async () => PARTIES }, reminderLedger: { failed: async () => [] } }, { from: new Date(T0), to: AS_OF }, [digestQuery({ asOf: AS_OF })]);
    const d = buildDigest(snap, { from: new Date(T0), to: AS_OF, first: false }, { asOf: AS_OF, timeZone: 'UTC' });
    expect([d.headline.overdue, d.overdue.total, d.overdue.items.length]).toEqual([120, 120, 50]);
    // Longest overdue first: the first 50 deadlines.
    expect(d.overdue.items.map((o) => o.id)).toEqual(Array.from({ length: 50 }, (_, i) => `item-${String(i).padStart(3, '0')}`));
    expect(d.parties.map((p) => [p.id, p.overdue.total, p.overdue.items.length, p.open.total])).toEqual([['LKA', 120, 10, 0]]);
    const { text, html } = renderDigest(d, { baseUrl: 'https://followup.example.org' });
    expect(text).toContain('… and 70 more: https://followup.example.org/?status=overdue');
    expect(text).toContain('; … and 110 more (https://followup.example.org/?party=LKA&status=overdue)');
    expect(html).toContain('… and 70 more: <a href="https://followup.example.org/?status=overdue"');
    expect(html).toContain('<a href="https://followup.example.org/?party=LKA&amp;status=overdue"');
    // Without a base URL there is nowhere to link: the count alone.
    expect(renderDigest(d).text).toContain('… and 70 more.\n');
  });

  it('when the store holds 200 commitments, then the digest from the indexes equals the digest from a full read of every document', async () => {
    freshStore('digest-view-200');
    const r = rng(2009);
    for (let i = 0; i < 200; i++) await create(i, r);
    const idsNow = await store.allIds();
    for (let k = 0; k < 150; k++) await randomWrite(r.pick(idsNow), r);
    const period = { from: new Date(T0), to: AS_OF, first: false };
    const sources = { redis, keys, meetings: { list: async () => [MEETING] }, parties: { list: async () => PARTIES }, reminderLedger: { failed: async () => [] } };
    for (const party of [null, 'LKA']) {
      const opts = { asOf: AS_OF, timeZone: 'Asia/Jakarta', party };
      const indexed = buildDigest(await readDigestSnapshot(sources, period, [digestQuery(opts)]), period, opts);
      const snap = await readDigestSnapshot(sources, period, [digestQuery(opts)]);
      const full = buildDigest({ meetings: snap.meetings, parties: snap.parties, events: snap.events, failedReminders: snap.failedReminders, commitments: await allDocs() }, period, opts);
      expect(indexed).toEqual(full);
      expect(renderDigest(indexed)).toEqual(renderDigest(full));
      // Long enough to be cut: the counts are whole, the lists are not.
      if (party === null) expect(indexed.headline.total).toBe(200);
      expect(indexed.changes.total).toBeGreaterThan(indexed.changes.items.length);
    }
  });

  it('when commitments were written before the indexes existed, then the first digest read indexes them once, and a stale backfill write changes nothing', async () => {
    freshStore('digest-view-backfill');
    const r = rng(7);
    for (let i = 0; i < 40; i++) await create(i, r);
    for (let k = 0; k < 40; k++) await randomWrite(`item-${String(k).padStart(3, '0')}`, r);
    // The state a deployment had before the digest's indexes: none of their keys.
    const digestKeys = (await redis.keys(`{${prefix}}:idx:*`)).filter((k) => /:idx:(active|lead|leads|target|digest|status:[a-z_]+:party)/.test(k));
    expect(digestKeys.length).toBeGreaterThan(5);
    await redis.del(...digestKeys);
    const result = await ensureDigestIndexes(redis, keys);
    expect(result).toEqual({ indexed: 40 });
    await expectViewsMatchScan();
    expect(await ensureDigestIndexes(redis, keys)).toBeNull();

    // The backfill's write applies only at the version it read: one computed from an older version is refused.
    const c = (await store.get('item-000'))!;
    const [result2] = await withScripts(redis).writeCommitment(4, keys.commitment(c.id), keys.history(c.id), keys.events, keys.withTarget, 'index', c.version - 1, c.version - 1, '', 0, 'zadd', 4, 'stale-member', 0);
    expect(result2).toBe('stale');
    expect(await redis.zscore(keys.withTarget, 'stale-member')).toBeNull();
  });
});
