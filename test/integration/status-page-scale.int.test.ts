import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitmentInputSchema, createCommitment } from '../../src/domain/commitment.js';
import { PAGE_SIZE } from '../../src/api/routes/status-page.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const MEETING = 'ahg-som-2009';
/** 10:00:00 in Bali: the start of a minute, so a test can move within it. */
const NOW = '2010-01-15T02:00:00Z';
const EXTRA = 120;

const ids = (text: string) => [...text.matchAll(/<article id="([^"]+)"/g)].map((m) => m[1]!);
const hrefOf = (text: string, rel: 'next' | 'prev') => new RegExp(`<a rel="${rel}" href="([^"]+)">`).exec(text)?.[1]?.replace(/&amp;/g, '&');

describe('the status page at scale: pages, cache and ETag (STATUS_PAGE=public)', () => {
  const ctx = createTestContext('status-scale', { STATUS_PAGE: 'public' }, NOW);

  beforeAll(async () => {
    await ctx.seed();
    // 120 more commitments: half led by Thailand, deadlines spread over 2010.
    for (let i = 0; i < EXTRA; i++) {
      const input = CommitmentInputSchema.parse({
        id: `bulk-${String(i).padStart(3, '0')}`,
        meetingId: MEETING,
        title: `Bulk commitment number ${i}`,
        leads: [i % 2 === 0 ? 'THA' : 'MYS'],
        due: { date: `2010-${String((i % 12) + 1).padStart(2, '0')}-15`, timeZone: 'Asia/Bangkok' },
      });
      await ctx.deps.commitments.create(createCommitment(input, 'test', ctx.clock.now()));
    }
  });
  afterAll(() => ctx.cleanup());

  it('when there are more commitments than fit a page, then pages of 50 cover all of them once, with next and previous links', async () => {
    const total = EXTRA + 6;
    const seen: string[] = [];
    let href: string | undefined = '/';
    let pages = 0;
    while (href) {
      const res = await request(ctx.app).get(href).expect(200);
      const onPage = ids(res.text);
      expect(onPage.length).toBe(Math.min(PAGE_SIZE, total - seen.length));
      if (pages === 0) {
        expect(res.text).toContain(`Showing 1–50 of ${total} commitments`);
        expect(res.text).not.toContain('rel="prev"');
      } else {
        expect(hrefOf(res.text, 'prev')).toBeDefined();
      }
      seen.push(...onPage);
      pages++;
      href = hrefOf(res.text, 'next');
    }
    expect(pages).toBe(Math.ceil(total / PAGE_SIZE));
    expect(new Set(seen).size).toBe(total);
    // Overdue first: the workshop (due end of 2009) leads page 1.
    expect(seen[0]).toBe('workshop-information-campaigns');
  });

  it('when the viewer pages through a filtered list, then the links keep every filter', async () => {
    const first = await request(ctx.app).get('/?party=THA&status=open&tz=Asia%2FBangkok').expect(200);
    expect(first.text).toContain(`Showing 1–50 of ${EXTRA / 2} commitments`);
    const next = hrefOf(first.text, 'next')!;
    expect(new URL(next, 'http://x').searchParams.get('party')).toBe('THA');
    expect(new URL(next, 'http://x').searchParams.get('status')).toBe('open');
    expect(new URL(next, 'http://x').searchParams.get('tz')).toBe('Asia/Bangkok');
    expect(new URL(next, 'http://x').searchParams.get('page')).toBe('2');
    const second = await request(ctx.app).get(next).expect(200);
    expect(ids(second.text)).toHaveLength(EXTRA / 2 - PAGE_SIZE);
    expect(second.text).toContain(`Showing 51–60 of ${EXTRA / 2} commitments`);
    expect(hrefOf(second.text, 'next')).toBeUndefined();
  });

  it('when the page number is not a positive whole number, then it answers 400 naming query.page', async () => {
    for (const bad of ['abc', '0', '-1', '1.5', '99999999']) {
      const res = await request(ctx.app).get(`/?page=${bad}`).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'query.page' })]);
    }
  });

  it('when the same page is asked for again, then it has the same ETag, and If-None-Match gets a 304 without a body', async () => {
    const a = await request(ctx.app).get('/?status=open').expect(200);
    const etag = a.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(a.headers['cache-control']).toBe('no-cache');
    const b = await request(ctx.app).get('/?status=open').expect(200);
    expect(b.headers.etag).toBe(etag);
    expect(b.text).toBe(a.text);
    const c = await request(ctx.app).get('/?status=open').set('If-None-Match', etag).expect(304);
    expect(c.text).toBe('');
    // Another filter is another page, with another tag.
    const d = await request(ctx.app).get('/?status=overdue').expect(200);
    expect(d.headers.etag).not.toBe(etag);
  });

  it('when a commitment changes, then the next request shows it at once, under a new ETag', async () => {
    const before = await request(ctx.app).get('/?party=MYS').expect(200);
    expect(before.text).not.toContain('Completed');
    await request(ctx.app)
      .post('/v1/commitments/bulk-001/complete')
      .set(bearer(TOKENS.admin))
      .send({ note: 'Held in Kuala Lumpur', completedOn: '2010-01-14' })
      .expect(200);
    const after = await request(ctx.app).get('/?party=MYS').set('If-None-Match', before.headers.etag as string).expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.text).toMatch(/<article id="bulk-001"[^>]*data-status="done"/);
  });

  it('when a party is renamed, then the cached page shows the new name', async () => {
    const before = await request(ctx.app).get('/?party=THA').expect(200);
    expect(before.text).toContain('Thailand');
    await request(ctx.app).patch('/v1/parties/THA').set(bearer(TOKENS.admin)).send({ name: 'Kingdom of Thailand' }).expect(200);
    const after = await request(ctx.app).get('/?party=THA').expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.text).toContain('Kingdom of Thailand');
  });

  it('when a deadline passes within the minute, then the cached page turns the item overdue', async () => {
    // Due 20 seconds from now, in this same minute.
    const at = new Date(ctx.clock.now().getTime() + 20_000).toISOString();
    const input = CommitmentInputSchema.parse({ id: 'due-in-twenty-seconds', meetingId: MEETING, title: 'Due in twenty seconds', leads: ['NZL'], due: { at } });
    await ctx.deps.commitments.create(createCommitment(input, 'test', ctx.clock.now()));
    const before = await request(ctx.app).get('/?party=NZL').expect(200);
    expect(before.text).toMatch(/<article id="due-in-twenty-seconds"[^>]*data-overdue="false"/);
    ctx.clock.advance(21_000);
    try {
      const after = await request(ctx.app).get('/?party=NZL').expect(200);
      expect(after.text).toMatch(/<article id="due-in-twenty-seconds"[^>]*data-overdue="true"/);
    } finally {
      ctx.clock.advance(-21_000);
    }
  });

  it('when a minute passes, then the page says the new time', async () => {
    const before = await request(ctx.app).get('/?party=LKA').expect(200);
    expect(before.text).toContain('As of Fri, 15 Jan 2010, 10:00');
    ctx.clock.advance(60_000);
    try {
      const after = await request(ctx.app).get('/?party=LKA').expect(200);
      expect(after.text).toContain('As of Fri, 15 Jan 2010, 10:01');
      expect(after.headers.etag).not.toBe(before.headers.etag);
    } finally {
      ctx.clock.advance(-60_000);
    }
  });

  it('when there are more dated commitments than labels fit, then the timeline counts them per column, and the counts add up', async () => {
    const res = await request(ctx.app).get('/?party=THA').expect(200);
    expect(res.text).toContain('data-mode="counts"');
    const sum = [...res.text.matchAll(/<g class="bin" data-overdue="(\d+)" data-upcoming="(\d+)" data-done="(\d+)">/g)].reduce((n, m) => n + Number(m[1]) + Number(m[2]) + Number(m[3]), 0);
    expect(sum).toBe(EXTRA / 2);
  });
});

