/**
 * Requests for more time through the API: who may ask, one pending per commitment, approval
 * moving the deadline as an admin PATCH does (a new dueVersion), decline, expiry after
 * EXTENSION_DECISION_DAYS with the leads told, the lists by state and per commitment.
 */
import type { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('extension-requests', { EXTENSION_DECISION_DAYS: '14' }, '2009-12-01T03:00:00Z');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const notices = () => ctx.services.queues.find((q) => q.name === 'notices') as Queue;

async function make(id: string, leads = ['IDN']) {
  await api().post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: `Item ${id}`, leads, members: ['LKA'], due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' } }).expect(201);
}

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('asking', () => {
  it('a lead\'s editor token asks; the co-chairs\' mail is queued; a second request while one is pending is a 409', async () => {
    await make('ext-ask');
    const res = await api().post('/v1/commitments/ext-ask/extension-requests').set(bearer(TOKENS.idn)).send({ newDate: '2010-01-30', reason: 'Venue booked late' }).expect(201);
    expect(res.body).toMatchObject({ state: 'pending', newDate: '2010-01-30', timeZone: 'Asia/Jakarta', requestedBy: 'idn-focal', decideBy: '2009-12-15T03:00:00.000Z', dueVersion: 1 });
    expect(res.headers.location).toBe(`/v1/extension-requests/${res.body.id}`);
    expect(await notices().getJob(`notice-asked-${res.body.id}`)).toBeTruthy();
    expect(await notices().getJob(`notice-expire-${res.body.id}`)).toBeTruthy();
    const again = await api().post('/v1/commitments/ext-ask/extension-requests').set(admin).send({ newDate: '2010-02-28', reason: 'More' }).expect(409);
    expect(again.body.errors[0].path).toBe('commitmentId');
    const history = (await api().get('/v1/commitments/ext-ask/history').set(admin).expect(200)).body.items;
    expect(history.at(-1)).toMatchObject({ type: 'extension.requested', who: 'idn-focal', data: { newDate: '2010-01-30', reason: 'Venue booked late' } });
  });

  it('an editor whose party is only a member may not ask (403); bad input is a 400 naming the field and changes nothing', async () => {
    await make('ext-member');
    await api().post('/v1/commitments/ext-member/extension-requests').set(bearer(TOKENS.lka)).send({ newDate: '2010-01-30', reason: 'x' }).expect(403);
    const bad = await api().post('/v1/commitments/ext-member/extension-requests').set(admin).send({ newDate: '2010-02-30', reason: 'x' }).expect(400);
    expect(bad.body.errors[0].path).toBe('newDate');
    const early = await api().post('/v1/commitments/ext-member/extension-requests').set(admin).send({ newDate: '2009-12-31', reason: 'x' }).expect(400);
    expect(early.body.errors[0].path).toBe('newDate');
    const noReason = await api().post('/v1/commitments/ext-member/extension-requests').set(admin).send({ newDate: '2010-01-31', reason: '  ' }).expect(400);
    expect(noReason.body.errors[0].path).toBe('reason');
    expect((await api().get('/v1/commitments/ext-member/extension-requests').set(admin).expect(200)).body.items).toEqual([]);
  });
});

describe('deciding', () => {
  it('approval moves the deadline through the PATCH use case (new dueVersion) and is listed as approved', async () => {
    await make('ext-approve');
    const { id } = (await api().post('/v1/commitments/ext-approve/extension-requests').set(admin).send({ newDate: '2010-01-30', reason: 'Venue' }).expect(201)).body;
    expect((await api().get('/v1/extension-requests?state=pending').set(admin).expect(200)).body.items.map((r: { id: string }) => r.id)).toContain(id);
    await api().post(`/v1/extension-requests/${id}/approve`).set(bearer(TOKENS.idn)).send({}).expect(403);
    const ok = await api().post(`/v1/extension-requests/${id}/approve`).set(admin).send({ note: 'Fine' }).expect(200);
    expect(ok.body).toMatchObject({ state: 'approved', decidedBy: 'secretariat', decisionNote: 'Fine' });
    const c = (await api().get('/v1/commitments/ext-approve').set(admin).expect(200)).body;
    expect(c).toMatchObject({ due: { date: '2010-01-30', timeZone: 'Asia/Jakarta' }, dueVersion: 2 });
    const types = (await api().get('/v1/commitments/ext-approve/history').set(admin).expect(200)).body.items.map((e: { type: string }) => e.type);
    expect(types.slice(-3)).toEqual(['extension.requested', 'commitment.due_changed', 'extension.approved']);
    expect(await notices().getJob(`notice-approved-${id}`)).toBeTruthy();
    await api().post(`/v1/extension-requests/${id}/decline`).set(admin).send({}).expect(409);
    expect((await api().get('/v1/extension-requests?state=approved').set(admin).expect(200)).body.items.map((r: { id: string }) => r.id)).toContain(id);
  });

  it('decline keeps the deadline; then a new request may be made', async () => {
    await make('ext-decline');
    const { id } = (await api().post('/v1/commitments/ext-decline/extension-requests').set(admin).send({ newDate: '2010-01-30', reason: 'Venue' }).expect(201)).body;
    await api().post(`/v1/extension-requests/${id}/decline`).set(admin).send({ note: 'No' }).expect(200);
    expect((await api().get('/v1/commitments/ext-decline').set(admin).expect(200)).body).toMatchObject({ due: { date: '2009-12-31' }, dueVersion: 1 });
    await api().post('/v1/commitments/ext-decline/extension-requests').set(admin).send({ newDate: '2010-01-15', reason: 'Again' }).expect(201);
    const mine = (await api().get('/v1/commitments/ext-decline/extension-requests').set(admin).expect(200)).body.items.map((r: { state: string }) => r.state);
    expect(mine.sort()).toEqual(['declined', 'pending']);
  });

  it('a request undecided after EXTENSION_DECISION_DAYS expires, is recorded, and the leads\' notice is queued', async () => {
    await make('ext-expire');
    const { id } = (await api().post('/v1/commitments/ext-expire/extension-requests').set(admin).send({ newDate: '2010-01-30', reason: 'Venue' }).expect(201)).body;
    expect(await ctx.services.extensions.expire(id)).toBe(false); // not yet
    ctx.clock.advance(14 * 86_400_000 + 1000);
    expect(await ctx.services.extensions.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await ctx.services.extensions.get(id)).state).toBe('expired');
    expect(await notices().getJob(`notice-expired-${id}`)).toBeTruthy();
    const last = (await api().get('/v1/commitments/ext-expire/history').set(admin).expect(200)).body.items.at(-1);
    expect(last).toMatchObject({ type: 'extension.expired' });
    await api().post(`/v1/extension-requests/${id}/approve`).set(admin).send({}).expect(409);
  });

  it('an unknown request id is a 404; a malformed one a 400 naming it', async () => {
    await api().post('/v1/extension-requests/ext-000000000000/approve').set(admin).send({}).expect(404);
    const bad = await api().post('/v1/extension-requests/nope/approve').set(admin).send({}).expect(400);
    expect(bad.body.errors[0].path).toMatch(/id/);
    const q = await api().get('/v1/extension-requests?state=maybe').set(admin).expect(400);
    expect(q.body.errors[0].path).toMatch(/state/);
  });
});

describe('the status page', () => {
  it('shows a pending request under its commitment, and not once it is decided', async () => {
    await make('ext-status');
    const { id } = (await api().post('/v1/commitments/ext-status/extension-requests').set(admin).send({ newDate: '2010-02-27', reason: 'Venue' }).expect(201)).body;
    const page = await api().get('/?party=IDN').expect(200);
    const article = page.text.slice(page.text.indexOf('id="ext-status"'));
    const shown = article.slice(0, article.indexOf('</article>'));
    expect(shown, shown).toContain('More time requested</span> to 27 Feb 2010, waiting for the co-chairs');
    expect(page.text).not.toContain('Venue');
    await api().post(`/v1/extension-requests/${id}/decline`).set(admin).send({}).expect(200);
    const after = await api().get('/?party=IDN').expect(200);
    const a2 = after.text.slice(after.text.indexOf('id="ext-status"'));
    expect(a2.slice(0, a2.indexOf('</article>'))).not.toContain('More time requested');
  });
});
