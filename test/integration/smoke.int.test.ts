import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('smoke');
beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('the seeded 2009 meeting', () => {
  it('lists six commitments, with the workshop deadline and a target of 2 on the expert meetings', async () => {
    const res = await request(ctx.app).get('/v1/commitments').set(bearer(TOKENS.admin)).expect(200);
    expect(res.body.items).toHaveLength(6);
    const byId = Object.fromEntries(res.body.items.map((c: { id: string }) => [c.id, c]));
    expect(byId['workshop-information-campaigns'].due).toEqual({ date: '2009-12-31', timeZone: 'Asia/Jakarta' });
    expect(byId['workshop-information-campaigns'].dueAt).toBe('2009-12-31T16:59:59.999Z');
    expect(byId['expert-meetings-prosecuting-smuggling-syndicates'].target).toEqual({ units: 2, done: 0 });
  });
});
