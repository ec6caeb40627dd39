/**
 * The Redis key layout, in one place: nothing outside src/store builds a key.
 *
 * Every key starts with the hash-tagged prefix `{REDIS_PREFIX}`, so all of one
 * deployment's keys (and BullMQ's, which share the tag) land in one Redis
 * Cluster slot and multi-key scripts stay legal.
 */
export type LedgerKind = 'reminder' | 'digest' | 'notice';
/**
 * The ledgers with per-party indexes (GET /v1/reminders answers an editor from them). A commitment
 * write that adds or removes a party moves the commitment's rows of these ledgers in the same script.
 */
export const PARTY_INDEXED_LEDGERS: readonly LedgerKind[] = ['reminder'];

export function createKeys(prefix: string) {
  const p = `{${prefix}}`;
  return {
    /** BullMQ's own prefix: the same hash tag. */
    bullPrefix: p,

    // Commitments, their history and indexes.
    commitment: (id: string) => `${p}:c:${id}`,
    history: (id: string) => `${p}:c:${id}:history`,
    allCommitments: `${p}:idx:all`,
    byStatus: (status: string) => `${p}:idx:status:${status}`,
    byParty: (party: string) => `${p}:idx:party:${party}`,
    byMeeting: (meeting: string) => `${p}:idx:meeting:${meeting}`,
    byDue: `${p}:idx:due`,
    /** Commitments whose deadline follows a meeting (`dueLink.meetingId`), by that meeting. */
    byDueMeeting: (meeting: string) => `${p}:idx:duemeeting:${meeting}`,
    // The digest's read models (src/store/digest-view-store.ts), kept by the commitment write's script.
    /** Open and in-progress commitments, scored by the deadline instant (epoch ms; +inf without one). */
    activeByDue: `${p}:idx:active`,
    /** The same for the commitments one party leads or takes part in. */
    activeByDueOf: (party: string) => `${p}:idx:active:party:${party}`,
    /** The same for the commitments one party leads. */
    leadActiveByDue: (party: string) => `${p}:idx:lead:${party}:active`,
    /** The done commitments one party leads (score 0: in id order). */
    leadDone: (party: string) => `${p}:idx:lead:${party}:done`,
    /** Every party that leads or has led a commitment (only ever added to). */
    leadParties: `${p}:idx:leads`,
    /** Multi-unit commitments that are not cancelled (score 0: in id order), and the same per party. */
    withTarget: `${p}:idx:target`,
    withTargetOf: (party: string) => `${p}:idx:target:party:${party}`,
    /** The commitments in one status that one party leads or takes part in (score 0): its digest's counts. */
    statusOf: (status: string, party: string) => `${p}:idx:status:${status}:party:${party}`,
    /** Set once the digest's read models hold every commitment written before they existed. */
    digestIndexBuilt: `${p}:idx:digest:built`,
    /** An empty set to SUNION with when a filter names no set. */
    emptySet: `${p}:idx:empty`,
    /** Every domain event of the deployment (a Redis stream). */
    events: `${p}:events`,
    /**
     * The events by their own `at`: stream ids scored by epoch ms. Written by
     * lua/includes/appendEvent.lua, which derives it from the stream's key
     * (`events` + ':at'); keep the two spellings together.
     */
    eventsByAt: `${p}:events:at`,
    /** Set once the `at` index holds every event the stream held before the index existed. */
    eventsByAtBuilt: `${p}:events:at:built`,

    // Parties, meetings, tokens, secrets.
    party: (id: string) => `${p}:party:${id}`,
    parties: `${p}:parties`,
    meeting: (id: string) => `${p}:meeting:${id}`,
    meetings: `${p}:meetings`,
    tokens: `${p}:auth:tokens`,
    secret: (name: string) => `${p}:secret:${name}`,
    seedMarker: (name: string) => `${p}:seed:${name}`,

    // Scheduling: what reconcile scheduled per commitment, and the once-marker of an overdue event.
    scheduled: `${p}:reminders:scheduled`,
    /**
     * Commitments written but not yet reconciled, scored by the version written: set in the same
     * script as the write, cleared by the reconcile that planned from that version or a later one.
     */
    unreconciled: `${p}:reminders:unreconciled`,
    overdueMarker: (commitmentId: string, dueVersion: number) => `${p}:overdue:${commitmentId}:${dueVersion}`,
    /** A reminder slot: the groups of sends, of any commitment, that one job sends at one instant (epoch ms). */
    slot: (at: number) => `${p}:slot:${at}`,
    /** Set once a slot's job has served it; a slot is never reopened. */
    slotClosed: (at: number) => `${p}:slot:${at}:closed`,

    // The send ledgers: one hash per send (field = recipient), and indexes of failed and sent deliveries.
    ledgerEntry: (kind: LedgerKind, sendId: string) => `${p}:ledger:${kind}:${sendId}`,
    ledgerFailed: (kind: LedgerKind) => `${p}:ledger:${kind}:failed`,
    ledgerSent: (kind: LedgerKind) => `${p}:ledger:${kind}:sent`,
    /** The same two indexes per commitment (the deliveries whose meta names it). */
    ledgerFailedOf: (kind: LedgerKind, commitmentId: string) => `${p}:ledger:${kind}:failed:c:${commitmentId}`,
    ledgerSentOf: (kind: LedgerKind, commitmentId: string) => `${p}:ledger:${kind}:sent:c:${commitmentId}`,
    /** Set once the per-commitment indexes hold every row written before they existed. */
    ledgerByCommitmentBuilt: (kind: LedgerKind) => `${p}:ledger:${kind}:byc:built`,
    /**
     * The same two indexes per party (ledgers in PARTY_INDEXED_LEDGERS only): the deliveries of the
     * commitments the party leads or belongs to now. lua/recordDelivery-9.lua and
     * lua/indexLedgerByParty.lua derive them from the ledger's index key (`ledgerFailed` or
     * `ledgerSent` + ':p:' + party); keep the spellings together.
     */
    ledgerFailedOfParty: (kind: LedgerKind, party: string) => `${p}:ledger:${kind}:failed:p:${party}`,
    ledgerSentOfParty: (kind: LedgerKind, party: string) => `${p}:ledger:${kind}:sent:p:${party}`,
    /** Set once the per-party indexes hold every row written before they existed. */
    ledgerByPartyBuilt: (kind: LedgerKind) => `${p}:ledger:${kind}:byp:built`,

    // The digest archive.
    digest: (id: string) => `${p}:digest:${id}`,
    digestRecipients: (id: string) => `${p}:digest:${id}:rcpt`,
    digestBySend: (sendId: string) => `${p}:digest:send:${sendId}`,
    digestArchive: `${p}:digest:archive`,
    /** Scheduled runs processed (sent or skipped), scored by the period's end. */
    digestRuns: `${p}:digest:runs`,
    digestLog: `${p}:digest:log`,

    // Signed links (src/store/link-store.ts): one document per mail (and, from before, per link id), and each link's used-marker.
    linkMail: (mailId: string) => `${p}:link-mail:${mailId}`,
    link: (id: string) => `${p}:link:${id}`,
    linkUsed: (id: string) => `${p}:link:${id}:used`,

    // Extension requests (src/store/extension-store.ts): one document each, indexes by state and commitment,
    // and the one pending request of a commitment.
    extension: (id: string) => `${p}:ext:${id}`,
    extensionsByState: (state: string) => `${p}:ext:state:${state}`,
    extensionsOf: (commitmentId: string) => `${p}:ext:c:${commitmentId}`,
    extensionPending: (commitmentId: string) => `${p}:ext:pending:${commitmentId}`,

    /** The key prefix of one rate limit's counters (rate-limit-redis appends the client key). */
    rateLimit: (name: string) => `${p}:ratelimit:${name}:`,
  };
}
export type Keys = ReturnType<typeof createKeys>;
