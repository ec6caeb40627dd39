/** Send placement and wall-clock arithmetic, pinned function by function. */
import { describe, expect, it } from 'vitest';
import { catchUpAt, isQuietDay, localIso, placeAfter, placeBefore, quietReason, shift, times, type Nominal, type Placer } from '../../src/domain/send-placement.js';
import { atLocal, clockMs, parseSendAt, sameDay, shiftCalendar, shiftDay, toLocal, weekdayOf, type LocalDay } from '../../src/domain/local-time.js';

const NINE = { h: 9, mi: 0, s: 0, ms: 0 };
const day = (y: number, m: number, d: number): LocalDay => ({ y, m: m - 1, d });
const placer = (over: Partial<Placer> = {}): Placer => ({ zone: 'UTC', deadline: new Date('2010-01-15T23:59:59.999Z'), sendAt: NINE, quiet: new Set([0, 6]), ...over });
const nominal = (d: LocalDay, time = NINE, instant: Date | null = null): Nominal => ({ instant, day: d, time });
const iso = (p: { at: Date }) => p.at.toISOString();

describe('quiet days', () => {
  it('names the reason: weekend, a quiet weekday by name, or the closed day\'s own reason', () => {
    const p = placer({ quiet: new Set([5, 6, 0]), closed: (d) => (d.d === 14 ? 'Thursday holiday' : null) });
    expect(quietReason(p, day(2010, 1, 16))).toBe('weekend'); // Saturday
    expect(quietReason(p, day(2010, 1, 17))).toBe('weekend'); // Sunday
    expect(quietReason(p, day(2010, 1, 15))).toBe('Friday (quiet day)');
    expect(quietReason(p, day(2010, 1, 14))).toBe('Thursday holiday');
    expect(quietReason(p, day(2010, 1, 13))).toBeNull();
    expect(isQuietDay(p, day(2010, 1, 14))).toBe(true);
    expect(isQuietDay(p, day(2010, 1, 13))).toBe(false);
  });

  it('with no quiet weekdays and no closed days, no day is quiet', () => {
    const p = placer({ quiet: new Set() });
    for (let d = 10; d <= 16; d++) expect(quietReason(p, day(2010, 1, d))).toBeNull();
  });

  it('with no quiet weekdays, a closed day still is', () => {
    expect(quietReason(placer({ quiet: new Set(), closed: () => 'closed' }), day(2010, 1, 13))).toBe('closed');
  });
});

describe('placeBefore', () => {
  it('a step on a working day before the deadline stays, at the send hour', () => {
    expect(placeBefore(placer(), nominal(day(2010, 1, 14)))).toEqual({ at: new Date('2010-01-14T09:00:00.000Z') });
  });

  it('a send hour after an instant deadline on the same day moves to the day before', () => {
    const p = placer({ deadline: new Date('2010-01-14T08:00:00Z') });
    expect(iso(placeBefore(p, nominal(day(2010, 1, 14))))).toBe('2010-01-13T09:00:00.000Z');
  });

  it('a send exactly at the deadline is allowed', () => {
    const p = placer({ deadline: new Date('2010-01-14T09:00:00Z') });
    expect(iso(placeBefore(p, nominal(day(2010, 1, 14))))).toBe('2010-01-14T09:00:00.000Z');
  });

  it('a quiet day moves forward when that stays on or before the deadline, and says from where and why', () => {
    // Saturday the 9th → Monday the 11th, deadline Friday the 15th.
    expect(placeBefore(placer(), nominal(day(2010, 1, 9)))).toEqual({ at: new Date('2010-01-11T09:00:00Z'), moved: { from: new Date('2010-01-09T09:00:00Z'), because: 'weekend' } });
  });

  it('forward landing exactly on the deadline is allowed; a millisecond past it goes back instead', () => {
    const onIt = placer({ deadline: new Date('2010-01-11T09:00:00Z') });
    expect(iso(placeBefore(onIt, nominal(day(2010, 1, 9))))).toBe('2010-01-11T09:00:00.000Z');
    const before = placer({ deadline: new Date('2010-01-11T08:59:59.999Z') });
    expect(placeBefore(before, nominal(day(2010, 1, 9)))).toEqual({ at: new Date('2010-01-08T09:00:00Z'), moved: { from: new Date('2010-01-09T09:00:00Z'), because: 'weekend' } });
  });

  it('when every day is closed, the step stays where it was, unmoved', () => {
    const p = placer({ closed: () => 'closed' });
    expect(placeBefore(p, nominal(day(2010, 1, 12)))).toEqual({ at: new Date('2010-01-12T09:00:00Z') });
  });
});

