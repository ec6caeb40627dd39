/** GET /v1/commitments: every filter, combined filters, pagination, and bad queries. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-list');
const admin = bearer(TOKENS.admin);
const ids = (res: request.Response) => res.body.items.map((c: { id: string }) => c.id).sort();
const list = (query: string, token: string = TOKENS.admin) => request(ctx.app).get(`/v1/commitments${query}`).set(bearer(token));

beforeAll(async () => {
  await ctx.seed();
  // Two more: one led by LKA due mid-September, one by THA already past due at the pinned now (2009-08-01).
  await request(ctx.app).post('/v1/commitments').set(admin).send({ id: 'lka-report', meetingId: 'ahg-som-2009', title: 'Report on the Sri Lankan caseload', leads: ['LKA'], due: { at: '2009-09-15T00:00:00Z' } }).expect(201);
  await request(ctx.app).post('/v1/commitments').set(admin).send({ id: 'tha-past', meetingId: 'ahg-som-2009', title: 'Thai paper on maritime ventures', leads: ['THA'], due: { at: '2009-07-30T00:00:00Z' } }).expect(201);
  await request(ctx.app).post('/v1/commitments/technical-meeting-irregular-maritime-ventures/complete').set(admin).send({ note: 'Held', completedOn: '2009-07-31' }).expect(200);
});
afterAll(() => ctx.cleanup());

describe('listing the seeded 2009 meeting', () => {
  it('an admin lists the six seeded commitments with the workshop deadline and a target of 2 on the expert meetings', async () => {
    const res = await list('?meeting=ahg-som-2009&limit=100').expect(200);
    expect(res.body.items).toHaveLength(8);
    const byId = Object.fromEntries(res.body.items.map((c: { id: string }) => [c.id, c]));
    expect(byId['workshop-information-campaigns']).toMatchObject({ due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' }, dueAt: '2009-12-31T16:59:59.999Z', overdue: false });
    expect(byId['expert-meetings-prosecuting-smuggling-syndicates'].target).toEqual({ units: 2, done: 0 });
    expect(byId['sub-group-sri-lankan-caseload'].due).toBeNull();
    expect(res.body.nextCursor).toBeNull();
  });
});

describe('filters', () => {
  it('status= one or several statuses', async () => {
    expect(ids(await list('?status=done').expect(200))).toEqual(['technical-meeting-irregular-maritime-ventures']);
    expect(ids(await list('?status=open,in_progress').expect(200))).toHaveLength(7);
    expect(ids(await list('?status=cancelled').expect(200))).toEqual([]);
  });

  it('party= matches commitments the party leads or belongs to', async () => {
    expect(ids(await list('?party=LKA').expect(200))).toEqual(['lka-report', 'sub-group-sri-lankan-caseload']);
    expect(ids(await list('?party=UNODC').expect(200))).toEqual(['expert-meetings-prosecuting-smuggling-syndicates']);
    expect(ids(await list('?party=ASEAN').expect(200))).toEqual([]);
  });

  it('meeting= restricts to one meeting', async () => {
    expect(ids(await list('?meeting=ahg-som-2009').expect(200))).toHaveLength(8);
    expect(ids(await list('?meeting=another-meeting').expect(200))).toEqual([]);
  });

  it('overdue= is derived from the deadline and the pinned clock, and moves with it', async () => {
    expect(ids(await list('?overdue=true').expect(200))).toEqual(['tha-past']);
    expect(ids(await list('?overdue=false').expect(200))).toHaveLength(7);
    ctx.clock.set('2010-01-02T00:00:00Z');
    try {
      const late = await list('?overdue=true').expect(200);
      expect(ids(late)).toEqual(['lka-report', 'tha-past', 'workshop-information-campaigns']);
      expect(late.body.items.every((c: { overdue: boolean }) => c.overdue)).toBe(true);
    } finally {
      ctx.clock.set('2009-08-01T00:00:00Z');
    }
  });

  it('dueBefore= and dueAfter= bound the deadline instant and skip commitments without one', async () => {
    expect(ids(await list('?dueBefore=2009-10-01').expect(200))).toEqual(['lka-report', 'tha-past']);
    expect(ids(await list('?dueAfter=2009-10-01').expect(200))).toEqual(['workshop-information-campaigns']);
    expect(ids(await list('?dueAfter=2009-08-01T00:00:00Z&dueBefore=2009-10-01T00:00:00%2B07:00').expect(200))).toEqual(['lka-report']);
    expect(ids(await list('?dueBefore=2009-12-31T16:59:59.999Z').expect(200))).toContain('workshop-information-campaigns');
  });

  it('filters combine: party and status and overdue', async () => {
    expect(ids(await list('?party=IDN&status=open').expect(200))).toHaveLength(5);
    expect(ids(await list('?party=THA&overdue=true&status=open').expect(200))).toEqual(['tha-past']);
    expect(ids(await list('?party=IDN&overdue=true').expect(200))).toEqual([]);
  });
});

describe('pagination', () => {
  it('limit and nextCursor walk every commitment once, in id order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(8);
  });

  it('paginates within a filter', async () => {
    const first = await list('?party=IDN&limit=4').expect(200);
    expect(first.body.items).toHaveLength(4);
    const second = await list(`?party=IDN&limit=4&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
  });
});

describe('bad queries get a 400 naming the parameter', () => {
  it.each([
    ['?status=finished', 'query.status.0'],
    ['?limit=0', 'query.limit'],
    ['?limit=501', 'query.limit'],
    ['?limit=ten', 'query.limit'],
    ['?overdue=yes', 'query.overdue'],
    ['?dueBefore=tomorrow', 'query.dueBefore'],
    ['?dueAfter=1', 'query.dueAfter'],
    ['?dueBefore=2009-02-30', 'query.dueBefore'],
    ['?dueAfter=2009-02-29T00:00:00Z', 'query.dueAfter'],
    ['?dueBefore=2009-04-31T12:00:00%2B02:00', 'query.dueBefore'],
    ['?party=lka', 'query.party'],
    ['?cursor=!!!', 'cursor'],
    ['?sort=title', 'query.sort'],
  ])('%s → %s', async (query, path) => {
    const res = await list(query).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});
