/**
 * Configuration the usual way: `.env.example` and the configuration table in
 * docs/operating.md are generated from config/env.ts (`npm run docs:config`) and
 * must stay in step with it; a `.env` file is read at start, without overriding
 * the environment, and never when an explicit environment is passed (tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { envDescriptions, envReference, loadConfig, loadDotEnv, renderConfigTable, renderEnvExample } from '../../config/env.js';

const root = new URL('../../', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, root), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'followup-dotenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.env.example', () => {
  it('when config/env.ts changes, then .env.example must be regenerated (npm run docs:config)', () => {
    expect(read('.env.example')).toBe(renderEnvExample());
  });

  it('lists every variable once, commented out, after its description', () => {
    const example = read('.env.example');
    for (const { name, description } of envDescriptions) {
      expect(example.match(new RegExp(`^# ${name}=`, 'gm')), name).toHaveLength(1);
      expect(example, name).toContain(`# ${description}`);
    }
  });

  it('when every line with a value is uncommented, then the service reads exactly its defaults', () => {
    const uncommented = read('.env.example')
      .split('\n')
      .filter((l) => /^# [A-Z][A-Z0-9_]*=./.test(l))
      .map((l) => l.slice(2))
      .join('\n');
    const parsed = parseEnv(uncommented) as Record<string, string>;
    // PUBLIC_BASE_URL's default is computed from PORT; the example shows the rule, not a URL.
    delete parsed.PUBLIC_BASE_URL;
    expect(Object.keys(parsed).length).toBeGreaterThan(25);
    expect(loadConfig(parsed)).toEqual(loadConfig({}));
    // And a changed value would show: the example is not just the empty environment.
    expect(loadConfig({ ...parsed, PORT: '4000' })).not.toEqual(loadConfig({}));
  });
});

describe('the configuration table in docs/operating.md', () => {
  it('when config/env.ts changes, then the table must be regenerated (npm run docs:config)', () => {
    const doc = read('docs/operating.md');
    const start = doc.indexOf('| Variable | Default | Meaning |');
    expect(start).toBeGreaterThan(doc.indexOf('\n## Configuration\n'));
    const table = doc.slice(start, doc.indexOf('\n\n', start) + 1);
    expect(table).toBe(renderConfigTable());
  });

  it('shows unset and empty defaults as such, and the applied defaults that are not the schema’s', () => {
    const byName = Object.fromEntries(envReference.map((v) => [v.name, v.default]));
    expect(byName).toMatchObject({ PORT: '3000', SMTP_URL: undefined, DIGEST_STEERING_GROUP: '', REMINDER_BEFORE: 'P30D,P14D,P7D,P1D', REMINDER_ON_DUE: 'true', PUBLIC_BASE_URL: 'http://localhost:PORT' });
    expect(loadConfig({}).REMINDER_BEFORE).toEqual(['P30D', 'P14D', 'P7D', 'P1D']);
  });
});

describe('.env at start', () => {
  it('when a .env file sets variables, then loadDotEnv adds those not set already, and parses quoted values', () => {
    const file = join(dir, 'one.env');
    writeFileSync(file, '# a comment\nPORT=4321\nREDIS_PREFIX=from-file\nMAIL_FROM="Desk <desk@example.org>"\n');
    const target: Record<string, string | undefined> = { REDIS_PREFIX: 'from-env' };
    expect(loadDotEnv(file, target).sort()).toEqual(['MAIL_FROM', 'PORT']);
    expect(target).toEqual({ REDIS_PREFIX: 'from-env', PORT: '4321', MAIL_FROM: 'Desk <desk@example.org>' });
    expect(loadDotEnv(join(dir, 'missing.env'), target)).toEqual([]);
  });

  it('when the service reads its environment in a folder with .env, then .env applies, the environment wins, and an explicit environment ignores it', () => {
    writeFileSync(join(dir, '.env'), 'PORT=4321\nREDIS_PREFIX=from-file\nSEED=none\n');
    const envModule = fileURLToPath(new URL('config/env.ts', root));
    const script = `const { loadConfig } = await import(${JSON.stringify(envModule)});
      const fromProcess = loadConfig();
      const explicit = loadConfig({});
      console.log(JSON.stringify({ port: fromProcess.PORT, prefix: fromProcess.REDIS_PREFIX, seed: fromProcess.SEED, explicitPort: explicit.PORT, explicitSeed: explicit.SEED }));`;
    // tsx by its absolute path: the folder with .env is outside the package.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const run = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      cwd: dir,
      env: { PATH: process.env.PATH, REDIS_PREFIX: 'from-env' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ port: 4321, prefix: 'from-env', seed: 'none', explicitPort: 3000, explicitSeed: '2009' });
  });
});
