#!/usr/bin/env node
/**
 * `npm run build`: compile the service to JavaScript and copy the files it reads
 * at run time beside the compiled code, so `node dist/src/main.js` runs without tsx.
 *
 *   node scripts/build.mjs [--out-dir <dir>]     (default dist/)
 *
 * The layout mirrors the sources (rootDir is the package root): dist/src/main.js,
 * dist/config/env.js, dist/jobs, dist/workers. Run-time assets keep their paths:
 * src/**\/*.lua (the store's Lua scripts) and config/seed/* (the 2009 meeting).
 * Modules find them relative to themselves (import.meta.url), in src/ or in dist/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv.indexOf('--out-dir');
const outDir = resolve(root, arg > 0 ? process.argv[arg + 1] : 'dist');

/** Files under `dir` (relative to the root) whose name passes `keep`. */
function files(dir, keep) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(join(root, f)).isFile() && keep(f));
}

const started = Date.now();
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${run.status ?? run.signal})\n`);
  process.exit(1);
}

const assets = [...files('src', (f) => f.endsWith('.lua')), ...files('config/seed', () => true)];
for (const f of assets) cpSync(join(root, f), join(outDir, f));

const entry = join(outDir, 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`build: ${relative(root, entry)} is missing after tsc\n`);
  process.exit(1);
}
process.stdout.write(`build: ${relative(root, outDir) || '.'}/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${assets.length} assets copied); run with node ${relative(root, entry)}\n`);
