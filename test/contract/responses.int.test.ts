/**
 * Contract test: real responses of the real app (real Redis, the seeded 2009
 * meeting) validated against the OpenAPI document it serves. Each request
 * names the operation it exercises as the document spells it; its status must
 * be documented, its Content-Type listed, and a JSON body must match the
 * schema. A mismatch is a bug in the document or in the route.
 */
import request, { type Response, type Test } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKENS, TOKENS, bearer, createTestContext, seedFile } from '../support/app.js';
import { createResponseValidator, type Document } from './response-validator.js';

const ctx = createTestContext('contract');
const admin = bearer(TOKENS.admin);
const viewer = bearer(TOKENS.viewer);
const lka = bearer(TOKENS.lka);
let contract: ReturnType<typeof createResponseValidator>;

beforeAll(async () => {
  await ctx.seed();
  const doc = (await request(ctx.app).get('/openapi.json').expect(200)).body as Document;
  contract = createResponseValidator(doc);
});
afterAll(() => ctx.cleanup());

type Method = 'get' | 'post' | 'patch';
/** Send `method url` (built from the documented `path`), validate the answer, and return it. */
async function call(method: Method, path: string, opts: { params?: Record<string, string>; query?: string; as?: Record<string, string>; send?: (t: Test) => Test; app?: typeof ctx.app } = {}): Promise<Response> {
  const url = path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(opts.params?.[k] ?? `missing-${k}`)) + (opts.query ? `?${opts.query}` : '');
  let t = request(opts.app ?? ctx.app)[method](url);
  if (opts.as) t = t.set(opts.as);
  const res = await (opts.send ? opts.send(t) : t);
  contract.check(method, path, res);
  return res;
}

const WORKSHOP = 'workshop-information-campaigns';
const PAPER = 'information-paper-protection-registration';

