import fc from 'fast-check';
import './fc-seed.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.js';
import { assertDigestSchedule } from '../../jobs/digest.js';
import { checkSchedule, digestPeriod, nextRun, periodKey } from '../../src/domain/digest-period.js';

const iso = (d: Date) => d.toISOString();

describe('digestPeriod with the default schedule (Mondays 09:00 Asia/Jakarta)', () => {
  it('when asked on Monday 18 January 2010 before 09:00, then it covers the week up to that 09:00', () => {
    const p = digestPeriod('0 9 * * 1', 'Asia/Jakarta', new Date('2010-01-18T00:00:00Z'), null);
    expect([iso(p.from), iso(p.to)]).toEqual(['2010-01-11T02:00:00.000Z', '2010-01-18T02:00:00.000Z']);
  });

  it('when asked exactly at a run, then the period ends at that run', () => {
    const p = digestPeriod('0 9 * * 1', 'Asia/Jakarta', new Date('2010-01-18T02:00:00Z'), null);
    expect(iso(p.to)).toBe('2010-01-18T02:00:00.000Z');
  });

  it('when it is the first digest, then it covers everything since the meeting', () => {
    const meeting = new Date('2009-07-26T17:00:00Z');
    const p = digestPeriod('0 9 * * 1', 'Asia/Jakarta', new Date('2010-01-18T02:00:00Z'), meeting, { first: true });
    expect(p).toEqual({ from: meeting, to: new Date('2010-01-18T02:00:00Z'), first: true });
  });

  it('gives a stable, URL-safe key', () => {
    expect(periodKey({ from: new Date('2010-01-11T02:00:00Z'), to: new Date('2010-01-18T02:00:00Z') })).toBe('20100111t020000000z-20100118t020000000z');
  });
});

describe('DST', () => {
  it('when Sydney falls back and 02:30 happens twice, then consecutive periods still meet with no gap', () => {
    // 7 April 2024: 02:30 AEDT (15:30Z on the 6th) and 02:30 AEST (16:30Z on the 6th).
    const cron = '30 2 * * *';
    const zone = 'Australia/Sydney';
    let p = digestPeriod(cron, zone, new Date('2024-04-04T00:00:00Z'), null);
    for (let i = 0; i < 6; i++) {
      const next = digestPeriod(cron, zone, new Date(p.to.getTime() + 1), null);
      expect(iso(next.from)).toBe(iso(p.to));
      p = next;
    }
  });

  it('when Auckland springs forward, then the Monday 09:00 run keeps its local hour', () => {
    // NZ daylight time began on Sunday 29 September 2024; asked at Monday 08:00 NZDT.
    const p = digestPeriod('0 9 * * 1', 'Pacific/Auckland', new Date('2024-09-29T19:00:00Z'), null);
    expect([iso(p.from), iso(p.to)]).toEqual(['2024-09-22T21:00:00.000Z', '2024-09-29T20:00:00.000Z']);
  });
});

describe('periods tile time (property)', () => {
  const zones = ['Asia/Jakarta', 'Australia/Sydney', 'Pacific/Auckland', 'UTC', 'America/New_York'];
  const crons = ['0 9 * * 1', '30 2 * * *', '0 */6 * * *', '15 1 * * 0', '0 0 1 * *'];
  const instant = fc.integer({ min: Date.UTC(2009, 0, 1), max: Date.UTC(2031, 0, 1) }).map((ms) => new Date(ms));

  it('every instant lies in exactly one period, and a period starts where the one before it ends', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), fc.constantFrom(...crons), (t, zone, cron) => {
        const p = digestPeriod(cron, zone, t, null);
        // The digest sent at p.to covers (…, t] for the asOf, and its events [from, to).
        expect(p.from.getTime()).toBeLessThan(p.to.getTime());
        expect(t.getTime()).toBeLessThanOrEqual(p.to.getTime());
        expect(t.getTime()).toBeGreaterThan(p.from.getTime());
        // Adjacent periods share a boundary: no gap, no overlap.
        expect(iso(digestPeriod(cron, zone, new Date(p.to.getTime() + 1), null).from)).toBe(iso(p.to));
        expect(iso(digestPeriod(cron, zone, p.from, null).to)).toBe(iso(p.from));
        // The end is a run as BullMQ would fire it: the next run after `from`.
        expect(iso(nextRun(cron, zone, p.from))).toBe(iso(p.to));
      }),
      { numRuns: 80 },
    );
  });
});

describe('schedule validation', () => {
  it('when the zone is not an IANA zone, then the problem names it instead of "CronDate: unhandled timestamp"', () => {
    expect(checkSchedule('0 9 * * 1', 'Mars/Olympus')).toEqual({ timeZone: '"Mars/Olympus" is not an IANA time zone such as Asia/Jakarta' });
  });

  it.each([
    ['', /expected a cron pattern/],
    ['not a cron', /has 3 fields/],
    ['a b c d e', /not a usable cron pattern/],
    ['61 * * * *', /not a usable cron pattern.*61/],
    ['0 0 30 2 *', /not a usable cron pattern/],
    ['* * * * * * *', /has 7 fields/],
  ])('when the cron pattern is %j, then it is refused with a clear message', (cron, message) => {
    expect(checkSchedule(cron, 'Asia/Jakarta').cron).toMatch(message);
  });

  it('accepts five-field, seconds-level and predefined patterns', () => {
    for (const cron of ['0 9 * * 1', '*/2 * * * * *', '@weekly']) expect(checkSchedule(cron, 'Asia/Jakarta')).toEqual({});
  });

  it('when the schedule is unusable, then start stops with a ConfigError naming DIGEST_CRON and DIGEST_TZ', () => {
    let err: unknown;
    try {
      assertDigestSchedule('0 25 * * 1', 'Jakarta');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/DIGEST_CRON: "0 25 \* \* 1" is not a usable cron pattern/);
    expect((err as Error).message).toMatch(/DIGEST_TZ: "Jakarta" is not an IANA time zone/);
  });
});
