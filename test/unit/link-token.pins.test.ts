/** Signed link tokens (opaque id + MAC): a known answer, and exactly what is refused. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLinkToken, isLinkTokenShape, linkUrl, newLinkId, verifyLinkToken } from '../../src/mail/action-link.js';

const SECRET = 'known-answer-secret';
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
// base64url(HMAC-SHA256(secret, "link." + id)), computed once.
const KNOWN = 'AAAAAAAAAAAAAAAAAAAAAA.TQPWskChzdOKzJD4ppcyxg6j9aTT8a8Y47Ri3iyhL14';

describe('link tokens', () => {
  it('are the id, a dot and the MAC of "link." and the id: a known answer', () => {
    expect(createLinkToken(SECRET, ID)).toBe(KNOWN);
    expect(KNOWN.split('.')[1]).toBe(createHmac('sha256', SECRET).update(`link.${ID}`).digest('base64url'));
  });

  it('verify to their id; another secret, a changed id or a changed MAC character is refused', () => {
    expect(verifyLinkToken(SECRET, KNOWN)).toBe(ID);
    expect(verifyLinkToken('another-secret', KNOWN)).toBeNull();
    expect(verifyLinkToken(SECRET, `B${KNOWN.slice(1)}`)).toBeNull();
    const last = KNOWN.at(-1)!;
    expect(verifyLinkToken(SECRET, KNOWN.slice(0, -1) + (last === 'A' ? 'B' : 'A'))).toBeNull();
  });

  it.each([
    ['a space before', ` ${KNOWN}`],
    ['a character after', `${KNOWN}A`],
    ['a newline after', `${KNOWN}\n`],
    ['a short id', KNOWN.slice(1)],
    ['a short MAC', KNOWN.slice(0, -1)],
    ['no dot', KNOWN.replace('.', '')],
    ['not a string', 42],
    ['a long string', `${KNOWN}${'A'.repeat(100)}`],
  ])('with %s, the shape is wrong and it is refused', (_, token) => {
    expect(isLinkTokenShape(token)).toBe(false);
    expect(verifyLinkToken(SECRET, token)).toBeNull();
  });

  it('a genuine token has the shape; fresh ids are 22 base64url characters, each new', () => {
    expect(isLinkTokenShape(KNOWN)).toBe(true);
    const a = newLinkId();
    const b = newLinkId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(verifyLinkToken(SECRET, createLinkToken(SECRET, a))).toBe(a);
  });

  it("a mail's link id (the mail's 22 characters and a purpose letter) verifies to itself; another letter is another link", () => {
    const mail = newLinkId();
    const token = createLinkToken(SECRET, `${mail}c`);
    expect(isLinkTokenShape(token)).toBe(true);
    expect(verifyLinkToken(SECRET, token)).toBe(`${mail}c`);
    expect(verifyLinkToken(SECRET, `${mail}v${token.slice(23)}`)).toBeNull();
    expect(isLinkTokenShape(`${mail}C${token.slice(23)}`)).toBe(false);
  });

  it('a link URL is /actions/l/<token> under the base URL, trailing slashes dropped', () => {
    expect(linkUrl('https://f.example.org//', KNOWN)).toBe(`https://f.example.org/actions/l/${KNOWN}`);
    expect(linkUrl('https://f.example.org', KNOWN)).toBe(`https://f.example.org/actions/l/${KNOWN}`);
  });
});
