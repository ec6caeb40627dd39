/**
 * The unit tests only, for mutation testing (`npm run test:mutation`): pure
 * code, no Redis, no SMTP, so no global setup.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 30_000,
    maxWorkers: 1,
    // One fixed fast-check seed, so two runs of the same mutant agree,
    // and fewer runs of the planner's properties (each mutant reruns them).
    env: { FC_SEED: '20091231', PLANNER_PROPERTY_RUNS: '60' },
  },
});
