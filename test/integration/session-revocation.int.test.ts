/**
 * A session cookie is checked against its token on each use: once the token is revoked (taken
 * out of API_TOKENS, or a generated token deleted from the store), its sessions open nothing,
 * at once, though the cookie is still signed and unexpired.
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKENS, TOKENS, createTestContext } from '../support/app.js';
import { createServices } from '../../src/app/services.js';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../config/env.js';
import { pino } from 'pino';
import { ensureGeneratedAdminToken, tokenRef } from '../../src/store/auth-store.js';
import { createKeys } from '../../src/store/keys.js';
import { deletePrefix, uniquePrefix } from '../support/redis.js';

const ctx = createTestContext('session-revocation');
afterAll(() => ctx.cleanup());

function sessionCookie(res: request.Response): string {
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('fu_session='));
  if (!cookie) throw new Error('no session cookie was set');
  return cookie.split(';')[0]!;
}

describe('session cookies and token revocation', () => {
  it('a token taken out of API_TOKENS ends its sessions at once (another process, same shared secret)', async () => {
    const login = await request(ctx.app).get(`/admin/login?token=${TOKENS.admin}`).expect(303);
    const cookie = sessionCookie(login);
    expect(cookie).not.toContain(TOKENS.admin);
    await request(ctx.app).get('/admin/queues').set('Cookie', cookie).expect(200);
    // The operator replaces the admin token; the cookie is still signed and unexpired.
    const rotated = JSON.stringify([...JSON.parse(API_TOKENS).filter((t: { role: string }) => t.role !== 'admin'), { name: 'secretariat', token: 'a-new-admin-token-0123456789', role: 'admin' }]);
    const after = ctx.withApp({ API_TOKENS: rotated });
    await request(after).get('/admin/queues').set('Cookie', cookie).expect(401);
    // The unchanged process still honours it: only the revocation ends it.
    await request(ctx.app).get('/admin/queues').set('Cookie', cookie).expect(200);
  });

  it('a generated token deleted from the store ends its sessions on the next request', async () => {
    const prefix = uniquePrefix('session-revocation-gen');
    const config = loadConfig({ REDIS_URL: ctx.config.REDIS_URL, REDIS_PREFIX: prefix, NODE_ENV: 'test' });
    const keys = createKeys(prefix);
    const services = createServices(config, { redis: ctx.redis }, { clock: ctx.clock, logger: pino({ level: 'silent' }) });
    try {
      const token = await ensureGeneratedAdminToken(ctx.redis, keys);
      expect(token).toBeTruthy();
      const app = createApp(services);
      const cookie = sessionCookie(await request(app).get(`/admin/login?token=${token}`).expect(303));
      await request(app).get('/admin/queues').set('Cookie', cookie).expect(200);
      await request(app).get('/v1/status').set('Authorization', `Bearer ${token}`).expect(200);
      await ctx.redis.hdel(keys.tokens, tokenRef(token!));
      await request(app).get('/admin/queues').set('Cookie', cookie).expect(401);
      // The bearer token itself is refused at once too: a stored token's lookup is not cached.
      await request(app).get('/v1/status').set('Authorization', `Bearer ${token}`).expect(401);
    } finally {
      await services.close();
      await deletePrefix(ctx.redis, prefix);
    }
  });
});
