import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite (test/faults/), against a Redis and an SMTP sink it
 * starts and stops itself, plus the worker-crash test on that same Redis. Bounded: about six
 * minutes in all, one file at a time (the faults would disturb each other's timing).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts', 'test/integration/reminders-crash.int.test.ts'],
    globalSetup: ['test/faults/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
