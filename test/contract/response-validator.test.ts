/** The contract test's validator fails on what it must: an undocumented status or media type, or a body off the schema. */
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/api/openapi.js';
import { createResponseValidator, type Document } from './response-validator.js';

const json = { 'content-type': 'application/json; charset=utf-8' };
const documentWith = (change: (doc: Document & { components: { schemas: Record<string, { required: string[] }> } }) => void) => {
  const doc = structuredClone(buildOpenApiDocument('http://localhost:3000')) as unknown as Document & { components: { schemas: Record<string, { required: string[] }> } };
  change(doc);
  return createResponseValidator(doc);
};

describe('createResponseValidator', () => {
  it('when a body lacks a field the schema requires, through a $ref and inside an array, then it fails naming the field', () => {
    const v = documentWith((doc) => doc.components.schemas.Commitment!.required.push('bogus'));
    expect(() => v.check('get', '/v1/commitments/{id}', { status: 200, headers: json, body: { id: 'a' } })).toThrow(/bogus/);
    expect(() => v.check('get', '/v1/commitments', { status: 200, headers: json, body: { items: [{ id: 'a' }], nextCursor: null } })).toThrow(/bogus/);
  });

  it('when a field has the wrong type, or a problem lacks its errors, then it fails', () => {
    const v = documentWith(() => {});
    expect(() => v.check('get', '/v1/status', { status: 200, headers: json, body: { asOf: '2009-08-01T00:00:00.000Z', total: 'one', byStatus: {}, byParty: {} } })).toThrow(/total/);
    expect(() => v.check('get', '/v1/status', { status: 401, headers: { 'content-type': 'application/problem+json' }, body: { type: 't', title: 'Unauthorized', status: 401, detail: 'd' } })).toThrow(/errors/);
  });

  it('when the status or the Content-Type is not documented, then it fails', () => {
    const v = documentWith(() => {});
    expect(() => v.check('get', '/v1/commitments', { status: 418, headers: json, body: {} })).toThrow(/status not documented/);
    expect(() => v.check('get', '/v1/commitments', { status: 401, headers: json, body: {} })).toThrow(/Content-Type application\/json not documented/);
    expect(() => v.check('get', '/v1/nothing', { status: 200, headers: json, body: {} })).toThrow(/no operation/);
  });

  it('when the answer is documented and the body matches, then it passes and is recorded', () => {
    const v = documentWith(() => {});
    v.check('get', '/healthz', { status: 200, headers: json, body: { status: 'ok' } });
    expect(v.checked).toEqual([{ operationId: 'getHealth', status: 200 }]);
  });
});
