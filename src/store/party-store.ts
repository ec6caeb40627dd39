/** Parties and meetings on Redis. */
import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';
import type { Party } from '../domain/party.js';
import type { Meeting } from '../domain/meeting.js';
import type { Keys } from './keys.js';
import { withScripts } from './scripts.js';


export function createRedisPartyStore(redis: Redis, keys: Keys) {
  async function get(id: string): Promise<Party | null> {
    const json = await redis.get(keys.party(id));
    return json ? (JSON.parse(json) as Party) : null;
  }
  async function ids(): Promise<string[]> {
    return (await redis.smembers(keys.parties)).sort();
  }
  return {
    get,
    ids,
    async mustGet(id: string): Promise<Party> {
      const p = await get(id);
      if (!p) throw new AppError('not_found', `No party has the id ${id}.`);
      return p;
    },
    async list(): Promise<Party[]> {
      const all = await ids();
      if (all.length === 0) return [];
      const raw = await redis.mget(...all.map((id) => keys.party(id)));
      return raw.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as Party);
    },
    /** Create if absent; returns false when the id is taken. */
    async create(party: Party): Promise<boolean> {
      const [[, set]] = (await redis.multi().set(keys.party(party.id), JSON.stringify(party), 'NX').sadd(keys.parties, party.id).exec()) as [[null, string | null], unknown];
      return set === 'OK';
    },
    async put(party: Party): Promise<void> {
      await redis.multi().set(keys.party(party.id), JSON.stringify(party)).sadd(keys.parties, party.id).exec();
    },
    /**
     * Read, change and write one party without losing a concurrent change: the
     * write goes through only if the stored document is still the one read, and
     * otherwise `change` runs again on the new one (a few times at most).
     */
    async update(id: string, change: (current: Party) => Party): Promise<{ before: Party; after: Party }> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const json = await redis.get(keys.party(id));
        if (!json) throw new AppError('not_found', `No party has the id ${id}.`);
        const before = JSON.parse(json) as Party;
        const after = change(before);
        if ((await withScripts(redis).compareAndSet(keys.party(id), json, JSON.stringify(after))) === 1) return { before, after };
      }
      throw new AppError('conflict', `The party ${id} is being changed by many writers at once; try again.`);
    },
  };
}
export type PartyStore = ReturnType<typeof createRedisPartyStore>;

export function createRedisMeetingStore(redis: Redis, keys: Keys) {
  async function get(id: string): Promise<Meeting | null> {
    const json = await redis.get(keys.meeting(id));
    return json ? (JSON.parse(json) as Meeting) : null;
  }
  return {
    get,
    async mustGet(id: string): Promise<Meeting> {
      const m = await get(id);
      if (!m) throw new AppError('not_found', `No meeting has the id ${id}.`);
      return m;
    },
    /** How many meetings the store holds (0 on a first start). */
    async count(): Promise<number> {
      return redis.zcard(keys.meetings);
    },
    async list(): Promise<Meeting[]> {
      const ids = await redis.zrange(keys.meetings, 0, -1);
      if (ids.length === 0) return [];
      const raw = await redis.mget(...ids.map((id) => keys.meeting(id)));
      return raw.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as Meeting);
    },
    async create(meeting: Meeting): Promise<boolean> {
      const score = Date.parse(meeting.startDate);
      const [[, set]] = (await redis.multi().set(keys.meeting(meeting.id), JSON.stringify(meeting), 'NX').zadd(keys.meetings, 'NX', score, meeting.id).exec()) as [[null, string | null], unknown];
      return set === 'OK';
    },
  };
}
export type MeetingStore = ReturnType<typeof createRedisMeetingStore>;
