/**
 * The public pages (the status page at /, the API docs) have the one-click links' per-address
 * budget (RATE_LIMIT_PUBLIC_PER_MINUTE), and the address is the client's as TRUST_PROXY lets a
 * reverse proxy name it in X-Forwarded-For.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import { createTestContext } from '../support/app.js';

const from = (ip: string) => ({ 'X-Forwarded-For': ip });

describe('public pages are rate-limited per client address', () => {
  const ctx = createTestContext('public-pages-limit', { RATE_LIMIT_PUBLIC_PER_MINUTE: '3' });
  beforeAll(() => ctx.seed());
  afterAll(() => ctx.cleanup());

  it('the status page, the docs and the OpenAPI document share one budget per address; past it 429 with Retry-After', async () => {
    await request(ctx.app).get('/').set(from('203.0.113.1')).expect(200);
    await request(ctx.app).get('/docs').set(from('203.0.113.1')).expect(200);
    await request(ctx.app).get('/openapi.json').set(from('203.0.113.1')).expect(200);
    const refused = await request(ctx.app).get('/?tz=Europe/Paris').set(from('203.0.113.1')).expect(429);
    expect(refused.headers['content-type']).toMatch(/problem\+json|text\/html/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Behind the default TRUST_PROXY (loopback), another client named by the proxy has its own budget.
    await request(ctx.app).get('/').set(from('203.0.113.2')).expect(200);
  });

  it('with TRUST_PROXY=false, X-Forwarded-For is ignored: every client behind the proxy shares its address', async () => {
    const app = ctx.withApp({ TRUST_PROXY: 'false' });
    for (let i = 0; i < 3; i++) await request(app).get('/').set(from(`198.51.100.${i}`)).expect(200);
    await request(app).get('/').set(from('198.51.100.99')).expect(429);
  });
});

describe('TRUST_PROXY', () => {
  const parse = (v: string) => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', NODE_ENV: 'test', TRUST_PROXY: v }).TRUST_PROXY;
  it('takes named ranges, addresses and CIDR ranges, a hop count, or false; loopback by default', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', NODE_ENV: 'test' }).TRUST_PROXY).toEqual(['loopback']);
    expect(parse('10.0.0.5, 10.1.0.0/16,uniquelocal')).toEqual(['10.0.0.5', '10.1.0.0/16', 'uniquelocal']);
    expect(parse('1')).toBe(1);
    expect(parse('false')).toBe(false);
  });
  it('refuses anything else, naming TRUST_PROXY', () => {
    expect(() => parse('everyone')).toThrow(/TRUST_PROXY/);
    expect(() => parse('10.0.0.300')).toThrow(/TRUST_PROXY/);
  });
});
