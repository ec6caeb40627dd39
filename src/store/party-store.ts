/** Parties and meetings on Redis. */
import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';
import type { Party } from '../domain/party.js';
import { isDated, type Meeting, type MeetingRecord } from '../domain/meeting.js';
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
  /** Meetings are listed by first day; an undated (planned) one sorts last. */
  const scoreOf = (m: MeetingRecord): number | string => (m.startDate ? Date.parse(m.startDate) : '+inf');
  async function get(id: string): Promise<MeetingRecord | null> {
    const json = await redis.get(keys.meeting(id));
    return json ? (JSON.parse(json) as MeetingRecord) : null;
  }
  async function listAll(): Promise<MeetingRecord[]> {
    const ids = await redis.zrange(keys.meetings, 0, -1);
    if (ids.length === 0) return [];
    const raw = await redis.mget(...ids.map((id) => keys.meeting(id)));
    return raw.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as MeetingRecord);
  }
  return {
    get,
    async mustGet(id: string): Promise<MeetingRecord> {
      const m = await get(id);
      if (!m) throw new AppError('not_found', `No meeting has the id ${id}.`);
      return m;
    },
    /** How many meetings the store holds (0 on a first start). */
    async count(): Promise<number> {
      return redis.zcard(keys.meetings);
    },
    /** Every meeting, planned ones without dates included, by first day. */
    listAll,
    /** The meetings with dates (what the digest and the status page show), by first day. */
    async list(): Promise<Meeting[]> {
      return (await listAll()).filter(isDated);
    },
    async create(meeting: MeetingRecord): Promise<boolean> {
      const [[, set]] = (await redis.multi().set(keys.meeting(meeting.id), JSON.stringify(meeting), 'NX').zadd(keys.meetings, 'NX', scoreOf(meeting), meeting.id).exec()) as [[null, string | null], unknown];
      return set === 'OK';
    },
    /** Read, change and write one meeting without losing a concurrent change (as the party store's update). */
    async update(id: string, change: (current: MeetingRecord) => MeetingRecord): Promise<{ before: MeetingRecord; after: MeetingRecord }> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const json = await redis.get(keys.meeting(id));
        if (!json) throw new AppError('not_found', `No meeting has the id ${id}.`);
        const before = JSON.parse(json) as MeetingRecord;
        const after = change(before);
        if ((await withScripts(redis).compareAndSet(keys.meeting(id), json, JSON.stringify(after))) === 1) {
          if (after.startDate !== before.startDate) await redis.zadd(keys.meetings, 'XX', scoreOf(after), id);
          return { before, after };
        }
      }
      throw new AppError('conflict', `The meeting ${id} is being changed by many writers at once; try again.`);
    },
    /**
     * Remove a meeting only while no commitment's deadline is tied to it and none belongs to it,
     * checked and done in one script (a commitment written meanwhile cannot be left pointing nowhere).
     */
    removeIfUnused(id: string): Promise<'missing' | 'tied' | 'owned' | 'ok'> {
      return withScripts(redis).deleteMeetingIfUnused(keys.meeting(id), keys.meetings, keys.byDueMeeting(id), keys.byMeeting(id), id);
    },
  };
}
export type MeetingStore = ReturnType<typeof createRedisMeetingStore>;
