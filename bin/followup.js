#!/usr/bin/env node
// The `followup` command: runs src/cli.ts through tsx, so it works straight
// from a clone after `npm ci`, from any working directory, without a build.
// Where tsx is not installed (the production image: `npm ci --omit=dev`), it
// runs the compiled dist/src/cli.js from `npm run build` instead.
const tsx = await import('tsx/esm/api').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND') return null;
  throw err;
});
let cli;
if (tsx) {
  tsx.register();
  cli = await import('../src/cli.ts');
} else {
  cli = await import('../dist/src/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
