/** /v1/parties, /v1/meetings, /v1/status, /healthz and /readyz. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-parties');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('GET /v1/parties', () => {
  it('lists the 16 seeded parties with kind, time zone, contacts and roles', async () => {
    const res = await api().get('/v1/parties').set(bearer(TOKENS.viewer)).expect(200);
    expect(res.body.items).toHaveLength(16);
    const aus = res.body.items.find((p: { id: string }) => p.id === 'AUS');
    expect(aus).toMatchObject({ name: 'Australia', kind: 'state', timeZone: 'Australia/Sydney', roles: ['co-chair'], contacts: [{ email: 'focal-point.aus@example.org' }] });
    expect(res.body.items.find((p: { id: string }) => p.id === 'ASEAN').kind).toBe('observer');
  });

  it('GET /v1/parties/:id returns one party; a malformed id is a 400 naming it', async () => {
    expect((await api().get('/v1/parties/NZL').set(admin).expect(200)).body.timeZone).toBe('Pacific/Auckland');
    const bad = await api().get('/v1/parties/nzl').set(admin).expect(400);
    expect(bad.body.errors[0].path).toBe('params.id');
  });
});

describe('POST /v1/parties', () => {
  it('an admin adds a party (201 with Location); the same id again is a 409', async () => {
    const fiji = { id: 'FJI', name: 'Fiji', kind: 'state', timeZone: 'Pacific/Fiji', contacts: [{ name: 'Fiji focal point', email: 'focal-point.fji@example.org' }] };
    const res = await api().post('/v1/parties').set(admin).send(fiji).expect(201);
    expect(res.headers.location).toBe('/v1/parties/FJI');
    expect(res.body).toEqual({ ...fiji, roles: [] });
    const again = await api().post('/v1/parties').set(admin).send(fiji).expect(409);
    expect(again.body.errors[0].path).toBe('id');
    expect((await api().get('/v1/parties').set(admin)).body.items).toHaveLength(17);
  });

  it('a bad party names its fields', async () => {
    const res = await api().post('/v1/parties').set(admin).send({ id: 'PNG', name: 'Papua New Guinea', kind: 'country', timeZone: 'Pacific/Port_Moresby', contacts: [{ name: 'x', email: 'not-mail' }], admin: true }).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['admin', 'contacts.0.email', 'kind']);
  });

  it('an editor may not add parties', async () => {
    await api().post('/v1/parties').set(bearer(TOKENS.lka)).send({ id: 'PNG', name: 'Papua New Guinea', kind: 'state', timeZone: 'Pacific/Port_Moresby' }).expect(403);
  });
});

describe('PATCH /v1/parties/:id', () => {
  it('when two patches of different fields arrive at once, then both survive (no lost update)', async () => {
    for (const [i, id] of ['MYS', 'MDV', 'MMR', 'PAK', 'BGD'].entries()) {
      const [a, b] = await Promise.all([
        api().patch(`/v1/parties/${id}`).set(admin).send({ name: `Renamed ${i}` }),
        api().patch(`/v1/parties/${id}`).set(admin).send({ contacts: [{ name: 'New focal point', email: `new-${i}@example.org` }] }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const now = (await api().get(`/v1/parties/${id}`).set(admin).expect(200)).body;
      expect(now.name, id).toBe(`Renamed ${i}`);
      expect(now.contacts, id).toEqual([{ name: 'New focal point', email: `new-${i}@example.org` }]);
    }
  });

  it('an admin changes one field and the others (contacts, roles) are kept', async () => {
    const res = await api().patch('/v1/parties/IDN').set(admin).send({ name: 'Republic of Indonesia' }).expect(200);
    expect(res.body).toMatchObject({ id: 'IDN', name: 'Republic of Indonesia', roles: ['co-chair'], contacts: [{ email: 'focal-point.idn@example.org' }] });
    expect((await api().get('/v1/parties/IDN').set(admin)).body.name).toBe('Republic of Indonesia');
  });

  it('an editor updates its own party\'s contacts and time zone', async () => {
    const contacts = [{ name: 'Sri Lanka desk', email: 'desk.lka@example.org' }];
    const res = await api().patch('/v1/parties/LKA').set(bearer(TOKENS.lka)).send({ contacts, timeZone: 'Asia/Colombo' }).expect(200);
    expect(res.body).toMatchObject({ id: 'LKA', name: 'Sri Lanka', contacts, timeZone: 'Asia/Colombo' });
  });

  it('an editor may not change its own party\'s roles or name, nor another party (403), and nothing changes', async () => {
    const roles = await api().patch('/v1/parties/LKA').set(bearer(TOKENS.lka)).send({ roles: ['co-chair'] }).expect(403);
    expect(roles.body.errors).toEqual([{ path: 'roles', message: 'admin only' }]);
    await api().patch('/v1/parties/IDN').set(bearer(TOKENS.lka)).send({ timeZone: 'Asia/Colombo' }).expect(403);
    expect((await api().get('/v1/parties/LKA').set(admin)).body.roles).toEqual([]);
    expect((await api().get('/v1/parties/IDN').set(admin)).body.timeZone).toBe('Asia/Jakarta');
  });

  it('an id cannot be patched, an empty patch is a 400, an unknown party a 404', async () => {
    expect((await api().patch('/v1/parties/THA').set(admin).send({ id: 'XXX' }).expect(400)).body.errors[0].path).toBe('id');
    await api().patch('/v1/parties/THA').set(admin).send({}).expect(400);
    await api().patch('/v1/parties/XYZ').set(admin).send({ name: 'Nowhere' }).expect(404);
  });
});

describe('GET /v1/meetings', () => {
  it('lists the 2009 meeting with its July dates and the note on the June/July discrepancy', async () => {
    const res = await api().get('/v1/meetings').set(bearer(TOKENS.viewer)).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ id: 'ahg-som-2009', place: 'Bali, Indonesia', startDate: '2009-07-27', endDate: '2009-07-29' });
    expect(res.body.items[0].notes.join(' ')).toMatch(/June.*July/);
  });

  it('GET /v1/meetings/:id adds the ids of its commitments; an unknown meeting is a 404', async () => {
    const res = await api().get('/v1/meetings/ahg-som-2009').set(admin).expect(200);
    expect(res.body.commitmentIds).toEqual([
      'expert-meetings-prosecuting-smuggling-syndicates',
      'expert-working-group-irregular-movement-by-air',
      'information-paper-protection-registration',
      'sub-group-sri-lankan-caseload',
      'technical-meeting-irregular-maritime-ventures',
      'workshop-information-campaigns',
    ]);
    await api().get('/v1/meetings/ahg-som-2010').set(admin).expect(404);
  });
});

describe('GET /v1/status', () => {
  it('counts by status and by party, and overdue follows the clock', async () => {
    const res = await api().get('/v1/status').set(bearer(TOKENS.viewer)).expect(200);
    expect(res.body).toMatchObject({ asOf: '2009-08-01T00:00:00.000Z', total: 6, byStatus: { open: 6, in_progress: 0, done: 0, cancelled: 0, overdue: 0 } });
    expect(res.body.byParty.IDN).toMatchObject({ open: 6, overdue: 0 });
    expect(res.body.byParty.UNHCR).toMatchObject({ open: 2 });
    expect(res.body.byParty.AFG).toMatchObject({ open: 0 });

    await api().post('/v1/commitments/workshop-information-campaigns/cancel').set(admin).send({ reason: 'merged' }).expect(200);
    await api().post('/v1/commitments/expert-meetings-prosecuting-smuggling-syndicates/complete').set(admin).send({ note: 'first', completedOn: '2009-09-01' }).expect(200);
    await api().patch('/v1/commitments/information-paper-protection-registration').set(admin).send({ due: { date: '2009-10-31', timeZone: 'Asia/Jakarta' } }).expect(200);
    ctx.clock.set('2009-11-15T00:00:00Z');
    try {
      const later = await api().get('/v1/status').set(admin).expect(200);
      expect(later.body.byStatus).toEqual({ open: 4, in_progress: 1, done: 0, cancelled: 1, overdue: 1 });
      expect(later.body.byParty.UNHCR).toMatchObject({ open: 2, overdue: 1 });
      expect(later.body.byParty.IOM).toMatchObject({ open: 1, cancelled: 1, overdue: 0 });
    } finally {
      ctx.clock.set('2009-08-01T00:00:00Z');
    }
  });
});

describe('health', () => {
  it('/healthz says the process is up, without a token', async () => {
    expect((await api().get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('/readyz says Redis answers, without a token', async () => {
    const res = await api().get('/readyz').expect(200);
    expect(res.body).toMatchObject({ status: 'ready', redis: { ok: true } });
  });
});
