/** POST /v1/meetings/import: the seed as one case of a generic, validated, idempotent import. */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotPrefix } from '../support/redis.js';
import { TOKENS, bearer, createTestContext, seedFile } from '../support/app.js';

const admin = bearer(TOKENS.admin);
const contexts: ReturnType<typeof createTestContext>[] = [];
const fresh = (name: string) => {
  const ctx = createTestContext(name);
  contexts.push(ctx);
  return ctx;
};
afterAll(async () => {
  for (const ctx of contexts) await ctx.cleanup();
});

type Seed = { meeting: Record<string, unknown>; parties: Array<Record<string, unknown>>; commitments: Array<Record<string, unknown>> };
const seed = () => seedFile() as Seed;
const importFile = (ctx: ReturnType<typeof createTestContext>, body: unknown, token: string = TOKENS.admin) =>
  request(ctx.app).post('/v1/meetings/import').set(bearer(token)).send(body as object);

describe('importing the seed', () => {
  const ctx = fresh('import-seed');

  it('into an empty store creates the meeting, 16 parties and 6 commitments (201), each with one created event', async () => {
    const res = await importFile(ctx, seed()).expect(201);
    expect(res.body).toMatchObject({ meetingId: 'ahg-som-2009', meeting: 'created', parties: { created: 16, existing: 0 }, commitments: { existing: [] } });
    expect(res.body.commitments.created).toHaveLength(6);
    const list = await request(ctx.app).get('/v1/commitments').set(admin).expect(200);
    expect(list.body.items).toHaveLength(6);
    for (const c of list.body.items) {
      const h = await request(ctx.app).get(`/v1/commitments/${c.id}/history`).set(admin);
      expect(h.body.items.map((e: { type: string; who: string }) => [e.type, e.who])).toEqual([['commitment.created', 'secretariat']]);
    }
  });

  it('again is a no-op (200) that reports everything as existing and writes nothing', async () => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const res = await importFile(ctx, seed()).expect(200);
    expect(res.body).toMatchObject({ meeting: 'existing', parties: { created: 0, existing: 16 }, commitments: { created: [] } });
    expect(res.body.commitments.existing).toHaveLength(6);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('again after an admin\'s edits does not overwrite them', async () => {
    await request(ctx.app).patch('/v1/commitments/workshop-information-campaigns').set(admin).send({ title: 'Regional workshop on information campaigns', due: { date: '2010-02-28', timeZone: 'Asia/Jakarta' } }).expect(200);
    await request(ctx.app).patch('/v1/parties/LKA').set(admin).send({ contacts: [{ name: 'Real desk', email: 'desk@example.org' }] }).expect(200);
    await request(ctx.app).post('/v1/commitments/information-paper-protection-registration/cancel').set(admin).send({ reason: 'superseded' }).expect(200);
    await importFile(ctx, seed()).expect(200);
    const w = (await request(ctx.app).get('/v1/commitments/workshop-information-campaigns').set(admin)).body;
    expect(w).toMatchObject({ title: 'Regional workshop on information campaigns', due: { date: '2010-02-28' }, version: 2 });
    expect((await request(ctx.app).get('/v1/parties/LKA').set(admin)).body.contacts).toEqual([{ name: 'Real desk', email: 'desk@example.org' }]);
    expect((await request(ctx.app).get('/v1/commitments/information-paper-protection-registration').set(admin)).body.status).toBe('cancelled');
  });

  it('a later meeting file loads alongside, referring to parties already in the store', async () => {
    const file = {
      meeting: { id: 'ahg-som-2010', title: 'Second Meeting of the Ad Hoc Group Senior Officials', place: 'Canberra', startDate: '2010-03-02', endDate: '2010-03-03', source: { title: 'Outcomes' } },
      commitments: [{ title: 'Follow-up workshop on people smuggling', leads: ['AUS'], members: ['NZL'], due: { date: '2010-12-31', timeZone: 'Australia/Sydney' } }],
    };
    const res = await importFile(ctx, file).expect(201);
    expect(res.body.commitments.created).toEqual(['follow-up-workshop-on-people-smuggling']);
    const meetings = (await request(ctx.app).get('/v1/meetings').set(admin)).body.items.map((m: { id: string }) => m.id);
    expect(meetings).toEqual(['ahg-som-2009', 'ahg-som-2010']);
    expect((await request(ctx.app).get('/v1/commitments?meeting=ahg-som-2010').set(admin)).body.items).toHaveLength(1);
  });
});

describe('two imports of the seed at once', () => {
  it('produce one copy: one meeting, 16 parties, 6 commitments with one created event each', async () => {
    const ctx = fresh('import-race');
    const results = await Promise.all([importFile(ctx, seed()), importFile(ctx, seed()), ctx.seed()]);
    expect(results.slice(0, 2).every((r) => r && [200, 201].includes(r.status))).toBe(true);
    expect((await request(ctx.app).get('/v1/meetings').set(admin)).body.items).toHaveLength(1);
    expect((await request(ctx.app).get('/v1/parties').set(admin)).body.items).toHaveLength(16);
    const list = await request(ctx.app).get('/v1/commitments').set(admin).expect(200);
    expect(list.body.items).toHaveLength(6);
    for (const c of list.body.items) {
      const h = await request(ctx.app).get(`/v1/commitments/${c.id}/history`).set(admin);
      expect(h.body.items.filter((e: { type: string }) => e.type === 'commitment.created')).toHaveLength(1);
    }
    expect(await ctx.redis.xlen(ctx.keys.events)).toBe(6);
  });
});

describe('a bad meeting file', () => {
  const ctx = fresh('import-bad');

  it.each<[string, (f: Seed) => void, string[]]>([
    ['an unknown party among the leads', (f) => ((f.commitments[2]!.leads as string[])[0] = 'XYZ'), ['commitments.2.leads.0']],
    ['an unknown member', (f) => (f.commitments[4]!.members = ['IOM', 'NOPE']), ['commitments.4.members.1']],
    ['a bad start date', (f) => (f.meeting.startDate = '2009-07-32'), ['meeting.startDate']],
    ['a bad deadline date', (f) => (f.commitments[4]!.due = { date: '2009-12-32', timeZone: 'Asia/Jakarta' }), ['commitments.4.due.date']],
    ['a party without a time zone', (f) => delete f.parties[3]!.timeZone, ['parties.3.timeZone']],
    ['an unknown field', (f) => (f.commitments[0]!.owner = 'IDN'), ['commitments.0.owner']],
    ['a duplicate commitment id', (f) => (f.commitments[5]!.id = f.commitments[0]!.id), ['commitments.5.id']],
    ['no commitments array', (f) => delete (f as Partial<Seed>).commitments, ['commitments']],
  ])('with %s gets a 400 pointing at the field and loads nothing', async (_name, spoil, expected) => {
    const f = seed();
    spoil(f);
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const res = await importFile(ctx, f).expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/nothing was loaded/);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expected);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('that is not JSON is a 415, and from a non-admin a 403', async () => {
    await request(ctx.app).post('/v1/meetings/import').set(admin).set('Content-Type', 'text/csv').send('id,title\n').expect(415);
    await importFile(ctx, seed(), TOKENS.idn).expect(403);
    expect((await request(ctx.app).get('/v1/meetings').set(admin)).body.items).toEqual([]);
  });

  it('the import accepts files larger than the general body limit (10mb)', async () => {
    const f = seed();
    f.commitments[0]!.sourceText = 'x'.repeat(4000);
    for (let i = 0; i < 40; i++) f.commitments.push({ ...f.commitments[0], id: `bulk-${i}` });
    expect(JSON.stringify(f).length).toBeGreaterThan(150_000);
    const res = await importFile(ctx, f).expect(201);
    expect(res.body.commitments.created).toHaveLength(46);
  });
});

describe('commitment ids that clash', () => {
  const ctx = fresh('import-clash');
  const later = (commitments: Array<Record<string, unknown>>) => ({
    meeting: { id: 'ahg-som-2010', title: 'Second Meeting', startDate: '2010-03-02', endDate: '2010-03-03', source: { title: 'Outcomes' } },
    commitments,
  });

  it('an id another meeting already uses is a 400 at that entry, not a silent skip, and nothing loads', async () => {
    await ctx.seed();
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const res = await importFile(ctx, later([{ title: 'Fine one', leads: ['AUS'] }, { id: 'workshop-information-campaigns', title: 'Workshop again', leads: ['AUS'] }, { title: 'Information paper: protection & registration' }])).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['commitments.1.id', 'commitments.2.title']);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('two entries whose titles give the same id are a 400 at the second', async () => {
    const res = await importFile(ctx, later([{ title: 'Seminar on fraud' }, { title: 'Seminar on Fraud' }])).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['commitments.1.title']);
  });
});
