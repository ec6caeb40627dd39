import { compileErrors, validate } from '@readme/openapi-parser';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { ListQuerySchema } from '../../src/api/routes/commitments.js';
import { createTestContext } from '../support/app.js';

const ctx = createTestContext('openapi');
afterAll(() => ctx.cleanup());

interface Layer {
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[]; set?: unknown };
}

/**
 * Every (method, path) the app registers, from Express 5's router stack, with
 * `:param` written as OpenAPI's `{param}`. A mounted sub-app (the queue
 * dashboard) counts as a GET of its mount path.
 */
function registeredRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      const mount = typeof layer.rawPath === 'string' && !layer.slash ? layer.rawPath : '';
      if (layer.route) {
        // A route may have several paths: router.get(['/a', '/b'], …).
        for (const routePath of [layer.route.path].flat()) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            // A router's '/' route under a mount is the mount itself: /v1/commitments/ is /v1/commitments.
            const path = (prefix + routePath).replace(/(.)\/$/, '$1').replace(/:(\w+)/g, '{$1}');
            if (on && method !== '_all') out.add(`${method.toUpperCase()} ${path}`);
          }
        }
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, prefix + mount);
      } else if (typeof layer.handle.set === 'function') {
        out.add(`GET ${prefix + mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...out].sort();
}

async function fetchDocument() {
  const res = await request(ctx.app).get('/openapi.json').expect(200);
  expect(res.headers['content-type']).toContain('application/json');
  return res.body as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string; required?: string[] } }> }; parameters?: Array<{ name: string; in: string }> }>>; components: { schemas: Record<string, { required?: string[] }> } };
}

describe('the OpenAPI document at /openapi.json', () => {
  it('when fetched without a token, then it is a valid OpenAPI 3.1 document', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
  });

  it('when the app registers a route, then the document describes it, and it describes no route the app lacks', async () => {
    const doc = await fetchDocument();
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const registered = registeredRoutes(ctx.app);
    // Sanity: the walk sees the routers of every helper (commitments, reminders, digest, calendar, status page).
    expect(registered).toEqual(expect.arrayContaining(['POST /v1/commitments/{id}/complete', 'GET /v1/reminders', 'POST /v1/digest/send', 'GET /v1/calendar/{party}.ics', 'GET /', 'GET /admin/queues']));
    expect(registered.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !registered.includes(d))).toEqual([]);
  });

  it('when a route parses its input with a zod schema, then the document is generated from that schema', async () => {
    const doc = await fetchDocument();
    const list = doc.paths['/v1/commitments']!.get!.parameters!.filter((p) => p.in === 'query').map((p) => p.name).sort();
    expect(list).toEqual(Object.keys(ListQuerySchema.shape).sort());
    const create = doc.paths['/v1/commitments']!.post!.requestBody!.content['application/json']!.schema;
    const required = create.$ref ? doc.components.schemas[create.$ref.split('/').pop()!]!.required : create.required;
    expect(required).toEqual(expect.arrayContaining(['meetingId', 'title']));
  });
});

describe('the OpenAPI document as a contract for client generators', () => {
  type Op = { operationId?: string; tags?: string[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> };
  const operations = async () => {
    const doc = (await fetchDocument()) as unknown as { paths: Record<string, Record<string, Op>>; tags: Array<{ name: string; description?: string }> };
    return { doc, ops: Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op }))) };
  };

  it('when a client is generated, then every operation has a unique camelCase operationId', async () => {
    const { ops } = await operations();
    const ids = ops.map(({ op }) => op.operationId);
    expect(ids.filter((id) => !/^[a-z][A-Za-z0-9]*$/.test(id ?? ''))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // Stable names: a rename breaks every generated client.
    const byRoute = Object.fromEntries(ops.map(({ path, method, op }) => [`${method.toUpperCase()} ${path}`, op.operationId]));
    expect(byRoute).toMatchObject({ 'GET /v1/commitments': 'listCommitments', 'POST /v1/commitments': 'createCommitment', 'PATCH /v1/commitments/{id}': 'updateCommitment', 'POST /v1/commitments/{id}/complete': 'completeCommitment', 'GET /v1/digest/preview': 'previewDigest' });
  });

  it('when tags group the operations, then each tag has a description and each operation a declared tag', async () => {
    const { doc, ops } = await operations();
    expect(doc.tags.filter((t) => !t.description)).toEqual([]);
    const names = new Set(doc.tags.map((t) => t.name));
    expect(ops.filter(({ op }) => !op.tags?.length || !op.tags.every((t) => names.has(t))).map(({ path }) => path)).toEqual([]);
    expect([...names].filter((n) => !ops.some(({ op }) => op.tags?.includes(n)))).toEqual([]);
  });

  it('when an operation takes a JSON body, then 413 and 415 are documented; every route behind the rate limits documents 429', async () => {
    const { ops } = await operations();
    const json = ops.filter(({ op }) => op.requestBody?.content['application/json']);
    expect(json.length).toBeGreaterThan(8);
    expect(json.filter(({ op }) => !op.responses['413'] || !op.responses['415']).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    const limited = ops.filter(({ path }) => path !== '/healthz' && path !== '/readyz');
    expect(limited.filter(({ op }) => !op.responses['429']).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    expect(ops.filter(({ path }) => path.startsWith('/v1/')).filter(({ op }) => !op.responses['503'] || !op.responses['401'])).toEqual([]);
  });

  it('when a /v1 operation answers an error, then it is documented as application/problem+json', async () => {
    const { ops } = await operations();
    const bad = ops
      .filter(({ path }) => path.startsWith('/v1/'))
      .flatMap(({ method, path, op }) => Object.entries(op.responses).filter(([status, r]) => Number(status) >= 400 && !r.content?.['application/problem+json']).map(([status]) => `${method} ${path} ${status}`));
    expect(bad).toEqual([]);
  });
});

describe('the docs UI at /docs', () => {
  it('when opened, then a self-contained HTML page lists every documented operation, with no script', async () => {
    const doc = await fetchDocument();
    const res = await request(ctx.app).get('/docs').expect(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).not.toMatch(/<script|https?:\/\/(cdn|unpkg)/i);
    for (const path of Object.keys(doc.paths)) expect(res.text).toContain(`<span class="p">${path.replace(/&/g, '&amp;')}</span>`);
  });
});
