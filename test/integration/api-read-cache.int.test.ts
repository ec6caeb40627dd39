/**
 * GET /v1/commitments/:id answers from a cache of serialised views (src/api/commitment-views.ts)
 * while the stored document is unchanged: whatever changes it, and the passing of the deadline,
 * must show at once, and the answer must be the one the list gives for the same commitment.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toView, type Commitment } from '../../src/domain/commitment.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-read-cache');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const id = 'workshop-information-campaigns';

beforeAll(() => ctx.seed());
afterAll(() => {
  ctx.clock.set('2009-08-01T00:00:00Z');
  return ctx.cleanup();
});

describe('reading one commitment', () => {
  it('when read twice, then both answers are the stored document as toView makes it, byte for byte, with its version as ETag', async () => {
    const first = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const second = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const stored = (await ctx.redis.hget(ctx.keys.commitment(id), 'json'))!;
    const expected = JSON.stringify(toView(JSON.parse(stored) as Commitment, ctx.clock.now()));
    expect(first.text).toBe(expected);
    expect(second.text).toBe(expected);
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(second.headers['content-length'])).toBe(Buffer.byteLength(expected));
    expect(second.headers.etag).toBe(`"${(JSON.parse(stored) as Commitment).version}"`);
    const listed = (await api().get('/v1/commitments?limit=500').set(admin).expect(200)).body.items as Array<{ id: string }>;
    expect(listed.find((c) => c.id === id)).toEqual(second.body);
  });

  it('when the commitment is patched after a read, then the next read shows the change and the new ETag', async () => {
    const before = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const patched = await api().patch(`/v1/commitments/${id}`).set(admin).set('If-Match', String(before.headers.etag)).send({ title: 'Workshop on information campaigns (revised)' }).expect(200);
    const after = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    expect(after.body.title).toBe('Workshop on information campaigns (revised)');
    expect(after.headers.etag).toBe(patched.headers.etag);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).toEqual(patched.body);
  });

  it('when the stored document changes without a new version, then the next read shows it (the cache compares the whole document)', async () => {
    await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const stored = JSON.parse((await ctx.redis.hget(ctx.keys.commitment(id), 'json'))!) as Commitment;
    await ctx.redis.hset(ctx.keys.commitment(id), 'json', JSON.stringify({ ...stored, sourceText: 'Changed behind the API' }));
    try {
      const res = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
      expect(res.body.sourceText).toBe('Changed behind the API');
    } finally {
      await ctx.redis.hset(ctx.keys.commitment(id), 'json', JSON.stringify(stored));
    }
  });

  it('when the deadline passes between two reads, then the second says overdue', async () => {
    const before = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    expect(before.body.overdue).toBe(false);
    expect(before.body.dueAt).toEqual(expect.any(String));
    ctx.clock.set(new Date(Date.parse(before.body.dueAt as string) + 1000));
    try {
      const after = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
      expect(after.body.overdue).toBe(true);
      expect(after.text).toBe(JSON.stringify({ ...before.body, overdue: true }));
    } finally {
      ctx.clock.set('2009-08-01T00:00:00Z');
    }
    expect((await api().get(`/v1/commitments/${id}`).set(admin).expect(200)).body.overdue).toBe(false);
  });

  it('when If-None-Match names the current ETag, then the answer is a 304 without a body; a stale one gets the 200', async () => {
    const current = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const fresh = await api().get(`/v1/commitments/${id}`).set(admin).set('If-None-Match', String(current.headers.etag)).expect(304);
    expect(fresh.text).toBe('');
    expect(fresh.headers['content-type']).toBeUndefined();
    expect(fresh.headers.etag).toBe(current.headers.etag);
    const stale = await api().get(`/v1/commitments/${id}`).set(admin).set('If-None-Match', '"0"').expect(200);
    expect(stale.body.id).toBe(id);
  });

  it('when asked with HEAD, then the headers are the GET\'s and there is no body', async () => {
    const get = await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const head = await api().head(`/v1/commitments/${id}`).set(admin).expect(200);
    expect(head.text ?? '').toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers.etag).toBe(get.headers.etag);
  });

  it('when an editor reads a cached commitment its parties have nothing to do with, then it is the 404 of an unknown id', async () => {
    await api().get(`/v1/commitments/${id}`).set(admin).expect(200);
    const stored = JSON.parse((await ctx.redis.hget(ctx.keys.commitment(id), 'json'))!) as Commitment;
    const involved = [...stored.leads, ...stored.members];
    const outsider = !involved.includes('LKA') ? TOKENS.lka : !involved.includes('IDN') ? TOKENS.idn : undefined;
    expect(outsider).toBeDefined();
    const res = await api().get(`/v1/commitments/${id}`).set(bearer(outsider!)).expect(404);
    const unknown = await api().get('/v1/commitments/no-such-commitment').set(bearer(outsider!)).expect(404);
    expect(res.body.detail).toBe(`No commitment has the id ${id}.`);
    expect(unknown.body.detail).toBe('No commitment has the id no-such-commitment.');
  });
});

describe('a page of the list', () => {
  it('when read twice, then both answers are, byte for byte, JSON.stringify of the stored documents as toView makes them', async () => {
    const first = await api().get('/v1/commitments?limit=5').set(admin).expect(200);
    const second = await api().get('/v1/commitments?limit=5').set(admin).expect(200);
    const ids = (first.body.items as Array<{ id: string }>).map((c) => c.id);
    expect(ids).toHaveLength(5);
    const docs = await Promise.all(ids.map(async (i) => JSON.parse((await ctx.redis.hget(ctx.keys.commitment(i), 'json'))!) as Commitment));
    const expected = JSON.stringify({ items: docs.map((c) => toView(c, ctx.clock.now())), nextCursor: first.body.nextCursor as string });
    expect(typeof first.body.nextCursor).toBe('string');
    expect(first.text).toBe(expected);
    expect(second.text).toBe(expected);
    const last = await api().get(`/v1/commitments?limit=500&cursor=${encodeURIComponent(first.body.nextCursor as string)}`).set(admin).expect(200);
    expect(last.body.nextCursor).toBeNull();
    expect(last.text.endsWith(',"nextCursor":null}')).toBe(true);
  });

  it('when a listed commitment changes, then the next page shows the change', async () => {
    const page = await api().get('/v1/commitments?limit=3').set(admin).expect(200);
    const target = (page.body.items as Array<{ id: string; version: number }>)[1]!;
    await api().patch(`/v1/commitments/${target.id}`).set(admin).set('If-Match', `"${target.version}"`).send({ title: 'Retitled while listed' }).expect(200);
    const again = await api().get('/v1/commitments?limit=3').set(admin).expect(200);
    expect((again.body.items as Array<{ id: string; title: string }>)[1]).toMatchObject({ id: target.id, title: 'Retitled while listed', version: target.version + 1 });
  });
});
