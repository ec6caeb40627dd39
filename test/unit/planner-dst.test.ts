import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import './fc-seed.js';
import { TZDate } from '@date-fns/tz';
import { atLocal, toLocal } from '../../src/domain/local-time.js';
import { planReminders, type PlannedSend } from '../../src/domain/planner.js';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';
import { commitment, HOUR, party, partyMap, planInput } from './planner-fixtures.js';

/** A daily sequence with no quiet days, so every local day should get exactly one send. */
const daily = (over: Partial<ReminderPolicy>): ReminderPolicy => ({
  before: [],
  onDue: false,
  overdue: { every: 'P1D', max: 0 },
  escalateAfter: null,
  sendAt: '09:00',
  quietDays: [],
  ...over,
});
const DAYS_BEFORE = Array.from({ length: 20 }, (_, i) => `P${i + 1}D`);

function localView(plan: PlannedSend[]) {
  return plan.map((s) => {
    const t = new TZDate(Date.parse(s.at), s.timeZone);
    const pad = (v: number) => String(v).padStart(2, '0');
    return { date: `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`, time: `${pad(t.getHours())}:${pad(t.getMinutes())}`, at: Date.parse(s.at) };
  });
}

/** The 20 consecutive calendar dates ending on `last`. */
function datesEndingOn(last: string, count = 20): string[] {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 24 * HOUR).toISOString().slice(0, 10));
}

const CHANGES = [
  { zone: 'Pacific/Auckland', change: '2026-04-05', kind: 'back (NZDT → NZST)', gapHours: 25 },
  { zone: 'Pacific/Auckland', change: '2026-09-27', kind: 'forward (NZST → NZDT)', gapHours: 23 },
  { zone: 'Australia/Sydney', change: '2026-04-05', kind: 'back (AEDT → AEST)', gapHours: 25 },
  { zone: 'Australia/Sydney', change: '2026-10-04', kind: 'forward (AEST → AEDT)', gapHours: 23 },
] as const;

describe.each(CHANGES)('planner across the $zone DST change on $change, $kind', ({ zone, change, gapHours }) => {
  const parties = partyMap(party('AAA', zone));
  const startOfChange = Date.parse(`${change}T00:00:00Z`);
  const tenDaysLater = new Date(startOfChange + 10 * 24 * HOUR).toISOString().slice(0, 10);
  const tenDaysEarlier = new Date(startOfChange - 10 * 24 * HOUR).toISOString().slice(0, 10);
  const now = new Date('2026-01-01T00:00:00Z');

  it('when daily before-steps cross the change, then each local day gets exactly one send at 09:00 local', () => {
    const c = commitment({ due: { date: tenDaysLater, timeZone: zone } });
    const sends = localView(planReminders(planInput({ commitment: c, parties, now, policy: daily({ before: DAYS_BEFORE }) })));
    expect(sends.map((s) => s.date)).toEqual(datesEndingOn(new Date(startOfChange + 9 * 24 * HOUR).toISOString().slice(0, 10)));
    expect(sends.every((s) => s.time === '09:00')).toBe(true);
  });

  it('when daily overdue follow-ups cross the change, then each local day gets exactly one at 09:00 local, and one gap is 23 or 25 hours', () => {
    const c = commitment({ due: { date: tenDaysEarlier, timeZone: zone } });
    const sends = localView(planReminders(planInput({ commitment: c, parties, now, policy: daily({ overdue: { every: 'P1D', max: 20 } }) })));
    expect(sends.map((s) => s.date)).toEqual(datesEndingOn(tenDaysLater));
    expect(sends.every((s) => s.time === '09:00')).toBe(true);
    const gaps = sends.slice(1).map((s, i) => (s.at - sends[i]!.at) / HOUR);
    expect(gaps.filter((g) => g !== 24)).toEqual([gapHours]);
  });

  it('when sending at the exact instant, then a daily step keeps its local time of day across the change', () => {
    const deadline = new TZDate(2026, Number(tenDaysLater.slice(5, 7)) - 1, Number(tenDaysLater.slice(8, 10)), 9, 0, 0, 0, zone);
    const c = commitment({ due: { at: new Date(deadline.getTime()).toISOString() } });
    const sends = localView(planReminders(planInput({ commitment: c, parties, now, policy: daily({ before: DAYS_BEFORE, sendAt: null }) })));
    expect(sends.map((s) => s.date)).toEqual(datesEndingOn(new Date(startOfChange + 9 * 24 * HOUR).toISOString().slice(0, 10)));
    expect(sends.every((s) => s.time === '09:00')).toBe(true);
  });

  it('when the send hour is inside the changed hour (02:30), then the change day still gets exactly one send', () => {
    const c = commitment({ due: { date: tenDaysEarlier, timeZone: zone } });
    const sends = localView(planReminders(planInput({ commitment: c, parties, now, policy: daily({ overdue: { every: 'P1D', max: 20 }, sendAt: '02:30' }) })));
    expect(sends.map((s) => s.date)).toEqual(datesEndingOn(tenDaysLater));
    const onChange = sends.filter((s) => s.date === change);
    expect(onChange).toHaveLength(1);
    // Forward: 02:30 does not exist and becomes 03:30. Back: 02:30 happens twice and is sent once.
    expect(onChange[0]!.time).toBe(gapHours === 23 ? '03:30' : '02:30');
    expect(sends.filter((s) => s.date !== change).every((s) => s.time === '02:30')).toBe(true);
  });
});

