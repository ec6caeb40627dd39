/**
 * An editor's GET /v1/reminders reads the per-party ledger indexes: the rows of
 * the commitments each party leads or belongs to now. These tests hold more
 * than 5,000 rows in one editor's scope and show that its pages are complete
 * and in order; that they follow a party added to or removed from a commitment
 * at once (the commitment's write moves its rows in the same script, also while
 * deliveries are being recorded); that rows written before the indexes existed
 * are indexed on first use; and that an editor never sees a row of a commitment
 * outside its parties, even one a damaged index still holds.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { scanPrefix } from '../../src/store/prefix-keys.js';
import { API_TOKENS, bearer, createTestContext, TOKENS } from '../support/app.js';
import { allPages, type Row } from '../support/reminder-pages.js';

const ctx = createTestContext('reminders-parties');
const ledger = createSendLedger(ctx.redis, ctx.keys, 'reminder');
const admin = bearer(TOKENS.admin);

// Seed commitments: IDN leads all six; LKA is a member of the first only.
const LKA_AND_IDN = 'sub-group-sri-lankan-caseload';
const MARITIME = 'technical-meeting-irregular-maritime-ventures'; // IDN, AUS
const SMUGGLING = 'expert-meetings-prosecuting-smuggling-syndicates'; // IDN, AUS, UNODC
const AIR = 'expert-working-group-irregular-movement-by-air'; // IDN, AUS
const ALL = [LKA_AND_IDN, MARITIME, SMUGGLING, AIR, 'workshop-information-campaigns', 'information-paper-protection-registration'];
const T0 = Date.parse('2009-09-01T00:00:00.000Z');

/** What we wrote, by member (send id|recipient): commitment, state and time. */
const written = new Map<string, { cid: string; state: 'failed' | 'sent'; at: number }>();

async function write(cid: string, n: number, state: 'failed' | 'sent', start: number, step: number, sameInstantEvery = 1, tag = 'r'): Promise<void> {
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const sendId = `${cid}--d1--${tag}${i}--${state}`;
    const recipient = `p${i % 3}@example.org`;
    // Groups of `sameInstantEvery` rows share one instant, so pages break inside ties.
    const at = new Date(start + Math.floor(i / sameInstantEvery) * step);
    const meta = { commitmentId: cid, partyId: 'IDN', step: 'due', dueVersion: 1, plannedAt: at.toISOString() };
    writes.push(state === 'failed' ? ledger.markFailed(sendId, recipient, at, 'mailbox unavailable', 550, meta) : ledger.markSent(sendId, recipient, at, `<${i}@x>`, meta));
    written.set(`${sendId}|${recipient}`, { cid, state, at: at.getTime() });
  }
  await Promise.all(writes);
}

const expected = (state: 'failed' | 'sent', cids: readonly string[]) =>
  new Map([...written].filter(([, w]) => w.state === state && cids.includes(w.cid)).map(([m, w]) => [m, w.at] as const));


/** Every row once, nothing else, newest first (ties by member, descending, as Redis orders them). */
function expectNewestFirstAndComplete(rows: Row[], want: Map<string, number>): void {
  const members = rows.map((r) => `${r.sendId}|${r.recipient}`);
  expect(new Set(members).size).toBe(members.length);
  expect(new Set(members)).toEqual(new Set(want.keys()));
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [Date.parse(rows[i - 1]!.at), Date.parse(rows[i]!.at)];
    expect(a).toBeGreaterThanOrEqual(b);
    if (a === b) expect(members[i - 1]! > members[i]!).toBe(true);
  }
}

/** The per-party index keys present, with their contents. */
async function partyIndexes(): Promise<Record<string, string[]>> {
  const found: string[] = [];
  await scanPrefix(ctx.redis, ctx.prefix, (batch) => {
    found.push(...batch.filter((k) => /:ledger:reminder:(failed|sent):p:/.test(k)));
  });
  const out: Record<string, string[]> = {};
  for (const k of found.sort()) out[k] = await ctx.redis.zrange(k, 0, -1, 'WITHSCORES');
  return out;
}

/**
 * The invariant the writes keep: a party's index holds exactly the rows (with their scores) of
 * the commitments whose document names the party now, by state.
 */
async function expectPartyIndexesFollowTheDocuments(): Promise<void> {
  const docs = await ctx.services.commitmentStore.getMany(ALL);
  const parties = [...new Set(docs.flatMap((c) => [...c.leads, ...c.members]))];
  for (const state of ['failed', 'sent'] as const) {
    const own = new Map<string, string[]>();
    for (const c of docs) own.set(c.id, await ctx.redis.zrange(state === 'failed' ? ctx.keys.ledgerFailedOf('reminder', c.id) : ctx.keys.ledgerSentOf('reminder', c.id), 0, -1, 'WITHSCORES'));
    for (const p of [...parties, 'LKA', 'UNHCR']) {
      const want = new Map<string, string>();
      for (const c of docs.filter((d) => d.leads.includes(p) || d.members.includes(p))) {
        const flat = own.get(c.id)!;
        for (let i = 0; i < flat.length; i += 2) want.set(flat[i]!, flat[i + 1]!);
      }
      const flat = await ctx.redis.zrange(state === 'failed' ? ctx.keys.ledgerFailedOfParty('reminder', p) : ctx.keys.ledgerSentOfParty('reminder', p), 0, -1, 'WITHSCORES');
      const got = new Map<string, string>();
      for (let i = 0; i < flat.length; i += 2) got.set(flat[i]!, flat[i + 1]!);
      expect({ party: p, state, rows: got }).toEqual({ party: p, state, rows: want });
    }
  }
}

