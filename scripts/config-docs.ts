/**
 * `npm run docs:config`: write `.env.example` and the configuration table of
 * docs/operating.md from config/env.ts. test/unit/config-docs.test.ts fails
 * when either is out of step, so run this after changing a variable.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable, renderEnvExample } from '../config/env.js';

const root = new URL('../', import.meta.url);
const DOC = new URL('docs/operating.md', root);

/** Replace the table that starts with the `| Variable | Default | Meaning |` header in the Configuration section. */
function withConfigTable(markdown: string, table: string): string {
  const start = markdown.indexOf('| Variable | Default | Meaning |');
  if (start < 0) throw new Error('docs/operating.md has no configuration table header');
  const end = markdown.indexOf('\n\n', start);
  return markdown.slice(0, start) + table.trimEnd() + (end < 0 ? '\n' : markdown.slice(end));
}

writeFileSync(new URL('.env.example', root), renderEnvExample());
writeFileSync(DOC, withConfigTable(readFileSync(DOC, 'utf8'), renderConfigTable()));
process.stdout.write('wrote .env.example and the configuration table of docs/operating.md\n');
