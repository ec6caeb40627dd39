import { describe, expect, it } from 'vitest';
import { actionLinkUrl, createActionToken, verifyActionToken } from '../../src/mail/action-link.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const NOW = new Date('2026-03-01T00:00:00Z');
const claims = { commitmentId: 'workshop-information-campaigns', recipient: 'Focal-Point.LKA@example.org', dueVersion: 3, expiresAt: NOW.getTime() + 3600_000 };

/** Replace the claims part of a token, keeping the original signature. */
function withBody(token: string, body: object): string {
  const [, sig] = token.split('.');
  return `${Buffer.from(JSON.stringify(body)).toString('base64url')}.${sig}`;
}

describe('action links', () => {
  it('when a link is issued, then it verifies and carries the commitment, the lower-cased recipient and the deadline version', () => {
    const token = createActionToken(SECRET, claims);
    const v = verifyActionToken(SECRET, token, NOW);
    expect(v).toEqual({ ok: true, claims: { ...claims, recipient: 'focal-point.lka@example.org' } });
  });

  it('when any bound field is changed, then the signature no longer matches', () => {
    const token = createActionToken(SECRET, claims);
    const base = { c: claims.commitmentId, r: 'focal-point.lka@example.org', v: 3, e: claims.expiresAt };
    for (const body of [{ ...base, c: 'sub-group-sri-lankan-caseload' }, { ...base, r: 'someone@example.org' }, { ...base, v: 4 }, { ...base, e: claims.expiresAt + 1e9 }]) {
      expect(verifyActionToken(SECRET, withBody(token, body), NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    }
  });

  it('when the signature is altered or made with another secret, then the link is refused', () => {
    const token = createActionToken(SECRET, claims);
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    expect(verifyActionToken(SECRET, flipped, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyActionToken('another-secret-that-is-long-enough-000000', token, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('when only the last character of the signature changes, then the link is refused, even where it decodes to the same bytes', () => {
    // The 43rd base64url character carries two unused bits: A, B, C and D end a MAC the same way.
    for (let i = 0; i < 64; i++) {
      const token = createActionToken(SECRET, { ...claims, expiresAt: claims.expiresAt + i });
      const last = token.at(-1)!;
      const twin = 'ABCD'.includes(last) ? 'ABCD'[('ABCD'.indexOf(last) + 1) % 4]! : last === 'Q' ? 'R' : 'Q';
      expect(verifyActionToken(SECRET, token.slice(0, -1) + twin, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    }
  });

  it('when the expiry has passed, then the link is refused as expired but still says what it was for', () => {
    const token = createActionToken(SECRET, claims);
    const v = verifyActionToken(SECRET, token, new Date(claims.expiresAt));
    expect(v).toMatchObject({ ok: false, reason: 'expired', claims: { commitmentId: claims.commitmentId } });
    expect(verifyActionToken(SECRET, token, new Date(claims.expiresAt - 1)).ok).toBe(true);
  });

  it('when the token is garbage, missing or huge, then it is malformed', () => {
    for (const t of [undefined, '', 'abc', 'a.b.c', 'x'.repeat(5000), 42, ['a', 'b']]) {
      expect(verifyActionToken(SECRET, t, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('when a link URL is built, then it points at /actions/done under the public base URL and expires after the TTL', () => {
    const url = new URL(actionLinkUrl('https://followup.example.org/', SECRET, claims, NOW, 60_000));
    expect(url.origin + url.pathname).toBe('https://followup.example.org/actions/done');
    const token = url.searchParams.get('token');
    expect(verifyActionToken(SECRET, token, new Date(NOW.getTime() + 59_999)).ok).toBe(true);
    expect(verifyActionToken(SECRET, token, new Date(NOW.getTime() + 60_000))).toMatchObject({ reason: 'expired' });
  });
});