describe('local time in a zone (the planner’s calendar helpers)', () => {
  const ZONES = ['Pacific/Auckland', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'Europe/London', 'America/St_Johns', 'Asia/Kathmandu', 'Asia/Kabul', 'UTC'];
  const pad = (v: number) => String(v).padStart(2, '0');

  it('when an instant is read in a zone, then the day and wall time agree with Intl', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2045, 0, 1) }), (zone, ms) => {
        const { day, time, weekday } = toLocal(new Date(ms), zone);
        const t = new TZDate(ms, zone);
        expect([day.y, day.m, day.d, time.h, time.mi, time.s, time.ms, weekday]).toEqual([t.getFullYear(), t.getMonth(), t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds(), t.getMilliseconds(), t.getDay()]);
      }),
      { numRuns: 2000 },
    );
  });

  it('when a wall time is turned into an instant, then reading it back gives the same wall time, or a later one inside a spring-forward gap', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2045, 0, 1) }),
        (zone, wallMs) => {
          const w = new Date(wallMs);
          const day = { y: w.getUTCFullYear(), m: w.getUTCMonth(), d: w.getUTCDate() };
          const time = { h: w.getUTCHours(), mi: w.getUTCMinutes(), s: w.getUTCSeconds(), ms: w.getUTCMilliseconds() };
          const back = toLocal(atLocal(day, time, zone), zone);
          const backWall = Date.UTC(back.day.y, back.day.m, back.day.d, back.time.h, back.time.mi, back.time.s, back.time.ms);
          expect(backWall - wallMs).toBeGreaterThanOrEqual(0);
          expect(backWall - wallMs).toBeLessThanOrEqual(HOUR);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('when 02:30 happens twice in Auckland (2026-04-05), then the earlier instant is taken; when it never happens (2026-09-27), then 03:30', () => {
    expect(atLocal({ y: 2026, m: 3, d: 5 }, { h: 2, mi: 30, s: 0, ms: 0 }, 'Pacific/Auckland').toISOString()).toBe('2026-04-04T13:30:00.000Z');
    const spring = atLocal({ y: 2026, m: 8, d: 27 }, { h: 2, mi: 30, s: 0, ms: 0 }, 'Pacific/Auckland');
    expect(spring.toISOString()).toBe('2026-09-26T14:30:00.000Z');
    const t = toLocal(spring, 'Pacific/Auckland').time;
    expect(`${pad(t.h)}:${pad(t.mi)}`).toBe('03:30');
  });
});
