/**
 * Signed one-click "mark as done" links.
 *
 * A token binds four things: the commitment, the recipient's address, the
 * deadline version the reminder was about, and an expiry. It is
 * `base64url(claims JSON) + "." + base64url(HMAC-SHA256(secret, "done." + claims part))`,
 * so anyone can read it but nobody without the secret can make or change one.
 *
 * The signature proves only that we issued the link. Whether it may still act
 * (the deadline version still current, the commitment still open) is checked
 * by the route at use time, against the store.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ActionClaims {
  commitmentId: string;
  recipient: string;
  dueVersion: number;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

export type VerifyResult =
  | { ok: true; claims: ActionClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; claims?: ActionClaims };

/** Default lifetime of a link: long enough to act on the last overdue follow-up. */
export const ACTION_LINK_TTL_MS = 90 * 24 * 3600_000;

const PURPOSE = 'done.';

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(PURPOSE + body, 'utf8').digest('base64url');
}

/** Make a token for these claims. */
export function createActionToken(secret: string, claims: ActionClaims): string {
  const body = Buffer.from(
    JSON.stringify({ c: claims.commitmentId, r: claims.recipient.toLowerCase(), v: claims.dueVersion, e: claims.expiresAt }),
    'utf8',
  ).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/**
 * Check a token's signature (in constant time) and expiry. The claims of an
 * expired but authentic token are returned, so the page can say what it was for.
 */
export function verifyActionToken(secret: string, token: unknown, now: Date): VerifyResult {
  if (typeof token !== 'string' || token.length > 2000) return { ok: false, reason: 'malformed' };
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, body, mac] = m as unknown as [string, string, string];
  // Compared as text, not as decoded bytes: the last of 43 base64url characters carries two
  // unused bits, so a changed last character can decode to the same MAC. Any change is refused.
  const expected = Buffer.from(sign(secret, body), 'latin1');
  const given = Buffer.from(mac, 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const r = raw as { c?: unknown; r?: unknown; v?: unknown; e?: unknown };
  if (typeof r.c !== 'string' || typeof r.r !== 'string' || !Number.isInteger(r.v) || !Number.isFinite(r.e)) {
    return { ok: false, reason: 'malformed' };
  }
  const claims: ActionClaims = { commitmentId: r.c, recipient: r.r, dueVersion: r.v as number, expiresAt: r.e as number };
  if (now.getTime() >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/** The link put in a reminder: `${baseUrl}/actions/done?token=…`. */
export function actionLinkUrl(baseUrl: string, secret: string, claims: Omit<ActionClaims, 'expiresAt'>, now: Date, ttlMs = ACTION_LINK_TTL_MS): string {
  const token = createActionToken(secret, { ...claims, expiresAt: now.getTime() + ttlMs });
  return `${baseUrl.replace(/\/+$/, '')}/actions/done?token=${token}`;
}

/*
 * Opaque signed links (every link in every mail). The token is
 * `linkId.MAC`: an id (a random 128-bit mail id, plus one letter for the link's
 * purpose) and base64url(HMAC-SHA256(secret, "link." + id)).
 * It carries no claim at all; what the link is for (purpose, commitment,
 * recipient, the state it was issued in, its expiry) is kept server-side under
 * the id (src/store/link-store.ts). The MAC lets a tampered token be refused
 * without a store read.
 */
const LINK_PURPOSE = 'link.';
const LINK_TOKEN = /^([A-Za-z0-9_-]{22}[a-z]?)\.([A-Za-z0-9_-]{43})$/;

/** True when a value has the shape of a link token (checked before the secret is read). */
export function isLinkTokenShape(token: unknown): token is string {
  return typeof token === 'string' && token.length <= 100 && LINK_TOKEN.test(token);
}

/** A fresh random id (22 base64url characters): a mail's, to which each of its links adds a letter. */
export function newLinkId(): string {
  return randomBytes(16).toString('base64url');
}

export function createLinkToken(secret: string, linkId: string): string {
  return `${linkId}.${createHmac('sha256', secret).update(LINK_PURPOSE + linkId, 'utf8').digest('base64url')}`;
}

/** The link id of an authentic token, or null (malformed, or any character changed). */
export function verifyLinkToken(secret: string, token: unknown): string | null {
  if (typeof token !== 'string' || token.length > 100) return null;
  const m = LINK_TOKEN.exec(token);
  if (!m) return null;
  const expected = Buffer.from(createLinkToken(secret, m[1]!), 'latin1');
  const given = Buffer.from(token, 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected) ? m[1]! : null;
}

/** The URL of a link: `${baseUrl}/actions/l/${token}`. */
export function linkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/actions/l/${token}`;
}
