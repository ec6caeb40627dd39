/**
 * The production entry point: `npm run build` (scripts/build.mjs) compiles the
 * service, and plain `node …/src/main.js` (no tsx, no TypeScript) starts it,
 * finds what it reads at run time (the seed meeting, the store's Lua scripts)
 * beside the compiled code, serves the API, sends mail through its SMTP thread (a
 * worker thread started from the compiled module), and stops cleanly on SIGTERM.
 *
 * It builds into a folder of its own under node_modules/.cache, so a developer's
 * dist/ is left alone and modules still resolve from the package's node_modules.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKENS, TOKENS } from '../support/app.js';
import { deletePrefix, newRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'node_modules', '.cache', `followup-build-${randomBytes(4).toString('hex')}`);
const outbox = mkdtempSync(join(tmpdir(), 'followup-compiled-outbox-'));
const prefix = uniquePrefix('compiled-entry');
const redis = newRedis();
let child: ChildProcess | undefined;
let build: ReturnType<typeof spawnSync>;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  build = spawnSync(process.execPath, ['scripts/build.mjs', '--out-dir', outDir], { cwd: root, encoding: 'utf8', timeout: 240_000 });
}, 250_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
  rmSync(outbox, { recursive: true, force: true });
  await deletePrefix(redis, prefix);
  await redis.quit();
  await sink.close();
});

/** Start `node <outDir>/src/main.js` and resolve with its URL once it logs "API listening". */
function startCompiled(): Promise<{ url: string; logs: () => string }> {
  child = spawn(process.execPath, [join(outDir, 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, API_TOKENS, PORT: '0', HOST: '127.0.0.1', SEED: '2009', LOG_FORMAT: 'json', NODE_ENV: 'production', OUTBOX_DIR: outbox, SMTP_URL: sink.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"API listening"')) continue;
        const url = (JSON.parse(line) as { url: string }).url;
        child!.stdout!.off('data', onData);
        child!.stdout!.on('data', (more: Buffer) => (out += more.toString()));
        return resolve({ url, logs: () => out });
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child!.once('exit', (code) => reject(new Error(`node dist/src/main.js exited (${code}) before listening:\n${out.slice(-3000)}`)));
  });
}

describe('the compiled service (npm run build, then node dist/src/main.js)', () => {
  it('when built, then tsc succeeds and the run-time assets sit beside the compiled code', () => {
    expect(build.error).toBeUndefined();
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(existsSync(join(outDir, 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(outDir, 'src', 'cli.js'))).toBe(true);
    expect(existsSync(join(outDir, 'config', 'seed', 'ahg-som-2009.json'))).toBe(true);
    // Every Lua script of the sources is in the build, at the same relative path.
    const lua = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.lua')).sort() : []);
    expect(lua(join(outDir, 'src'))).toEqual(lua(join(root, 'src')));
    // No test, benchmark or TypeScript source leaks into the build.
    expect(readdirSync(outDir).sort()).toEqual(['config', 'jobs', 'src', 'workers']);
    expect(readdirSync(outDir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('when started with plain node, then it seeds from dist, serves the API, mails through SMTP, and stops cleanly on SIGTERM', async () => {
    const { url, logs } = await startCompiled();
    expect(child!.spawnargs.join(' ')).not.toMatch(/tsx/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The seed file was found from dist/config/seed, and the store's Lua scripts from dist/src.
    const list = await fetch(`${url}/v1/commitments?limit=10`, { headers: { Authorization: `Bearer ${TOKENS.admin}` } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(6);
    const patched = await fetch(`${url}/v1/commitments/workshop-information-campaigns`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKENS.admin}`, 'Content-Type': 'application/json', 'If-Match': '"1"' },
      body: JSON.stringify({ theme: 'compiled' }),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    // The seed's deadlines passed long ago: the status checks' escalations go out over SMTP,
    // composed and sent by the SMTP thread, which started from dist/src/mail/smtp-thread.js.
    const [mail] = await sink.waitFor(1, 30_000);
    expect(mail!.parsed.subject).toMatch(/\S/);
    expect(mail!.parsed.messageId).toMatch(/@/);
    expect(String(mail!.parsed.text)).toMatch(/https?:\/\//);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited, logs().slice(-3000)).toBe(0);
  }, 60_000);
});
