/** One commitment's life through the API: create, read, patch with If-Match, complete, reopen, cancel, history. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-commitments');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const history = async (id: string) => (await api().get(`/v1/commitments/${id}/history`).set(admin).expect(200)).body.items as Array<{ type: string; who: string; version: number; data?: Record<string, unknown>; changes: Record<string, unknown> }>;

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('POST /v1/commitments', () => {
  it('creates a commitment with a slug from its title, a Location, ETag "1" and a created event by the token name', async () => {
    const res = await api()
      .post('/v1/commitments')
      .set(admin)
      .send({ meetingId: 'ahg-som-2009', title: 'Regional seminar on document fraud', leads: ['THA'], members: ['MYS'], due: { date: '2010-03-31', timeZone: 'Asia/Bangkok' }, target: { units: 3 } })
      .expect(201);
    expect(res.headers.location).toBe('/v1/commitments/regional-seminar-on-document-fraud');
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ id: 'regional-seminar-on-document-fraud', status: 'open', version: 1, target: { units: 3, done: 0 }, dueAt: '2010-03-31T16:59:59.999Z', overdue: false, reminderPolicy: null });
    const events = await history('regional-seminar-on-document-fraud');
    expect(events).toEqual([expect.objectContaining({ type: 'commitment.created', who: 'secretariat', version: 1 })]);
  });

  it('a taken id is a 409 naming id', async () => {
    const res = await api().post('/v1/commitments').set(admin).send({ id: 'workshop-information-campaigns', meetingId: 'ahg-som-2009', title: 'Another workshop' }).expect(409);
    expect(res.body.errors).toEqual([{ path: 'id', message: 'already taken' }]);
  });

  it('an unknown meeting or party is a 400 naming the field', async () => {
    const m = await api().post('/v1/commitments').set(admin).send({ meetingId: 'no-such-meeting', title: 'Something' }).expect(400);
    expect(m.body.errors[0].path).toBe('meetingId');
    const p = await api().post('/v1/commitments').set(admin).send({ meetingId: 'ahg-som-2009', title: 'Something', leads: ['IDN'], members: ['AUS', 'XYZ'] }).expect(400);
    expect(p.body.errors).toEqual([{ path: 'members.1', message: 'unknown party XYZ' }]);
  });
});

describe('GET and PATCH /v1/commitments/:id', () => {
  const id = 'information-paper-protection-registration';

  it('GET returns the commitment with its version as ETag; an unknown id is a 404', async () => {
    const res = await api().get(`/v1/commitments/${id}`).set(bearer(TOKENS.viewer)).expect(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ id, meetingId: 'ahg-som-2009', leads: ['IDN', 'AUS'], members: ['UNHCR'], status: 'open', version: 1 });
    expect(res.body.sourceText).toMatch(/paper/i);
    const missing = await api().get('/v1/commitments/no-such-thing').set(admin).expect(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
  });

  it('PATCH with a current If-Match sets the deadline, bumps version and ETag, and records due_changed', async () => {
    const res = await api().patch(`/v1/commitments/${id}`).set(admin).set('If-Match', '"1"').send({ due: { at: '2009-11-30T09:00:00+07:00' } }).expect(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({ version: 2, due: { at: '2009-11-30T02:00:00.000Z' }, dueVersion: 2 });
    const last = (await history(id)).at(-1)!;
    expect(last).toMatchObject({ type: 'commitment.due_changed', who: 'secretariat', version: 2 });
  });

  it('PATCH with a stale If-Match is a 412 and changes nothing', async () => {
    const res = await api().patch(`/v1/commitments/${id}`).set(admin).set('If-Match', '"1"').send({ title: 'Lost update' }).expect(412);
    expect(res.body.errors[0].path).toBe('If-Match');
    const now = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    expect(now.body.title).not.toBe('Lost update');
    expect(now.body.version).toBe(2);
  });

  it('PATCH accepts a weak ETag and "*", and without If-Match it applies to the current version', async () => {
    await api().patch(`/v1/commitments/${id}`).set(admin).set('If-Match', 'W/"2"').send({ theme: 'registration' }).expect(200);
    await api().patch(`/v1/commitments/${id}`).set(admin).set('If-Match', '*').send({ status: 'in_progress' }).expect(200);
    const res = await api().patch(`/v1/commitments/${id}`).set(admin).send({ leads: ['IDN'], members: ['UNHCR', 'AUS'] }).expect(200);
    expect(res.body).toMatchObject({ version: 5, status: 'in_progress', theme: 'registration', leads: ['IDN'], members: ['UNHCR', 'AUS'] });
  });

  it('an If-Match that is not an ETag is a 400 naming If-Match', async () => {
    const res = await api().patch(`/v1/commitments/${id}`).set(admin).set('If-Match', 'yesterday').send({ theme: 'x' }).expect(400);
    expect(res.body.errors[0].path).toBe('If-Match');
  });

  it('a patch that changes nothing keeps the version and records no event', async () => {
    const before = (await history(id)).length;
    const res = await api().patch(`/v1/commitments/${id}`).set(admin).send({ theme: 'registration' }).expect(200);
    expect(res.body.version).toBe(5);
    expect(await history(id)).toHaveLength(before);
  });
});

describe('completing, reopening and cancelling', () => {
  it('completing a single-unit commitment makes it done with the evidence and who recorded it', async () => {
    const res = await api()
      .post('/v1/commitments/expert-working-group-irregular-movement-by-air/complete')
      .set(bearer(TOKENS.idn))
      .send({ note: 'Working group met in Bangkok', evidenceUrl: 'https://example.org/ewg-air', completedOn: '2009-10-20' })
      .expect(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body.status).toBe('done');
    expect(res.body.evidence).toEqual([expect.objectContaining({ note: 'Working group met in Bangkok', evidenceUrl: 'https://example.org/ewg-air', completedOn: '2009-10-20', units: 1, recordedBy: 'idn-focal' })]);
  });

  it('two expert meetings: 1 of 2 leaves it in progress, 2 of 2 makes it done, each unit with its own evidence', async () => {
    const id = 'expert-meetings-prosecuting-smuggling-syndicates';
    const first = await api().post(`/v1/commitments/${id}/complete`).set(bearer(TOKENS.idn)).send({ note: 'First expert meeting, Jakarta', completedOn: '2009-09-10', units: 1 }).expect(200);
    expect(first.body).toMatchObject({ status: 'in_progress', target: { units: 2, done: 1 } });
    const second = await api().post(`/v1/commitments/${id}/complete`).set(admin).send({ note: 'Second expert meeting, Canberra', evidenceUrl: 'https://example.org/em2', completedOn: '2009-11-20' }).expect(200);
    expect(second.body).toMatchObject({ status: 'done', target: { units: 2, done: 2 } });
    expect(second.body.evidence.map((e: { note: string; completedOn: string; recordedBy: string }) => [e.note, e.completedOn, e.recordedBy])).toEqual([
      ['First expert meeting, Jakarta', '2009-09-10', 'idn-focal'],
      ['Second expert meeting, Canberra', '2009-11-20', 'secretariat'],
    ]);
    expect((await history(id)).map((e) => [e.type, e.who])).toEqual([
      ['commitment.created', 'seed'],
      ['commitment.unit_recorded', 'idn-focal'],
      ['commitment.status_changed', 'idn-focal'],
      ['commitment.unit_recorded', 'secretariat'],
      ['commitment.completed', 'secretariat'],
    ]);
    const third = await api().post(`/v1/commitments/${id}/complete`).set(admin).send({ note: 'A third?', completedOn: '2009-12-01' }).expect(409);
    expect(third.body.errors[0].path).toBe('status');
  });

  it('more units than remain is a 400 naming units', async () => {
    const res = await api().post('/v1/commitments/regional-seminar-on-document-fraud/complete').set(admin).send({ note: 'x', completedOn: '2009-12-01', units: 4 }).expect(400);
    expect(res.body.errors[0].path).toBe('units');
  });

  it('reopening a done commitment makes it open; reopening an open one is a 409', async () => {
    const id = 'expert-working-group-irregular-movement-by-air';
    const res = await api().post(`/v1/commitments/${id}/reopen`).set(admin).send({ reason: 'report withdrawn' }).expect(200);
    expect(res.body.status).toBe('open');
    expect((await history(id)).at(-1)).toMatchObject({ type: 'commitment.reopened', who: 'secretariat', data: { reason: 'report withdrawn' } });
    await api().post(`/v1/commitments/${id}/reopen`).set(admin).expect(409);
  });

  it('cancelling needs a reason, records it, and a cancelled commitment cannot be completed (409) nor reopened without a reason (400)', async () => {
    const id = 'technical-meeting-irregular-maritime-ventures';
    const noReason = await api().post(`/v1/commitments/${id}/cancel`).set(admin).send({}).expect(400);
    expect(noReason.body.errors[0].path).toBe('reason');
    const res = await api().post(`/v1/commitments/${id}/cancel`).set(admin).send({ reason: 'Merged into the regional workshop' }).expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancellation: { reason: 'Merged into the regional workshop', by: 'secretariat' } });
    const complete = await api().post(`/v1/commitments/${id}/complete`).set(admin).send({ note: 'x', completedOn: '2009-12-01' }).expect(409);
    expect(complete.body.type).toMatch(/illegal_transition/);
    // An admin may reinstate it (see api-roles), but only with a reason.
    await api().post(`/v1/commitments/${id}/reopen`).set(admin).expect(400);
    await api().post(`/v1/commitments/${id}/cancel`).set(admin).send({ reason: 'again' }).expect(409);
    expect((await history(id)).map((e) => e.type)).toEqual(['commitment.created', 'commitment.cancelled']);
  });
});

describe('GET /v1/commitments/:id/history', () => {
  it('is the audit trail in order, each event with who (the token name), when, what changed and the version', async () => {
    const res = await api().get('/v1/commitments/information-paper-protection-registration/history').set(bearer(TOKENS.viewer)).expect(200);
    const items = res.body.items as Array<{ type: string; who: string; at: string; version: number; changes: object }>;
    expect(items.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(items.every((e) => e.at === '2009-08-01T00:00:00.000Z')).toBe(true);
    expect(items.map((e) => e.who)).toEqual(['seed', 'secretariat', 'secretariat', 'secretariat', 'secretariat']);
    expect(items[2]).toMatchObject({ type: 'commitment.updated', changes: { theme: { from: 'protection', to: 'registration' } } });
  });

  it('of an unknown commitment is a 404', async () => {
    await api().get('/v1/commitments/nothing-here/history').set(admin).expect(404);
  });
});

describe('rescheduling after a change', () => {
  it('every committed change calls onChange once; a no-op does not; a failing scheduler does not fail the request', async () => {
    const seen: string[] = [];
    let fail = false;
    const app = ctx.withApp({}, {}, {
      scheduler: {
        async commitmentsChanged(ids) {
          seen.push(...ids);
          if (fail) throw new Error('queue down');
        },
        retryReminder: async () => {},
        deliverDigest: async () => {},
      },
    });
    const id = 'sub-group-sri-lankan-caseload';
    await request(app).patch(`/v1/commitments/${id}`).set(admin).send({ due: { date: '2009-10-31', timeZone: 'Asia/Colombo' } }).expect(200);
    await request(app).patch(`/v1/commitments/${id}`).set(admin).send({ due: { date: '2009-10-31', timeZone: 'Asia/Colombo' } }).expect(200);
    await request(app).post(`/v1/commitments/${id}/cancel`).set(admin).send({ reason: 'nope' }).expect(200);
    await request(app).post(`/v1/commitments/${id}/cancel`).set(admin).send({ reason: 'again' }).expect(409);
    expect(seen).toEqual([id, id]);
    fail = true;
    const res = await request(app).post('/v1/commitments').set(admin).send({ id: 'scheduled-anyway', meetingId: 'ahg-som-2009', title: 'Scheduled anyway', leads: ['IDN'] }).expect(201);
    expect(res.body.id).toBe('scheduled-anyway');
    expect(seen).toEqual([id, id, 'scheduled-anyway']);
    expect((await api().get('/v1/commitments/scheduled-anyway').set(admin).expect(200)).body.version).toBe(1);
  });
});
