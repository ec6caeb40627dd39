/** Completing in one call: `{}` or `{ note }` is enough; completedOn defaults to today in the deadline's zone, by the service clock. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

// 20:00 UTC on 1 August 2009 is already 2 August in Auckland (UTC+12) but still 1 August in UTC.
const ctx = createTestContext('complete-one-call', {}, '2009-08-01T20:00:00Z');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);

async function make(id: string, due: unknown): Promise<void> {
  await api().post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: `Item ${id}`, leads: ['NZL'], due }).expect(201);
}

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('POST /v1/commitments/:id/complete in one call', () => {
  it('{} completes a date-deadline item on today in the deadline zone', async () => {
    await make('one-call-auckland', { date: '2009-12-31', timeZone: 'Pacific/Auckland' });
    const res = await api().post('/v1/commitments/one-call-auckland/complete').set(admin).send({}).expect(200);
    expect(res.body.status).toBe('done');
    expect(res.body.evidence).toEqual([expect.objectContaining({ completedOn: '2009-08-02', note: '', evidenceUrl: null, recordedBy: 'secretariat' })]);
  });

  it('{ note } alone completes an instant-deadline item on today in UTC', async () => {
    await make('one-call-instant', { at: '2009-12-31T10:00:00+12:00' });
    const res = await api().post('/v1/commitments/one-call-instant/complete').set(admin).send({ note: 'Held in Wellington' }).expect(200);
    expect(res.body.evidence).toEqual([expect.objectContaining({ completedOn: '2009-08-01', note: 'Held in Wellington' })]);
  });

  it('no deadline: today in UTC; an empty body is {}', async () => {
    await make('one-call-none', null);
    const res = await api().post('/v1/commitments/one-call-none/complete').set(admin).expect(200);
    expect(res.body.evidence[0].completedOn).toBe('2009-08-01');
  });

  it('a given completedOn is kept, and a bad one is still a 400 naming the field that changes nothing', async () => {
    await make('one-call-given', { date: '2009-12-31', timeZone: 'Pacific/Auckland' });
    const bad = await api().post('/v1/commitments/one-call-given/complete').set(admin).send({ completedOn: '2009-02-30' }).expect(400);
    expect(bad.body.errors[0].path).toBe('completedOn');
    expect((await api().get('/v1/commitments/one-call-given').set(admin).expect(200)).body.status).toBe('open');
    const ok = await api().post('/v1/commitments/one-call-given/complete').set(bearer(TOKENS.admin)).send({ completedOn: '2009-07-30' }).expect(200);
    expect(ok.body.evidence[0].completedOn).toBe('2009-07-30');
  });
});
