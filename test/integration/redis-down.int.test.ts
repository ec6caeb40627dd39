/**
 * With Redis unreachable, every route answers 503 with Retry-After or succeeds (the liveness
 * probe, the static pages), never 400 or 500, and never hangs. The routes are read from the
 * OpenAPI document, so a new route is tried too; the requests are valid ones, so a 400 can only
 * be a store error mistaken for bad input (as "unknown meeting" once was). Redis is a server
 * this file starts itself on a free port and stops; the shared one is never touched.
 */
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import { createApp } from '../../src/api/app.js';
import { buildOpenApiDocument } from '../../src/api/openapi.js';
import { createServices, type Services } from '../../src/app/services.js';
import { fixedClock } from '../../src/domain/clock.js';
import { connectRedis, createRedis } from '../../src/redis.js';
import { API_TOKENS, TOKENS, bearer, seedFile } from '../support/app.js';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.js';

const ID = 'workshop-information-campaigns';
const admin = bearer(TOKENS.admin);

/**
 * A valid request for each route (path parameters, query, body). A route not named here gets a
 * request with no input: it must still never answer 500 nor hang, and a 503 must carry
 * Retry-After, but a 4xx for its missing input is allowed (add it here to check it strictly).
 */
const REQUESTS: Record<string, { path?: string; body?: object; form?: string; headers?: Record<string, string>; badInput?: boolean; text?: string }> = {
  'POST /v1/commitments': { body: { meetingId: 'ahg-som-2009', title: 'Written during the outage', leads: ['IDN'] } },
  'PATCH /v1/commitments/{id}': { body: { title: 'Retitled during the outage' } },
  'POST /v1/commitments/{id}/complete': { body: { note: 'Held', completedOn: '2009-09-01' } },
  'POST /v1/commitments/{id}/reopen': { body: { reason: 'not yet' } },
  'POST /v1/commitments/{id}/cancel': { body: { reason: 'merged' } },
  'POST /v1/parties': { body: { id: 'FJI', name: 'Fiji', kind: 'state', timeZone: 'Pacific/Fiji' } },
  'PATCH /v1/parties/{id}': { path: '/v1/parties/LKA', body: { timeZone: 'Asia/Colombo' } },
  'POST /v1/meetings/import': { body: seedFile() as object },
  'POST /v1/digest/send': { body: {}, headers: { 'Idempotency-Key': 'outage-1' } },
  'POST /v1/reminders/retry': { body: { state: 'failed' } },
  'GET /v1/calendar/{party}.ics': { path: '/v1/calendar/LKA.ics?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
  'GET /admin/login': { path: `/admin/login?token=${TOKENS.admin}` },
  // A made-up link is refused for what it is (4xx) before any store read; a real link needs the store (503).
  'GET /actions/l/{token}': { path: '/actions/l/abcdefghijklmnopqrstuvwxyz0123456789', badInput: true },
  'POST /actions/l/{token}': { path: '/actions/l/abcdefghijklmnopqrstuvwxyz0123456789', form: 'note=x', badInput: true },
  // The retired one-click link answers its page (410) without the store.
  'GET /actions/done': { path: '/actions/done?token=abcdefghijklmnopqrstuvwxyz0123456789', badInput: true },
  'POST /actions/done': { path: '/actions/done', form: 'token=abcdefghijklmnopqrstuvwxyz0123456789&note=x', badInput: true },
  'GET /v1/digests/{id}': { path: '/v1/digests/2009-08-03' },
  'GET /v1/meetings/{id}': { path: '/v1/meetings/ahg-som-2009' },
  'POST /v1/meetings/draft': { body: undefined, headers: { 'Content-Type': 'text/plain' }, text: 'The meeting agreed that Indonesia would hold a workshop by March 2010.' },
  'GET /v1/parties/{id}': { path: '/v1/parties/LKA' },
};

const fill = (p: string) => p.replace('{id}', ID).replace('{party}', 'LKA').replace('{sendId}', `${ID}--1--before-P7D--LKA`).replace(/\{[^}]+\}/g, 'x');

let redis: OwnRedis;
let services: Services;
let app: ReturnType<typeof createApp>;
const conns: Array<{ quit(): Promise<unknown>; disconnect(): void }> = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  const config = loadConfig({ REDIS_URL: redis.url, REDIS_PREFIX: 'redis-down', API_TOKENS, NODE_ENV: 'test' });
  const client = createRedis(config, 'api');
  await connectRedis(client, config);
  conns.push(client);
  services = createServices(config, { redis: client }, { clock: fixedClock('2009-08-01T00:00:00Z'), logger: pino({ level: 'silent' }) });
  await services.commitments.importMeeting(seedFile(), { name: 'seed' });
  app = createApp(services);
  // Warm every route once while Redis is up (queues opened, secrets read), as a running service would be.
  await request(app).get('/v1/commitments').set(admin).expect(200);
  await redis.stop();
}, 60_000);

afterAll(async () => {
  await services?.close().catch(() => {});
  for (const c of conns) c.disconnect();
  await redis?.dispose();
});

const doc = buildOpenApiDocument('http://localhost') as unknown as { paths: Record<string, Record<string, unknown>> };
const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops)
    .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
    .map((m) => `${m.toUpperCase()} ${path}`),
);
routes.push('GET /admin/queues/api/queues');

describe('every route with Redis stopped', () => {
  it('lists the routes of the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThan(30);
  });

  it.each(routes)('%s answers 503 with Retry-After, or succeeds; never 400 or 500', async (route) => {
    const [method, template] = route.split(' ') as [string, string];
    const known = route in REQUESTS;
    const spec = REQUESTS[route] ?? {};
    const path = spec.path ?? fill(template);
    let req = request(app)[method.toLowerCase() as 'get' | 'post' | 'patch'](path).set(admin).set(spec.headers ?? {}).timeout(10_000);
    if (spec.text !== undefined) req = req.send(spec.text);
    else if (spec.form !== undefined) req = req.type('form').send(spec.form);
    else if (spec.body !== undefined) req = req.send(spec.body);
    const res = await req;
    expect(res.status, `${route} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`).not.toBe(500);
    if (spec.badInput || (!known && res.status !== 503)) {
      expect(res.status).toBeLessThan(500);
    } else if (res.status === 503) {
      expect(Number(res.headers['retry-after']), `${route}: Retry-After`).toBeGreaterThanOrEqual(1);
    } else {
      expect(res.status, `${route} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`).toBeLessThan(400);
    }
  });
});
