/** Writes of one event-loop turn go out together, and each caller learns its batch's outcome. */
import { describe, expect, it } from 'vitest';
import { batchPerTurn } from '../../src/store/turn-batch.js';

describe('batchPerTurn', () => {
  it('one flush per turn, carrying every item queued in it, in order', async () => {
    const flushes: number[][] = [];
    const add = batchPerTurn<number>(async (items) => void flushes.push(items));
    await Promise.all([add(1), add(2), add(3)]);
    await add(4);
    expect(flushes).toEqual([[1, 2, 3], [4]]);
  });

  it("a failed flush rejects every caller in it, and the next turn's items are flushed anew", async () => {
    let fail = true;
    const flushed: string[][] = [];
    const add = batchPerTurn<string>(async (items) => {
      if (fail) throw new Error('down');
      flushed.push(items);
    });
    const results = await Promise.allSettled([add('a'), add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await add('c');
    expect(flushed).toEqual([['c']]);
  });

  it('a reading flush answers each caller with its own result', async () => {
    let calls = 0;
    const read = batchPerTurn<string, number>(async (keys) => (calls++, keys.map((k) => k.length)));
    expect(await Promise.all([read('a'), read('bbb'), read('cc')])).toEqual([1, 3, 2]);
    expect(calls).toBe(1);
  });

  it('an Error in a result rejects only its own caller (a pipeline command that failed)', async () => {
    const write = batchPerTurn<number>(async (items) => items.map((n) => (n === 2 ? new Error('WRONGTYPE') : undefined)));
    const results = await Promise.allSettled([write(1), write(2), write(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
