import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = new URL('../../src/logger.ts', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Run a process that logs `n` JSON lines to stdout (a pipe) in one burst and then ends the way `end` says. */
function burstThen(end: string, n = 5000): { lines: Array<{ i: number; msg: string; token?: string }>; status: number | null } {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
const log = createLogger({ level: 'info', format: 'json', nodeEnv: 'production' });
for (let i = 0; i < ${n}; i++) log.info({ i, token: 'tok-never-written-0123' }, 'line');
${end}`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { i: number; msg: string; token?: string });
  return { lines, status: run.status };
}

describe('JSON logs written asynchronously', () => {
  it.each([
    ['process.exit(0)', 'process.exit(0);', 0],
    ['an uncaught exception', "throw new Error('boom');", 1],
    ['the event loop running dry', '', 0],
  ])('when a burst of lines is followed by %s, then every line is on stdout, in order, and redacted', (_name, end, status) => {
    const run = burstThen(end);
    expect(run.status).toBe(status);
    expect(run.lines).toHaveLength(5000);
    expect(run.lines.every((l, i) => l.i === i && l.msg === 'line' && l.token === '[redacted]')).toBe(true);
  });
});