describe('placeAfter', () => {
  it('a step after the deadline on a working day stays', () => {
    expect(placeAfter(placer(), nominal(day(2010, 1, 18)))).toEqual({ at: new Date('2010-01-18T09:00:00Z') });
  });

  it('a send exactly at the deadline is not after it: it moves a day on', () => {
    const p = placer({ deadline: new Date('2010-01-12T09:00:00Z') });
    expect(iso(placeAfter(p, nominal(day(2010, 1, 12))))).toBe('2010-01-13T09:00:00.000Z');
    const justBefore = placer({ deadline: new Date('2010-01-12T08:59:59.999Z') });
    expect(iso(placeAfter(justBefore, nominal(day(2010, 1, 12))))).toBe('2010-01-12T09:00:00.000Z');
  });

  it('a quiet day moves forward to the next working day and says why', () => {
    expect(placeAfter(placer(), nominal(day(2010, 1, 16)))).toEqual({ at: new Date('2010-01-18T09:00:00Z'), moved: { from: new Date('2010-01-16T09:00:00Z'), because: 'weekend' } });
  });

  it('when every day is closed, the step stays, unmoved', () => {
    expect(placeAfter(placer({ closed: () => 'closed' }), nominal(day(2010, 1, 18)))).toEqual({ at: new Date('2010-01-18T09:00:00Z') });
  });

  it('in exact mode, the nominal instant is kept on its own day and the local time on others', () => {
    const p = placer({ sendAt: null, deadline: new Date('2010-01-15T12:00:00Z') });
    const n = nominal(day(2010, 1, 18), { h: 12, mi: 0, s: 5, ms: 0 }, new Date('2010-01-18T12:00:05Z'));
    expect(iso(placeAfter(p, n))).toBe('2010-01-18T12:00:05.000Z');
    const sat = nominal(day(2010, 1, 16), { h: 12, mi: 0, s: 5, ms: 0 }, new Date('2010-01-16T12:00:05Z'));
    expect(iso(placeAfter(p, sat))).toBe('2010-01-18T12:00:05.000Z');
  });
});

describe('catchUpAt', () => {
  it('on a working day, now', () => {
    const now = new Date('2010-01-13T15:16:17Z');
    expect(catchUpAt(placer(), now)).toEqual({ at: now });
  });

  it('on a quiet day, the next working day\'s send hour, saying why', () => {
    const now = new Date('2010-01-16T15:00:00Z');
    expect(catchUpAt(placer(), now)).toEqual({ at: new Date('2010-01-18T09:00:00Z'), moved: { from: now, because: 'weekend' } });
  });

  it('in exact mode on a quiet day, the next working day at the same local time', () => {
    const now = new Date('2010-01-16T15:16:17Z');
    expect(iso(catchUpAt(placer({ sendAt: null }), now))).toBe('2010-01-18T15:16:17.000Z');
  });

  it('the day is the party\'s local day: Saturday 06:00 in Sydney is still Friday in UTC', () => {
    const now = new Date('2010-01-15T19:00:00Z'); // Sat 06:00 AEDT
    expect(iso(catchUpAt(placer({ zone: 'Australia/Sydney' }), now))).toBe('2010-01-17T22:00:00.000Z'); // Mon 09:00 AEDT
  });

  it('when every day is closed, now', () => {
    const now = new Date('2010-01-13T15:00:00Z');
    expect(catchUpAt(placer({ closed: () => 'closed' }), now)).toEqual({ at: now });
  });
});

