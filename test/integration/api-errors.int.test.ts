/**
 * Every error class as application/problem+json, bad input changing nothing,
 * concurrent completions recording one transition, and 503 (never 500) when Redis is gone.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { snapshotPrefix } from '../support/redis.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-errors');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const paths = (res: request.Response) => res.body.errors.map((e: { path: string }) => e.path);

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('400 names the offending field', () => {
  it.each([
    ['a date that does not exist', { meetingId: 'ahg-som-2009', title: 'Seminar', due: { date: '2009-02-30', timeZone: 'Asia/Jakarta' } }, 'due.date'],
    ['an unknown time zone', { meetingId: 'ahg-som-2009', title: 'Seminar', due: { date: '2009-12-30', timeZone: 'Asia/Atlantis' } }, 'due.timeZone'],
    ['an instant without offset', { meetingId: 'ahg-som-2009', title: 'Seminar', due: { at: '2009-12-30 10:00' } }, 'due.at'],
    ['a too-short title', { meetingId: 'ahg-som-2009', title: 'x' }, 'title'],
    ['a lower-case party id', { meetingId: 'ahg-som-2009', title: 'Seminar', leads: ['idn'] }, 'leads.0'],
    ['a target of one', { meetingId: 'ahg-som-2009', title: 'Seminar', target: { units: 1 } }, 'target.units'],
    ['a bad reminder step', { meetingId: 'ahg-som-2009', title: 'Seminar', reminderPolicy: { before: ['7 days'], onDue: true, overdue: { every: 'P7D', max: 1 }, escalateAfter: null, sendAt: null, quietDays: [] } }, 'reminderPolicy.before.0'],
    ['a status (mass assignment)', { meetingId: 'ahg-som-2009', title: 'Seminar', status: 'done' }, 'status'],
    ['a version (mass assignment)', { meetingId: 'ahg-som-2009', title: 'Seminar', version: 42 }, 'version'],
  ])('POST with %s → 400 at %s, as problem+json', async (_name, body, path) => {
    const res = await api().post('/v1/commitments').set(admin).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.stringContaining('validation'), title: 'Bad Request', status: 400, detail: expect.any(String) });
    expect(paths(res)).toContain(path);
  });

  it('PATCH with unknown fields names each one, and nothing is assigned', async () => {
    const res = await api().patch('/v1/commitments/workshop-information-campaigns').set(admin).send({ title: 'Fine', version: 99, evidence: [], createdAt: 'x' }).expect(400);
    expect(paths(res).sort()).toEqual(['createdAt', 'evidence', 'version']);
    expect((await api().get('/v1/commitments/workshop-information-campaigns').set(admin)).body.title).toBe('Workshop on information campaigns');
  });

  it('complete with a bad date and a non-http URL names both', async () => {
    const res = await api().post('/v1/commitments/workshop-information-campaigns/complete').set(admin).send({ note: 'x', completedOn: '31/12/2009', evidenceUrl: 'ftp://example.org/x' }).expect(400);
    expect(paths(res).sort()).toEqual(['completedOn', 'evidenceUrl']);
  });

  it('a body that is not JSON at all is a 400 at (body)', async () => {
    const res = await api().post('/v1/commitments').set(admin).set('Content-Type', 'application/json').send('{"title": ').expect(400);
    expect(paths(res)).toEqual(['(body)']);
  });

  it('a missing body is a 400, not a crash', async () => {
    await api().post('/v1/commitments/workshop-information-campaigns/cancel').set(admin).expect(400);
  });
});

describe('the other error classes', () => {
  it('404 for an unknown commitment, party, meeting or route, as problem+json', async () => {
    for (const path of ['/v1/commitments/no-such-id', '/v1/parties/XYZ', '/v1/meetings/no-such-meeting', '/v1/nothing']) {
      const res = await api().get(path).set(admin).expect(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    await api().post('/v1/commitments/no-such-id/complete').set(admin).send({ note: 'x', completedOn: '2009-09-01' }).expect(404);
  });

  it('409 for an illegal transition, naming status', async () => {
    const res = await api().post('/v1/commitments/workshop-information-campaigns/reopen').set(admin).expect(409);
    expect(res.body).toMatchObject({ status: 409, title: 'Conflict', errors: [{ path: 'status' }] });
  });

  it('412 for a stale If-Match', async () => {
    const res = await api().post('/v1/commitments/workshop-information-campaigns/cancel').set(admin).set('If-Match', '"7"').send({ reason: 'x' }).expect(412);
    expect(res.body).toMatchObject({ status: 412, title: 'Precondition Failed' });
  });

  it('413 for a body over BODY_LIMIT (100kb)', async () => {
    const res = await api().post('/v1/commitments/workshop-information-campaigns/complete').set(admin).send({ note: 'x'.repeat(150_000), completedOn: '2009-09-01' }).expect(413);
    expect(res.body).toMatchObject({ status: 413, errors: [{ path: '(body)' }] });
  });

  it('415 for a body that is not JSON', async () => {
    const res = await api().post('/v1/commitments').set(admin).set('Content-Type', 'text/plain').send('title=Seminar').expect(415);
    expect(res.body).toMatchObject({ status: 415, errors: [{ path: 'Content-Type' }] });
    await api().post('/v1/commitments').set(admin).type('form').send({ title: 'Seminar' }).expect(415);
    const charset = await api().post('/v1/commitments').set(admin).set('Content-Type', 'application/json; charset=latin9').send('{}').expect(415);
    expect(charset.headers['content-type']).toMatch(/problem\+json/);
    await api().post('/v1/commitments').set(admin).set('Content-Type', 'application/json').set('Content-Encoding', 'rot13').send('{}').expect(415);
  });
});

describe('security headers', () => {
  it('helmet headers are on every response, errors included, and X-Powered-By is not', async () => {
    for (const res of [await api().get('/healthz'), await api().get('/v1/commitments').set(admin), await api().get('/v1/commitments')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('an error response never carries a stack trace', async () => {
    const res = await api().post('/v1/commitments').set(admin).set('Content-Type', 'application/json').send('{bad').expect(400);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('bad input changes nothing', () => {
  it('a run of rejected requests (400, 401, 403, 404, 409, 412, 413, 415) leaves every key of the store as it was', async () => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    expect(Object.keys(before).length).toBeGreaterThan(20);
    const w = 'workshop-information-campaigns';
    await api().patch(`/v1/commitments/${w}`).set(admin).send({ title: 'New title', due: { date: '2009-13-01', timeZone: 'Asia/Jakarta' } }).expect(400);
    await api().patch(`/v1/commitments/${w}`).set(admin).send({ title: 'New title', leads: ['IDN', 'XYZ'] }).expect(400);
    await api().post('/v1/commitments').set(admin).send({ meetingId: 'ahg-som-2009', title: 'New', leads: ['NOPE'] }).expect(400);
    await api().patch(`/v1/commitments/${w}`).send({ title: 'New title' }).expect(401);
    await api().patch(`/v1/commitments/${w}`).set(bearer(TOKENS.viewer)).send({ title: 'New title' }).expect(403);
    await api().patch(`/v1/commitments/${w}`).set(bearer(TOKENS.lka)).send({ title: 'New title' }).expect(404);
    await api().patch('/v1/commitments/no-such-id').set(admin).send({ title: 'New title' }).expect(404);
    await api().post(`/v1/commitments/${w}/reopen`).set(admin).expect(409);
    await api().patch(`/v1/commitments/${w}`).set(admin).set('If-Match', '"9"').send({ title: 'New title' }).expect(412);
    await api().patch(`/v1/commitments/${w}`).set(admin).send({ title: 'New title', sourceText: 'y'.repeat(120_000) }).expect(413);
    await api().patch(`/v1/commitments/${w}`).set(admin).set('Content-Type', 'text/plain').send('New title').expect(415);
    await api().post('/v1/parties').set(admin).send({ id: 'FJI', name: 'Fiji', kind: 'state', timeZone: 'Oceania/Fiji' }).expect(400);
    await api().patch(`/v1/commitments/${w}`).set(admin).send({ target: { units: 2 }, status: 'done' }).expect(400);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });
});

describe('concurrent writers', () => {
  it('two simultaneous completions of the same commitment record exactly one transition: one 200, one 409', async () => {
    for (let i = 0; i < 5; i++) {
      const id = `race-${i}`;
      await api().post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: `Race ${i}`, leads: ['IDN'] }).expect(201);
      const results = await Promise.all([
        api().post(`/v1/commitments/${id}/complete`).set(admin).send({ note: 'A', completedOn: '2009-09-01' }),
        api().post(`/v1/commitments/${id}/complete`).set(bearer(TOKENS.idn)).send({ note: 'B', completedOn: '2009-09-02' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const history = (await api().get(`/v1/commitments/${id}/history`).set(admin)).body.items as Array<{ type: string }>;
      expect(history.filter((e) => e.type === 'commitment.completed')).toHaveLength(1);
      const doc = (await api().get(`/v1/commitments/${id}`).set(admin)).body;
      expect(doc).toMatchObject({ status: 'done', version: 2 });
      expect(doc.evidence).toHaveLength(1);
    }
  });

  it('two simultaneous units on a 2-unit target are both kept (no lost update) and it completes once', async () => {
    const id = 'race-units';
    await api().post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: 'Two meetings', leads: ['IDN'], target: { units: 2 } }).expect(201);
    const results = await Promise.all(['one', 'two'].map((note) => api().post(`/v1/commitments/${id}/complete`).set(admin).send({ note, completedOn: '2009-09-01' })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const doc = (await api().get(`/v1/commitments/${id}`).set(admin)).body;
    expect(doc).toMatchObject({ status: 'done', target: { units: 2, done: 2 }, version: 3 });
    expect(doc.evidence.map((e: { note: string }) => e.note).sort()).toEqual(['one', 'two']);
    const types = ((await api().get(`/v1/commitments/${id}/history`).set(admin)).body.items as Array<{ type: string }>).map((e) => e.type);
    expect(types.filter((t) => t === 'commitment.completed')).toHaveLength(1);
    expect(types.filter((t) => t === 'commitment.unit_recorded')).toHaveLength(2);
  });
});

describe('when Redis is unreachable', () => {
  it('the API answers 503 problems with Retry-After, and /readyz says so, never a 500', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'api');
    const app = ctx.withApp({}, { redis: dead });
    try {
      const ready = await request(app).get('/readyz').expect(503);
      expect(ready.headers['content-type']).toMatch(/problem\+json/);
      await request(app).get('/healthz').expect(200);
      const list = await request(app).get('/v1/commitments').set(admin).expect(503);
      expect(list.headers['retry-after']).toBe('5');
      expect(list.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
      await request(app).post('/v1/commitments/workshop-information-campaigns/complete').set(admin).send({ note: 'x', completedOn: '2009-09-01' }).expect(503);
    } finally {
      dead.disconnect();
    }
  });
});
