/**
 * Starting the service: a bad environment or an unreachable Redis stops it
 * with a clear message (no stack trace); a good one serves the seed, and
 * stop() is safe to call twice.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { start, type Running } from '../../src/main.js';
import { deletePrefix, newRedis, redisUrl, uniquePrefix } from '../support/redis.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Run `npx tsx src/main.ts` with extra env; resolve with its exit code and output (killed after 60 s). */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_PREFIX: uniquePrefix('startup-child'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe('starting with a bad environment', () => {
  it('PORT=abc exits non-zero naming PORT and what it expects, without a stack trace', async () => {
    const { code, stderr } = await runMain({ PORT: 'abc', REDIS_URL: redisUrl() });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/Invalid configuration/);
    expect(stderr).toMatch(/PORT: expected a port number from 0 to 65535/);
    expect(stderr).not.toMatch(STACK);
  });

  it('several bad variables are all named at once', async () => {
    const { code, stderr } = await runMain({ PORT: '0', REDIS_URL: 'http://localhost', API_TOKENS: '[{"name":"x"}]' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(stderr).toMatch(/API_TOKENS: 0\.token/);
    expect(stderr).not.toMatch(STACK);
  });

  it('an unreachable Redis exits non-zero saying where it looked and how to start Redis, without a stack trace', async () => {
    const port = await closedPort();
    const { code, stderr } = await runMain({ PORT: '0', REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(code).not.toBe(0);
    expect(stderr).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(stderr).toMatch(/redis-server/);
    expect(stderr).toMatch(/REDIS_URL=/);
    expect(stderr).not.toMatch(STACK);
  });
});

describe('start() and stop()', () => {
  const prefix = uniquePrefix('startup');
  const redis = newRedis();
  let running: Running | undefined;

  afterAll(async () => {
    await running?.stop();
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('on PORT=0 with the default SEED, a fresh prefix serves the six seeded commitments to the generated admin token', async () => {
    running = await start({
      env: { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      logger: pino({ level: 'silent' }),
    });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.generatedToken).toMatch(/^fu_/);
    const res = await request(running.url!).get('/v1/commitments').set('Authorization', `Bearer ${running.generatedToken}`).expect(200);
    expect(res.body.items).toHaveLength(6);
    const byId = Object.fromEntries(res.body.items.map((c: { id: string }) => [c.id, c]));
    expect(byId['workshop-information-campaigns'].due).toEqual({ date: '2009-12-31', timeZone: 'Asia/Jakarta' });
    expect(byId['expert-meetings-prosecuting-smuggling-syndicates'].target).toEqual({ units: 2, done: 0 });
    await request(running.url!).get('/readyz').expect(200);
    await request(running.url!).get('/v1/commitments').set('Authorization', 'Bearer wrong-token-000000').expect(401);
    // Only the hash is kept, never the token itself.
    const stored = JSON.stringify(await redis.hgetall(`{${prefix}}:auth:tokens`));
    expect(stored).not.toContain(running.generatedToken!);
  });

  it('a second start on the same prefix neither re-seeds nor prints a new token', async () => {
    const second = await start({
      env: { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(second.generatedToken).toBeUndefined();
      const res = await request(second.url!).get('/v1/commitments').set('Authorization', `Bearer ${running!.generatedToken}`).expect(200);
      expect(res.body.items).toHaveLength(6);
      // Workers may append reminder events of their own; only the created events tell whether it re-seeded.
      const entries = await redis.xrange(`{${prefix}}:events`, '-', '+');
      const created = entries.filter(([, fields]) => (JSON.parse(fields[1]!) as { type: string }).type === 'commitment.created');
      expect(created).toHaveLength(6);
    } finally {
      await second.stop();
    }
  });

  it('stop() can be called twice, and the API no longer answers', async () => {
    const url = running!.url!;
    await Promise.all([running!.stop(), running!.stop()]);
    await running!.stop();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
