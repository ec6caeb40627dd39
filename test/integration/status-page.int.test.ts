import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.js';
import { start, type Running } from '../../src/main.js';
import { API_TOKENS, TOKENS, bearer, createTestContext } from '../support/app.js';
import { launchChromium } from '../support/browser.js';
import { deletePrefix, newRedis, redisUrl, uniquePrefix } from '../support/redis.js';

const WORKSHOP = 'workshop-information-campaigns';
const EXPERT = 'expert-meetings-prosecuting-smuggling-syndicates';
/** Mid-January 2010: the workshop (due by the end of 2009 in Jakarta) is overdue. */
const NOW = '2010-01-15T02:00:00Z';

describe('the status page in a real browser (STATUS_PAGE=public)', () => {
  const prefix = uniquePrefix('status-page');
  const redis = newRedis();
  let running: Running;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The real entry point, on port 0, seeding the 2009 meeting itself.
    running = await start({
      role: 'api',
      env: { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, API_TOKENS, PORT: '0', HOST: '127.0.0.1', SEED: '2009', NODE_ENV: 'test', STATUS_PAGE: 'public' },
      clock: fixedClock(NOW),
      logger: pino({ level: 'silent' }),
    });
    await request(running.url!)
      .post(`/v1/commitments/${EXPERT}/complete`)
      .set(bearer(TOKENS.admin))
      .send({ note: 'First expert meeting held in Kuala Lumpur', evidenceUrl: 'https://example.org/report-1', completedOn: '2009-11-20', units: 1 })
      .expect(200);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  const items = () => page.locator('article[data-commitment]');

  it('when an official opens /, then they see the meeting, six commitments, and the workshop marked overdue', async () => {
    await page.goto(`${running.url}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe('First Meeting of the Ad Hoc Group Senior Officials');
    await expect(page.getByText('Bali, Indonesia').isVisible()).resolves.toBe(true);
    await expect(items().count()).resolves.toBe(6);

    const workshop = page.locator(`article[data-commitment="${WORKSHOP}"]`);
    // Calendar events link to /#<id>.
    await expect(page.locator(`#${WORKSHOP}`).getAttribute('data-commitment')).resolves.toBe(WORKSHOP);
    await expect(workshop.getAttribute('class')).resolves.toContain('overdue');
    await expect(workshop.locator('.badge.overdue-badge').textContent()).resolves.toBe('Overdue');
    // Due by the end of 31 Dec 2009 in Jakarta: it reads as that date, then as 00:59 on 1 Jan 2010
    // in Bali (Asia/Makassar, UTC+8), the default zone.
    const deadline = (await workshop.locator('dd').first().innerText()).replace(/\s+/g, ' ');
    expect(deadline).toMatch(/^31 Dec 2009, end of day in Jakarta that is Fri, 1 Jan 2010, 00:59 GMT\+8/);
    expect(deadline).toContain('overdue by 14 days');
    // Overdue items come first.
    await expect(items().first().getAttribute('data-commitment')).resolves.toBe(WORKSHOP);

    const expert = page.locator(`article[data-commitment="${EXPERT}"]`);
    await expect(expert.locator('.badge').first().textContent()).resolves.toBe('In progress');
    await expect(expert.innerText()).resolves.toContain('1 of 2 recorded');
    await expect(expert.locator('[role=progressbar]').getAttribute('aria-valuenow')).resolves.toBe('1');
    await expect(expert.locator('dd').nth(2).innerText()).resolves.toBe('Indonesia, Australia');

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/status-page.png', fullPage: true });
  });

  it('when the viewer filters by party, then only that party’s commitments remain', async () => {
    await page.goto(`${running.url}/`);
    await page.selectOption('select[name=party]', 'LKA');
    await Promise.all([page.waitForURL(/party=LKA/), page.click('button[type=submit]')]);
    await expect(items().count()).resolves.toBe(1);
    await expect(items().first().getAttribute('data-commitment')).resolves.toBe('sub-group-sri-lankan-caseload');
    await expect(page.locator('[data-testid=shown]').textContent()).resolves.toBe('1 commitment shown');
  });

  it('when the viewer filters by status, then only matching commitments remain', async () => {
    await page.goto(`${running.url}/`);
    await page.selectOption('select[name=status]', 'overdue');
    await Promise.all([page.waitForURL(/status=overdue/), page.click('button[type=submit]')]);
    await expect(items().count()).resolves.toBe(1);
    await page.selectOption('select[name=status]', 'in_progress');
    await Promise.all([page.waitForURL(/status=in_progress/), page.click('button[type=submit]')]);
    await expect(items().evaluateAll((els) => els.map((e) => e.getAttribute('data-commitment')))).resolves.toEqual([EXPERT]);
  });

  it('when the viewer picks a zone across a DST boundary, then deadlines are shown in it', async () => {
    await page.goto(`${running.url}/`);
    await page.selectOption('select[name=tz]', 'Pacific/Auckland');
    await Promise.all([page.waitForURL(/tz=Pacific%2FAuckland/), page.click('button[type=submit]')]);
    // Auckland is on daylight time (UTC+13) in January.
    const deadline = await page.locator(`article[data-commitment="${WORKSHOP}"] dd`).first().innerText();
    expect(deadline.replace(/\s+/g, ' ')).toContain('1 Jan 2010, 05:59');
  });

  it('when the tz parameter is not a zone, then it answers 400 naming the field', async () => {
    const res = await request(running.url!).get('/?tz=Mars/Olympus').expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'query.tz' })]);
  });
});

describe('the status page with STATUS_PAGE=token', () => {
  const ctx = createTestContext('status-token', { STATUS_PAGE: 'token' }, NOW);
  beforeAll(() => ctx.seed());
  afterAll(() => ctx.cleanup());

  it('when a visitor has no token, then they get a 401 page and no commitment', async () => {
    const res = await request(ctx.app).get('/').expect(401);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('Sign-in needed');
    expect(res.text).not.toContain(WORKSHOP);
    await request(ctx.app).get('/?token=not-a-valid-token-123').expect(401);
  });

  it('when a viewer link is opened once, then a cookie replaces the token and the URL loses it', async () => {
    const first = await request(ctx.app).get(`/?status=open&token=${TOKENS.viewer}`).expect(303);
    expect(first.headers.location).toBe('/?status=open');
    const cookie = ([] as string[]).concat(first.headers['set-cookie'] ?? []).find((c) => c.startsWith('fu_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    const page = await request(ctx.app).get('/').set('Cookie', cookie.split(';')[0]!).expect(200);
    expect(page.text.match(/data-commitment="/g)).toHaveLength(6);
  });

  it('when an editor opens it, then only its parties’ commitments are shown', async () => {
    const res = await request(ctx.app).get('/').set(bearer(TOKENS.lka)).expect(200);
    expect(res.text.match(/data-commitment="([^"]+)"/g)).toEqual(['data-commitment="sub-group-sri-lankan-caseload"']);
  });
});
