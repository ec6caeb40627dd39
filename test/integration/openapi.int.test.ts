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
  route?: { path: string; methods: Record<string, boolean> };
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
        for (const [method, on] of Object.entries(layer.route.methods)) {
          // A router's '/' route under a mount is the mount itself: /v1/commitments/ is /v1/commitments.
          const path = (prefix + layer.route.path).replace(/(.)\/$/, '$1').replace(/:(\w+)/g, '{$1}');
          if (on && method !== '_all') out.add(`${method.toUpperCase()} ${path}`);
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

describe('the docs UI at /docs', () => {
  it('when opened, then a self-contained HTML page lists every documented operation, with no script', async () => {
    const doc = await fetchDocument();
    const res = await request(ctx.app).get('/docs').expect(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).not.toMatch(/<script|https?:\/\/(cdn|unpkg)/i);
    for (const path of Object.keys(doc.paths)) expect(res.text).toContain(`<span class="p">${path.replace(/&/g, '&amp;')}</span>`);
  });
});
