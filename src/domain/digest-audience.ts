/** Who receives which digest. Pure. */
import type { Party } from './party.js';

export interface DigestAudience {
  /** null: the full digest; a party id: a digest of only that party's commitments. */
  scope: string | null;
  /** Lower-cased, deduplicated addresses, in a stable order. */
  recipients: string[];
}

/**
 * The audiences of one digest run:
 * - the full digest for the co-chairs' contacts (parties with the role
 *   `co-chair`) and the steering-group addresses;
 * - a party digest for the focal points of each opted-in party.
 *
 * A recipient gets one digest per period: an address that already receives
 * the full digest (which contains every party's items) gets no party digest,
 * and an address listed by two opted-in parties gets the first one's only.
 * Unknown opted-in ids are returned, so the caller can log them.
 */
export function digestAudiences(parties: readonly Party[], opts: { steeringGroup: readonly string[]; partyOptIn: readonly string[] }): { audiences: DigestAudience[]; unknownParties: string[] } {
  const seen = new Set<string>();
  const take = (emails: Iterable<string>) => {
    const out: string[] = [];
    for (const raw of emails) {
      const e = raw.trim().toLowerCase();
      if (e && !seen.has(e)) {
        seen.add(e);
        out.push(e);
      }
    }
    return out;
  };
  const byId = new Map(parties.map((p) => [p.id, p]));
  const coChairs = [...parties].filter((p) => p.roles.includes('co-chair')).sort((a, b) => a.id.localeCompare(b.id));
  const full = take([...coChairs.flatMap((p) => p.contacts.map((c) => c.email)), ...opts.steeringGroup]);
  const audiences: DigestAudience[] = full.length ? [{ scope: null, recipients: full }] : [];
  const unknownParties: string[] = [];
  for (const id of opts.partyOptIn) {
    const party = byId.get(id);
    if (!party) {
      unknownParties.push(id);
      continue;
    }
    const recipients = take(party.contacts.map((c) => c.email));
    if (recipients.length) audiences.push({ scope: id, recipients });
  }
  return { audiences, unknownParties };
}
