import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_PAGE_CSS } from '../../src/api/views/shell.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { launchChromium, listen } from '../support/browser.js';

/** The few DOM shapes the in-page functions below use (the project compiles without the DOM lib). */
interface Rect { left: number; right: number; top: number; bottom: number; width: number }
interface Element { getBoundingClientRect(): Rect; getAttribute(name: string): string | null; querySelector(selector: string): Element | null; textContent: string | null }
declare const document: {
  querySelector(selector: string): Element | null;
  querySelectorAll(selector: string): Iterable<Element>;
  documentElement: { scrollWidth: number };
  body: { scrollWidth: number };
};

/** Mid-January 2010, 10:00 in Bali (Asia/Makassar, UTC+8, the meeting's zone and the page's default). */
const NOW = '2010-01-15T02:00:00Z';
const WORKSHOP = 'workshop-information-campaigns';
const MARITIME = 'technical-meeting-irregular-maritime-ventures';
const PAPER = 'information-paper-protection-registration';
const UNDATED = ['expert-meetings-prosecuting-smuggling-syndicates', 'expert-working-group-irregular-movement-by-air', 'sub-group-sri-lankan-caseload'];

const ctx = createTestContext('status-browser', { STATUS_PAGE: 'public' }, NOW);
let server: { url: string; close(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  await ctx.seed();
  const admin = bearer(TOKENS.admin);
  // Upcoming, with an exact instant: 1 March 2010, 11:00 in Bali.
  await request(ctx.app).patch(`/v1/commitments/${MARITIME}`).set(admin).send({ due: { at: '2010-03-01T03:00:00Z' } }).expect(200);
  // Done, with a date deadline in October.
  await request(ctx.app).patch(`/v1/commitments/${PAPER}`).set(admin).send({ due: { date: '2009-10-31', timeZone: 'Asia/Bangkok' } }).expect(200);
  await request(ctx.app).post(`/v1/commitments/${PAPER}/complete`).set(admin).send({ note: 'Paper circulated', completedOn: '2009-10-20' }).expect(200);
  server = await listen(ctx.app);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ctx.cleanup();
});

async function openPage(width: number, path = '/'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 844 } });
  await page.goto(`${server.url}${path}`);
  return page;
}

describe('the status page on a phone', () => {
  it('when it is opened 390 px wide, even with the longest party name selected, then nothing is wider than the screen', async () => {
    for (const path of ['/', '/?party=UNHCR']) {
      const page = await openPage(390, path);
      try {
        const widths = await page.evaluate(() => ({
          doc: document.documentElement.scrollWidth,
          body: document.body.scrollWidth,
          select: document.querySelector('select[name=party]')!.getBoundingClientRect().right,
        }));
        expect(widths.doc).toBeLessThanOrEqual(390);
        expect(widths.body).toBeLessThanOrEqual(390);
        expect(widths.select).toBeLessThanOrEqual(390);
        if (path === '/?party=UNHCR') {
          await expect(page.locator('select[name=party]').inputValue()).resolves.toBe('UNHCR');
          await page.screenshot({ path: '/tmp/status-page-390.png', fullPage: true });
        }
      } finally {
        await page.close();
      }
    }
  });
});

describe('deadlines on the status page', () => {
  it('when a deadline was given as a date, then it reads as that date in its place, whatever the viewer’s zone; an instant reads in the viewer’s zone', async () => {
    const page = await openPage(1200, '/?tz=Pacific%2FAuckland');
    try {
      const dd = (id: string) => page.locator(`article[data-commitment="${id}"] dd`).first().innerText();
      const workshop = (await dd(WORKSHOP)).replace(/\s+/g, ' ');
      expect(workshop).toMatch(/^31 Dec 2009, end of day in Jakarta/);
      // Beneath it, the same instant in the viewer's zone (Auckland is UTC+13 in January).
      expect(workshop).toContain('that is Fri, 1 Jan 2010, 05:59 GMT+13');
      await expect(page.locator(`article[data-commitment="${WORKSHOP}"] time.due-date`).getAttribute('datetime')).resolves.toBe('2009-12-31');
      // The instant deadline: 03:00Z is 16:00 in Auckland.
      expect((await dd(MARITIME)).replace(/\s+/g, ' ')).toMatch(/^Mon, 1 Mar 2010, 16:00 GMT\+13/);
    } finally {
      await page.close();
    }
  });
});

