/**
 * GET /v1/reminders pages with a cursor over indexes that answer the query:
 * with more than 5,000 ledger rows, an editor's pages (from its parties'
 * indexes; more in reminders-list-parties.int.test.ts) and one commitment's
 * pages are complete (every row once, newest first), whatever the rest of the
 * ledger holds, and the pages of the whole ledger are complete too.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { bearer, createTestContext, TOKENS } from '../support/app.js';
import { allPages, type Row } from '../support/reminder-pages.js';

const ctx = createTestContext('reminders-list');
const ledger = createSendLedger(ctx.redis, ctx.keys, 'reminder');

const LKA_COMMITMENT = 'sub-group-sri-lankan-caseload'; // the only seed commitment the LKA editor may see
const OTHERS = ['expert-meetings-prosecuting-smuggling-syndicates', 'technical-meeting-irregular-maritime-ventures', 'workshop-information-campaigns'];
const T0 = Date.parse('2009-09-01T00:00:00.000Z');

/** What we wrote: send id|recipient → time, per (commitment, state). */
const written = new Map<string, Map<string, number>>();
const remember = (cid: string, state: string, member: string, at: number) => {
  const k = `${cid}/${state}`;
  if (!written.has(k)) written.set(k, new Map());
  written.get(k)!.set(member, at);
};

async function write(cid: string, n: number, state: 'failed' | 'sent', start: number, step: number, sameInstantEvery = 1): Promise<void> {
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const sendId = `${cid}--d1--r${i}--${state}`;
    const recipient = `p${i % 3}@example.org`;
    // Groups of `sameInstantEvery` rows share one instant, so pages break inside ties.
    const at = new Date(start + Math.floor(i / sameInstantEvery) * step);
    const meta = { commitmentId: cid, partyId: 'LKA', step: 'due', dueVersion: 1, plannedAt: at.toISOString() };
    writes.push(state === 'failed' ? ledger.markFailed(sendId, recipient, at, 'mailbox unavailable', 550, meta) : ledger.markSent(sendId, recipient, at, `<${i}@x>`, meta));
    remember(cid, state, `${sendId}|${recipient}`, at.getTime());
  }
  await Promise.all(writes);
}


function expectNewestFirstAndComplete(rows: Row[], expected: Map<string, number>): void {
  const keys = rows.map((r) => `${r.sendId}|${r.recipient}`);
  expect(new Set(keys).size).toBe(keys.length); // no row twice
  expect(new Set(keys)).toEqual(new Set(expected.keys())); // every row, nothing else
  for (let i = 1; i < rows.length; i++) expect(Date.parse(rows[i - 1]!.at)).toBeGreaterThanOrEqual(Date.parse(rows[i]!.at));
}

beforeAll(async () => {
  await ctx.seed();
  // 5,400 failed rows of commitments the LKA editor may not see, newer than all of LKA's …
  for (const [i, cid] of OTHERS.entries()) await write(cid, 1_800, 'failed', T0 + 86_400_000 + i, 1_000, 7);
  // … and LKA's own: 350 failed (in ties of 5) and 260 sent, older than the rest.
  await write(LKA_COMMITMENT, 350, 'failed', T0, 1_000, 5);
  await write(LKA_COMMITMENT, 260, 'sent', T0, 1_000);
}, 60_000);
afterAll(() => ctx.cleanup());

