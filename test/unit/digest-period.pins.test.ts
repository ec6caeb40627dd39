/** Digest periods: the cases the property test found, pinned. */
import { describe, expect, it } from 'vitest';
import { digestPeriod, nextRun, previousRun, runAtOrAfter } from '../../src/domain/digest-period.js';

const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);

describe('a daily 02:30 run in America/New_York on the spring-forward day (8 March 2020)', () => {
  // 02:30 does not exist that night; BullMQ's chain of runs (each next() of the one
  // before) fires at 03:30 EDT = 07:30Z instead.
  const cron = '30 2 * * *';
  const zone = 'America/New_York';

  it('the chain of runs fires at 07:30Z that day', () => {
    expect(iso(nextRun(cron, zone, at('2020-03-07T07:30:00Z')))).toBe('2020-03-08T07:30:00.000Z');
  });

  it.each(['2020-03-08T07:00:00.001Z', '2020-03-08T07:15:00Z', '2020-03-08T07:29:59.999Z', '2020-03-08T07:30:00Z'])(
    'when asked at %s (after 03:00 EDT, up to the run), then the period ends at that day\'s run, not the next day\'s',
    (asOf) => {
      const p = digestPeriod(cron, zone, at(asOf), null);
      expect([iso(p.from), iso(p.to)]).toEqual(['2020-03-07T07:30:00.000Z', '2020-03-08T07:30:00.000Z']);
    },
  );

  it('when asked at the scheduled fire time itself, then the period ends there and starts a day before', () => {
    expect(iso(runAtOrAfter(cron, zone, at('2020-03-08T07:30:00Z')))).toBe('2020-03-08T07:30:00.000Z');
  });

  it('when asked just before 03:00 EDT or just after the run, then the neighbouring periods meet at 07:30Z', () => {
    const before = digestPeriod(cron, zone, at('2020-03-08T06:59:59Z'), null);
    const after = digestPeriod(cron, zone, at('2020-03-08T07:30:00.001Z'), null);
    expect(iso(before.to)).toBe('2020-03-08T07:30:00.000Z');
    expect([iso(after.from), iso(after.to)]).toEqual(['2020-03-08T07:30:00.000Z', '2020-03-09T06:30:00.000Z']);
    expect(iso(previousRun(cron, zone, after.to))).toBe('2020-03-08T07:30:00.000Z');
  });

  it('every asOf through the night lies in (from, to] of its period, and the periods tile', () => {
    for (let t = Date.parse('2020-03-08T05:00:00Z'); t <= Date.parse('2020-03-08T09:00:00Z'); t += 5 * 60_000) {
      const p = digestPeriod(cron, zone, new Date(t), null);
      expect(p.from.getTime()).toBeLessThan(t);
      expect(p.to.getTime()).toBeGreaterThanOrEqual(t);
      expect(iso(nextRun(cron, zone, p.from))).toBe(iso(p.to));
    }
  });
});

describe('runAtOrAfter away from DST', () => {
  it('answers the run itself when asked exactly at it, and the next one a millisecond later', () => {
    expect(iso(runAtOrAfter('0 9 * * 1', 'Asia/Jakarta', at('2010-01-18T02:00:00Z')))).toBe('2010-01-18T02:00:00.000Z');
    expect(iso(runAtOrAfter('0 9 * * 1', 'Asia/Jakarta', at('2010-01-18T02:00:00.001Z')))).toBe('2010-01-25T02:00:00.000Z');
    expect(iso(runAtOrAfter('0 9 * * 1', 'Asia/Jakarta', at('2010-01-18T01:59:59.999Z')))).toBe('2010-01-18T02:00:00.000Z');
  });

  it('works for a seconds-level pattern, where many runs lie close together', () => {
    expect(iso(runAtOrAfter('*/2 * * * * *', 'UTC', at('2020-01-01T00:00:01.500Z')))).toBe('2020-01-01T00:00:02.000Z');
    expect(iso(runAtOrAfter('*/2 * * * * *', 'UTC', at('2020-01-01T00:00:02.000Z')))).toBe('2020-01-01T00:00:02.000Z');
  });
});
