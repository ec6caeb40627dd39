/**
 * Walking every key of one deployment's prefix (ours and BullMQ's share the
 * `{prefix}` hash tag): for tests, the demo and benchmarks, which each work
 * under a throwaway prefix and remove it afterwards.
 *
 * SCAN sees one server's keys. On a Redis Cluster every master is scanned (the
 * hash tag puts a prefix in one slot, so one master holds it all, but which one
 * depends on the prefix, and a slot may be moving).
 */
import type { Redis } from 'ioredis';
import { eachMaster } from '../redis.js';
import { createKeys } from './keys.js';

/** Call `onBatch` with each SCAN batch of keys under the prefix. */
export async function scanPrefix(redis: Redis, prefix: string, onBatch: (keys: string[]) => Promise<void> | void, count = 1000): Promise<void> {
  // The braces of the hash tag are glob syntax to SCAN's MATCH, so escape them.
  const pattern = `${createKeys(prefix).bullPrefix}:*`.replace(/[{}]/g, '\\$&');
  for (const node of eachMaster(redis)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (batch.length) await onBatch(batch);
    } while (cursor !== '0');
  }
}

/** True when any key exists under the prefix. */
export async function prefixHasKeys(redis: Redis, prefix: string): Promise<boolean> {
  let found = false;
  await scanPrefix(redis, prefix, () => {
    found = true;
  });
  return found;
}

/** Delete every key under the prefix; returns how many were deleted. */
export async function deletePrefixKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  // One hash tag, so one slot: a multi-key UNLINK is legal on a Cluster too.
  await scanPrefix(redis, prefix, async (batch) => {
    deleted += await redis.unlink(...batch);
  });
  return deleted;
}
