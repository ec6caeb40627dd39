/** Authentication (401) and authorisation (403): roles, editor party scope, no broken object-level access. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotPrefix } from '../support/redis.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-auth');
const api = () => request(ctx.app);
const lka = bearer(TOKENS.lka); // editor scoped to LKA: a member of the Sri Lankan sub-group only
const viewer = bearer(TOKENS.viewer);
const evidence = { note: 'Done', completedOn: '2009-09-01' };

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('401: no or a wrong token', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', bearer('not-a-token-at-all-0000')],
    ['a token one character off', bearer(`${TOKENS.admin.slice(0, -1)}X`)],
    ['Basic instead of Bearer', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
  ])('%s gets a 401 problem with WWW-Authenticate: Bearer', async (_name, headers) => {
    const res = await api().get('/v1/commitments').set(headers).expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('every /v1 route needs a token, writes included', async () => {
    await api().post('/v1/commitments/workshop-information-campaigns/complete').send(evidence).expect(401);
    await api().get('/v1/parties').expect(401);
    await api().get('/v1/status').expect(401);
    await api().post('/v1/meetings/import').send({}).expect(401);
  });
});

describe('403: a viewer only reads', () => {
  it('may list, read and see history', async () => {
    await api().get('/v1/commitments').set(viewer).expect(200);
    await api().get('/v1/commitments/workshop-information-campaigns').set(viewer).expect(200);
    await api().get('/v1/commitments/workshop-information-campaigns/history').set(viewer).expect(200);
  });

  it.each([
    ['POST', '/v1/commitments', { meetingId: 'ahg-som-2009', title: 'By a viewer' }],
    ['PATCH', '/v1/commitments/workshop-information-campaigns', { title: 'By a viewer' }],
    ['POST', '/v1/commitments/workshop-information-campaigns/complete', evidence],
    ['POST', '/v1/commitments/workshop-information-campaigns/cancel', { reason: 'viewer' }],
    ['POST', '/v1/commitments/workshop-information-campaigns/reopen', {}],
    ['POST', '/v1/parties', { id: 'FJI', name: 'Fiji', kind: 'state', timeZone: 'Pacific/Fiji' }],
    ['PATCH', '/v1/parties/LKA', { timeZone: 'Asia/Colombo' }],
    ['POST', '/v1/meetings/import', {}],
  ])('may not %s %s', async (method, path, body) => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const res = await api()[method === 'POST' ? 'post' : 'patch'](path).set(viewer).send(body).expect(403);
    expect(res.body.status).toBe(403);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });
});

describe('403 and 404: an editor acts only for its parties, and sees no other', () => {
  it('its list shows only commitments its parties lead or belong to', async () => {
    const res = await api().get('/v1/commitments').set(lka).expect(200);
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual(['sub-group-sri-lankan-caseload']);
    const idn = await api().get('/v1/commitments').set(bearer(TOKENS.idn)).expect(200);
    expect(idn.body.items).toHaveLength(6);
  });

  it('a party filter narrows within its scope and never widens it', async () => {
    const withIdn = await api().get('/v1/commitments?party=IDN').set(lka).expect(200);
    expect(withIdn.body.items.map((c: { id: string }) => c.id)).toEqual(['sub-group-sri-lankan-caseload']);
    const unodc = await api().get('/v1/commitments?party=UNODC').set(lka).expect(200);
    expect(unodc.body.items).toEqual([]);
  });

  it('may not read, see the history or reminders of, patch or complete another party\'s commitment, nor learn that it exists, and nothing changes', async () => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const id = 'workshop-information-campaigns';
    // Each answer is the 404 an unknown id gets, word for word but the id: nothing tells the two apart.
    const sameAsUnknown = async (method: 'get' | 'patch' | 'post', path: string, body?: object, headers: Record<string, string> = {}) => {
      const theirs = await api()[method](path).set(lka).set(headers).send(body).expect(404);
      const none = await api()[method](path.replace(id, 'no-such-commitment')).set(lka).set(headers).send(body).expect(404);
      expect(theirs.body).toEqual({ ...none.body, detail: none.body.detail.replace('no-such-commitment', id) });
    };
    await sameAsUnknown('get', `/v1/commitments/${id}`);
    await sameAsUnknown('get', `/v1/commitments/${id}/history`);
    await sameAsUnknown('get', `/v1/commitments/${id}/reminders`);
    await sameAsUnknown('patch', `/v1/commitments/${id}`, { title: 'Hijacked' });
    // A stale If-Match would get 412 on a commitment the editor may see; here it is still 404.
    await sameAsUnknown('patch', `/v1/commitments/${id}`, { title: 'Hijacked' }, { 'If-Match': '"999"' });
    await sameAsUnknown('post', `/v1/commitments/${id}/complete`, evidence);
    await sameAsUnknown('post', `/v1/commitments/${id}/cancel`, { reason: 'not mine' });
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('may not create commitments or import meetings (admin only)', async () => {
    await api().post('/v1/commitments').set(lka).send({ meetingId: 'ahg-som-2009', title: 'By an editor', leads: ['LKA'] }).expect(403);
    await api().post('/v1/meetings/import').set(lka).send({}).expect(403);
  });

  it('may not patch its own party out of a commitment (the result must stay in scope)', async () => {
    await api().patch('/v1/commitments/sub-group-sri-lankan-caseload').set(lka).send({ members: ['UNHCR', 'IOM'] }).expect(403);
    const res = await api().get('/v1/commitments/sub-group-sri-lankan-caseload').set(lka).expect(200);
    expect(res.body.members).toContain('LKA');
  });

  it('may read but not patch or complete a commitment its party is only a member of (the full matrix is in api-roles)', async () => {
    const id = 'sub-group-sri-lankan-caseload';
    await api().patch(`/v1/commitments/${id}`).set(lka).send({ status: 'in_progress' }).expect(403);
    await api().post(`/v1/commitments/${id}/complete`).set(lka).send({ note: 'Sub-group met in Colombo', completedOn: '2009-10-05' }).expect(403);
    const history = await api().get(`/v1/commitments/${id}/history`).set(lka).expect(200);
    expect(history.body.items.map((e: { who: string }) => e.who)).toEqual(['seed']);
  });

  it('a meeting shows it only the ids of its parties\' commitments', async () => {
    const res = await api().get('/v1/meetings/ahg-som-2009').set(lka).expect(200);
    expect(res.body.commitmentIds).toEqual(['sub-group-sri-lankan-caseload']);
  });

  it('its status summary counts only its parties\' commitments', async () => {
    const res = await api().get('/v1/status').set(lka).expect(200);
    expect(res.body.total).toBe(1);
    expect(Object.keys(res.body.byParty)).toEqual(['LKA']);
    expect(res.body.byParty.LKA).toMatchObject({ done: 0, open: 1 });
  });
});
