/**
 * 429 (src/api/rate-limit.ts): per-token budgets on /v1, failed sign-ins per
 * client address, and per-address budgets on the routes that carry their own
 * credential (one-click links, party calendar feeds). Counts live in Redis, so
 * two app instances on one prefix share them. Client addresses come from
 * X-Forwarded-For, which the app trusts from loopback (as from a local proxy).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const from = (ip: string) => ({ 'X-Forwarded-For': ip });

function expect429(res: request.Response, detail: RegExp) {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 429, title: 'Too Many Requests', type: expect.stringMatching(/rate_limited$/) });
  expect(res.body.detail).toMatch(detail);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  return retryAfter;
}

describe('rate limits on', () => {
  const ctx = createTestContext('rate-limit', { RATE_LIMIT_API_PER_MINUTE: '5', RATE_LIMIT_AUTH_FAILURES: '3', RATE_LIMIT_PUBLIC_PER_MINUTE: '4' });
  beforeAll(() => ctx.seed());
  afterAll(() => ctx.cleanup());

  it('when a token passes its budget, then it gets 429 with Retry-After, in every process, while other tokens go on', async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await request(ctx.app).get('/v1/commitments').set(bearer(TOKENS.lka)).expect(200);
      expect(ok.headers['ratelimit-policy']).toMatch(/^"api"; q=5; w=60/);
      expect(ok.headers['ratelimit']).toMatch(new RegExp(`^"api"; r=${4 - i}; t=\\d+`));
    }
    const retryAfter = expect429(await request(ctx.app).get('/v1/commitments').set(bearer(TOKENS.lka)), /This token has made too many requests/);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The count is in Redis: a second API process on the same prefix refuses the token too.
    const other = ctx.withApp();
    expect429(await request(other).get('/v1/commitments/workshop-information-campaigns').set(bearer(TOKENS.lka)), /too many requests/);
    // A refused write changes nothing.
    const before = (await request(ctx.app).get('/v1/commitments/workshop-information-campaigns').set(bearer(TOKENS.admin)).expect(200)).body;
    expect429(await request(ctx.app).post('/v1/commitments/workshop-information-campaigns/cancel').set(bearer(TOKENS.lka)).send({ reason: 'x' }), /too many/);
    expect((await request(ctx.app).get('/v1/commitments/workshop-information-campaigns').set(bearer(TOKENS.admin)).expect(200)).body.version).toBe(before.version);
    await request(other).get('/v1/commitments').set(bearer(TOKENS.viewer)).expect(200);
  });

  it('when an address fails to sign in too often, then it gets 429 even with a good token, and other addresses do not', async () => {
    const guesser = from('203.0.113.7');
    for (let i = 0; i < 3; i++) await request(ctx.app).get('/v1/status').set(guesser).set(bearer(`wrong-token-${i}-0123456789`)).expect(401);
    expect429(await request(ctx.app).get('/v1/status').set(guesser).set(bearer(TOKENS.idn)), /Too many failed sign-ins from this address/);
    // Every route that takes a credential is closed to it: the feed token is not even checked.
    expect429(await request(ctx.app).get('/v1/calendar/LKA.ics?token=guess').set(guesser), /failed sign-ins/);
    await request(ctx.app).get('/v1/status').set(from('203.0.113.8')).set(bearer(TOKENS.idn)).expect(200);
    await request(ctx.app).get('/healthz').set(guesser).expect(200);
  });

  it('when an address fails outside /v1 (the metrics route), then each 401 counts once, and the limit closes /v1 to it too', async () => {
    const guesser = from('203.0.113.30');
    for (let i = 0; i < 3; i++) await request(ctx.app).get('/metrics').set(guesser).set(bearer(`wrong-token-${i}-0123456789`)).expect(401);
    expect429(await request(ctx.app).get('/v1/commitments').set(guesser).set(bearer(TOKENS.viewer)), /failed sign-ins/);
    expect429(await request(ctx.app).get('/metrics').set(guesser).set(bearer(TOKENS.admin)), /failed sign-ins/);
  });

  it('when an address fails on a party feed token, then that counts as a failed sign-in too', async () => {
    const guesser = from('203.0.113.20');
    for (let i = 0; i < 3; i++) await request(ctx.app).get(`/v1/calendar/LKA.ics?token=guess-${i}`).set(guesser).expect(401);
    expect429(await request(ctx.app).get('/v1/commitments').set(guesser).set(bearer(TOKENS.viewer)), /failed sign-ins/);
  });

  it('when an address opens too many one-click links, then it gets 429; another address does not', async () => {
    const client = from('198.51.100.4');
    for (let i = 0; i < 4; i++) {
      const page = await request(ctx.app).get(`/actions/l/tampered${i}`).set(client).expect(400);
      expect(page.headers['content-type']).toMatch(/text\/html/);
    }
    // Whoever clicks a link in a reminder gets a page, not JSON, and is told when to try again.
    const refused = await request(ctx.app).get('/actions/l/tampered').set(client).expect(429);
    expect(refused.headers['content-type']).toMatch(/text\/html/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.text).toMatch(/<h1>Too many requests<\/h1>.*Too many requests from this address; try again in \d+ s\. Your link still works\./s);
    await request(ctx.app).post('/actions/l/tampered').type('form').send({ note: 'x' }).set(client).expect(429);
    await request(ctx.app).get('/actions/l/tampered').set(from('198.51.100.5')).expect(400);
  });
});

describe('the failed-sign-in limit counts tried credentials that fail, only', () => {
  const ctx = createTestContext('rate-limit-burst', { RATE_LIMIT_API_PER_MINUTE: '0', RATE_LIMIT_AUTH_FAILURES: '3', RATE_LIMIT_PUBLIC_PER_MINUTE: '0' });
  beforeAll(() => ctx.seed());
  afterAll(() => ctx.cleanup());

  it('when one address sends 20 good requests at once, then none is refused', async () => {
    const client = from('192.0.2.30');
    const res = await Promise.all(Array.from({ length: 20 }, () => request(ctx.app).get('/v1/commitments').set(client).set(bearer(TOKENS.viewer))));
    expect(res.map((r) => r.status)).toEqual(Array(20).fill(200));
    await request(ctx.app).get('/v1/commitments').set(client).set(bearer('wrong-token-0123456789')).expect(401);
    await request(ctx.app).get('/v1/commitments').set(client).set(bearer(TOKENS.viewer)).expect(200);
  });

  it('when requests come without any credential, then their 401s are not counted as failed sign-ins', async () => {
    const client = from('192.0.2.31');
    for (let i = 0; i < 6; i++) await request(ctx.app).get('/v1/commitments').set(client).expect(401);
    await request(ctx.app).get('/v1/commitments').set(client).set(bearer(TOKENS.viewer)).expect(200);
    // A tried credential does count: three wrong ones close the address.
    for (let i = 0; i < 3; i++) await request(ctx.app).get(`/admin/login?token=wrong-token-${i}-0123456789`).set(client).expect(401);
    expect429(await request(ctx.app).get('/v1/commitments').set(client).set(bearer(TOKENS.viewer)), /failed sign-ins/);
  });
});

describe('rate limits off (0)', () => {
  const ctx = createTestContext('rate-limit-off', { RATE_LIMIT_API_PER_MINUTE: '0', RATE_LIMIT_AUTH_FAILURES: '0', RATE_LIMIT_PUBLIC_PER_MINUTE: '0' });
  afterAll(() => ctx.cleanup());

  it('when every limit is 0, then nothing is refused and no rate-limit headers are sent', async () => {
    for (let i = 0; i < 12; i++) await request(ctx.app).get('/v1/commitments').set(bearer(`wrong-token-${i}-0123456789`)).expect(401);
    for (let i = 0; i < 12; i++) {
      const res = await request(ctx.app).get('/v1/commitments').set(bearer(TOKENS.viewer)).expect(200);
      expect(res.headers['ratelimit']).toBeUndefined();
    }
  });
});
