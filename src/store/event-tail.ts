/** Follow the deployment's event stream from its beginning (the demo's narrator tells the story from it). */
import type { Redis } from 'ioredis';
import type { DomainEvent } from '../domain/events.js';
import type { Keys } from './keys.js';

export function createEventTail(redis: Redis, keys: Keys) {
  // XREAD BLOCK holds its connection, so the tail has one of its own, connected now and
  // waiting out a Redis blip (the API's fail-fast options would refuse every read).
  const conn = redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null });
  conn.on('error', () => undefined);
  let lastId = '0-0';
  return {
    /** The events after the last read, waiting up to `blockMs` for one (null: do not wait). */
    async read(blockMs: number | null): Promise<DomainEvent[]> {
      const args: Array<string | number> = ['COUNT', 500];
      if (blockMs !== null) args.push('BLOCK', blockMs);
      const res = await (conn.xread as (...a: Array<string | number>) => Promise<Array<[string, Array<[string, string[]]>]> | null>)(...args, 'STREAMS', keys.events, lastId);
      const out: DomainEvent[] = [];
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          const i = fields.indexOf('e');
          if (i >= 0) out.push(JSON.parse(fields[i + 1]!) as DomainEvent);
        }
      }
      return out;
    },
    async close(): Promise<void> {
      await conn.quit().catch(() => conn.disconnect());
    },
  };
}
export type EventTail = ReturnType<typeof createEventTail>;
