// @ts-check
/**
 * Mutation testing of the pure core: `npm run test:mutation`.
 *
 * It mutates src/domain and src/mail/action-link.ts and runs only the unit
 * tests (test/unit, through vitest.mutation.config.ts). A full run takes about
 * 35 minutes on 2 cores, so it stays out of CI. To iterate on one file:
 *   npx stryker run --mutate src/domain/duration.ts
 *
 * Targets: at least 85 % per file, 75 % for src/domain/digest.ts.
 *
 * Surviving mutants that are equivalent (no test can tell them apart from the
 * original), by file:
 *   (filled in below as the runs show them)
 */
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/domain/**/*.ts', 'src/mail/action-link.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 85, low: 75, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignoreStatic: true,
};
export default config;
