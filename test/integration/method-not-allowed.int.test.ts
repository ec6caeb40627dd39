/**
 * A wrong method on a path the API serves answers 405 with `Allow` (as
 * problem+json, or a page for a browser); an unknown path stays 404.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedMethods, routeTable } from '../../src/api/method-not-allowed.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('method-405');
const admin = bearer(TOKENS.admin);
let paths: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  await ctx.seed();
  paths = (await request(ctx.app).get('/openapi.json').expect(200)).body.paths;
});
afterAll(() => ctx.cleanup());

const allowOf = (res: request.Response) => String(res.headers.allow ?? '').split(/,\s*/).filter(Boolean).sort();
/** The documented methods of a template, as Allow lists them (HEAD beside GET). */
const documented = (template: string) => {
  const m = Object.keys(paths[template]!).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k)).map((k) => k.toUpperCase());
  return (m.includes('GET') ? [...m, 'HEAD'] : m).sort();
};

describe('405 Method Not Allowed', () => {
  it('when DELETE is sent to the commitment list, then 405 names the methods it takes, as problem+json, and nothing changes', async () => {
    const res = await request(ctx.app).delete('/v1/commitments').set(admin).expect(405);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(allowOf(res)).toEqual(documented('/v1/commitments'));
    expect(allowOf(res)).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(res.body).toMatchObject({ status: 405, title: 'Method Not Allowed', errors: [{ path: 'method' }] });
    expect(res.body.detail).toContain('DELETE');
    expect((await request(ctx.app).get('/v1/commitments').set(admin).expect(200)).body.items).toHaveLength(6);
  });

  it('when a path has a parameter, then its template is matched', async () => {
    const res = await request(ctx.app).put('/v1/commitments/workshop-information-campaigns').set(admin).expect(405);
    expect(allowOf(res)).toEqual(documented('/v1/commitments/{id}'));
    const health = await request(ctx.app).post('/healthz').expect(405);
    expect(allowOf(health)).toEqual(['GET', 'HEAD']);
  });

  it('when every documented path is asked with a method it does not take, then each answers 405 with its documented Allow', async () => {
    const sample: Record<string, string> = { id: 'workshop-information-campaigns', party: 'IDN', sendId: 'x--d1--due--IDN', token: 'not-a-token' };
    const checked: string[] = [];
    for (const template of Object.keys(paths)) {
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(sample[name] ?? 'x'));
      // Every template the path matches: `/v1/meetings/draft` is also a `/v1/meetings/{id}`.
      const allow = [...new Set(Object.keys(paths).filter((t) => allowedMethods(routeTable({ [t]: {} }), path) !== null).flatMap(documented))].sort();
      const wrong = ['DELETE', 'PUT', 'PATCH', 'POST'].find((m) => !allow.includes(m));
      if (!wrong) continue;
      const res = await request(ctx.app)[wrong.toLowerCase() as 'delete'](path).set(admin);
      expect(res.status, `${wrong} ${path}`).toBe(405);
      expect(allowOf(res), `${wrong} ${path}`).toEqual(allow);
      checked.push(`${wrong} ${template}`);
    }
    expect(checked.length).toBeGreaterThan(15);
  });

  it('when a browser posts to the status page, then it gets the 405 as an HTML page with Allow', async () => {
    const res = await request(ctx.app).post('/').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').expect(405);
    expect(res.headers['content-type']).toContain('text/html');
    expect(allowOf(res)).toEqual(documented('/'));
    expect(res.text).toContain('405');
  });

  it('when the path is unknown, then it stays 404 whatever the method', async () => {
    await request(ctx.app).delete('/v1/no-such-thing').set(admin).expect(404);
    await request(ctx.app).post('/no-such-page').expect(404);
    await request(ctx.app).get('/v1/commitments/a/b/c').set(admin).expect(404);
  });
});

describe('routeTable', () => {
  it('when a literal and a parameter template both match, then both count, as Express routes either', () => {
    const table = routeTable({ '/v1/parties/{id}': { get: {}, patch: {} }, '/v1/parties/me': { post: {} }, '/v1/parties': { get: {}, post: {} } });
    expect(allowedMethods(table, '/v1/parties/me')?.sort()).toEqual(['GET', 'HEAD', 'PATCH', 'POST']);
    expect(allowedMethods(table, '/v1/parties/IDN')).toEqual(['GET', 'PATCH', 'HEAD']);
    expect(allowedMethods(table, '/v1/parties/')).toEqual(['GET', 'POST', 'HEAD']);
    expect(allowedMethods(table, '/v1/parties/IDN/extra')).toBeNull();
    // A parameter is one segment, and regular-expression characters in a template are literal.
    expect(allowedMethods(routeTable({ '/a.b/{x}': { get: {} } }), '/aXb/1')).toBeNull();
  });
});
