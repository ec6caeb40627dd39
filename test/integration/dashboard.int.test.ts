import type { Queue } from 'bullmq';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, createQueue } from '../../jobs/queues.js';
import { createApp } from '../../src/api/app.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { launchChromium, listen } from '../support/browser.js';
import { newRedis } from '../support/redis.js';

const ctx = createTestContext('dashboard');
const conn = newRedis();
const logger = pino({ level: 'silent' });
let queues: Queue[];
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  queues = [QUEUES.reconcile, QUEUES.reminders, QUEUES.statusCheck, QUEUES.digest].map((name) => createQueue(name, conn, ctx.prefix, logger));
  await queues[1]!.add('send', { id: 'workshop-information-campaigns' }, { jobId: 'dash-delayed', delay: 3_600_000 });
  app = ctx.app;
});
afterAll(async () => {
  for (const q of queues) await q.close();
  await conn.quit();
  await ctx.cleanup();
});

/** The session cookie from a login response, as a Cookie header value. */
function sessionCookie(res: request.Response): string {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = set.find((c) => c.startsWith('fu_session='));
  if (!cookie) throw new Error('no session cookie was set');
  return cookie.split(';')[0]!;
}

describe('the queue dashboard at /admin/queues', () => {
  it('when no admin credential is sent, then it answers 401, and 403 for a non-admin token', async () => {
    await request(app).get('/admin/queues').expect(401);
    await request(app).get('/admin/queues/api/queues').expect(401);
    await request(app).get('/admin/queues').set(bearer(TOKENS.viewer)).expect(403);
    await request(app).get('/admin/queues/api/queues').set(bearer(TOKENS.idn)).expect(403);
  });

  it('when an admin bearer token is sent, then the dashboard HTML loads and its API lists every queue', async () => {
    const page = await request(app).get('/admin/queues').set(bearer(TOKENS.admin)).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('<div id="root">');
    const api = await request(app).get('/admin/queues/api/queues').set(bearer(TOKENS.admin)).expect(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual(['digest', 'notices', 'reconcile', 'reminders', 'status-check']);
    const reminders = (api.body.queues as Array<{ name: string; counts: Record<string, number> }>).find((q) => q.name === 'reminders')!;
    expect(reminders.counts.delayed).toBe(1);
  });

  it('when an admin opens /admin/login?token=…, then an HttpOnly SameSite=Strict cookie opens the dashboard without a header', async () => {
    const login = await request(app).get(`/admin/login?token=${TOKENS.admin}`).expect(303);
    expect(login.headers.location).toBe('/admin/queues');
    const raw = ([] as string[]).concat(login.headers['set-cookie'] ?? []).join(';');
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Strict/i);
    expect(raw).not.toContain(TOKENS.admin);
    await request(app).get('/admin/queues').set('Cookie', sessionCookie(login)).expect(200);
  });

  it('when the cookie is tampered with, expired, or came from a non-admin token, then it opens nothing', async () => {
    await request(app).get(`/admin/login?token=${TOKENS.viewer}`).expect(403);
    await request(app).get('/admin/login?token=not-a-token-0123456789').expect(401);
    const login = await request(app).get(`/admin/login?token=${TOKENS.admin}`).expect(303);
    const cookie = sessionCookie(login);
    const [name, value] = cookie.split('=') as [string, string];
    const [body, sig] = value.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), n: 'mallory' })).toString('base64url');
    await request(app).get('/admin/queues').set('Cookie', `${name}=${forged}.${sig}`).expect(401);
    ctx.clock.advance(61 * 60 * 1000);
    try {
      await request(app).get('/admin/queues').set('Cookie', cookie).expect(401);
    } finally {
      ctx.clock.advance(-61 * 60 * 1000);
    }
  });

  it('when an admin opens it in a real browser, then the dashboard renders the queues despite the Content-Security-Policy', async () => {
    const server = await listen(app);
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (msg) => {
        if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
      });
      await page.goto(`${server.url}/admin/login?token=${TOKENS.admin}`);
      expect(new URL(page.url()).pathname).toBe('/admin/queues');
      await page.getByText('reminders').first().waitFor({ timeout: 15_000 });
      for (const name of ['reconcile', 'status-check', 'digest']) await expect(page.getByText(name).first().isVisible()).resolves.toBe(true);
      // Google Fonts cannot load here; that is a network failure, not a CSP refusal of our own assets.
      expect(violations.filter((v) => !/fonts\.googleapis|fonts\.gstatic/.test(v))).toEqual([]);
    } finally {
      await browser?.close();
      await server.close();
    }
  });
});
