import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { requestFrame } from '../../src/api/request-frame.js';
import { createMetrics } from '../../src/metrics.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { childFor, createLogger } from '../../src/logger.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

/** Every JSON line the logger writes, exactly as production would write it. */
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
const logger = createLogger({ level: 'info', format: 'json', nodeEnv: 'production', destination: capture });

const ctx = createTestContext('logging');
const app = ctx.withApp({}, {}, { logger });

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());
beforeEach(() => {
  lines.length = 0;
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('access logs', () => {
  it('when a request carries a bearer token, then the token never appears in the log, and the line has a request id and status', async () => {
    const res = await request(app).get('/v1/commitments').set(bearer(TOKENS.admin)).set('Cookie', 'fu_session=secret-cookie-value').expect(200);
    const out = lines.join('\n');
    expect(out).not.toContain(TOKENS.admin);
    expect(out).not.toContain('secret-cookie-value');
    const access = parsed().find((l) => l.msg === 'request completed')!;
    expect(access).toBeDefined();
    expect(access.reqId).toBe(res.headers['x-request-id']);
    expect(access.req).toMatchObject({ method: 'GET', url: '/v1/commitments' });
    expect(access.req).not.toHaveProperty('headers');
    expect(access.res).toEqual({ statusCode: 200 });
  });

  it('when a URL carries ?token=, then the log shows the URL with the token replaced', async () => {
    const secret = 'feed-token-that-must-not-be-logged-123';
    await request(app).get(`/v1/calendar/IDN.ics?token=${secret}&x=1`).expect(401);
    await request(app).get(`/admin/login?token=${TOKENS.viewer}`).expect(403);
    const out = lines.join('\n');
    expect(out).not.toContain(secret);
    expect(out).not.toContain(TOKENS.viewer);
    const urls = parsed().map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toContain('/v1/calendar/IDN.ics?token=[redacted]&x=1');
  });

  it('the access line holds only the fields known to carry no secret (it skips path redaction, so a new field must be judged here first)', async () => {
    await request(app).get('/v1/commitments/workshop-information-campaigns?token=abc').set(bearer(TOKENS.admin)).expect(200);
    const access = parsed().find((l) => l.msg === 'request completed')!;
    expect(Object.keys(access).sort()).toEqual(['hostname', 'level', 'msg', 'pid', 'req', 'reqId', 'res', 'responseTime', 'time']);
    expect(Object.keys(access.req as object).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
    expect((access.req as { url: string }).url).toBe('/v1/commitments/workshop-information-campaigns?token=[redacted]');
  });

  it("when a route logs through req.log, then the line carries the request's id and its secrets are redacted", async () => {
    const bare = express();
    bare.use(requestFrame(bare, { logger, metrics: createMetrics(), headers: [] }));
    bare.get('/x', (req, res) => {
      (req as unknown as { log: typeof logger }).log.warn({ token: 'tok-in-a-route-0123', detail: 'kept' }, 'route says');
      res.end();
    });
    const res = await request(bare).get('/x').set('X-Request-Id', 'route-log-1').expect(200);
    expect(res.headers['x-request-id']).toBe('route-log-1');
    expect(lines.join('\n')).not.toContain('tok-in-a-route-0123');
    expect(parsed().find((l) => l.msg === 'route says')).toMatchObject({ reqId: 'route-log-1', token: '[redacted]', detail: 'kept' });
    expect(parsed().find((l) => l.msg === 'request completed')).toMatchObject({ reqId: 'route-log-1', req: { url: '/x' }, res: { statusCode: 200 } });
  });

  it('when a given X-Request-Id is malformed or too long, then a new UUID replaces it', async () => {
    for (const given of ['has spaces and ;', 'x'.repeat(65)]) {
      const res = await request(app).get('/v1/status').set(bearer(TOKENS.viewer)).set('X-Request-Id', given).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('when a given X-Request-Id is well formed, then it is kept and echoed', async () => {
    const res = await request(app).get('/v1/status').set(bearer(TOKENS.viewer)).set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    expect(parsed().find((l) => l.msg === 'request completed')?.reqId).toBe('trace-abc-123');
  });
});

describe('worker logs', () => {
  it('when a processor logs through childFor, then every line names the queue, the job and the commitment', () => {
    const log = childFor(logger, { queue: 'reminders', jobId: 'r-workshop-1-p7d', commitmentId: 'workshop-information-campaigns', step: undefined });
    log.info({ recipient: 'focal-point.idn@example.org' }, 'reminder sent');
    const line = parsed().at(-1)!;
    expect(line).toMatchObject({ queue: 'reminders', jobId: 'r-workshop-1-p7d', commitmentId: 'workshop-information-campaigns', msg: 'reminder sent' });
    expect(line).not.toHaveProperty('step');
  });

  it('when anything logs an object with a token or secret field, then the value is redacted', () => {
    logger.info({ token: 'tok-0123456789', job: { secret: 's3cr3t-value' }, password: 'hunter2' }, 'careless');
    const out = lines.join('\n');
    expect(out).not.toMatch(/tok-0123456789|s3cr3t-value|hunter2/);
    expect(parsed().at(-1)).toMatchObject({ token: '[redacted]', job: { secret: '[redacted]' } });
  });
});
