/**
 * The app sets helmet's headers from a list worked out once at start (src/api/request-frame.ts):
 * every response must carry exactly what helmet itself would have set, with the same options.
 */
import express from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/api/request-frame.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('security-headers');
const admin = bearer(TOKENS.admin);

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

/** What helmet itself puts on a response of a bare app, with these options. */
async function helmetsOwn(options: HelmetOptions): Promise<Record<string, string>> {
  const bare = express();
  bare.disable('x-powered-by');
  bare.use(helmet(options));
  bare.get('/', (_req, res) => {
    res.end();
  });
  const res = await request(bare).get('/').expect(200);
  const ignore = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
  return Object.fromEntries(Object.entries(res.headers as Record<string, string>).filter(([k]) => !ignore.has(k)));
}

const plainHttp: HelmetOptions = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };
const https: HelmetOptions = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: [] } } };

describe('security headers, worked out once', () => {
  it.each([
    ['a plain-http deployment', plainHttp],
    ['an https deployment', https],
  ])('for %s, the precomputed list is exactly what helmet sets', async (_name, options) => {
    const own = await helmetsOwn(options);
    const listed = Object.fromEntries(securityHeaders(options).map(([k, v]) => [k.toLowerCase(), v]));
    expect(listed).toEqual(own);
    expect(Object.keys(own).length).toBeGreaterThan(10);
  });

  it('when the options make the headers depend on the request (a CSP nonce), then working them out once fails at start', () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", (req) => `'nonce-${String((req as { url?: string }).url)}'`] } } })).toThrow(/depend on the request/);
  });

  it("every response of the app carries helmet's headers with helmet's values: a read, a 304, a list, a 401, a 404, a page and a probe", async () => {
    const own = await helmetsOwn(plainHttp);
    const one = await request(ctx.app).get('/v1/commitments/workshop-information-campaigns').set(admin).expect(200);
    const responses = [
      one,
      await request(ctx.app).get('/v1/commitments/workshop-information-campaigns').set(admin).set('If-None-Match', String(one.headers.etag)).expect(304),
      await request(ctx.app).get('/v1/commitments?limit=2').set(admin).expect(200),
      await request(ctx.app).get('/v1/commitments/workshop-information-campaigns').expect(401),
      await request(ctx.app).get('/v1/commitments/no-such-commitment').set(admin).expect(404),
      await request(ctx.app).get('/no/such/page').expect(404),
      await request(ctx.app).get('/healthz').expect(200),
    ];
    for (const res of responses) {
      for (const [name, value] of Object.entries(own)) expect([res.status, name, res.headers[name]]).toEqual([res.status, name, value]);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[\w-]+$/);
    }
  });
});
