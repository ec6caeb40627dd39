/**
 * Signed links' claims, kept server-side: a mail carries only an opaque random
 * link id and its HMAC (src/mail/action-link.ts), never an address. Each link
 * is one document with a TTL a little past its expiry (so a late click can
 * still be told "expired"), and a used-marker set once, with SET NX.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export type LinkPurpose = 'view' | 'complete' | 'progress' | 'extend' | 'approve' | 'decline';

export interface LinkClaims {
  id: string;
  purpose: LinkPurpose;
  commitmentId: string;
  /** The recipient's address (lower case): the link acts, and is audited, under it. */
  recipient: string;
  /** The party through which the recipient got the mail (its zone is the page's zone). */
  partyId: string | null;
  /** The commitment's version, status and deadline version when the link was issued. */
  version: number;
  status: string;
  dueVersion: number;
  /** For approve and decline: the extension request. */
  extensionId?: string;
  /** Sibling links of the same mail (purpose → token), offered on the view page while still usable. */
  siblings?: Partial<Record<LinkPurpose, string>>;
  issuedAt: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Documents stay this long past their expiry, so an expired link is named as such. */
const GRACE_MS = 30 * 24 * 3600_000;

export function createLinkStore(redis: Redis, keys: Keys) {
  return {
    async save(claims: LinkClaims, now: Date): Promise<void> {
      const ttl = Math.max(1, claims.expiresAt - now.getTime() + GRACE_MS);
      await redis.set(keys.link(claims.id), JSON.stringify(claims), 'PX', ttl);
    },
    async saveMany(all: readonly LinkClaims[], now: Date): Promise<void> {
      if (all.length === 0) return;
      const m = redis.multi();
      for (const c of all) m.set(keys.link(c.id), JSON.stringify(c), 'PX', Math.max(1, c.expiresAt - now.getTime() + GRACE_MS));
      await m.exec();
    },
    async get(id: string): Promise<LinkClaims | null> {
      const json = await redis.get(keys.link(id));
      return json ? (JSON.parse(json) as LinkClaims) : null;
    },
    /** When the link was used, or null. */
    async usedAt(id: string): Promise<string | null> {
      return redis.get(keys.linkUsed(id));
    },
    /** Mark a link used; false when it already was. */
    async markUsed(claims: LinkClaims, at: Date): Promise<boolean> {
      const ttl = Math.max(1, claims.expiresAt - at.getTime() + GRACE_MS);
      return (await redis.set(keys.linkUsed(claims.id), at.toISOString(), 'PX', ttl, 'NX')) === 'OK';
    },
  };
}
export type LinkStore = ReturnType<typeof createLinkStore>;
