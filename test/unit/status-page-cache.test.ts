import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../../src/api/routes/status-page-cache.js';

const lru = (entries: number, bytes = 1_000_000) => new BoundedLru<string>(entries, bytes, (v) => v.length);

describe('the bounded cache of rendered pages', () => {
  it('when more keys arrive than the cap, then the least recently used go first and the size stays at the cap', () => {
    const c = lru(3);
    for (const k of ['a', 'b', 'c']) c.set(k, k);
    c.get('a'); // a is now the most recent; b is the oldest
    c.set('d', 'd');
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual(['a', 'c', 'd']);
    for (let i = 0; i < 10_000; i++) c.set(`filter-${i}`, 'x');
    expect(c.size).toBe(3);
  });

  it('when the values outgrow the byte cap, then old entries are dropped until they fit, and a value larger than the cap is not kept', () => {
    const c = lru(100, 10);
    c.set('a', '1234');
    c.set('b', '1234');
    c.set('c', '1234');
    expect(c.get('a')).toBeUndefined();
    expect(c.bytes).toBe(8);
    c.set('huge', '12345678901');
    expect(c.get('huge')).toBeUndefined();
    expect(c.bytes).toBe(8);
  });

  it('when a key is set again, then its old size is released and it is not counted twice', () => {
    const c = lru(2, 100);
    c.set('a', '12345');
    c.set('a', '12');
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(2);
    expect(c.get('a')).toBe('12');
  });

  it('when the cap is 0, then nothing is kept (the cache is off)', () => {
    const c = lru(0);
    c.set('a', 'a');
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
