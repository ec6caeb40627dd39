/** Reading GET /v1/reminders to the end, as a client would: every page, following nextCursor. */
import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import { bearer } from './app.js';

export type Row = { sendId: string; recipient: string; state: string; at: string; commitmentId: string | null };

/** Every page of a query, following nextCursor; each page has exactly `items` and `nextCursor`. */
export async function allPages(app: Express, token: string, query: Record<string, string | number>): Promise<{ rows: Row[]; pages: number }> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await request(app)
      .get('/v1/reminders')
      .query({ ...query, ...(cursor ? { cursor } : {}) })
      .set(bearer(token))
      .expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
    rows.push(...(res.body.items as Row[]));
    cursor = res.body.nextCursor as string | null;
    pages++;
    expect(pages).toBeLessThan(400);
  } while (cursor);
  return { rows, pages };
}
