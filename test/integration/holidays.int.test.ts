/**
 * Public holidays and closed days through the API on real Redis: a send that would fall on
 * Australia Day or Idul Fitri moves to the next working day of that party only, the reminder
 * plan says from where and why (`moved`), and a party's country and closed days (PATCH) move
 * its sends and re-plan its commitments.
 */
import type { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('holidays', {}, '2009-12-01T00:00:00Z');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const reconcileQueue = () => ctx.services.queues[0] as Queue;

/** The due notice and one overdue notice a day later (to the leads), at 09:00 local, weekends quiet. */
const POLICY = { before: [], onDue: true, overdue: { every: 'P1D', max: 1 }, escalateAfter: null, sendAt: '09:00', quietDays: [6, 0] };

interface Send {
  stepKey: string;
  partyId: string;
  at: string;
  moved?: { from: string; because: string };
}
const sendsOf = async (id: string, stepKey: string): Promise<Record<string, Send>> => {
  const res = await api().get(`/v1/commitments/${id}/reminders`).set(admin).expect(200);
  return Object.fromEntries((res.body.items as Send[]).filter((s) => s.stepKey === stepKey).map((s) => [s.partyId, s]));
};
const dueSends = (id: string) => sendsOf(id, 'due');

beforeAll(async () => {
  await ctx.seed();
  // Australia Day 2010 was a Tuesday; Idul Fitri 2010 in Indonesia began on Friday 10 September.
  await api()
    .post('/v1/commitments')
    .set(admin)
    .send({ id: 'due-on-australia-day', meetingId: 'ahg-som-2009', title: 'Due on Australia Day', leads: ['AUS'], members: ['IDN'], due: { date: '2010-01-26', timeZone: 'Australia/Sydney' }, reminderPolicy: POLICY })
    .expect(201);
  await api()
    .post('/v1/commitments')
    .set(admin)
    .send({ id: 'due-on-idul-fitri', meetingId: 'ahg-som-2009', title: 'Due on Idul Fitri', leads: ['IDN'], members: ['AUS'], due: { date: '2010-09-10', timeZone: 'Asia/Jakarta' }, reminderPolicy: POLICY })
    .expect(201);
  for (const [id, lead, date, timeZone] of [
    ['due-before-australia-day', 'AUS', '2010-01-25', 'Australia/Sydney'],
    ['due-before-idul-fitri', 'IDN', '2010-09-09', 'Asia/Jakarta'],
  ] as const) {
    await api().post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: id, leads: [lead], due: { date, timeZone }, reminderPolicy: POLICY }).expect(201);
  }
});
afterAll(() => ctx.cleanup());

describe('the reminder plan with public holidays', () => {
  it('when the due notice falls on Australia Day, then Australia’s goes out the working day before (never after the deadline) and says why; Indonesia’s does not move', async () => {
    const sends = await dueSends('due-on-australia-day');
    // Monday 25 January, 09:00 in Sydney.
    expect(sends.AUS).toMatchObject({ at: '2010-01-24T22:00:00.000Z', moved: { from: '2010-01-26T09:00+11:00', because: expect.stringMatching(/Australia Day \(AU\)/) } });
    expect(sends.IDN!.at).toBe('2010-01-26T02:00:00.000Z');
    expect(sends.IDN!.moved).toBeUndefined();
  });

  it('when an overdue notice falls on Australia Day or Idul Fitri, then it moves to the next working day of that party', async () => {
    const aus = await sendsOf('due-before-australia-day', 'overdue-1');
    expect(aus.AUS).toMatchObject({ at: '2010-01-26T22:00:00.000Z', moved: { from: '2010-01-26T09:00+11:00', because: expect.stringMatching(/Australia Day \(AU\)/) } });
    const idn = await sendsOf('due-before-idul-fitri', 'overdue-1');
    // Friday 10 September is Idul Fitri and the weekend follows: Monday 13 September, 09:00 in Jakarta.
    expect(idn.IDN).toMatchObject({ at: '2010-09-13T02:00:00.000Z', moved: { from: '2010-09-10T09:00+07:00' } });
    expect(idn.IDN!.moved!.because).toMatch(/\(ID\)/);
  });

  it('when the due notice falls on Idul Fitri, then only Indonesia’s moves', async () => {
    const sends = await dueSends('due-on-idul-fitri');
    expect(sends.IDN).toMatchObject({ at: '2010-09-09T02:00:00.000Z', moved: { from: '2010-09-10T09:00+07:00' } });
    expect(sends.IDN!.moved!.because).toMatch(/\(ID\)/);
    expect(sends.AUS).toMatchObject({ at: '2010-09-09T23:00:00.000Z' });
    expect(sends.AUS!.moved).toBeUndefined();
  });
});

describe('PATCH /v1/parties/:id with country and closedDays', () => {
  it('when a party adds a closed day, then its send moves past it too and its commitments are re-planned', async () => {
    await reconcileQueue().drain();
    const res = await api().patch('/v1/parties/AUS').set(admin).send({ closedDays: ['2010-01-25'] }).expect(200);
    expect(res.body.closedDays).toEqual(['2010-01-25']);
    const sends = await dueSends('due-on-australia-day');
    // 26 January is Australia Day, 25 January the party's closed day, then the weekend: Friday 22 January.
    expect(sends.AUS!.at).toBe('2010-01-21T22:00:00.000Z');
    const waiting = (await reconcileQueue().getJobs(['waiting', 'prioritized'])).map((j) => (j.data as { commitmentId?: string }).commitmentId);
    expect(waiting).toEqual(expect.arrayContaining(['due-on-australia-day', 'due-on-idul-fitri']));
  });

  it('when an admin sets another country, then that country’s holidays apply; null goes back to the one the id implies', async () => {
    await api().patch('/v1/parties/AUS').set(admin).send({ country: 'NZ', closedDays: [] }).expect(200);
    let sends = await dueSends('due-on-australia-day');
    expect(sends.AUS!.at).toBe('2010-01-25T22:00:00.000Z');
    expect(sends.AUS!.moved).toBeUndefined();
    const cleared = await api().patch('/v1/parties/AUS').set(admin).send({ country: null }).expect(200);
    expect(cleared.body.country).toBeUndefined();
    sends = await dueSends('due-on-australia-day');
    expect(sends.AUS!.moved!.because).toMatch(/Australia Day \(AU\)/);
  });

  it('when an editor sets its own closed days, then it may; its country stays admin only; a bad date is a 400 naming it', async () => {
    await api().patch('/v1/parties/LKA').set(bearer(TOKENS.lka)).send({ closedDays: ['2010-02-04'] }).expect(200);
    const refused = await api().patch('/v1/parties/LKA').set(bearer(TOKENS.lka)).send({ country: 'LK' }).expect(403);
    expect(refused.body.errors).toEqual([{ path: 'country', message: 'admin only' }]);
    const bad = await api().patch('/v1/parties/LKA').set(admin).send({ closedDays: ['2010-02-30'], country: 'lk' }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['closedDays.0', 'country']);
    expect((await api().get('/v1/parties/LKA').set(admin)).body.closedDays).toEqual(['2010-02-04']);
  });
});
