/**
 * One logged, replayable seed for the fast-check properties of a test file.
 * Import it for its effect (`import './fc-seed.js'`) in every file that uses
 * fast-check.
 *
 * The seed is FC_SEED when set, else a fresh one per run, so CI keeps
 * exploring new cases. It is printed when the file starts and again beside any
 * failed test, so a failure found once can be replayed exactly:
 *   FC_SEED=<seed> npx vitest run <file>
 */
import fc from 'fast-check';
import { afterEach } from 'vitest';

function pickSeed(): number {
  const raw = process.env['FC_SEED'];
  if (raw === undefined || raw.trim() === '') return (Date.now() ^ Math.floor(Math.random() * 0x1_0000_0000)) | 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return n | 0;
}

export const fcSeed = pickSeed();
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fcSeed });
console.info(`fast-check seed ${fcSeed} (replay with FC_SEED=${fcSeed})`);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') {
    console.error(`fast-check seed ${fcSeed}: replay "${task.name}" with FC_SEED=${fcSeed} npx vitest run ${task.file?.name ?? ''}`);
  }
});
