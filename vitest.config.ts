import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each use their own Redis prefix, so they may run in parallel;
    // two cores make more forks pointless.
    maxWorkers: 2,
    coverage: {
      provider: 'v8',
      include: ['src/**', 'workers/**', 'jobs/**', 'config/**'],
      reporter: ['text-summary', 'text'],
    },
  },
});
