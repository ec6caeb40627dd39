/**
 * Unfiltered list pages read only their page from the id-ordered index; they must
 * page exactly as the filtered path (which reads every matching id) does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createCommitment, type CommitmentInputSchema } from '../../src/domain/commitment.js';
import { createRedisCommitmentStore } from '../../src/store/commitment-store.js';
import { createKeys } from '../../src/store/keys.js';
import { deletePrefix, newRedis, uniquePrefix } from '../support/redis.js';

const prefix = uniquePrefix('list-pages');
const redis = newRedis();
const store = createRedisCommitmentStore(redis, createKeys(prefix));
const now = new Date('2009-08-01T00:00:00Z');
// Ids whose order as strings differs from their order as numbers, and one with a dash run.
const ids = Array.from({ length: 123 }, (_, i) => `c-${i}`).concat(['a', 'a-b', 'zz--z']);

beforeAll(async () => {
  for (const id of ids) {
    const input = { meetingId: 'm-1', id, title: `Commitment ${id}`, sourceText: '', theme: null, leads: ['LKA'], members: [], due: null, reminderPolicy: null };
    expect(await store.create(createCommitment(input as z.output<typeof CommitmentInputSchema>, 'test', now))).toBe(true);
  }
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

async function allPages(filter: Parameters<typeof store.list>[0], limit: number) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(filter, { limit, ...(cursor ? { cursor } : {}) }, now);
    pages.push(page.items.map((c) => c.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && pages.length < 100);
  return pages;
}

describe('list pages', () => {
  it('without filters, pages cover every commitment once, in id order, and the last page has no cursor', async () => {
    const pages = await allPages({}, 50);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 26]);
    expect(pages.flat()).toEqual([...ids].sort());
  });

  it('without filters, pages are the same as through a filter that every commitment matches', async () => {
    for (const limit of [1, 7, 50, 126, 500]) {
      expect(await allPages({}, limit)).toEqual(await allPages({ meetingId: 'm-1' }, limit));
    }
  });

  it('a page that ends exactly at the last commitment has no cursor', async () => {
    const page = await store.list({}, { limit: ids.length }, now);
    expect(page.items).toHaveLength(ids.length);
    expect(page.nextCursor).toBeNull();
  });
});
