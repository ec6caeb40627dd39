import fc from 'fast-check';
import './fc-seed.js';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { StatusSchema, assertTransition, canTransition, isClosed, type Status } from '../../src/domain/status.js';

const ALL = StatusSchema.options;

describe('the status lifecycle', () => {
  it.each<[Status, Status[]]>([
    ['open', ['in_progress', 'done', 'cancelled']],
    ['in_progress', ['done', 'cancelled']],
    ['done', ['in_progress', 'open']],
    ['cancelled', []],
  ])('from %s the legal next states are %j', (from, legal) => {
    expect(ALL.filter((to) => canTransition(from, to))).toEqual(ALL.filter((to) => legal.includes(to)));
  });

  it('no state transitions to itself, and cancelled is final', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL), (s) => {
        expect(canTransition(s, s)).toBe(false);
        expect(canTransition('cancelled', s)).toBe(false);
      }),
    );
  });

  it('an illegal transition throws a 409 naming status; a legal one throws nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL), fc.constantFrom(...ALL), (from, to) => {
        if (canTransition(from, to)) {
          expect(() => assertTransition(from, to)).not.toThrow();
        } else {
          try {
            assertTransition(from, to);
            expect.unreachable();
          } catch (err) {
            expect(err).toBeInstanceOf(AppError);
            expect((err as AppError).httpStatus).toBe(409);
            expect((err as AppError).errors).toEqual([{ path: 'status', message: `illegal transition ${from} → ${to}` }]);
          }
        }
      }),
    );
  });

  it('done and cancelled are closed; open and in_progress are not', () => {
    expect(ALL.filter(isClosed)).toEqual(['done', 'cancelled']);
  });
});
