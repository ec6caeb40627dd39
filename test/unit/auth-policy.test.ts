import { describe, expect, it } from 'vitest';
import { ACTIONS, assertAuthorized, authorize, relationOf, type Action, type Principal } from '../../src/domain/auth.js';
import { AppError } from '../../src/domain/errors.js';

const admin: Principal = { name: 'secretariat', role: 'admin' };
const viewer: Principal = { name: 'observer', role: 'viewer' };
const lka: Principal = { name: 'lka-focal', role: 'editor', parties: ['LKA'] };
const led = { id: 'led', leads: ['LKA', 'AUS'], members: ['IOM'] };
const joined = { id: 'joined', leads: ['IDN'], members: ['LKA'] };
const other = { id: 'other', leads: ['IDN'], members: ['IOM'] };

const outcome = (p: Principal, a: Action, c: typeof led) => {
  const d = authorize(p, a, c);
  return d.allowed ? 'yes' : d.error;
};

describe('authorize: the role policy', () => {
  it('relation is the strongest tie: lead over member over none', () => {
    expect(relationOf(lka, led)).toBe('lead');
    expect(relationOf(lka, { leads: ['LKA'], members: ['LKA'] })).toBe('lead');
    expect(relationOf(lka, joined)).toBe('member');
    expect(relationOf(lka, other)).toBe('none');
    expect(relationOf({ name: 'e', role: 'editor' }, led)).toBe('none');
  });

  it.each([
    ['read', 'yes', 'yes', 'not_found', 'yes', 'yes'],
    ['note', 'yes', 'yes', 'not_found', 'yes', 'forbidden'],
    ['edit', 'yes', 'forbidden', 'not_found', 'yes', 'forbidden'],
    ['complete', 'yes', 'forbidden', 'not_found', 'yes', 'forbidden'],
    ['reopen', 'yes', 'forbidden', 'not_found', 'yes', 'forbidden'],
    ['change_leads', 'forbidden', 'forbidden', 'not_found', 'yes', 'forbidden'],
    ['cancel', 'forbidden', 'forbidden', 'not_found', 'yes', 'forbidden'],
    ['reinstate', 'forbidden', 'forbidden', 'not_found', 'yes', 'forbidden'],
  ] as const)('%s: editor lead %s, member %s, none %s; admin %s; viewer %s', (action, asLead, asMember, asNone, asAdmin, asViewer) => {
    expect([outcome(lka, action, led), outcome(lka, action, joined), outcome(lka, action, other), outcome(admin, action, other), outcome(viewer, action, led)]).toEqual([asLead, asMember, asNone, asAdmin, asViewer]);
  });

  it('covers every action', () => {
    expect([...ACTIONS].sort()).toEqual(['cancel', 'change_leads', 'complete', 'edit', 'note', 'read', 'reinstate', 'reopen']);
  });

  it('a refusal names why: an admin action, or membership only; an unrelated commitment reads as unknown', () => {
    const d = authorize(lka, 'cancel', joined);
    expect(d).toMatchObject({ allowed: false, reason: expect.stringMatching(/admin action/) });
    expect(authorize(lka, 'edit', joined)).toMatchObject({ allowed: false, reason: expect.stringMatching(/only a member of joined/) });
    expect(authorize(lka, 'edit', other)).toEqual({ allowed: false, error: 'not_found', reason: 'No commitment has the id other.' });
  });

  it('assertAuthorized throws the 403 or 404, and trusts a caller without a principal', () => {
    const status = (f: () => void) => {
      try {
        f();
        return 200;
      } catch (e) {
        return (e as AppError).httpStatus;
      }
    };
    expect(status(() => assertAuthorized(lka, 'cancel', led))).toBe(403);
    expect(status(() => assertAuthorized(lka, 'read', other))).toBe(404);
    expect(status(() => assertAuthorized(undefined, 'cancel', other))).toBe(200);
    expect(status(() => assertAuthorized(lka, 'complete', led))).toBe(200);
  });
});