const patchMembers = (id: string, members: string[]) => request(ctx.app).patch(`/v1/commitments/${id}`).set(admin).send({ members }).expect(200);

beforeAll(async () => {
  await ctx.seed();
  // 5,400 failed rows of three commitments IDN leads and LKA does not belong to, newer than the rest …
  for (const [i, cid] of [MARITIME, SMUGGLING, 'workshop-information-campaigns'].entries()) await write(cid, 1_800, 'failed', T0 + 86_400_000 + i, 1_000, 7);
  // … and 350 failed (in ties of 5) and 260 sent of the one both lead or belong to.
  await write(LKA_AND_IDN, 350, 'failed', T0, 1_000, 5);
  await write(LKA_AND_IDN, 260, 'sent', T0, 1_000);
}, 60_000);
afterAll(() => ctx.cleanup());

describe('an editor’s GET /v1/reminders from the per-party indexes', () => {
  it('with more than 5,000 rows in scope, an editor’s pages are complete and in order across cursors', async () => {
    const idn = expected('failed', ALL);
    expect(idn.size).toBe(5_750);
    const { rows, pages } = await allPages(ctx.app, TOKENS.idn, { state: 'failed', limit: 97 });
    expect(pages).toBe(Math.ceil(5_750 / 97));
    expectNewestFirstAndComplete(rows, idn);
    const sent = await allPages(ctx.app, TOKENS.idn, { state: 'sent', limit: 500 });
    expectNewestFirstAndComplete(sent.rows, expected('sent', ALL));
  });

  it('an editor sees only the rows of its parties’ commitments', async () => {
    const { rows } = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 100 });
    expect(new Set(rows.map((r) => r.commitmentId))).toEqual(new Set([LKA_AND_IDN]));
    expectNewestFirstAndComplete(rows, expected('failed', [LKA_AND_IDN]));
  });

  it('an editor of two parties gets a commitment both name once', async () => {
    const tokens = JSON.parse(API_TOKENS) as object[];
    const both = 'lka-idn-editor-token-0123456789';
    const app = ctx.withApp({ API_TOKENS: JSON.stringify([...tokens, { name: 'both', token: both, role: 'editor', parties: ['LKA', 'IDN'] }]) });
    const { rows } = await allPages(app, both, { state: 'failed', limit: 250 });
    expectNewestFirstAndComplete(rows, expected('failed', ALL));
  });

  it('a party added to a commitment sees its rows at once; removed, it sees them no more', async () => {
    await patchMembers(MARITIME, ['LKA']);
    const added = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 200 });
    expectNewestFirstAndComplete(added.rows, expected('failed', [LKA_AND_IDN, MARITIME]));
    // And through the commitment filter, which checks the document.
    const one = await allPages(ctx.app, TOKENS.lka, { state: 'failed', commitment: MARITIME, limit: 500 });
    expectNewestFirstAndComplete(one.rows, expected('failed', [MARITIME]));

    await patchMembers(MARITIME, []);
    const removed = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 200 });
    expectNewestFirstAndComplete(removed.rows, expected('failed', [LKA_AND_IDN]));
    const none = await request(ctx.app).get('/v1/reminders').query({ state: 'failed', commitment: MARITIME }).set(bearer(TOKENS.lka)).expect(200);
    expect(none.body).toEqual({ items: [], nextCursor: null });
    await expectPartyIndexesFollowTheDocuments();
  });

  it('a lead changed by an admin moves the rows between the parties’ indexes', async () => {
    await request(ctx.app).patch(`/v1/commitments/${SMUGGLING}`).set(admin).send({ leads: ['AUS', 'LKA'] }).expect(200);
    const lka = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 500 });
    expectNewestFirstAndComplete(lka.rows, expected('failed', [LKA_AND_IDN, SMUGGLING]));
    const idn = await allPages(ctx.app, TOKENS.idn, { state: 'failed', limit: 500 });
    expectNewestFirstAndComplete(idn.rows, expected('failed', ALL.filter((c) => c !== SMUGGLING)));

    await request(ctx.app).patch(`/v1/commitments/${SMUGGLING}`).set(admin).send({ leads: ['IDN', 'AUS'] }).expect(200);
    const back = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 500 });
    expectNewestFirstAndComplete(back.rows, expected('failed', [LKA_AND_IDN]));
    await expectPartyIndexesFollowTheDocuments();
  });

  it('deliveries recorded while parties come and go end in the indexes of exactly the parties named at the end', async () => {
    const deliveries = (async () => {
      for (let batch = 0; batch < 6; batch++) await write(AIR, 100, batch % 2 ? 'sent' : 'failed', T0 + 5 * 86_400_000 + batch * 200_000, 1_000, 1, `race${batch}-`);
    })();
    const changes = (async () => {
      for (const members of [['LKA'], ['UNHCR'], ['LKA', 'UNHCR'], [], ['LKA'], ['UNHCR'], ['LKA']]) await patchMembers(AIR, members);
    })();
    await Promise.all([deliveries, changes]);
    await expectPartyIndexesFollowTheDocuments();
    const lka = await allPages(ctx.app, TOKENS.lka, { state: 'sent', limit: 120 });
    expectNewestFirstAndComplete(lka.rows, expected('sent', [LKA_AND_IDN, AIR]));
    await patchMembers(AIR, []);
    const after = await allPages(ctx.app, TOKENS.lka, { state: 'sent', limit: 120 });
    expectNewestFirstAndComplete(after.rows, expected('sent', [LKA_AND_IDN]));
  });

  it('a delivery retried to success moves from the failed to the sent index of each of its parties', async () => {
    const [member] = [...expected('failed', [LKA_AND_IDN]).keys()];
    const [sendId, recipient] = member!.split('|') as [string, string];
    const at = T0 + 10 * 86_400_000;
    await ledger.markSent(sendId, recipient, new Date(at), '<retried@x>', { commitmentId: LKA_AND_IDN });
    written.set(member!, { cid: LKA_AND_IDN, state: 'sent', at });
    for (const token of [TOKENS.lka, TOKENS.idn]) {
      const failed = await allPages(ctx.app, token, { state: 'failed', limit: 500 });
      expect(failed.rows.some((r) => r.sendId === sendId && r.recipient === recipient)).toBe(false);
      const sent = await allPages(ctx.app, token, { state: 'sent', limit: 500 });
      expect(sent.rows[0]).toMatchObject({ sendId, recipient, state: 'sent' });
    }
    await expectPartyIndexesFollowTheDocuments();
  });

  it('a row a damaged index still holds for a commitment outside the editor’s parties is not shown, and the page is filled in its place', async () => {
    const [foreign] = [...expected('failed', [MARITIME]).entries()];
    const key = ctx.keys.ledgerFailedOfParty('reminder', 'LKA');
    // Newer than every LKA row, so it would lead the first page.
    await ctx.redis.zadd(key, T0 + 30 * 86_400_000, foreign![0]);
    try {
      const first = await request(ctx.app).get('/v1/reminders').query({ state: 'failed', limit: 10 }).set(bearer(TOKENS.lka)).expect(200);
      expect(first.body.items).toHaveLength(10);
      const { rows } = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 10 });
      expect(rows.every((r) => r.commitmentId === LKA_AND_IDN)).toBe(true);
      expectNewestFirstAndComplete(rows, expected('failed', [LKA_AND_IDN]));
    } finally {
      await ctx.redis.zrem(key, foreign![0]);
    }
  });

  it('rows written before the per-party indexes existed are indexed on first use, as the writes would have', async () => {
    const before = await partyIndexes();
    expect(Object.keys(before).length).toBeGreaterThan(4);
    await ctx.redis.del(...Object.keys(before), ctx.keys.ledgerByPartyBuilt('reminder'));
    const fresh = ctx.withApp(); // another process: its ledger has not looked for the marker yet
    const { rows } = await allPages(fresh, TOKENS.lka, { state: 'failed', limit: 100 });
    expectNewestFirstAndComplete(rows, expected('failed', [LKA_AND_IDN]));
    expect(await ctx.redis.exists(ctx.keys.ledgerByPartyBuilt('reminder'))).toBe(1);
    expect(await partyIndexes()).toEqual(before);
    const idn = await allPages(fresh, TOKENS.idn, { state: 'sent', limit: 500 });
    expectNewestFirstAndComplete(idn.rows, expected('sent', ALL));
  });

  it('rows older than the per-commitment indexes too are indexed on first use', async () => {
    const before = await partyIndexes();
    const own = ALL.flatMap((c) => [ctx.keys.ledgerFailedOf('reminder', c), ctx.keys.ledgerSentOf('reminder', c)]);
    await ctx.redis.del(...Object.keys(before), ...own, ctx.keys.ledgerByPartyBuilt('reminder'), ctx.keys.ledgerByCommitmentBuilt('reminder'));
    const fresh = ctx.withApp();
    const { rows } = await allPages(fresh, TOKENS.idn, { state: 'failed', limit: 500 });
    expectNewestFirstAndComplete(rows, expected('failed', ALL));
    expect(await partyIndexes()).toEqual(before);
  });
});
