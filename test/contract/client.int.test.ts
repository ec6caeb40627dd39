/**
 * The document is usable by client generators: openapi-typescript turns the
 * served document into types, a small openapi-fetch client type-checks against
 * them (and `@ts-expect-error` lines prove that the types refuse wrong calls),
 * and the same client calls the real app.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import request from 'supertest';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, createTestContext } from '../support/app.js';

const ctx = createTestContext('contract-client');
// Inside the package's node_modules, so the generated client resolves openapi-fetch as a user's project would.
const dir = fileURLToPath(new URL(`../../node_modules/.cache/followup-client-${randomBytes(4).toString('hex')}/`, import.meta.url));
let doc: Record<string, unknown>;

beforeAll(async () => {
  await ctx.seed();
  doc = (await request(ctx.app).get('/openapi.json').expect(200)).body as Record<string, unknown>;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await ctx.cleanup();
});

/** A tiny client as a user would write it against the generated types. */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type Commitment = components['schemas']['Commitment'];
// Errors are problem+json, or an HTML page for a browser (content negotiation): this client
// reads JSON only, so it narrows the media types to JSON ones, as openapi-fetch allows.
const client = createClient<paths, \`\${string}/\${string}json\`>({ baseUrl: 'http://localhost:3000', headers: { Authorization: 'Bearer t' } });

export async function demo(): Promise<string[]> {
  const out: string[] = [];
  const one = await client.GET('/v1/commitments/{id}', { params: { path: { id: 'workshop-information-campaigns' } } });
  if (one.data) {
    const c: Commitment = one.data;
    const status: 'open' | 'in_progress' | 'done' | 'cancelled' = c.status;
    const version: number = c.version;
    out.push(c.title, status, String(version));
  } else {
    const detail: string = one.error.detail;
    const fields: string[] = one.error.errors.map((e) => e.path);
    out.push(detail, ...fields);
  }
  const page = await client.GET('/v1/commitments', { params: { query: { status: 'open', party: 'IDN', limit: 2 } } });
  const cursor: string | null | undefined = page.data?.nextCursor;
  out.push(String(cursor));
  await client.POST('/v1/commitments', { body: { meetingId: 'ahg-som-2009', title: 'Regional seminar', leads: ['THA'], due: { date: '2010-03-31', timeZone: 'Asia/Bangkok' } } });
  await client.PATCH('/v1/commitments/{id}', { params: { path: { id: 'x' }, header: { 'if-match': '"3"' } }, body: { theme: 'fraud' } });
  await client.POST('/v1/commitments/{id}/complete', { params: { path: { id: 'x' } }, body: { note: 'Held', completedOn: '2009-11-20' } });
  const preview = await client.GET('/v1/digest/preview', { params: { query: { format: 'json' } } });
  out.push(String(preview.response.status));

  // The types refuse what the API refuses:
  // @ts-expect-error an unknown path
  await client.GET('/v1/nothing-here');
  // @ts-expect-error the id path parameter is required
  await client.GET('/v1/commitments/{id}', { params: { path: {} } });
  // @ts-expect-error title must be a string
  await client.POST('/v1/commitments', { body: { meetingId: 'ahg-som-2009', title: 42 } });
  // @ts-expect-error meetingId is required
  await client.POST('/v1/commitments', { body: { title: 'No meeting' } });
  // @ts-expect-error overdue is "true" or "false"
  await client.GET('/v1/commitments', { params: { query: { overdue: 'maybe' } } });
  // @ts-expect-error a Commitment has no such field
  out.push(String(one.data?.deadline));
  return out;
}
`;

function typecheck(files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const program = ts.createProgram([join(dir, 'client.ts')], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName.slice(dir.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('a client generated from /openapi.json', () => {
  it('when openapi-typescript generates types, then a typed openapi-fetch client compiles, and wrong calls do not', async () => {
    const types = astToString(await openapiTS(doc as never));
    expect(types).toContain('operations');
    expect(types).toMatch(/listCommitments: \{/);
    expect(typecheck({ 'api.ts': types, 'client.ts': CLIENT })).toEqual([]);
  }, 60_000);

  it('when the generated types lose a field the client reads, then the client no longer compiles (the check can fail)', async () => {
    const broken = structuredClone(doc) as { components: { schemas: { Commitment: { properties: Record<string, unknown>; required: string[] } } } };
    delete broken.components.schemas.Commitment.properties.version;
    broken.components.schemas.Commitment.required = broken.components.schemas.Commitment.required.filter((f) => f !== 'version');
    const errors = typecheck({ 'api.ts': astToString(await openapiTS(broken as never)), 'client.ts': CLIENT });
    expect(errors.join('\n')).toMatch(/client\.ts:\d+ Property 'version' does not exist/);
  }, 60_000);

  it('when the client calls the running app, then it reads typed data and problem+json errors', async () => {
    const server = ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const client = createClient<Record<string, never>>({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers: { Authorization: `Bearer ${TOKENS.viewer}` } });
      const get = client.GET as (path: string, init?: unknown) => Promise<{ data?: { title?: string; items?: unknown[] }; error?: { status: number; errors: unknown[] }; response: Response }>;
      const one = await get('/v1/commitments/{id}', { params: { path: { id: 'workshop-information-campaigns' } } });
      expect(one.data?.title).toBe('Workshop on information campaigns');
      const list = await get('/v1/commitments', { params: { query: { status: 'open', limit: 2 } } });
      expect(list.data?.items).toHaveLength(2);
      const missing = await get('/v1/commitments/{id}', { params: { path: { id: 'no-such-thing' } } });
      expect(missing.response.status).toBe(404);
      expect(missing.error).toMatchObject({ status: 404, errors: [] });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
