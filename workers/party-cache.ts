/**
 * Parties by id for the planner, cached for a moment.
 *
 * A burst of reminder jobs would otherwise read every party once per job. The
 * cache is only an optimisation of one process (nothing another process needs
 * lives here): a contact changed less than `ttlMs` ago may be missed by a send
 * that fires in that instant.
 */
import type { Party } from '../src/domain/party.js';
import type { PartyStore } from '../src/store/party-store.js';

export interface PartyLookup {
  all(): Promise<ReadonlyMap<string, Party>>;
}

export function createPartyLookup(store: Pick<PartyStore, 'list'>, ttlMs = 2000, now = () => Date.now()): PartyLookup {
  let cached: { at: number; value: Promise<ReadonlyMap<string, Party>> } | null = null;
  return {
    all() {
      const t = now();
      if (!cached || t - cached.at >= ttlMs) {
        const value = store.list().then((list) => new Map(list.map((p) => [p.id, p] as const)));
        // A failed read is not cached.
        value.catch(() => {
          if (cached?.value === value) cached = null;
        });
        cached = { at: t, value };
      }
      return cached.value;
    },
  };
}
