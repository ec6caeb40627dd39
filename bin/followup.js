#!/usr/bin/env node
// The `followup` command: runs src/cli.ts through tsx, so it works straight
// from a clone after `npm ci`, from any working directory, without a build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
