/**
 * Signed links' claims, kept server-side: a mail carries only an opaque random
 * link id and its HMAC (src/mail/action-link.ts), never an address.
 *
 * The links of one mail (its view link and its acting links) share one
 * document, under the mail's 22-character id; each link's id is that id plus
 * one letter for its purpose (see PURPOSE_LETTER), so one write issues them
 * all and one read resolves any of them. Links issued before this layout are
 * one document per 22-character link id, and still resolve. A document has a
 * TTL a little past its expiry (so a late click can still be told "expired"),
 * and each link a used-marker set once, with SET NX.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { batchPerTurn } from './turn-batch.js';

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
  /** For a view link of a mail's document: its sibling links' ids (the service signs them into `siblings`). */
  siblingIds?: Partial<Record<LinkPurpose, string>>;
}

/** The claims all links of one mail share (the stored document, with the purposes issued). */
export type MailLinks = Omit<LinkClaims, 'id' | 'purpose' | 'siblings' | 'siblingIds'> & {
  /** The mail's id (22 characters); its links' ids append a purpose letter. */
  id: string;
  purposes: LinkPurpose[];
};

export const PURPOSE_LETTER: Readonly<Record<LinkPurpose, string>> = { view: 'v', complete: 'c', progress: 'p', extend: 'e', approve: 'a', decline: 'd' };
const LETTER_PURPOSE = new Map(Object.entries(PURPOSE_LETTER).map(([p, l]) => [l, p as LinkPurpose]));

/** The id of one purpose's link in a mail's document. */
export const mailLinkId = (mailId: string, purpose: LinkPurpose): string => mailId + PURPOSE_LETTER[purpose];

/** One link's claims from its mail's document, or null when the document did not issue that purpose. */
function fromMail(doc: MailLinks, linkId: string): LinkClaims | null {
  const purpose = LETTER_PURPOSE.get(linkId.slice(-1));
  if (!purpose || !doc.purposes.includes(purpose)) return null;
  const { purposes, id: mailId, ...shared } = doc;
  const siblingIds = purpose === 'view' ? Object.fromEntries(purposes.filter((p) => p !== 'view').map((p) => [p, mailLinkId(mailId, p)])) : undefined;
  return { ...shared, id: linkId, purpose, ...(siblingIds ? { siblingIds } : {}) };
}

/** Documents stay this long past their expiry, so an expired link is named as such. */
const GRACE_MS = 30 * 24 * 3600_000;

/** A mail's id is 22 characters; one of its links' ids, 23. */
const MAIL_LINK_ID_LENGTH = 23;

export function createLinkStore(redis: Redis, keys: Keys) {
  const saveInTurn = batchPerTurn<{ all: readonly MailLinks[]; now: Date }>(async (batches) => {
    const docs = batches.flatMap((b) => b.all.map((m) => ({ m, ttl: Math.max(1, m.expiresAt - b.now.getTime() + GRACE_MS) })));
    if (docs.length === 1) {
      await redis.set(keys.linkMail(docs[0]!.m.id), JSON.stringify(docs[0]!.m), 'PX', docs[0]!.ttl);
      return;
    }
    const pipe = redis.pipeline();
    for (const { m, ttl } of docs) pipe.set(keys.linkMail(m.id), JSON.stringify(m), 'PX', ttl);
    for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
  });
  return {
    /** Store the links of several mails, one document each; the mails of one turn go in one round trip. */
    saveMails: (all: readonly MailLinks[], now: Date): Promise<void> => saveInTurn({ all, now }),
    /** A link's claims by its id: from its mail's document (23 characters), or its own (22, issued before mail documents). */
    async get(id: string): Promise<LinkClaims | null> {
      if (id.length === MAIL_LINK_ID_LENGTH) {
        const json = await redis.get(keys.linkMail(id.slice(0, -1)));
        return json ? fromMail(JSON.parse(json) as MailLinks, id) : null;
      }
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