describe('GET /v1/reminders with more than 5,000 ledger rows', () => {
  it('holds more than 5,000 rows', async () => {
    expect((await ctx.redis.zcard(ctx.keys.ledgerFailed('reminder'))) + (await ctx.redis.zcard(ctx.keys.ledgerSent('reminder')))).toBeGreaterThan(5_000);
  });

  it('an editor’s pages hold every delivery of its commitments, once, newest first', async () => {
    const { rows, pages } = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 40 });
    expect(pages).toBe(Math.ceil(350 / 40));
    expect(rows.every((r) => r.commitmentId === LKA_COMMITMENT && r.state === 'failed')).toBe(true);
    expectNewestFirstAndComplete(rows, written.get(`${LKA_COMMITMENT}/failed`)!);
  });

  it('one commitment’s pages are complete, for each state', async () => {
    const failed = await allPages(ctx.app, TOKENS.admin, { state: 'failed', commitment: LKA_COMMITMENT, limit: 33 });
    expectNewestFirstAndComplete(failed.rows, written.get(`${LKA_COMMITMENT}/failed`)!);
    const sent = await allPages(ctx.app, TOKENS.admin, { state: 'sent', commitment: LKA_COMMITMENT, limit: 100 });
    expectNewestFirstAndComplete(sent.rows, written.get(`${LKA_COMMITMENT}/sent`)!);
    const other = await allPages(ctx.app, TOKENS.viewer, { state: 'failed', commitment: OTHERS[1]!, limit: 500 });
    expectNewestFirstAndComplete(other.rows, written.get(`${OTHERS[1]}/failed`)!);
  });

  it('the whole ledger’s pages are complete', async () => {
    const { rows } = await allPages(ctx.app, TOKENS.admin, { state: 'failed', limit: 500 });
    const all = new Map([...OTHERS.map((c) => `${c}/failed`), `${LKA_COMMITMENT}/failed`].flatMap((k) => [...written.get(k)!]));
    expect(all.size).toBe(5_750);
    expectNewestFirstAndComplete(rows, all);
  });

  it('an editor asking for a commitment out of its scope gets an empty last page', async () => {
    const res = await request(ctx.app).get('/v1/reminders').query({ state: 'failed', commitment: OTHERS[0] }).set(bearer(TOKENS.lka)).expect(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('a delivery retried to success leaves the failed pages and joins the sent ones', async () => {
    const [member] = [...written.get(`${LKA_COMMITMENT}/failed`)!.keys()];
    const [sendId, recipient] = member!.split('|') as [string, string];
    await ledger.markSent(sendId, recipient, new Date(T0 + 10 * 86_400_000), '<retried@x>', { commitmentId: LKA_COMMITMENT });
    written.get(`${LKA_COMMITMENT}/failed`)!.delete(member!);
    written.get(`${LKA_COMMITMENT}/sent`)!.set(member!, T0 + 10 * 86_400_000);
    const failed = await allPages(ctx.app, TOKENS.lka, { state: 'failed', limit: 100 });
    expectNewestFirstAndComplete(failed.rows, written.get(`${LKA_COMMITMENT}/failed`)!);
    const sent = await allPages(ctx.app, TOKENS.lka, { state: 'sent', limit: 100 });
    expectNewestFirstAndComplete(sent.rows, written.get(`${LKA_COMMITMENT}/sent`)!);
    expect(sent.rows[0]!.sendId).toBe(sendId); // the newest
  });

  it('rows written before the per-commitment and per-party indexes existed are indexed on first use', async () => {
    await ctx.redis.del(
      ctx.keys.ledgerFailedOf('reminder', LKA_COMMITMENT),
      ctx.keys.ledgerSentOf('reminder', LKA_COMMITMENT),
      ctx.keys.ledgerByCommitmentBuilt('reminder'),
      ctx.keys.ledgerFailedOfParty('reminder', 'LKA'),
      ctx.keys.ledgerSentOfParty('reminder', 'LKA'),
      ctx.keys.ledgerByPartyBuilt('reminder'),
    );
    const fresh = ctx.withApp(); // another process: its ledger has not looked for the marker yet
    const failed = await allPages(fresh, TOKENS.lka, { state: 'failed', limit: 100 });
    expectNewestFirstAndComplete(failed.rows, written.get(`${LKA_COMMITMENT}/failed`)!);
    const sent = await allPages(fresh, TOKENS.admin, { state: 'sent', commitment: LKA_COMMITMENT, limit: 100 });
    expectNewestFirstAndComplete(sent.rows, written.get(`${LKA_COMMITMENT}/sent`)!);
    const editorSent = await allPages(fresh, TOKENS.lka, { state: 'sent', limit: 100 });
    expectNewestFirstAndComplete(editorSent.rows, written.get(`${LKA_COMMITMENT}/sent`)!);
  });

  it('a cursor that no page handed out is a 400 naming cursor', async () => {
    for (const cursor of ['not a cursor', Buffer.from('["x","y"]').toString('base64url'), 'abc']) {
      const res = await request(ctx.app).get('/v1/reminders').query({ state: 'failed', cursor }).set(bearer(TOKENS.admin)).expect(400);
      expect(JSON.stringify(res.body)).toContain('cursor');
    }
  });
});
