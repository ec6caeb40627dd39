/** Digest periods: the cases the property test found, pinned. */
import { describe, expect, it } from 'vitest';
import { checkSchedule, digestPeriod, inPeriod, nextRun, periodFilter, periodKey, previousRun, runAtOrAfter } from '../../src/domain/digest-period.js';

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

describe('schedule checks, membership and keys', () => {
  it('names each problem with the value quoted, and accepts 5 or 6 fields or an @ pattern', () => {
    expect(checkSchedule('0 9 * * 1', 'Asia/Jakarta')).toEqual({});
    expect(checkSchedule('0 0 9 * * 1', 'UTC')).toEqual({});
    expect(checkSchedule('@daily', 'UTC')).toEqual({});
    expect(checkSchedule('   ', 'UTC')).toEqual({ cron: 'expected a cron pattern such as "0 9 * * 1" (Mondays at 09:00)' });
    expect(checkSchedule('0 9 * *', 'UTC')).toEqual({ cron: '"0 9 * *" has 4 fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)' });
    expect(checkSchedule('0 9 * * 1', 'Nowhere/City')).toEqual({ timeZone: '"Nowhere/City" is not an IANA time zone such as Asia/Jakarta' });
    const bad = checkSchedule('0 9 * * 8', 'Nowhere/City');
    expect(bad.timeZone).toBeDefined();
    expect(bad.cron).toMatch(/^"0 9 \* \* 8" is not a usable cron pattern: /);
  });

  it('refuses a pattern longer than 200 characters; quotes at most 80 characters, on one line', () => {
    const at200 = `0 9 * * ${'1,'.repeat(95)}1`.padEnd(200, ' ');
    expect(at200.length).toBe(200);
    expect(checkSchedule(at200, 'UTC').cron).not.toBe('expected a cron pattern of at most 200 characters');
    expect(checkSchedule(`${at200} `, 'UTC').cron).toBe('expected a cron pattern of at most 200 characters');
    const zone = `Zone/${'x'.repeat(100)}`;
    expect(checkSchedule('0 9 * * 1', zone).timeZone).toBe(`"${zone.slice(0, 79)}…" is not an IANA time zone such as Asia/Jakarta`);
    const z80 = `Zone/${'y'.repeat(75)}`;
    expect(checkSchedule('0 9 * * 1', z80).timeZone).toBe(`"${z80}" is not an IANA time zone such as Asia/Jakarta`);
    expect(checkSchedule('0 9 * *\r\n1 2 3', 'UTC').cron).toMatch(/^"0 9 \* \* 1 2 3" has 7 fields/);
  });

  it('inPeriod and periodFilter: [from, to), for Z strings of 24 characters, other spellings and Dates', () => {
    const p = { from: new Date('2010-01-11T02:00:00Z'), to: new Date('2010-01-18T02:00:00Z') };
    const f = periodFilter(p);
    const cases: Array<[string, boolean]> = [
      ['2010-01-11T01:59:59.999Z', false],
      ['2010-01-11T02:00:00.000Z', true],
      ['2010-01-18T01:59:59.999Z', true],
      ['2010-01-18T02:00:00.000Z', false],
      ['2010-01-11T09:00:00.000+07:00', true],
      ['2010-01-11T08:59:59.999+07:00', false],
      ['2010-01-18T02:00:00Z', false],
      ['2010-01-18T01:59:59Z', true],
    ];
    for (const [at, want] of cases) {
      expect(f(at)).toBe(want);
      expect(inPeriod(at, p)).toBe(want);
      expect(inPeriod(new Date(at), p)).toBe(want);
    }
  });

  it('the fast path for Z strings of 24 characters is taken only for those', () => {
    const p = { from: new Date('2010-01-11T02:00:00Z'), to: new Date('2010-01-18T02:00:00Z') };
    const f = periodFilter(p);
    // 25 characters with a Z at index 23: not an instant; compared as text it would pass.
    expect(f('2010-01-18T01:59:59.999Z0')).toBe(false);
    // 24 characters without a Z: 08:59:59+07:00 is 01:59:59Z, before the period; compared as text it would pass.
    expect(f('2010-01-11T08:59:59+0700')).toBe(false);
    expect(f('2010-01-11T09:00:00+0700')).toBe(true);
  });

  it('a Date keeps its milliseconds', () => {
    const p = { from: new Date('2010-01-11T02:00:00.500Z'), to: new Date('2010-01-11T02:00:00.900Z') };
    expect(inPeriod(new Date('2010-01-11T02:00:00.700Z'), p)).toBe(true);
    expect(inPeriod(new Date('2010-01-11T02:00:00.400Z'), p)).toBe(false);
  });

  it('a pattern with a space before @ is checked as given, not trimmed into another one', () => {
    expect(checkSchedule(' @daily', 'UTC').cron).toMatch(/^" @daily" is not a usable cron pattern/);
  });

  it('the first digest starts at the meeting only when the meeting is earlier than the period', () => {
    const asOf = new Date('2010-01-18T02:00:00Z');
    const early = new Date('2009-07-26T17:00:00Z');
    const late = new Date('2010-01-15T00:00:00Z');
    expect(digestPeriod('0 9 * * 1', 'Asia/Jakarta', asOf, late, { first: true }).from.toISOString()).toBe('2010-01-11T02:00:00.000Z');
    expect(digestPeriod('0 9 * * 1', 'Asia/Jakarta', asOf, early, { first: false })).toEqual({ from: new Date('2010-01-11T02:00:00Z'), to: asOf, first: false });
    expect(digestPeriod('0 9 * * 1', 'Asia/Jakarta', asOf, null, { first: true })).toEqual({ from: new Date('2010-01-11T02:00:00Z'), to: asOf, first: true });
    expect(digestPeriod('0 9 * * 1', 'Asia/Jakarta', asOf, null).first).toBe(false);
  });

  it('keys are compact, lower-case and stable', () => {
    expect(periodKey({ from: new Date('2020-03-07T07:30:00.000Z'), to: new Date('2020-03-08T07:30:00.000Z') })).toBe('20200307t073000000z-20200308t073000000z');
  });

  it('the run before a run, as the chain fires them, across a fall-back night', () => {
    // Sydney, 7 April 2024: 02:30 happens at 15:30Z and 16:30Z on the 6th; BullMQ's chain fires the first only.
    expect(iso(previousRun('30 2 * * *', 'Australia/Sydney', at('2024-04-07T15:30:00Z')))).toBe('2024-04-06T15:30:00.000Z');
    expect(iso(nextRun('30 2 * * *', 'Australia/Sydney', at('2024-04-05T15:30:00Z')))).toBe('2024-04-06T15:30:00.000Z');
    expect(iso(previousRun('0 9 * * 1', 'Asia/Jakarta', at('2010-01-18T02:00:00Z')))).toBe('2010-01-11T02:00:00.000Z');
  });
});
