import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = new URL('../../src/logger.ts', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ESC = '\u001b[';

/** Run a process whose stdout is a pipe (not a TTY) that logs one pretty line, and return what it wrote. */
function prettyLineThroughPipe(colorize?: boolean): string {
  const option = colorize === undefined ? '' : `, colorize: ${colorize}`;
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
const log = createLogger({ level: 'info', format: 'pretty', nodeEnv: 'development'${option} });
log.info({ commitmentId: 'workshop' }, 'reminder planned');`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`logger child failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

describe('pretty logs and ANSI colours', () => {
  it('when stdout is not a terminal, then a pretty line carries no ANSI escape', () => {
    const out = prettyLineThroughPipe();
    expect(out).toContain('reminder planned');
    expect(out).toContain('workshop');
    expect(out).not.toContain(ESC);
  });

  it('when colours are asked for explicitly, then the same line is coloured (so the check above can fail)', () => {
    const out = prettyLineThroughPipe(true);
    expect(out).toContain('reminder planned');
    expect(out).toContain(ESC);
  });
});
