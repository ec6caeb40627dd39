/**
 * Extension requests ("I need more time"): one JSON document each, indexed by
 * state (scored by creation time) and by commitment, plus the commitment's one
 * pending request (SET NX, so two requests at once cannot both be pending).
 * A decision replaces the document only if it is still the pending one read
 * (compareAndSet), so a request is decided once.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { withScripts } from './scripts.js';

export type ExtensionState = 'pending' | 'approved' | 'declined' | 'expired';
export const EXTENSION_STATES: readonly ExtensionState[] = ['pending', 'approved', 'declined', 'expired'];

export interface ExtensionRequest {
  id: string;
  commitmentId: string;
  meetingId: string;
  state: ExtensionState;
  /** The deadline it asks to replace, and the date it proposes (in the same zone). */
  fromDue: unknown;
  newDate: string;
  timeZone: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  /** When it expires undecided. */
  decideBy: string;
  /** The commitment's deadline version when it was asked. */
  dueVersion: number;
  decidedBy?: string;
  decidedAt?: string;
  decisionNote?: string;
}

export function createExtensionStore(redis: Redis, keys: Keys) {
  const r = withScripts(redis);
  async function get(id: string): Promise<ExtensionRequest | null> {
    const json = await redis.get(keys.extension(id));
    return json ? (JSON.parse(json) as ExtensionRequest) : null;
  }
  async function getMany(ids: readonly string[]): Promise<ExtensionRequest[]> {
    if (ids.length === 0) return [];
    const docs = await redis.mget(...ids.map((id) => keys.extension(id)));
    return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as ExtensionRequest);
  }
  return {
    get,
    /** Store a new pending request; false when the commitment already has one pending. */
    async create(req: ExtensionRequest): Promise<boolean> {
      if ((await redis.set(keys.extensionPending(req.commitmentId), req.id, 'NX')) !== 'OK') return false;
      const at = Date.parse(req.requestedAt);
      await redis
        .multi()
        .set(keys.extension(req.id), JSON.stringify(req))
        .zadd(keys.extensionsByState('pending'), at, req.id)
        .zadd(keys.extensionsOf(req.commitmentId), at, req.id)
        .exec();
      return true;
    },
    /** The pending request of a commitment, if any. */
    async pendingOf(commitmentId: string): Promise<ExtensionRequest | null> {
      const id = await redis.get(keys.extensionPending(commitmentId));
      return id ? get(id) : null;
    },
    /**
     * Decide a pending request: replaced only if still the pending document read, so exactly one
     * decision wins. Returns the decided request, or null when it was no longer pending.
     */
    async decide(id: string, decide: (current: ExtensionRequest) => ExtensionRequest): Promise<{ before: ExtensionRequest; after: ExtensionRequest } | null> {
      const json = await redis.get(keys.extension(id));
      if (!json) return null;
      const before = JSON.parse(json) as ExtensionRequest;
      if (before.state !== 'pending') return null;
      const after = decide(before);
      if ((await r.compareAndSet(keys.extension(id), json, JSON.stringify(after))) !== 1) return null;
      await redis.multi().zrem(keys.extensionsByState('pending'), id).zadd(keys.extensionsByState(after.state), Date.parse(after.requestedAt), id).exec();
      await r.delIfEquals(keys.extensionPending(before.commitmentId), id);
      return { before, after };
    },
    async list(state: ExtensionState, limit = 500): Promise<ExtensionRequest[]> {
      return getMany(await redis.zrange(keys.extensionsByState(state), 0, limit - 1));
    },
    async of(commitmentId: string): Promise<ExtensionRequest[]> {
      return getMany(await redis.zrange(keys.extensionsOf(commitmentId), 0, 199));
    },
    /** Pending requests asked before `before` (epoch ms): candidates to expire. */
    async pendingAskedBefore(before: number): Promise<ExtensionRequest[]> {
      return getMany(await redis.zrangebyscore(keys.extensionsByState('pending'), '-inf', before, 'LIMIT', 0, 500));
    },
  };
}
export type ExtensionStore = ReturnType<typeof createExtensionStore>;