describe('the document matches what the API answers', () => {
  it('operations: health, readiness, the document itself', async () => {
    expect((await call('get', '/healthz')).status).toBe(200);
    expect((await call('get', '/readyz')).status).toBe(200);
    expect((await call('get', '/openapi.json')).status).toBe(200);
  });

  it('pages and feeds: the status page (and its 304), the docs, the favicon, the calendar, metrics, the dashboard sign-in', async () => {
    const page = await call('get', '/');
    expect(page.status).toBe(200);
    expect(page.headers.etag).toMatch(/^"/);
    expect((await call('get', '/', { send: (t) => t.set('If-None-Match', String(page.headers.etag)) })).status).toBe(304);
    expect((await call('get', '/docs')).status).toBe(200);
    expect((await call('get', '/favicon.svg')).status).toBe(200);
    expect((await call('get', '/v1/calendar.ics', { as: viewer })).status).toBe(200);
    expect((await call('get', '/metrics', { as: admin })).status).toBe(200);
    expect((await call('get', '/admin/login', { query: `token=${TOKENS.admin}` })).status).toBe(303);
    expect((await call('get', '/admin/login', { query: `token=${TOKENS.viewer}` })).status).toBe(403);
  });

  it('commitments: list, filter, page, read, history and reminders', async () => {
    const all = await call('get', '/v1/commitments', { as: viewer });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(6);
    const page = await call('get', '/v1/commitments', { as: admin, query: 'status=open&limit=2' });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect((await call('get', '/v1/commitments', { as: lka, query: 'party=LKA&overdue=false' })).status).toBe(200);
    expect((await call('get', '/v1/commitments/{id}', { as: viewer, params: { id: WORKSHOP } })).headers.etag).toBe('"1"');
    expect((await call('get', '/v1/commitments/{id}/history', { as: viewer, params: { id: WORKSHOP } })).body.items.length).toBeGreaterThan(0);
    const plan = await call('get', '/v1/commitments/{id}/reminders', { as: admin, params: { id: WORKSHOP } });
    expect(plan.body.items.length).toBeGreaterThan(0);
    expect((await call('get', '/v1/reminders', { as: admin })).status).toBe(200);
  });

  it('commitments: create, patch with If-Match, complete, reopen, cancel', async () => {
    const created = await call('post', '/v1/commitments', {
      as: admin,
      send: (t) => t.send({ meetingId: 'ahg-som-2009', title: 'Contract test seminar', leads: ['THA'], members: ['MYS'], due: { date: '2010-03-31', timeZone: 'Asia/Bangkok' }, target: { units: 2 } }),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const patched = await call('patch', '/v1/commitments/{id}', { as: admin, params: { id }, send: (t) => t.set('If-Match', '"1"').send({ theme: 'document fraud', status: 'in_progress' }) });
    expect(patched.status).toBe(200);
    const unit = await call('post', '/v1/commitments/{id}/complete', { as: admin, params: { id }, send: (t) => t.send({ note: 'First seminar held', completedOn: '2009-09-01', evidenceUrl: 'https://example.org/report' }) });
    expect(unit.body.target).toEqual({ units: 2, done: 1 });
    const done = await call('post', '/v1/commitments/{id}/complete', { as: admin, params: { id }, send: (t) => t.send({ note: 'Second seminar held', completedOn: '2009-10-01' }) });
    expect(done.body.status).toBe('done');
    expect((await call('post', '/v1/commitments/{id}/reopen', { as: admin, params: { id }, send: (t) => t.send({ reason: 'Report missing' }) })).body.status).not.toBe('done');
    expect((await call('post', '/v1/commitments/{id}/reopen', { as: admin, params: { id } })).status).toBe(409);
    expect((await call('post', '/v1/commitments/{id}/cancel', { as: admin, params: { id }, send: (t) => t.send({ reason: 'Merged into another' }) })).body.status).toBe('cancelled');
    expect((await call('get', '/v1/commitments/{id}/reminders', { as: admin, params: { id } })).status).toBe(200);
    expect((await call('get', '/v1/commitments/{id}/history', { as: admin, params: { id } })).body.items.length).toBeGreaterThanOrEqual(5);
  });

  it('parties, meetings, status and import', async () => {
    expect((await call('get', '/v1/parties', { as: viewer })).body.items.length).toBeGreaterThan(10);
    expect((await call('get', '/v1/parties/{id}', { as: viewer, params: { id: 'LKA' } })).body.id).toBe('LKA');
    const party = { id: 'CTR', name: 'Contractland', kind: 'state', timeZone: 'Asia/Colombo', contacts: [{ name: 'Focal point', email: 'focal@contract.invalid' }] };
    expect((await call('post', '/v1/parties', { as: admin, send: (t) => t.send(party) })).status).toBe(201);
    expect((await call('post', '/v1/parties', { as: admin, send: (t) => t.send(party) })).status).toBe(409);
    expect((await call('patch', '/v1/parties/{id}', { as: lka, params: { id: 'LKA' }, send: (t) => t.send({ timeZone: 'Asia/Colombo' }) })).status).toBe(200);
    expect((await call('patch', '/v1/parties/{id}', { as: lka, params: { id: 'IDN' }, send: (t) => t.send({ timeZone: 'Asia/Jakarta' }) })).status).toBe(403);
    expect((await call('get', '/v1/parties/{id}', { as: viewer, params: { id: 'XYZ' } })).status).toBe(404);
    expect((await call('get', '/v1/meetings', { as: viewer })).body.items).toHaveLength(1);
    expect((await call('get', '/v1/meetings/{id}', { as: lka, params: { id: 'ahg-som-2009' } })).body.commitmentIds).toContain('sub-group-sri-lankan-caseload');
    expect((await call('get', '/v1/meetings/{id}', { as: viewer, params: { id: 'no-such-meeting' } })).status).toBe(404);
    expect((await call('post', '/v1/meetings/import', { as: admin, send: (t) => t.send(seedFile() as object) })).status).toBe(200);
    const status = await call('get', '/v1/status', { as: viewer });
    expect(status.body.total).toBeGreaterThanOrEqual(6);
    expect((await call('get', '/v1/status', { as: lka })).status).toBe(200);
  });

  it('digest preview as JSON, the archive, and the calendar URL', async () => {
    const preview = await call('get', '/v1/digest/preview', { as: admin, query: 'format=json&asOf=2009-09-07T02:00:00Z' });
    expect(preview.body.headline.total).toBeGreaterThanOrEqual(6);
    expect((await call('get', '/v1/digest/preview', { as: lka, query: 'format=json' })).body.scope).toMatchObject({ party: 'LKA' });
    expect((await call('get', '/v1/digest/preview', { as: lka, query: 'format=json&party=IDN' })).status).toBe(403);
    expect((await call('get', '/v1/digest/preview', { as: admin, query: 'format=text' })).status).toBe(200);
    expect((await call('get', '/v1/digests', { as: admin })).status).toBe(200);
    expect((await call('get', '/v1/digests/{id}', { as: admin, params: { id: 'no-such-digest' } })).status).toBe(404);
    const feed = (await call('get', '/v1/parties/{party}/calendar-url', { as: admin, params: { party: 'LKA' } })).body.url as string;
    expect(feed).toMatch(/LKA\.ics\?token=/);
    const ics = await call('get', '/v1/calendar/{party}.ics', { params: { party: 'LKA' }, query: new URL(feed).search.slice(1) });
    expect(ics.status).toBe(200);
    expect(ics.text).toContain('BEGIN:VCALENDAR');
    expect((await call('post', '/v1/reminders/{sendId}/retry', { as: admin, params: { sendId: 'no-such-send' } })).status).toBe(404);
  });
});

describe('the errors the document promises are the errors the API answers', () => {
  it('requests for more time and the signed-link pages', async () => {
    const asked = await call('post', '/v1/commitments/{id}/extension-requests', { params: { id: WORKSHOP }, as: admin, send: (t) => t.send({ newDate: '2010-01-31', reason: 'Venue' }) });
    expect(asked.status).toBe(201);
    expect((await call('post', '/v1/commitments/{id}/extension-requests', { params: { id: WORKSHOP }, as: admin, send: (t) => t.send({ newDate: '2010-02-28', reason: 'Again' }) })).status).toBe(409);
    expect((await call('get', '/v1/extension-requests', { query: 'state=pending', as: viewer })).status).toBe(200);
    expect((await call('get', '/v1/commitments/{id}/extension-requests', { params: { id: WORKSHOP }, as: viewer })).status).toBe(200);
    expect((await call('post', '/v1/extension-requests/{id}/decline', { params: { id: asked.body.id }, as: admin, send: (t) => t.send({}) })).status).toBe(200);
    expect((await call('post', '/v1/extension-requests/{id}/approve', { params: { id: asked.body.id }, as: admin, send: (t) => t.send({}) })).status).toBe(409);
    const again = await call('post', '/v1/commitments/{id}/extension-requests', { params: { id: WORKSHOP }, as: admin, send: (t) => t.send({ newDate: '2010-01-31', reason: 'Venue' }) });
    expect((await call('post', '/v1/extension-requests/{id}/approve', { params: { id: again.body.id }, as: admin, send: (t) => t.send({ note: 'Fine' }) })).status).toBe(200);

    const c = (await ctx.services.commitmentStore.get(PAPER))!;
    const links = await ctx.services.links.issue(c, 'focal-point.idn@example.org', 'IDN', ['view', 'progress']);
    const token = (url: string) => url.split('/').pop()!;
    expect((await call('get', '/actions/l/{token}', { params: { token: token(links.view!) } })).status).toBe(200);
    expect((await call('post', '/actions/l/{token}', { params: { token: token(links.progress!) }, send: (t) => t.type('form').send({ note: 'Draft shared' }) })).status).toBe(200);
    expect((await call('post', '/actions/l/{token}', { params: { token: token(links.progress!) }, send: (t) => t.type('form').send({ note: 'Again' }) })).status).toBe(409);
    expect((await call('get', '/actions/l/{token}', { params: { token: 'x'.repeat(22) + '.' + 'y'.repeat(43) } })).status).toBe(400);
    expect((await call('get', '/actions/done', { query: 'token=a.b' })).status).toBe(410);
  });

  it('400 names the bad fields, for a body, a query and a header', async () => {
    const body = await call('post', '/v1/commitments', { as: admin, send: (t) => t.send({ meetingId: 'ahg-som-2009', title: 'x', leads: 'IDN' }) });
    expect(body.status).toBe(400);
    expect(body.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['title', 'leads']));
    expect((await call('get', '/v1/commitments', { as: admin, query: 'limit=0' })).status).toBe(400);
    expect((await call('patch', '/v1/commitments/{id}', { as: admin, params: { id: PAPER }, send: (t) => t.set('If-Match', 'soon').send({ theme: 'x' }) })).status).toBe(400);
    expect((await call('post', '/v1/digest/send', { as: admin, send: (t) => t.send({}) })).status).toBe(400);
  });

  it('401 without or with a wrong token, 403 for a role that may not', async () => {
    expect((await call('get', '/v1/commitments')).status).toBe(401);
    expect((await call('get', '/v1/status', { as: bearer('not-a-token-at-all-0000') })).status).toBe(401);
    expect((await call('post', '/v1/commitments', { as: viewer, send: (t) => t.send({ meetingId: 'ahg-som-2009', title: 'Viewer wants to write' }) })).status).toBe(403);
    expect((await call('get', '/metrics', { as: viewer })).status).toBe(403);
    expect((await call('get', '/v1/calendar/{party}.ics', { params: { party: 'LKA' } })).status).toBe(401);
  });

  it('when a browser hits an error, then it gets the documented HTML page; an API client keeps problem+json', async () => {
    const page = await call('get', '/v1/commitments/{id}', { as: admin, params: { id: 'no-such-thing' }, send: (t) => t.set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8') });
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const api = await call('get', '/v1/commitments/{id}', { as: admin, params: { id: 'no-such-thing' }, send: (t) => t.set('Accept', 'application/json') });
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('404 for an unknown or out-of-scope commitment', async () => {
    expect((await call('get', '/v1/commitments/{id}', { as: admin, params: { id: 'no-such-thing' } })).status).toBe(404);
    expect((await call('get', '/v1/commitments/{id}', { as: lka, params: { id: WORKSHOP } })).status).toBe(404);
    expect((await call('post', '/v1/commitments/{id}/cancel', { as: admin, params: { id: 'no-such-thing' }, send: (t) => t.send({ reason: 'x' }) })).status).toBe(404);
    expect((await call('get', '/v1/commitments/{id}/history', { as: admin, params: { id: 'no-such-thing' } })).status).toBe(404);
  });

  it('409 for a taken id and an illegal transition, 412 for a stale If-Match', async () => {
    expect((await call('post', '/v1/commitments', { as: admin, send: (t) => t.send({ id: WORKSHOP, meetingId: 'ahg-som-2009', title: 'Another workshop' }) })).status).toBe(409);
    expect((await call('post', '/v1/commitments/{id}/reopen', { as: admin, params: { id: PAPER } })).status).toBe(409);
    expect((await call('patch', '/v1/commitments/{id}', { as: admin, params: { id: PAPER }, send: (t) => t.set('If-Match', '"99"').send({ theme: 'x' }) })).status).toBe(412);
    expect((await call('post', '/v1/commitments/{id}/complete', { as: admin, params: { id: PAPER }, send: (t) => t.set('If-Match', '"99"').send({ note: 'n', completedOn: '2009-09-01' }) })).status).toBe(412);
  });

  it('413 for a body over BODY_LIMIT, 415 for a body that is not JSON', async () => {
    const big = { meetingId: 'ahg-som-2009', title: 'Big', sourceText: 'x'.repeat(200_000) };
    expect((await call('post', '/v1/commitments', { as: admin, send: (t) => t.send(big) })).status).toBe(413);
    expect((await call('post', '/v1/commitments', { as: admin, send: (t) => t.set('Content-Type', 'text/plain').send('title=Plain') })).status).toBe(415);
    expect((await call('patch', '/v1/parties/{id}', { as: admin, params: { id: 'LKA' }, send: (t) => t.set('Content-Type', 'application/xml').send('<party/>') })).status).toBe(415);
    expect((await call('post', '/v1/meetings/import', { as: admin, send: (t) => t.set('Content-Type', 'text/csv').send('a,b') })).status).toBe(415);
  });

  it('429 once a token has used its budget', async () => {
    const limited = createTestContext('contract-429', { RATE_LIMIT_API_PER_MINUTE: '1' });
    try {
      expect((await call('get', '/v1/status', { as: admin, app: limited.app })).status).toBe(200);
      const refused = await call('get', '/v1/status', { as: admin, app: limited.app });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await limited.cleanup();
    }
  });

  it('503 when Redis is gone, on readiness and on the API', async () => {
    const down = createTestContext('contract-503', { API_TOKENS });
    await down.cleanup(); // deletes the prefix and closes this app's Redis connection
    const ready = await call('get', '/readyz', { app: down.app });
    expect(ready.status).toBe(503);
    const status = await call('get', '/v1/status', { as: admin, app: down.app });
    expect(status.status).toBe(503);
    expect(status.headers['retry-after']).toBeDefined();
  });

  it('every operation the brief names was exercised, with each error status', () => {
    const seen = new Set(contract.checked.map((c) => `${c.operationId} ${c.status}`));
    const expected = [
      'listCommitments 200', 'getCommitment 200', 'createCommitment 201', 'updateCommitment 200', 'completeCommitment 200', 'reopenCommitment 200', 'cancelCommitment 200',
      'getCommitmentHistory 200', 'getCommitmentReminders 200', 'listParties 200', 'createParty 201', 'updateParty 200', 'listMeetings 200', 'getMeeting 200',
      'importMeeting 200', 'getStatusSummary 200', 'previewDigest 200',
      'createCommitment 400', 'listCommitments 401', 'createCommitment 403', 'getCommitment 404', 'createCommitment 409', 'updateCommitment 412',
      'createCommitment 413', 'createCommitment 415', 'getStatusSummary 429', 'getStatusSummary 503', 'getReadiness 503',
    ];
    expect(expected.filter((e) => !seen.has(e))).toEqual([]);
  });
});
