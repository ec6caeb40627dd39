/**
 * From a snapshot to archive-ready digests: build one digest per audience,
 * render it, and give every recipient a Message-ID derived from the send id
 * (the period, or a manual send's idempotency key) and the address, so a
 * retry reuses it and mail clients fold any copy. Pure.
 */
import { createHash } from 'node:crypto';
import type { DigestAudience } from '../domain/digest-audience.js';
import type { DigestPeriod } from '../domain/digest-period.js';
import { buildDigest, type Digest, type DigestSnapshot } from '../domain/digest.js';
import { renderDigest, viewLinkPlaceholder, type RenderedDigest } from './digest-template.js';

export interface ComposedDigest {
  id: string;
  scope: string | null;
  digest: Digest;
  rendered: RenderedDigest;
  recipients: Array<{ email: string; messageId: string }>;
  /** The period was empty and configuration says to send nothing. */
  skip: boolean;
}

/** `<digest.{sendId}.{hash of the address}@{domain}>`: the same for every attempt. */
export function digestMessageId(sendId: string, recipient: string, domain: string): string {
  const h = createHash('sha256').update(recipient.trim().toLowerCase()).digest('hex').slice(0, 16);
  return `<digest.${sendId}.${h}@${domain}>`;
}

/** The archive id of one audience's digest. */
export const digestId = (sendId: string, scope: string | null) => `${sendId}-${scope ? scope.toLowerCase() : 'all'}`;

/** The domain of Message-IDs: the host of the public base URL. */
export function messageIdDomain(publicBaseUrl: string): string {
  try {
    return new URL(publicBaseUrl).hostname || 'followup.local';
  } catch {
    return 'followup.local';
  }
}

export function composeDigests(
  snapshot: DigestSnapshot,
  period: DigestPeriod,
  opts: {
    sendId: string;
    asOf: Date;
    timeZone: string;
    audiences: readonly DigestAudience[];
    /** DIGEST_EMPTY: an empty period sends a short digest, or nothing. */
    empty: 'short' | 'skip';
    /** Manual sends go out even when the period is empty. */
    force?: boolean;
    domain: string;
    baseUrl?: string;
    /** Link each item through a placeholder that delivery makes each recipient's own view link. */
    itemLinks?: boolean;
  },
): ComposedDigest[] {
  return opts.audiences.map((a) => {
    const digest = buildDigest(snapshot, period, { asOf: opts.asOf, timeZone: opts.timeZone, party: a.scope });
    const rendered = renderDigest(digest, { short: digest.isEmpty, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), ...(opts.itemLinks ? { itemLink: viewLinkPlaceholder } : {}) });
    return {
      id: digestId(opts.sendId, a.scope),
      scope: a.scope,
      digest,
      rendered,
      recipients: a.recipients.map((email) => ({ email, messageId: digestMessageId(opts.sendId, email, opts.domain) })),
      skip: digest.isEmpty && opts.empty === 'skip' && !opts.force,
    };
  });
}