describe('the timeline', () => {
  it('when the page renders, then each dated commitment is a mark at its deadline on the axis, marked by state, with today’s line, and labels do not overlap', async () => {
    const page = await openPage(1200);
    try {
      const svg = page.locator('section.timeline svg[role=img]');
      await expect(svg.getAttribute('role')).resolves.toBe('img');
      await expect(svg.locator('title#timeline-title').textContent()).resolves.toBe('Timeline of 6 commitments');
      const desc = await svg.locator('desc').textContent();
      expect(desc).toContain('1 overdue, 1 upcoming, 1 done, 3 without a deadline');
      expect(desc).toContain('Workshop on information campaigns');

      const geometry = await page.evaluate(() => {
        const centre = (el: Element) => {
          const r = el.getBoundingClientRect();
          return r.left + r.width / 2;
        };
        const marks = [...document.querySelectorAll('section.timeline g.mark[data-due]')].map((g) => ({
          id: g.getAttribute('data-mark'),
          kind: g.getAttribute('data-kind'),
          due: g.getAttribute('data-due'),
          // The mark's shape: the first circle or path after its stem.
          x: centre(g.querySelector('circle, path')!),
        }));
        const ticks = [...document.querySelectorAll('section.timeline g.tick')].map((g) => ({ label: g.querySelector('text')!.textContent, x: centre(g.querySelector('line')!) }));
        const today = centre(document.querySelector('section.timeline g.today line')!);
        const labels = [...document.querySelectorAll('section.timeline text.lb, section.timeline text.today-label')].map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        });
        const undated = [...document.querySelectorAll('section.timeline .tl-undated li[data-mark]')].map((li) => li.getAttribute('data-mark'));
        return { marks, ticks, today, labels, undated };
      });

      expect(Object.fromEntries(geometry.marks.map((m) => [m.id, m.kind]))).toEqual({ [PAPER]: 'done', [WORKSHOP]: 'overdue', [MARITIME]: 'upcoming' });
      expect(geometry.undated.sort()).toEqual(UNDATED);

      // Month ticks are local midnights in Bali (UTC+8, no DST): fit the axis from two of them
      // and check that every mark and today's line sit where their instants say, within 2 px.
      const monthStart = (label: string) => {
        const d = new Date(`1 ${label} 00:00 UTC`);
        return d.getTime() - 8 * 3_600_000;
      };
      expect(geometry.ticks.length).toBeGreaterThanOrEqual(3);
      const [a, b] = [geometry.ticks[0]!, geometry.ticks[geometry.ticks.length - 1]!];
      const pxPerMs = (b.x - a.x) / (monthStart(b.label!) - monthStart(a.label!));
      const xAt = (t: number) => a.x + (t - monthStart(a.label!)) * pxPerMs;
      for (const m of geometry.marks) expect(Math.abs(m.x - xAt(Date.parse(m.due!)))).toBeLessThan(2);
      expect(Math.abs(geometry.today - xAt(Date.parse(NOW)))).toBeLessThan(2);
      const x = Object.fromEntries(geometry.marks.map((m) => [m.id, m.x]));
      expect(x[PAPER]).toBeLessThan(x[WORKSHOP]!);
      expect(x[WORKSHOP]).toBeLessThan(geometry.today);
      expect(geometry.today).toBeLessThan(x[MARITIME]!);

      // No two labels overlap.
      const boxes = geometry.labels;
      expect(boxes.length).toBe(3 + 1);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [p, q] = [boxes[i]!, boxes[j]!];
          const overlap = p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
          expect(overlap, `"${p.text}" overlaps "${q.text}"`).toBe(false);
        }
      }

      // A mark links to its card when the card is on this page.
      await expect(page.locator(`g.mark[data-mark="${WORKSHOP}"] a`).getAttribute('href')).resolves.toBe(`#${WORKSHOP}`);
      // No script anywhere: it is drawn by the server.
      await expect(page.locator('script').count()).resolves.toBe(0);
      await page.locator('section.timeline').screenshot({ path: '/tmp/status-timeline.png' });
    } finally {
      await page.close();
    }
  });

  it('when many dated commitments share a few weeks, then their labels still do not overlap', async () => {
    const admin = bearer(TOKENS.admin);
    const created: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const id = `crowded-${i}`;
        created.push(id);
        await request(ctx.app)
          .post('/v1/commitments')
          .set(admin)
          .send({ id, meetingId: 'ahg-som-2009', title: `A crowded commitment with a long title, number ${i}`, leads: ['PAK'], due: { date: `2010-02-${String(1 + (i % 4)).padStart(2, '0')}`, timeZone: 'Asia/Karachi' } })
          .expect(201);
      }
      const page = await openPage(1200, '/?party=PAK');
      try {
        const boxes = await page.evaluate(() =>
          [...document.querySelectorAll('section.timeline text.lb, section.timeline text.today-label')].map((t) => {
            const r = t.getBoundingClientRect();
            return { text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
          }),
        );
        expect(boxes.length).toBe(13);
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const [p, q] = [boxes[i]!, boxes[j]!];
            expect(p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom, `"${p.text}" overlaps "${q.text}"`).toBe(false);
          }
        }
        await page.locator('section.timeline').screenshot({ path: '/tmp/status-timeline-crowded.png' });
      } finally {
        await page.close();
      }
    } finally {
      for (const id of created) await request(ctx.app).post(`/v1/commitments/${id}/cancel`).set(admin).send({ reason: 'test over' }).expect(200);
    }
  });
});