describe('shift', () => {
  const anchor: Nominal = { instant: new Date('2010-01-15T23:59:59.999Z'), day: day(2010, 1, 15), time: { h: 23, mi: 59, s: 59, ms: 999 } };

  it('a zero duration returns the anchor itself', () => {
    expect(shift(placer(), anchor, {}, -1)).toBe(anchor);
  });

  it('with a send hour, a whole-day step moves only the day', () => {
    expect(shift(placer(), anchor, { days: 7 }, -1)).toEqual({ instant: null, day: day(2010, 1, 8), time: anchor.time });
    expect(shift(placer(), anchor, { months: 1 }, 1)).toEqual({ instant: null, day: day(2010, 2, 15), time: anchor.time });
  });

  it('in exact mode, a whole-day step keeps the wall time on the new day', () => {
    expect(shift(placer({ sendAt: null }), anchor, { days: 1 }, 1)).toEqual({ instant: new Date('2010-01-16T23:59:59.999Z'), day: day(2010, 1, 16), time: anchor.time });
  });

  it('a clock part is elapsed time either way, and gives the local day and time it lands on', () => {
    expect(shift(placer(), anchor, { hours: 36 }, -1)).toEqual({ instant: new Date('2010-01-14T11:59:59.999Z'), day: day(2010, 1, 14), time: { h: 11, mi: 59, s: 59, ms: 999 } });
    expect(shift(placer(), anchor, { hours: 1 }, 1)).toEqual({ instant: new Date('2010-01-16T00:59:59.999Z'), day: day(2010, 1, 16), time: { h: 0, mi: 59, s: 59, ms: 999 } });
  });

  it('in New York, P1D across spring-forward keeps 09:00 while PT24H lands at 10:00', () => {
    const ny = placer({ zone: 'America/New_York', sendAt: null });
    const sat: Nominal = { instant: new Date('2020-03-07T14:00:00Z'), day: day(2020, 3, 7), time: NINE };
    expect(shift(ny, sat, { days: 1 }, 1).instant!.toISOString()).toBe('2020-03-08T13:00:00.000Z');
    const h = shift(ny, sat, { hours: 24 }, 1);
    expect([h.instant!.toISOString(), h.time.h]).toEqual(['2020-03-08T14:00:00.000Z', 10]);
  });

  it('on the anchor\'s own day a clock step counts from the anchor\'s instant, not its wall time (the repeated hour)', () => {
    // 1 November 2020, New York: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST). Anchor: the second one.
    const ny = placer({ zone: 'America/New_York', sendAt: null });
    const second: Nominal = { instant: new Date('2020-11-01T06:30:00Z'), day: day(2020, 11, 1), time: { h: 1, mi: 30, s: 0, ms: 0 } };
    expect(shift(ny, second, { minutes: 10 }, 1).instant!.toISOString()).toBe('2020-11-01T06:40:00.000Z');
  });
});

describe('DST edges of shift and placement', () => {
  const ny = placer({ zone: 'America/New_York', sendAt: null, quiet: new Set(), deadline: new Date('2020-03-01T00:00:00Z') });

  it('a whole-day step onto a skipped wall time keeps the wall time it was counted at (02:30), with the instant after the gap', () => {
    const sat: Nominal = { instant: new Date('2020-03-07T07:30:00Z'), day: day(2020, 3, 7), time: { h: 2, mi: 30, s: 0, ms: 0 } };
    expect(shift(ny, sat, { days: 1 }, 1)).toEqual({ instant: new Date('2020-03-08T07:30:00Z'), day: day(2020, 3, 8), time: { h: 2, mi: 30, s: 0, ms: 0 } });
  });

  it('in exact mode, a step on its own day keeps its instant, even the second occurrence of a repeated hour', () => {
    const second = nominal(day(2020, 11, 1), { h: 1, mi: 30, s: 0, ms: 0 }, new Date('2020-11-01T06:30:00Z'));
    expect(iso(placeAfter({ ...ny, deadline: new Date('2020-10-01T00:00:00Z') }, second))).toBe('2020-11-01T06:30:00.000Z');
  });

  it('the search for a working day reaches exactly three years of days and no further', () => {
    const start = Date.UTC(2010, 0, 4);
    const offset = (d: LocalDay) => (Date.UTC(d.y, d.m, d.d) - start) / 86_400_000;
    const openAt = (n: number): Placer => placer({ quiet: new Set(), closed: (d) => (offset(d) === n ? null : 'closed'), deadline: new Date('2000-01-01T00:00:00Z') });
    expect(iso(placeAfter(openAt(3 * 366), nominal(day(2010, 1, 4))))).toBe('2013-01-06T09:00:00.000Z');
    expect(iso(placeAfter(openAt(3 * 366 + 1), nominal(day(2010, 1, 4))))).toBe('2010-01-04T09:00:00.000Z');
  });
});

