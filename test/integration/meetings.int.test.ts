/**
 * Meetings as first-class records and deadlines tied to them, through the API on real Redis:
 * a planned meeting without dates, a commitment whose deadline waits for it ("needs a
 * deadline"), the meeting's date set and moved (every tied deadline moves with a new
 * dueVersion and a reconcile), and a delete refused while deadlines point to it.
 */
import type { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('meetings');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const reconcileQueue = () => ctx.services.queues[0] as Queue;

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

async function waitingReconciles(): Promise<string[]> {
  const jobs = await reconcileQueue().getJobs(['waiting', 'prioritized', 'delayed']);
  return jobs.map((j) => (j.data as { commitmentId?: string }).commitmentId ?? '').filter(Boolean).sort();
}

describe('POST /v1/meetings and PATCH /v1/meetings/:id', () => {
  it('when a planned meeting has no dates yet, then it is created and listed, and GET shows it with null dates', async () => {
    const res = await api().post('/v1/meetings').set(admin).send({ id: 'ahg-som-2010', title: 'Ad Hoc Group Senior Officials Meeting 2010', location: 'Bali, Indonesia' }).expect(201);
    expect(res.headers.location).toBe('/v1/meetings/ahg-som-2010');
    expect(res.body.meeting).toMatchObject({ id: 'ahg-som-2010', status: 'planned', location: 'Bali, Indonesia', startsOn: null, endsOn: null });
    expect(res.body.deadlines).toEqual({ moved: [], failed: [] });
    const one = await api().get('/v1/meetings/ahg-som-2010').set(bearer(TOKENS.viewer)).expect(200);
    expect(one.body).toMatchObject({ status: 'planned', startsOn: null, commitmentIds: [] });
    const list = await api().get('/v1/meetings').set(admin).expect(200);
    expect(list.body.items.map((m: { id: string }) => m.id)).toEqual(['ahg-som-2009', 'ahg-som-2010']);
    expect(list.body.items[0]).toMatchObject({ status: 'held', startsOn: '2009-07-27', location: expect.any(String) });
  });

  it('when a field is wrong, then a 400 names it and nothing is created', async () => {
    const held = await api().post('/v1/meetings').set(admin).send({ id: 'held-without-dates', title: 'Held without dates', status: 'held' }).expect(400);
    expect(held.body.errors.map((e: { path: string }) => e.path)).toEqual(['startsOn']);
    const backwards = await api().post('/v1/meetings').set(admin).send({ id: 'backwards', title: 'Backwards', startsOn: '2010-03-10', endsOn: '2010-03-09', timeZone: 'Asia/Jakarta' }).expect(400);
    expect(backwards.body.errors.map((e: { path: string }) => e.path)).toEqual(['endsOn']);
    const noZone = await api().post('/v1/meetings').set(admin).send({ id: 'no-zone', title: 'No zone', startsOn: '2010-03-10' }).expect(400);
    expect(noZone.body.errors.map((e: { path: string }) => e.path)).toEqual(['timeZone']);
    const typo = await api().post('/v1/meetings').set(admin).send({ title: 'Typo', startOn: '2010-03-10', timeZone: 'Mars/Olympus' }).expect(400);
    expect(typo.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['startOn', 'timeZone']);
    for (const id of ['held-without-dates', 'backwards', 'no-zone']) await api().get(`/v1/meetings/${id}`).set(admin).expect(404);
    await api().post('/v1/meetings').set(admin).send({ id: 'ahg-som-2010', title: 'Taken' }).expect(409);
  });

  it('when an editor or a viewer tries, then it is a 403', async () => {
    await api().post('/v1/meetings').set(bearer(TOKENS.lka)).send({ title: 'Editor meeting' }).expect(403);
    await api().patch('/v1/meetings/ahg-som-2010').set(bearer(TOKENS.viewer)).send({ title: 'Viewer rename' }).expect(403);
    await api().delete('/v1/meetings/ahg-som-2010').set(bearer(TOKENS.lka)).expect(403);
  });
});

describe('a deadline tied to a meeting', () => {
  it('when the meeting has no date, then the commitment needs a deadline; when the date is set, then the deadline resolves in the meeting’s zone and dueVersion goes up', async () => {
    const created = await api()
      .post('/v1/commitments')
      .set(admin)
      .send({ id: 'report-to-next-som', meetingId: 'ahg-som-2009', title: 'Report to the next Senior Officials Meeting', leads: ['IDN'], due: { meetingId: 'ahg-som-2010', offset: '-P30D' } })
      .expect(201);
    expect(created.body).toMatchObject({ due: null, dueAt: null, dueLink: { meetingId: 'ahg-som-2010', offset: '-P30D' }, needsDeadline: true, dueVersion: 1 });
    // The status page and the digest say so, naming the meeting it waits for.
    const page = await api().get('/').expect(200);
    expect(page.text).toMatch(/Needs a deadline: -P30D from meeting ahg-som-2010, not dated yet/);
    const digest = await api().get('/v1/digest/preview?format=json').set(admin).expect(200);
    const waiting = (digest.body.needsDeadline.items as Array<{ id: string; waitsFor?: unknown }>).find((i) => i.id === 'report-to-next-som');
    expect(waiting?.waitsFor).toEqual({ meetingId: 'ahg-som-2010', offset: '-P30D' });

    const patched = await api().patch('/v1/meetings/ahg-som-2010').set(admin).send({ startsOn: '2010-03-15', endsOn: '2010-03-17', timeZone: 'Asia/Makassar' }).expect(200);
    expect(patched.body.meeting).toMatchObject({ startsOn: '2010-03-15', endsOn: '2010-03-17', timeZone: 'Asia/Makassar' });
    expect(patched.body.deadlines).toEqual({ moved: ['report-to-next-som'], failed: [] });

    const after = (await api().get('/v1/commitments/report-to-next-som').set(admin).expect(200)).body;
    // 30 days before 15 March 2010 is 13 February, ending at 23:59:59.999 in Makassar (UTC+8).
    expect(after).toMatchObject({ due: { date: '2010-02-13', timeZone: 'Asia/Makassar' }, dueAt: '2010-02-13T15:59:59.999Z', needsDeadline: false, dueVersion: 2 });
    const history = (await api().get('/v1/commitments/report-to-next-som/history').set(admin).expect(200)).body.items ?? [];
    const moved = (history as Array<{ type: string; changes: Record<string, { to: unknown }> }>).filter((e) => e.type === 'commitment.due_changed');
    expect(moved.at(-1)!.changes.due!.to).toEqual({ date: '2010-02-13', timeZone: 'Asia/Makassar' });

    // A change that does not move the first day or the zone moves nothing.
    const renamed = await api().patch('/v1/meetings/ahg-som-2010').set(admin).send({ title: 'Senior Officials Meeting 2010', endsOn: '2010-03-18' }).expect(200);
    expect(renamed.body.deadlines.moved).toEqual([]);
    expect((await api().get('/v1/commitments/report-to-next-som').set(admin)).body.dueVersion).toBe(2);
  });

  it('when a deadline names an unknown meeting or a bad offset, then a 400 names the field', async () => {
    const unknown = await api().post('/v1/commitments').set(admin).send({ meetingId: 'ahg-som-2009', title: 'Tied to nothing', due: { meetingId: 'no-such-meeting', offset: 'P0D' } }).expect(400);
    expect(unknown.body.errors).toEqual([{ path: 'due.meetingId', message: 'unknown meeting' }]);
    const offset = await api().post('/v1/commitments').set(admin).send({ meetingId: 'ahg-som-2009', title: 'Bad offset', due: { meetingId: 'ahg-som-2010', offset: '30 days' } }).expect(400);
    expect(offset.body.errors.map((e: { path: string }) => e.path)).toContain('due.offset');
  });

  it('when a commitment is patched to a date, then it is no longer tied; patched back, it follows the meeting again', async () => {
    const dated = await api().patch('/v1/commitments/report-to-next-som').set(admin).send({ due: { date: '2010-01-31', timeZone: 'Asia/Jakarta' } }).expect(200);
    expect(dated.body.dueLink).toBeUndefined();
    expect(dated.body.needsDeadline).toBe(false);
    const tied = await api().patch('/v1/commitments/report-to-next-som').set(admin).send({ due: { meetingId: 'ahg-som-2010', offset: 'P0D' } }).expect(200);
    expect(tied.body).toMatchObject({ due: { date: '2010-03-15', timeZone: 'Asia/Makassar' }, dueLink: { meetingId: 'ahg-som-2010', offset: 'P0D' } });
  });

  it('when 50 commitments are tied to a meeting and its date moves, then each gets a new dueVersion and a reconcile', async () => {
    await api().post('/v1/meetings').set(admin).send({ id: 'expert-meeting-2010', title: 'Technical expert meeting', startsOn: '2010-05-03', timeZone: 'Australia/Sydney' }).expect(201);
    const file = {
      meeting: { id: 'ahg-som-2009', title: 'Ad Hoc Group Senior Officials Meeting', startDate: '2009-07-27', endDate: '2009-07-28', source: { title: 'Outcome statement' } },
      commitments: Array.from({ length: 50 }, (_, i) => ({ id: `tied-${String(i).padStart(2, '0')}`, title: `Tied commitment ${i}`, leads: ['AUS'], due: { meetingId: 'expert-meeting-2010', offset: `-P${i}D` } })),
    };
    const imported = await api().post('/v1/meetings/import').set(admin).send(file).expect(201);
    expect(imported.body.commitments.created).toHaveLength(50);
    const ids = file.commitments.map((c) => c.id);
    const before = (await ctx.services.commitmentStore.getMany(ids)).map((c) => [c.dueVersion, c.due]);
    expect(before[7]).toEqual([1, { date: '2010-04-26', timeZone: 'Australia/Sydney' }]);
    await reconcileQueue().drain();
    expect(await waitingReconciles()).toEqual([]);

    const moved = await api().patch('/v1/meetings/expert-meeting-2010').set(admin).send({ startsOn: '2010-06-07' }).expect(200);
    expect(moved.body.deadlines).toEqual({ moved: ids, failed: [] });
    const after = await ctx.services.commitmentStore.getMany(ids);
    expect(after.map((c) => c.dueVersion)).toEqual(ids.map(() => 2));
    expect(after[7]!.due).toEqual({ date: '2010-05-31', timeZone: 'Australia/Sydney' });
    expect(after.every((c, i) => c.dueLink?.offset === `-P${i}D`)).toBe(true);
    expect(await waitingReconciles()).toEqual(ids);
    expect(await ctx.services.commitments.linkedTo('expert-meeting-2010')).toEqual(ids);
  });

  it('when deadlines point to a meeting, then DELETE is a 409 naming them; once none do, the meeting is deleted', async () => {
    const refused = await api().delete('/v1/meetings/ahg-som-2010').set(admin).expect(409);
    expect(refused.body.detail).toContain('report-to-next-som');
    expect(refused.body.errors).toEqual([{ path: 'id', message: 'deadline of report-to-next-som is tied to this meeting' }]);
    await api().get('/v1/meetings/ahg-som-2010').set(admin).expect(200);

    await api().patch('/v1/commitments/report-to-next-som').set(admin).send({ due: null }).expect(200);
    expect(await ctx.services.commitments.linkedTo('ahg-som-2010')).toEqual([]);
    await api().delete('/v1/meetings/ahg-som-2010').set(admin).expect(204);
    await api().get('/v1/meetings/ahg-som-2010').set(admin).expect(404);
    // The meeting the seed's commitments belong to is not deleted either.
    const own = await api().delete('/v1/meetings/ahg-som-2009').set(admin).expect(409);
    expect(own.body.detail).toContain('belong to it');
  });
});
