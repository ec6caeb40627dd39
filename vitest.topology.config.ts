import { defineConfig } from 'vitest/config';

/**
 * The Redis topology tests (npm run test:cluster): a Redis Cluster started by
 * test/cluster/start-cluster.sh, and a Sentinel set the test starts itself.
 * Kept out of the main suite; one file at a time, as each starts servers.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.topology.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