describe('localIso and times', () => {
  it('prints the wall time with its offset, seconds and milliseconds only when set', () => {
    expect(localIso(new Date('2009-12-31T22:00:00Z'), 'Australia/Sydney')).toBe('2010-01-01T09:00+11:00');
    expect(localIso(new Date('2010-01-01T14:00:00Z'), 'America/New_York')).toBe('2010-01-01T09:00-05:00');
    expect(localIso(new Date('2010-01-01T03:30:05Z'), 'Asia/Kolkata')).toBe('2010-01-01T09:00:05+05:30');
    expect(localIso(new Date('2010-01-01T03:15:00.007Z'), 'Asia/Kathmandu')).toBe('2010-01-01T09:00:00.007+05:45');
    expect(localIso(new Date('2010-01-01T09:00:00Z'), 'UTC')).toBe('2010-01-01T09:00+00:00');
    expect(localIso(new Date('2010-01-01T12:30:00Z'), 'America/St_Johns')).toBe('2010-01-01T09:00-03:30');
  });

  it('multiplies a duration unit by unit', () => {
    expect(times({ months: 1, days: 2, hours: 3 }, 3)).toEqual({ months: 3, days: 6, hours: 9 });
    expect(times({}, 5)).toEqual({});
  });
});

describe('local-time', () => {
  it('parses HH:MM', () => {
    expect(parseSendAt('07:05')).toEqual({ h: 7, mi: 5, s: 0, ms: 0 });
    expect(parseSendAt('23:59')).toEqual({ h: 23, mi: 59, s: 0, ms: 0 });
  });

  it('reads the local day, time and weekday of an instant', () => {
    expect(toLocal(new Date('2010-01-15T20:15:30.250Z'), 'Asia/Kathmandu')).toEqual({ day: day(2010, 1, 16), time: { h: 2, mi: 0, s: 30, ms: 250 }, weekday: 6 });
    expect(toLocal(new Date('2010-01-15T02:00:00Z'), 'America/Los_Angeles')).toEqual({ day: day(2010, 1, 14), time: { h: 18, mi: 0, s: 0, ms: 0 }, weekday: 4 });
  });

  it('reads both sides of a transition exactly, within one 15-minute bucket', () => {
    // Sydney, 4 April 2010: 03:00 AEDT becomes 02:00 AEST at 16:00Z.
    expect(toLocal(new Date('2010-04-03T15:59:59.999Z'), 'Australia/Sydney').time).toEqual({ h: 2, mi: 59, s: 59, ms: 999 });
    expect(toLocal(new Date('2010-04-03T16:00:00Z'), 'Australia/Sydney').time).toEqual({ h: 2, mi: 0, s: 0, ms: 0 });
    // A transition inside a bucket: Kathmandu went from +05:41:16 to +05:30 at 1919-12-31T18:18:44Z.
    // Read either side, again and again: a cached bucket would answer one side with the other's offset.
    for (let i = 0; i < 2; i++) {
      expect(toLocal(new Date('1919-12-31T18:18:43Z'), 'Asia/Kathmandu').time).toEqual({ h: 23, mi: 59, s: 59, ms: 0 });
      expect(toLocal(new Date('1919-12-31T18:18:44Z'), 'Asia/Kathmandu').time).toEqual({ h: 23, mi: 48, s: 44, ms: 0 });
      expect(toLocal(new Date('1919-12-31T18:15:00Z'), 'Asia/Kathmandu').time).toEqual({ h: 23, mi: 56, s: 16, ms: 0 });
      expect(toLocal(new Date('1919-12-31T18:29:59Z'), 'Asia/Kathmandu').time).toEqual({ h: 23, mi: 59, s: 59, ms: 0 });
    }
  });

  it('finds the instant of a wall time: normal, in a spring-forward gap (moved on by the gap), in a fall-back overlap (the earlier)', () => {
    expect(atLocal(day(2020, 3, 7), NINE, 'America/New_York').toISOString()).toBe('2020-03-07T14:00:00.000Z');
    expect(atLocal(day(2020, 3, 8), { h: 2, mi: 30, s: 0, ms: 0 }, 'America/New_York').toISOString()).toBe('2020-03-08T07:30:00.000Z');
    expect(atLocal(day(2020, 11, 1), { h: 1, mi: 30, s: 0, ms: 0 }, 'America/New_York').toISOString()).toBe('2020-11-01T05:30:00.000Z');
    expect(atLocal(day(2020, 11, 1), { h: 3, mi: 0, s: 0, ms: 0 }, 'America/New_York').toISOString()).toBe('2020-11-01T08:00:00.000Z');
    expect(atLocal(day(2020, 3, 8), { h: 3, mi: 0, s: 0, ms: 0 }, 'America/New_York').toISOString()).toBe('2020-03-08T07:00:00.000Z');
    expect(atLocal(day(2020, 3, 8), { h: 1, mi: 59, s: 59, ms: 999 }, 'America/New_York').toISOString()).toBe('2020-03-08T06:59:59.999Z');
  });

  it('shifts days across months and years, both ways', () => {
    expect(shiftDay(day(2009, 12, 31), 1)).toEqual(day(2010, 1, 1));
    expect(shiftDay(day(2010, 3, 1), -1)).toEqual(day(2010, 2, 28));
    expect(shiftDay(day(2012, 3, 1), -1)).toEqual(day(2012, 2, 29));
    expect(shiftDay(day(2010, 1, 15), 0)).toEqual(day(2010, 1, 15));
  });

  it('knows weekdays and compares days field by field', () => {
    expect(weekdayOf(day(2010, 1, 15))).toBe(5);
    expect(weekdayOf(day(2010, 1, 17))).toBe(0);
    expect(sameDay(day(2010, 1, 15), day(2010, 1, 15))).toBe(true);
    expect(sameDay(day(2010, 1, 15), day(2011, 1, 15))).toBe(false);
    expect(sameDay(day(2010, 1, 15), day(2010, 2, 15))).toBe(false);
    expect(sameDay(day(2010, 1, 15), day(2010, 1, 16))).toBe(false);
  });

  it('shifts by calendar spans like date-fns: months first, clamping the day, then days', () => {
    expect(shiftCalendar(day(2010, 1, 31), { months: 1 }, 1)).toEqual(day(2010, 2, 28));
    expect(shiftCalendar(day(2012, 1, 31), { months: 1 }, 1)).toEqual(day(2012, 2, 29));
    expect(shiftCalendar(day(2010, 1, 15), { months: 1 }, -1)).toEqual(day(2009, 12, 15));
    expect(shiftCalendar(day(2010, 3, 31), { months: 1, days: 1 }, -1)).toEqual(day(2010, 2, 27));
    expect(shiftCalendar(day(2010, 1, 15), { years: 2, months: 13 }, 1)).toEqual(day(2013, 2, 15));
    expect(shiftCalendar(day(2010, 1, 15), { weeks: 2, days: 3 }, -1)).toEqual(day(2009, 12, 29));
    expect(shiftCalendar(day(2010, 1, 15), {}, 1)).toEqual(day(2010, 1, 15));
    expect(shiftCalendar(day(2010, 12, 15), { months: 1 }, 1)).toEqual(day(2011, 1, 15));
  });

  it('measures the clock part of a span in milliseconds', () => {
    expect(clockMs({ hours: 1, minutes: 2, seconds: 3 })).toBe(3_723_000);
    expect(clockMs({})).toBe(0);
    expect(clockMs({ seconds: 1 })).toBe(1000);
    expect(clockMs({ minutes: 1 })).toBe(60_000);
  });
});
