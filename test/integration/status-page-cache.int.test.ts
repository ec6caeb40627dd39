import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/api/problem.js';
import { changeMarkOf, statusPageRouter } from '../../src/api/routes/status-page.js';
import { createSessionCookies } from '../../src/api/session-cookie.js';
import type { AppDeps } from '../../src/api/deps.js';
import { createKeys } from '../../src/store/keys.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const NOW = '2010-01-15T02:00:00Z';
const LKA_ITEM = 'sub-group-sri-lankan-caseload';

const ctx = createTestContext('status-cache', { STATUS_PAGE: 'public' }, NOW);
const keys = createKeys(ctx.prefix);
/** The newest event's id, read as the events-stream change mark reads it. */
const newestEvent = async () => (await ctx.redis.xrevrange(keys.events, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('the status page cache', () => {
  /** The status page route alone, with the change mark given. */
  function pageApp(changeMark: () => Promise<string>, cacheEntries = 200) {
    const app = express();
    app.set('query parser', 'simple');
    app.use(statusPageRouter(ctx.deps, createSessionCookies(ctx.deps), { changeMark, cacheEntries }));
    app.use(errorHandler(ctx.deps.logger));
    return app;
  }

  it('when the change mark has not moved, then the page is served from the cache without reading the commitments again; when it moves, the page is rendered anew', async () => {
    const app = pageApp(newestEvent);
    const first = await request(app).get('/?party=LKA').expect(200);
    expect(first.text).toContain('Sub-group of affected countries on the Sri Lankan caseload');

    await retitleSilently(LKA_ITEM, 'Silently retitled sub-group');
    const cached = await request(app).get('/?party=LKA').expect(200);
    expect(cached.text).toBe(first.text);

    // Any commitment write appends an event, which moves the mark.
    await request(ctx.app).post('/v1/commitments/information-paper-protection-registration/complete').set(bearer(TOKENS.admin)).send({ note: 'Circulated', completedOn: '2010-01-10' }).expect(200);
    const fresh = await request(app).get('/?party=LKA').expect(200);
    expect(fresh.text).toContain('Silently retitled sub-group');
    expect(fresh.headers.etag).not.toBe(first.headers.etag);
  });

  it('when the cache is off, then every request reads the store', async () => {
    const app = pageApp(newestEvent, 0);
    await request(app).get('/?party=LKA').expect(200);
    await retitleSilently(LKA_ITEM, 'Retitled again, silently');
    const next = await request(app).get('/?party=LKA').expect(200);
    expect(next.text).toContain('Retitled again, silently');
  });

  it('when many requests for a page not yet cached arrive at once, then the commitments are read once for all of them', async () => {
    let reads = 0;
    const store = ctx.deps.commitments;
    const counting = { ...store, getMany: (ids: readonly string[]) => (reads++, store.getMany(ids)) };
    const app = express();
    app.set('query parser', 'simple');
    app.use(statusPageRouter({ ...ctx.deps, commitments: counting } as AppDeps, createSessionCookies(ctx.deps), { changeMark: newestEvent }));
    const pages = await Promise.all(Array.from({ length: 20 }, () => request(app).get('/?status=open')));
    expect(new Set(pages.map((p) => p.status))).toEqual(new Set([200]));
    expect(new Set(pages.map((p) => p.headers.etag)).size).toBe(1);
    expect(reads).toBe(1);
    await request(app).get('/?status=open').expect(200);
    expect(reads).toBe(1);
  });
});

describe('the status page as the app wires it', () => {
  it('when nothing was written, then the page comes from the cache (the store gives the app a change mark)', async () => {
    const first = await request(ctx.app).get('/?party=LKA&tz=UTC').expect(200);
    await retitleSilently(LKA_ITEM, 'Changed behind the cache');
    const second = await request(ctx.app).get('/?party=LKA&tz=UTC').expect(200);
    expect(second.text).toBe(first.text);
  });
});

/** Change a commitment's stored title behind the store's back: no event, so no new change mark. */
async function retitleSilently(id: string, title: string) {
  const doc = JSON.parse((await ctx.redis.hget(keys.commitment(id), 'json'))!) as { title: string };
  await ctx.redis.hset(keys.commitment(id), 'json', JSON.stringify({ ...doc, title }));
}

describe('where the change mark comes from', () => {
  it('when the commitment store offers changeMark(), then that is the mark', async () => {
    let calls = 0;
    const deps = { ...ctx.deps, commitments: { ...ctx.deps.commitments, changeMark: async () => `mark-${++calls}` } } as AppDeps;
    const mark = changeMarkOf(deps);
    await expect(mark()).resolves.toBe('mark-1');
    await expect(mark()).resolves.toBe('mark-2');
  });

  it('when the deps carry the Redis client and key layout, then the mark is the newest event id, and a write moves it', async () => {
    const deps = { ...ctx.deps, redis: ctx.redis, keys } as unknown as AppDeps;
    const mark = changeMarkOf(deps);
    const before = await mark();
    expect(before).toBe(await newestEvent());
    expect(before).toMatch(/^\d+-\d+$/);
    await request(ctx.app).patch('/v1/commitments/expert-working-group-irregular-movement-by-air').set(bearer(TOKENS.admin)).send({ due: { date: '2010-06-30', timeZone: 'Asia/Jakarta' } }).expect(200);
    expect(await mark()).not.toBe(before);
  });
});
