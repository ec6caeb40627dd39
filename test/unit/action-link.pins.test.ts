/** One-click action tokens: a known answer, and exactly what is refused around a genuine token. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACTION_LINK_TTL_MS, actionLinkUrl, createActionToken, verifyActionToken } from '../../src/mail/action-link.js';

const SECRET = 'known-answer-secret';
const CLAIMS = { commitmentId: 'workshop-information-campaigns', recipient: 'Focal-Point.LKA@Example.org', dueVersion: 2, expiresAt: Date.UTC(2010, 0, 1) };
const NOW = new Date('2009-12-01T00:00:00Z');
// Computed once from the format: base64url({"c","r" lower-cased,"v","e"}) "." base64url(HMAC-SHA256(secret, "done." + body)).
const KNOWN =
  'eyJjIjoid29ya3Nob3AtaW5mb3JtYXRpb24tY2FtcGFpZ25zIiwiciI6ImZvY2FsLXBvaW50LmxrYUBleGFtcGxlLm9yZyIsInYiOjIsImUiOjEyNjIzMDQwMDAwMDB9.Zgj37q6BCk8Frg375kn8fs8GqKc3g3YatmDb8-9UYqM';

/** A body signed as the service signs it: authentic whatever it holds. */
const signed = (body: string) => `${body}.${createHmac('sha256', SECRET).update(`done.${body}`, 'utf8').digest('base64url')}`;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');

describe('a known-answer action token', () => {
  it('is exactly this string for these claims and this secret', () => {
    expect(createActionToken(SECRET, CLAIMS)).toBe(KNOWN);
  });

  it('is the base64url claims, a dot, and the HMAC-SHA256 of "done." and the claims part', () => {
    const [body, mac] = KNOWN.split('.') as [string, string];
    expect(JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))).toEqual({ c: 'workshop-information-campaigns', r: 'focal-point.lka@example.org', v: 2, e: 1262304000000 });
    expect(mac).toBe(createHmac('sha256', SECRET).update(`done.${body}`).digest('base64url'));
    expect(signed(body)).toBe(KNOWN);
  });

  it('verifies to its claims with the recipient lower-cased', () => {
    expect(verifyActionToken(SECRET, KNOWN, NOW)).toEqual({ ok: true, claims: { ...CLAIMS, recipient: 'focal-point.lka@example.org' } });
  });
});

describe('characters around a genuine token', () => {
  it.each([
    ['a space before', ` ${KNOWN}`],
    ['a newline before', `\n${KNOWN}`],
    ['a space after', `${KNOWN} `],
    ['a newline after', `${KNOWN}\n`],
    ['an extra letter after', `${KNOWN}A`],
    ['a second dot part after', `${KNOWN}.x`],
    ['a dot before', `.${KNOWN}`],
    ['a query string after', `${KNOWN}&x=1`],
  ])('with %s, the token is refused as malformed', (_, token) => {
    expect(verifyActionToken(SECRET, token, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('with an extra base64url character before, the claims part changes and the signature fails', () => {
    expect(verifyActionToken(SECRET, `e${KNOWN}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('with a signature one character short, it is malformed', () => {
    expect(verifyActionToken(SECRET, KNOWN.slice(0, -1), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('authentic tokens whose claims are not ours', () => {
  const good = { c: 'x-y', r: 'a@example.org', v: 1, e: NOW.getTime() + 1000 };
  it.each([
    ['not JSON', b64('not json')],
    ['no commitment', b64({ ...good, c: undefined })],
    ['a numeric commitment', b64({ ...good, c: 7 })],
    ['no recipient', b64({ ...good, r: undefined })],
    ['a recipient that is not text', b64({ ...good, r: ['a@example.org'] })],
    ['a fractional version', b64({ ...good, v: 1.5 })],
    ['a version as text', b64({ ...good, v: '1' })],
    ['an expiry as text', b64({ ...good, e: '2030' })],
    ['no expiry', b64({ ...good, e: undefined })],
  ])('with %s, it is malformed', (_, body) => {
    expect(verifyActionToken(SECRET, signed(body), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('with every claim well-typed, it is accepted', () => {
    expect(verifyActionToken(SECRET, signed(b64(good)), NOW)).toEqual({ ok: true, claims: { commitmentId: 'x-y', recipient: 'a@example.org', dueVersion: 1, expiresAt: good.e } });
  });
});

describe('length and lifetime', () => {
  /** A genuine token of exactly `n` characters (the commitment id pads it). */
  function tokenOfLength(n: number): string {
    for (let pad = 0; pad < 2000; pad++) {
      const t = createActionToken(SECRET, { ...CLAIMS, commitmentId: `c${'x'.repeat(pad)}` });
      if (t.length === n) return t;
    }
    throw new Error(`no token of length ${n}`);
  }

  it('a genuine token of 2,000 characters is accepted; longer ones are refused before any work', () => {
    const at2000 = [1998, 1999, 2000].map((n) => { try { return tokenOfLength(n); } catch { return null; } }).filter((t): t is string => t !== null).at(-1)!;
    expect(at2000.length).toBeLessThanOrEqual(2000);
    expect(at2000.length).toBeGreaterThanOrEqual(1998);
    expect(verifyActionToken(SECRET, at2000, NOW).ok).toBe(true);
    const over = [2001, 2002, 2003].map((n) => { try { return tokenOfLength(n); } catch { return null; } }).find((t): t is string => t !== null)!;
    expect(verifyActionToken(SECRET, over, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a link lives 90 days by default, and trailing slashes of the base URL are dropped', () => {
    expect(ACTION_LINK_TTL_MS).toBe(90 * 86_400_000);
    const url = actionLinkUrl('https://followup.example.org///', SECRET, { commitmentId: 'x-y', recipient: 'a@example.org', dueVersion: 1 }, NOW);
    expect(url.startsWith('https://followup.example.org/actions/done?token=')).toBe(true);
    const token = new URL(url).searchParams.get('token');
    expect(verifyActionToken(SECRET, token, new Date(NOW.getTime() + ACTION_LINK_TTL_MS - 1)).ok).toBe(true);
    expect(verifyActionToken(SECRET, token, new Date(NOW.getTime() + ACTION_LINK_TTL_MS))).toMatchObject({ ok: false, reason: 'expired' });
  });
});
