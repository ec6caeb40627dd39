/**
 * The Redis key layout, in one place.
 *
 * Every key starts with the hash-tagged prefix `{REDIS_PREFIX}`, so all of one
 * deployment's keys share a Redis Cluster slot and multi-key scripts stay legal.
 */
export function createKeys(prefix: string) {
  const p = `{${prefix}}`;
  return {
    /** BullMQ's own prefix: the same hash tag. */
    bullPrefix: p,
    commitment: (id: string) => `${p}:c:${id}`,
    history: (id: string) => `${p}:c:${id}:history`,
    allCommitments: `${p}:idx:all`,
    byStatus: (status: string) => `${p}:idx:status:${status}`,
    byParty: (party: string) => `${p}:idx:party:${party}`,
    byMeeting: (meeting: string) => `${p}:idx:meeting:${meeting}`,
    byDue: `${p}:idx:due`,
    events: `${p}:events`,
    party: (id: string) => `${p}:party:${id}`,
    parties: `${p}:parties`,
    meeting: (id: string) => `${p}:meeting:${id}`,
    meetings: `${p}:meetings`,
    tokens: `${p}:auth:tokens`,
    secret: (name: string) => `${p}:secret:${name}`,
    seedMarker: (name: string) => `${p}:seed:${name}`,
    /** Namespace for other modules (reminder ledger, digests, …): `${p}:${name}`. */
    ns: (name: string) => `${p}:${name}`,
  };
}
export type Keys = ReturnType<typeof createKeys>;
