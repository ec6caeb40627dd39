import { describe, expect, it } from 'vitest';
import { fixedClock, msUntil, realInstant, scaledClock, systemClock } from '../../src/domain/clock.js';

const DAY = 86_400_000;

/** A real-time source the test moves by hand. */
function realTime(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the scaled clock', () => {
  it('when real time passes, then virtual time passes scale times faster from the start instant', () => {
    const real = realTime(1_700_000_000_000);
    const clock = scaledClock({ start: '2009-07-27T00:00:00Z', scale: 4 * 86_400, realNow: real.now });
    expect(clock.now().toISOString()).toBe('2009-07-27T00:00:00.000Z');
    real.advance(250); // a quarter second at four days per second
    expect(clock.now().toISOString()).toBe('2009-07-28T00:00:00.000Z');
    real.advance(1000);
    expect(clock.now().toISOString()).toBe('2009-08-01T00:00:00.000Z');
  });

  it('when a virtual instant lies ahead, then the BullMQ delay is the real time until it, rounded up', () => {
    const real = realTime(1_000_000);
    const clock = scaledClock({ start: '2009-12-01T00:00:00Z', scale: 86_400, realNow: real.now });
    const at = Date.parse('2009-12-24T02:00:00Z'); // 23 days and 2 hours ahead
    const expected = (23 * DAY + 2 * 3_600_000) / 86_400;
    expect(msUntil(clock, at, clock.now())).toBe(Math.ceil(expected));
    // The delay follows real time, not the caller's (possibly stale) reading of the clock.
    const stale = clock.now();
    real.advance(5_000);
    expect(msUntil(clock, at, stale)).toBe(Math.ceil(expected - 5_000));
  });

  it('when the instant has passed, then the delay is zero and the real instant lies in the past', () => {
    const real = realTime(50_000);
    const clock = scaledClock({ start: '2010-01-01T00:00:00Z', scale: 86_400, realNow: real.now });
    real.advance(2_000);
    const yesterday = Date.parse('2010-01-01T12:00:00Z');
    expect(msUntil(clock, yesterday, clock.now())).toBe(0);
    expect(realInstant(clock, yesterday)).toBe(50_500);
  });

  it('when mapping onto real time and back, then moveToDelayed targets the real instant the clock reads it', () => {
    const real = realTime(10_000);
    const clock = scaledClock({ start: '2010-03-01T00:00:00Z', scale: 3_600, realNow: real.now }); // one hour per second
    const at = Date.parse('2010-03-01T05:00:00.000Z');
    const r = realInstant(clock, at);
    expect(r).toBe(15_000);
    real.advance(r - real.now());
    expect(clock.now().getTime()).toBe(at);
  });

  it('when the scale is not a positive number or the start is no instant, then it refuses', () => {
    expect(() => scaledClock({ start: '2009-07-27', scale: 0 })).toThrow(/scale/);
    expect(() => scaledClock({ start: '2009-07-27', scale: Number.NaN })).toThrow(/scale/);
    expect(() => scaledClock({ start: 'soon', scale: 10 })).toThrow(/instant/);
  });
});

describe('delays on an uncompressed clock (real time, unchanged behaviour)', () => {
  it('when the clock is pinned, then the delay is the planned instant minus the reading, and instants map to themselves', () => {
    const clock = fixedClock('2010-01-01T00:00:00Z');
    const now = clock.now();
    expect(msUntil(clock, Date.parse('2010-01-01T00:00:05Z'), now)).toBe(5_000);
    expect(msUntil(clock, Date.parse('2009-12-31T00:00:00Z'), now)).toBe(0);
    expect(realInstant(clock, 1_234)).toBe(1_234);
    expect(realInstant(systemClock, 987_654)).toBe(987_654);
  });
});
