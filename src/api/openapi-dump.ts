/**
 * Write the document that GET /openapi.json serves (the same builder, with the
 * PUBLIC_BASE_URL the service would use) to a file, for linters and client
 * generators:
 *
 *   tsx src/api/openapi-dump.ts [file]      (default dist/openapi.json)
 *
 * `npm run lint:openapi` lints that file with Redocly (redocly.yaml).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../../config/env.js';
import { buildOpenApiDocument } from './openapi.js';

const file = resolve(process.argv[2] ?? 'dist/openapi.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(loadConfig().PUBLIC_BASE_URL), null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
