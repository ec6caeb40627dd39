import { describe, expect, it } from 'vitest';
import { TokenSpecSchema, canWrite, inScope, type Principal } from '../../src/domain/auth.js';

const admin: Principal = { name: 'secretariat', role: 'admin' };
const viewer: Principal = { name: 'observer', role: 'viewer' };
const lka: Principal = { name: 'lka-focal', role: 'editor', parties: ['LKA'] };

describe('token roles and scope', () => {
  it('admins and editors write; viewers only read', () => {
    expect([admin, lka, viewer].map(canWrite)).toEqual([true, true, false]);
  });

  it('an editor is in scope only where one of its parties leads or belongs', () => {
    expect(inScope(lka, ['IDN', 'AUS', 'LKA', 'UNHCR'])).toBe(true);
    expect(inScope(lka, ['IDN', 'AUS', 'UNODC'])).toBe(false);
    expect(inScope(lka, [])).toBe(false);
  });

  it('an editor without parties is in scope of nothing', () => {
    expect(inScope({ name: 'e', role: 'editor' }, ['IDN'])).toBe(false);
  });

  it('admins and viewers are not party-scoped', () => {
    expect(inScope(admin, ['IDN'])).toBe(true);
    expect(inScope(viewer, [])).toBe(true);
  });

  it('a token spec needs a name, 16+ characters and a known role, and nothing else', () => {
    expect(TokenSpecSchema.safeParse({ name: 'a', token: '0123456789abcdef', role: 'viewer' }).success).toBe(true);
    expect(TokenSpecSchema.safeParse({ name: 'a', token: 'short', role: 'viewer' }).success).toBe(false);
    expect(TokenSpecSchema.safeParse({ name: 'a', token: '0123456789abcdef', role: 'root' }).success).toBe(false);
    expect(TokenSpecSchema.safeParse({ name: 'a', token: '0123456789abcdef', role: 'admin', extra: 1 }).success).toBe(false);
  });
});
