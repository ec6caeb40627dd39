/**
 * On a Redis Cluster a multi-key script or pipeline must stay in one hash slot.
 * Every key of a deployment (ours and BullMQ's) carries the hash tag {prefix},
 * so all of them hash to one slot. Pure: the tag rule of the Cluster spec.
 */
import { describe, expect, it } from 'vitest';
import { bullPrefix } from '../../jobs/queues.js';
import { createKeys } from '../../src/store/keys.js';

/** The part of a key that Redis Cluster hashes: the first non-empty {…}, or the whole key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

describe('key layout on a Redis Cluster', () => {
  it('every key builder, given any arguments, yields a key whose hashed part is the prefix', () => {
    const prefix = 'acme-prod';
    const keys = createKeys(prefix);
    // Arguments with braces of their own must not move the slot: only the first tag counts.
    const args = ['x', '{other}', 'LKA', '7'];
    let checked = 0;
    for (const [name, value] of Object.entries(keys)) {
      const built = typeof value === 'function' ? args.map((a) => (value as (...xs: unknown[]) => string)(a, 3)) : [value];
      for (const key of built) {
        expect(typeof key, name).toBe('string');
        expect(hashedPart(key), `${name} → ${key}`).toBe(prefix);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("BullMQ's prefix is the same hash tag, so a queue's keys share the deployment's slot", () => {
    expect(bullPrefix('acme-prod')).toBe(createKeys('acme-prod').bullPrefix);
    expect(hashedPart(`${bullPrefix('acme-prod')}:reminders:delayed`)).toBe('acme-prod');
  });

  it('two deployments hash apart', () => {
    expect(hashedPart(createKeys('a').events)).not.toBe(hashedPart(createKeys('b').events));
  });
});
