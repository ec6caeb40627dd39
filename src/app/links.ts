/**
 * Signed links: issuing them for a mail, and checking one when it is used.
 *
 * A link is single-purpose (view, complete, progress, extend, approve,
 * decline), expires, and is bound to the state of the commitment it was
 * issued in: any later transition (completed, a unit recorded, reopened,
 * cancelled, the deadline moved) makes an acting link stale. A view link shows
 * the commitment as it is now, so only its expiry binds it. At use time the
 * recipient must still be a contact of a party entitled to the purpose:
 * - view: a contact of a lead or member party, of a co-chair, or a steering-group address;
 * - complete, extend: a contact of a lead party;
 * - progress: a contact of a lead or member party;
 * - approve, decline: a contact of a co-chair party (and the request still pending).
 * Acting links are used once (the used-marker is set after the change).
 */
import { partiesOf, type Commitment } from '../domain/commitment.js';
import type { Clock } from '../domain/clock.js';
import type { DomainEvent } from '../domain/events.js';
import type { Party } from '../domain/party.js';
import { isClosed } from '../domain/status.js';
import { createLinkToken, isLinkTokenShape, linkUrl, newLinkId, verifyLinkToken } from '../mail/action-link.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { ExtensionStore } from '../store/extension-store.js';
import { mailLinkId, type LinkClaims, type LinkPurpose, type LinkStore, type MailLinks } from '../store/link-store.js';
import type { PartyStore } from '../store/party-store.js';

export type { LinkClaims, LinkPurpose } from '../store/link-store.js';

/** Long enough to act on the last overdue follow-up. */
export const LINK_TTL_MS = 90 * 24 * 3600_000;

export type RefusalReason = 'invalid' | 'expired' | 'used' | 'stale' | 'closed' | 'not_allowed' | 'gone' | 'decided';

/** Why a link cannot be used; the route turns it into a page that says so and what to do. */
export class LinkRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly claims?: LinkClaims,
  ) {
    super(message);
    this.name = 'LinkRefusal';
  }
}

/** The events after which an acting link issued before them is stale. */
const TRANSITIONS: ReadonlySet<DomainEvent['type']> = new Set(['commitment.completed', 'commitment.unit_recorded', 'commitment.reopened', 'commitment.cancelled', 'commitment.due_changed']);

export interface RecipientRole {
  lead: boolean;
  member: boolean;
  coChair: boolean;
  steering: boolean;
  /** The recipient's party (a lead's first, then a member's, then a co-chair's) and its zone. */
  party: Party | null;
}

/** What the recipient is to a commitment, from the parties as they are now. */
export function roleOf(recipient: string, c: Pick<Commitment, 'leads' | 'members'>, parties: readonly Party[], steeringGroup: readonly string[]): RecipientRole {
  const r = recipient.toLowerCase();
  const has = (p: Party) => p.contacts.some((k) => k.email.toLowerCase() === r);
  const byId = new Map(parties.map((p) => [p.id, p]));
  const leadParty = c.leads.map((id) => byId.get(id)).find((p) => p && has(p)) ?? null;
  const memberParty = c.members.map((id) => byId.get(id)).find((p) => p && has(p)) ?? null;
  const coChairParty = parties.find((p) => p.roles.includes('co-chair') && has(p)) ?? null;
  return {
    lead: leadParty !== null,
    member: memberParty !== null,
    coChair: coChairParty !== null,
    steering: steeringGroup.some((s) => s.toLowerCase() === r),
    party: leadParty ?? memberParty ?? coChairParty,
  };
}

export function allowed(purpose: LinkPurpose, role: RecipientRole): boolean {
  switch (purpose) {
    case 'view':
      return role.lead || role.member || role.coChair || role.steering;
    case 'complete':
    case 'extend':
      return role.lead;
    case 'progress':
      return role.lead || role.member;
    case 'approve':
    case 'decline':
      return role.coChair;
  }
}

export interface LinkServiceDeps {
  store: LinkStore;
  extensions: ExtensionStore;
  commitments: CommitmentStore;
  parties: PartyStore;
  clock: Clock;
  secret: () => Promise<string>;
  baseUrl: string;
  steeringGroup: readonly string[];
  ttlMs?: number;
}

export interface ResolvedLink {
  claims: LinkClaims;
  commitment: Commitment;
  role: RecipientRole;
  parties: Party[];
}