describe('errors, the icon and the shared style', () => {
  it('when a browser hits an error, then it gets an HTML page with the same status, in the status page’s style', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      const res = (await page.goto(`${server.url}/?tz=Mars%2FOlympus`))!;
      expect(res.status()).toBe(400);
      expect(res.headers()['content-type']).toContain('text/html');
      await expect(page.locator('h1').textContent()).resolves.toBe('Bad Request');
      await expect(page.locator('.field-errors').innerText()).resolves.toContain('query.tz');
      await expect(page.locator('a[href="/"]').count()).resolves.toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: '/tmp/status-error-400.png', fullPage: true });

      const missing = (await page.goto(`${server.url}/no/such/page`))!;
      expect(missing.status()).toBe(404);
      await expect(page.locator('h1').textContent()).resolves.toBe('Not Found');
    } finally {
      await page.close();
    }
  });

  it('when an API client gets an error (Accept JSON, */*, or none), then it is problem+json exactly as before; text/html gets the page', async () => {
    const bodies: unknown[] = [];
    for (const accept of [undefined, 'application/json', '*/*', 'application/problem+json', 'text/html;q=0.5, application/json']) {
      const req = request(ctx.app).get('/?tz=Mars%2FOlympus');
      const res = await (accept ? req.set('Accept', accept) : req).expect(400);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      bodies.push(res.body);
    }
    expect(bodies.every((b) => JSON.stringify(b) === JSON.stringify(bodies[0]))).toBe(true);
    expect(bodies[0]).toMatchObject({ status: 400, title: 'Bad Request', errors: [expect.objectContaining({ path: 'query.tz' })] });

    const html = await request(ctx.app).get('/v1/commitments').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').expect(401);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['www-authenticate']).toBe('Bearer');
    expect(html.headers.vary).toContain('Accept');
    expect(html.text).toContain('<h1>Unauthorized</h1>');
    expect(html.text).not.toMatch(/at \S+ \(.*:\d+:\d+\)/);
  });

  it('when a browser asks for the icon, then /favicon.ico and the page’s icon link both answer an SVG with a long cache', async () => {
    const ico = await request(ctx.app).get('/favicon.ico').expect(200);
    expect(ico.headers['content-type']).toContain('image/svg+xml');
    expect(ico.headers['cache-control']).toContain('max-age=31536000');
    const page = await openPage(1200);
    try {
      const href = await page.locator('link[rel=icon]').getAttribute('href');
      const status = await page.evaluate(async (h) => (await fetch(h!)).status, href);
      expect(status).toBe(200);
    } finally {
      await page.close();
    }
  });

  it('when any HTML page is served (status page, reference, error page), then it carries the status page’s stylesheet and icon', async () => {
    const pages = [
      await request(ctx.app).get('/').expect(200),
      await request(ctx.app).get('/docs').expect(200),
      await request(ctx.app).get('/nowhere').set('Accept', 'text/html').expect(404),
    ];
    for (const res of pages) {
      expect(res.text).toContain(STATUS_PAGE_CSS);
      expect(res.text).toContain('<link rel="icon" type="image/svg+xml"');
    }
  });
});
