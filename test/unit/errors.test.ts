import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, coerceError, fieldErrors } from '../../src/domain/errors.js';

describe('AppError', () => {
  it.each([
    ['validation', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['illegal_transition', 409],
    ['precondition_failed', 412],
    ['payload_too_large', 413],
    ['unsupported_media_type', 415],
    ['rate_limited', 429],
    ['unavailable', 503],
  ] as const)('%s maps to HTTP %i', (code, status) => {
    expect(new AppError(code, 'x').httpStatus).toBe(status);
  });

  it('keeps its cause and field errors, and an explicit status wins', () => {
    const cause = new Error('root');
    const e = new AppError('validation', 'bad', [{ path: 'a', message: 'm' }], { cause, httpStatus: 422 });
    expect(e.cause).toBe(cause);
    expect(e.errors).toEqual([{ path: 'a', message: 'm' }]);
    expect(e.httpStatus).toBe(422);
  });
});

describe('coerceError', () => {
  it('turns anything thrown into an Error', () => {
    const e = new Error('x');
    expect(coerceError(e)).toBe(e);
    expect(coerceError('boom').message).toBe('boom');
    expect(coerceError({ a: 1 }).message).toBe('{"a":1}');
  });
});

describe('fieldErrors', () => {
  const schema = z.strictObject({ due: z.strictObject({ date: z.string().regex(/^\d{4}$/) }), leads: z.array(z.string().min(3)) });

  it('gives dotted paths, with a prefix for query or params', () => {
    const issues = schema.safeParse({ due: { date: 'x' }, leads: ['ok!', 'no'] }).error!.issues;
    expect(fieldErrors(issues).map((e) => e.path)).toEqual(['due.date', 'leads.1']);
    expect(fieldErrors(issues, 'query').map((e) => e.path)).toEqual(['query.due.date', 'query.leads.1']);
  });

  it('names each unknown field by its own path (no mass assignment goes unnoticed)', () => {
    const issues = schema.safeParse({ due: { date: '2009', at: 'x' }, leads: [], status: 'done', version: 9 }).error!.issues;
    expect(fieldErrors(issues)).toEqual(
      expect.arrayContaining([
        { path: 'due.at', message: 'unknown field' },
        { path: 'status', message: 'unknown field' },
        { path: 'version', message: 'unknown field' },
      ]),
    );
  });

  it('a root problem is reported at (body)', () => {
    expect(fieldErrors(schema.safeParse('text').error!.issues)[0]!.path).toBe('(body)');
  });
});