describe('the status page cache keeps viewers apart (STATUS_PAGE=token)', () => {
  const ctx = createTestContext('status-scale-token', { STATUS_PAGE: 'token' }, NOW);
  beforeAll(() => ctx.seed());
  afterAll(() => ctx.cleanup());

  it('when an admin has just loaded the page, then an editor asking for the same page still sees only its parties', async () => {
    const admin = await request(ctx.app).get('/').set(bearer(TOKENS.admin)).expect(200);
    expect(ids(admin.text)).toHaveLength(6);
    expect(admin.headers['cache-control']).toBe('private, no-cache');
    expect(admin.headers.vary).toMatch(/Authorization/);
    expect(admin.headers.vary).toMatch(/Cookie/);
    const editor = await request(ctx.app).get('/').set(bearer(TOKENS.lka)).expect(200);
    expect(ids(editor.text)).toEqual(['sub-group-sri-lankan-caseload']);
    // The admin's ETag does not open the editor's page.
    await request(ctx.app).get('/').set(bearer(TOKENS.lka)).set('If-None-Match', admin.headers.etag as string).expect(200);
  });

  it('when a visitor has no token, then a cached page is never served to them', async () => {
    await request(ctx.app).get('/').set(bearer(TOKENS.viewer)).expect(200);
    const res = await request(ctx.app).get('/').expect(401);
    expect(res.text).not.toContain('data-commitment=');
  });
});
