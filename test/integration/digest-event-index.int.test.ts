/**
 * The digest reads a period's events through the `at` index beside the event
 * stream: exactly the events whose own `at` lies in the period, in the order
 * they were written, whatever the history holds around them; and a deployment
 * whose stream predates the index gets it built on first read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.js';
import { digestQuery } from '../../src/domain/digest-view.js';
import { ensureEventIndex, readDigestSnapshot, readEventsBetween } from '../../src/store/digest-store.js';
import { createTestContext } from '../support/app.js';

const ctx = createTestContext('digest-event-index');
const store = () => ctx.services.commitmentStore;
const period = { from: new Date('2009-09-01T00:00:00.000Z'), to: new Date('2009-09-08T00:00:00.000Z') };

function note(at: string, n: number): DomainEvent {
  return { type: 'commitment.noted', commitmentId: 'c-1', meetingId: 'm', at, who: `test-${n}`, version: 1, changes: {} } as unknown as DomainEvent;
}

/** The reference: scan the whole stream and keep the events whose `at` is in the period. */
async function scanned(p: { from: Date; to: Date }): Promise<string[]> {
  const all = await ctx.redis.xrange(ctx.keys.events, '-', '+');
  return all
    .map(([, f]) => JSON.parse(f[1]!) as DomainEvent)
    .filter((e) => {
      const t = Date.parse(e.at);
      return t >= p.from.getTime() && t < p.to.getTime();
    })
    .map((e) => e.who);
}

beforeAll(async () => {
  await ctx.seed();
  const id = (await store().allIds())[0]!;
  // Written out of `at` order, with the spellings an instant may take, and on both sides of each bound.
  const ats = [
    '2009-09-07T23:59:59.999Z', // last instant inside
    '2009-09-08T00:00:00.000Z', // the end: outside
    '2009-09-01T00:00:00.000Z', // the start: inside
    '2009-08-31T23:59:59.999Z', // just before: outside
    '2009-09-03T12:00:00Z', // no fraction: inside
    '2009-09-01T04:30:00+05:00', // an offset: 2009-08-31T23:30Z, outside
    '2009-09-08T03:00:00.5+04:00', // 2009-09-07T23:00:00.500Z, inside
    '2010-01-01T00:00:00.000Z',
    '2009-09-04T00:00:00.000Z',
  ];
  for (const [i, at] of ats.entries()) expect(await store().appendEvents(id, [{ ...note(at, i), commitmentId: id }])).toBe(true);
});
afterAll(() => ctx.cleanup());

describe('events by their own at', () => {
  it('reads exactly the period’s events, in the order they were written', async () => {
    const got = (await readEventsBetween(ctx.redis, ctx.keys, period)).map((e) => e.who);
    expect(got).toEqual(['test-0', 'test-2', 'test-4', 'test-6', 'test-8']);
    expect(got).toEqual(await scanned(period));
  });

  it('agrees with a scan of the stream over the seed’s whole history', async () => {
    const all = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') };
    const got = (await readEventsBetween(ctx.redis, ctx.keys, all)).map((e) => e.who);
    expect(got.length).toBeGreaterThan(9);
    expect(got).toEqual(await scanned(all));
  });

  it('indexes every appended event once, by stream id', async () => {
    expect(await ctx.redis.zcard(ctx.keys.eventsByAt)).toBe(await ctx.redis.xlen(ctx.keys.events));
  });

  it('builds the index for a stream written before it existed', async () => {
    await ctx.redis.del(ctx.keys.eventsByAt, ctx.keys.eventsByAtBuilt);
    expect(await readEventsBetween(ctx.redis, ctx.keys, period)).toHaveLength(5);
    expect(await ctx.redis.zcard(ctx.keys.eventsByAt)).toBe(await ctx.redis.xlen(ctx.keys.events));
    // Built once: a second call finds the marker and leaves a removed entry removed.
    const [first] = await ctx.redis.zrange(ctx.keys.eventsByAt, 0, 0);
    await ctx.redis.zrem(ctx.keys.eventsByAt, first!);
    await ensureEventIndex(ctx.redis, ctx.keys);
    expect(await ctx.redis.zscore(ctx.keys.eventsByAt, first!)).toBeNull();
  });

  it('the digest snapshot carries the period’s events', async () => {
    const none = async () => [];
    const snap = await readDigestSnapshot({ redis: ctx.redis, keys: ctx.keys, meetings: { list: none }, parties: { list: none }, reminderLedger: { failed: none } }, period, [digestQuery({ asOf: period.to })]);
    expect(snap.events.map((e) => e.who)).toEqual(['test-0', 'test-2', 'test-4', 'test-6', 'test-8']);
  });
});