export function createLinkService(deps: LinkServiceDeps) {
  const { store, clock } = deps;
  const ttl = deps.ttlMs ?? LINK_TTL_MS;

  /**
   * Issue the links of several mails about one commitment at once (one write for all): for each,
   * one document with a link per purpose, the view link knowing its siblings (so its page offers
   * them while they are usable). Returns, per request, purpose → URL.
   */
  async function issueMany(
    c: Commitment,
    requests: ReadonlyArray<{ recipient: string; partyId: string | null; purposes: readonly LinkPurpose[] }>,
    opts: { extensionId?: string } = {},
  ): Promise<Array<Partial<Record<LinkPurpose, string>>>> {
    if (requests.length === 0) return [];
    const secret = await deps.secret();
    const now = clock.now();
    const mails: MailLinks[] = [];
    const urls = requests.map(({ recipient, partyId, purposes }) => {
      const id = newLinkId();
      mails.push({
        id,
        purposes: [...purposes],
        commitmentId: c.id,
        recipient: recipient.toLowerCase(),
        partyId,
        version: c.version,
        status: c.status,
        dueVersion: c.dueVersion,
        ...(opts.extensionId ? { extensionId: opts.extensionId } : {}),
        issuedAt: now.toISOString(),
        expiresAt: now.getTime() + ttl,
      });
      return Object.fromEntries(purposes.map((p) => [p, linkUrl(deps.baseUrl, createLinkToken(secret, mailLinkId(id, p)))])) as Partial<Record<LinkPurpose, string>>;
    });
    await store.saveMails(mails, now);
    return urls;
  }

  /** Issue the links of one mail to one recipient (see issueMany). */
  async function issue(
    c: Commitment,
    recipient: string,
    partyId: string | null,
    purposes: readonly LinkPurpose[],
    opts: { extensionId?: string } = {},
  ): Promise<Partial<Record<LinkPurpose, string>>> {
    return (await issueMany(c, [{ recipient, partyId, purposes }], opts))[0]!;
  }

  /** Check a token and everything it is bound to (see the module comment). Throws LinkRefusal. */
  async function resolve(token: unknown, opts: { expect?: LinkPurpose } = {}): Promise<ResolvedLink> {
    // A token of the wrong shape is refused before anything is read (the secret may need the store).
    if (!isLinkTokenShape(token)) throw new LinkRefusal('invalid', 'The link is incomplete or has been altered.');
    const id = verifyLinkToken(await deps.secret(), token);
    if (!id) throw new LinkRefusal('invalid', 'The link is incomplete or has been altered.');
    const stored = await store.get(id);
    if (!stored) throw new LinkRefusal('invalid', 'This link is unknown, or expired long ago.');
    const claims = withSiblingTokens(stored, await deps.secret());
    if (opts.expect && claims.purpose !== opts.expect) throw new LinkRefusal('invalid', 'This link is for something else.', claims);
    if (clock.now().getTime() >= claims.expiresAt) throw new LinkRefusal('expired', 'This link has expired.', claims);
    const c = await deps.commitments.get(claims.commitmentId);
    if (!c) throw new LinkRefusal('gone', 'The commitment this link was for no longer exists.', claims);
    const parties = await deps.parties.list();
    const role = roleOf(claims.recipient, c, parties, deps.steeringGroup);
    if (!allowed(claims.purpose, role)) {
      throw new LinkRefusal('not_allowed', `${claims.recipient} is no longer a contact entitled to this link.`, claims);
    }
    if (claims.purpose === 'view') return { claims, commitment: c, role, parties };
    const used = await store.usedAt(claims.id);
    if (used) throw new LinkRefusal('used', `This link was already used, on ${used.slice(0, 10)}.`, claims);
    if (claims.purpose === 'approve' || claims.purpose === 'decline') {
      const req = claims.extensionId ? await deps.extensions.get(claims.extensionId) : null;
      if (!req) throw new LinkRefusal('gone', 'The request for more time no longer exists.', claims);
      if (req.state !== 'pending') throw new LinkRefusal('decided', `The request for more time is already ${req.state}.`, claims);
    }
    if (isClosed(c.status)) throw new LinkRefusal('closed', `“${c.title}” is already ${c.status}.`, claims);
    if (c.dueVersion !== claims.dueVersion || (await transitionedSince(c, claims.version))) {
      throw new LinkRefusal('stale', `“${c.title}” has changed since this mail was sent.`, claims);
    }
    return { claims, commitment: c, role, parties };
  }

  /** A mail document's view link names its siblings by id; the view page offers them as signed links. */
  function withSiblingTokens(claims: LinkClaims, secret: string): LinkClaims {
    if (!claims.siblingIds) return claims;
    const { siblingIds, ...rest } = claims;
    return { ...rest, siblings: Object.fromEntries(Object.entries(siblingIds).map(([p, id]) => [p, createLinkToken(secret, id)])) };
  }

  /** True when a transition was recorded after `version` (an admin reopen, a unit, a new deadline …). */
  async function transitionedSince(c: Commitment, version: number): Promise<boolean> {
    if (c.version === version) return false;
    const history = await deps.commitments.history(c.id);
    return history.some((e) => e.version > version && TRANSITIONS.has(e.type));
  }

  /** Whether a sibling link (by token) is still usable for this recipient: for the view page. */
  async function usable(token: string): Promise<boolean> {
    try {
      await resolve(token);
      return true;
    } catch (err) {
      if (err instanceof LinkRefusal) return false;
      throw err;
    }
  }

  /** One view link per commitment for a recipient (a digest's items); unknown ids are left out. */
  async function viewLinks(ids: readonly string[], recipient: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const c of await deps.commitments.getMany(ids)) {
      const l = await issue(c, recipient, null, ['view']);
      if (l.view) out.set(c.id, l.view);
    }
    return out;
  }

  return {
    issue,
    issueMany,
    viewLinks,
    resolve,
    usable,
    transitionedSince,
    markUsed: (claims: LinkClaims) => store.markUsed(claims, clock.now()),
    /** The recipient's parties to show the page in: a commitment's parties, for names. */
    partiesOf,
  };
}
export type LinkService = ReturnType<typeof createLinkService>;
