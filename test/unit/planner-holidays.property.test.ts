/**
 * Planner properties with public holidays and closed days on: random, dense
 * holiday tables per country (and, in one property, the real date-holidays
 * calendar), random closed days per party, zones with DST in either hemisphere.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import './fc-seed.js';
import type { Commitment } from '../../src/domain/commitment.js';
import { dueInstant, type Due } from '../../src/domain/deadline.js';
import { closedReason, holidayTable, partyCountry, type HolidayLookup } from '../../src/domain/holidays.js';
import { publicHolidays } from '../../src/domain/public-holidays.js';
import { atLocal, shiftDay, toLocal, weekdayOf, type LocalDay } from '../../src/domain/local-time.js';
import type { Party } from '../../src/domain/party.js';
import { planReminders, type PlanInput, type PlannedSend } from '../../src/domain/planner.js';
import { DAY } from './planner-fixtures.js';
import { policyOf } from './policy-arbitraries.js';

const ZONES = ['UTC', 'Pacific/Auckland', 'Australia/Sydney', 'Asia/Jakarta', 'Asia/Colombo', 'Asia/Kathmandu', 'Europe/London', 'America/New_York', 'America/St_Johns', 'Pacific/Chatham'];
const COUNTRIES = ['AU', 'NZ', 'ID', 'LK', 'US', 'GB'];
const IDS = ['AUS', 'NZL', 'IDN', 'IOM', 'EEE'];
const T0 = Date.UTC(2005, 0, 1);
const T1 = Date.UTC(2035, 0, 1);

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const zone = fc.constantFrom(...ZONES);
const n = fc.integer({ min: 0, max: 40 });
const duration = fc.oneof(n.map((x) => `P${x}D`), n.map((x) => `P${x + 1}W`), fc.integer({ min: 1, max: 3 }).map((x) => `P${x}M`), n.map((x) => `PT${x + 1}H`), fc.tuple(n, fc.integer({ min: 1, max: 23 })).map(([d, h]) => `P${d}DT${h}H`));
const policy = policyOf(duration);

/** Days within −120 … +240 days of `t`, as YYYY-MM-DD: dense enough that moves chain across holidays and weekends. */
const daysNear = (t: number, max: number) => fc.uniqueArray(fc.integer({ min: -120, max: 240 }).map((k) => iso(t + k * DAY)), { maxLength: max });

interface Scenario {
  input: PlanInput;
  holidays: HolidayLookup;
  table: Record<string, Record<string, string>>;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({ t: fc.integer({ min: T0, max: T1 }), dueZone: zone, dateDue: fc.boolean() })
  .chain(({ t, dueZone, dateDue }) => {
    const due: Exclude<Due, null> = dateDue ? { date: iso(t), timeZone: dueZone } : { at: new Date(t).toISOString() };
    const partyArb = (id: string, kind: Party['kind']): fc.Arbitrary<Party> =>
      fc.record({ timeZone: zone, country: fc.option(fc.constantFrom(...COUNTRIES), { nil: undefined }), closedDays: daysNear(t, 30) }).map((x) => ({
        id,
        name: id,
        kind,
        timeZone: x.timeZone,
        contacts: [{ name: id, email: `${id.toLowerCase()}@example.org` }],
        roles: [],
        ...(x.country ? { country: x.country } : {}),
        ...(x.closedDays.length ? { closedDays: x.closedDays } : {}),
      }));
    return fc.record({
      due: fc.constant(due),
      parties: fc.tuple(partyArb('AUS', 'state'), partyArb('NZL', 'state'), partyArb('IDN', 'state'), partyArb('IOM', 'organisation'), partyArb('EEE', 'state')),
      table: fc.record(Object.fromEntries(COUNTRIES.map((c) => [c, daysNear(t, 60).map((days) => Object.fromEntries(days.map((d) => [d, `Holiday ${d}`])))]))) as fc.Arbitrary<Record<string, Record<string, string>>>,
      leads: fc.subarray(IDS, { minLength: 1 }),
      members: fc.subarray(IDS),
      policy,
      nowOffset: fc.integer({ min: -60 * DAY, max: 400 * DAY }),
      window: fc.integer({ min: 0, max: 3 * DAY }),
    });
  })
  .map((s) => {
    const c: Commitment = {
      id: 'c1', meetingId: 'm', title: 't', sourceText: '', theme: null,
      leads: s.leads, members: s.members.filter((m) => !s.leads.includes(m)), due: s.due,
      status: 'open', evidence: [], cancellation: null, reminderPolicy: null,
      dueVersion: 1, version: 1, createdAt: '2000-01-01T00:00:00.000Z', updatedAt: '2000-01-01T00:00:00.000Z',
    };
    const holidays = holidayTable(s.table);
    return {
      holidays,
      table: s.table,
      input: {
        commitment: c,
        policy: s.policy,
        parties: new Map(s.parties.map((p) => [p.id, p])),
        now: new Date(dueInstant(s.due)!.getTime() + s.nowOffset),
        catchUpWindowMs: s.window,
        steeringGroup: ['steering@example.org'],
        holidays,
      },
    };
  });

const RUNS = { numRuns: Number(process.env['PLANNER_PROPERTY_RUNS'] ?? 200) };
const ms = (s: string) => Date.parse(s);

/** An independent statement of "quiet for this party": weekly quiet day, its closed day, or its country's holiday in the table. */
function quietFor(input: PlanInput, table: Scenario['table'] | null, holidays: HolidayLookup, party: Party, day: LocalDay): boolean {
  if (input.policy.quietDays.includes(weekdayOf(day))) return true;
  const key = `${day.y}-${String(day.m + 1).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
  if (party.closedDays?.includes(key)) return true;
  const country = partyCountry(party);
  if (country === null) return false;
  return table ? table[country]?.[key] !== undefined : holidays.holidayOn(country, day) !== null;
}

const localDay = (s: PlannedSend) => toLocal(new Date(ms(s.at)), s.timeZone).day;

describe('planner properties with public holidays and closed days', () => {
  it('no send lands on a quiet day, a public holiday of its party’s country or its closed day, in its own zone', () => {
    fc.assert(fc.property(scenario, ({ input, table, holidays }) => {
      for (const s of planReminders(input)) {
        expect(quietFor(input, table, holidays, input.parties.get(s.partyId)!, localDay(s))).toBe(false);
      }
    }), RUNS);
  });

  it('never early: before/due sends never fall after the deadline, overdue/escalation always after it; a move goes forward unless forward would pass the deadline', () => {
    fc.assert(fc.property(scenario, ({ input, table, holidays }) => {
      const deadline = dueInstant(input.commitment.due)!.getTime();
      for (const s of planReminders(input)) {
        const pre = s.step === 'before' || s.step === 'due';
        if (pre) expect(ms(s.at)).toBeLessThanOrEqual(deadline);
        else expect(ms(s.nominalAt ?? s.at)).toBeGreaterThan(deadline);
        if (!s.moved) continue;
        const from = ms(s.moved.from);
        const party = input.parties.get(s.partyId)!;
        // The day it moved from really was quiet for this party, for the reason given.
        expect(quietFor(input, table, holidays, party, toLocal(new Date(from), s.timeZone).day)).toBe(true);
        if (!pre) expect(ms(s.at)).toBeGreaterThan(from);
        else if (ms(s.at) < from) {
          // Moved back: the next working day forward would have been past the deadline.
          let day = shiftDay(toLocal(new Date(from), s.timeZone).day, 1);
          while (quietFor(input, table, holidays, party, day)) day = shiftDay(day, 1);
          expect(atLocal(day, toLocal(new Date(from), s.timeZone).time, s.timeZone).getTime()).toBeGreaterThan(deadline);
        }
      }
    }), RUNS);
  });

  it('the catch-up rule holds: nothing planned before now minus the window, one overdue notice per party going out now, re-timed sends not before now', () => {
    fc.assert(fc.property(scenario, ({ input }) => {
      const plan = planReminders(input);
      const horizon = input.now.getTime() - input.catchUpWindowMs;
      for (const s of plan.filter((x) => x.state === 'planned')) expect(ms(s.at)).toBeGreaterThanOrEqual(horizon);
      for (const s of plan.filter((x) => x.nominalAt !== undefined)) expect(ms(s.at)).toBeGreaterThanOrEqual(input.now.getTime());
      const dueNow = plan.filter((s) => s.step === 'overdue' && s.state === 'planned' && ms(s.at) <= input.now.getTime());
      expect(new Set(dueNow.map((s) => s.partyId)).size).toBe(dueNow.length);
    }), RUNS);
  });

  it('holidays and closed days move only their own party’s sends', () => {
    fc.assert(fc.property(scenario, fc.constantFrom(...IDS), ({ input, table }, id) => {
      const party = input.parties.get(id)!;
      const country = partyCountry(party);
      // Only this party's own country in the table, and every other party's closed days gone.
      const own = holidayTable(country && table[country] ? { [country]: table[country] } : {});
      const others = new Map([...input.parties].map(([k, p]) => [k, k === id ? p : { ...p, closedDays: [] }]));
      const mine = (plan: PlannedSend[]) => plan.filter((s) => s.partyId === id);
      expect(mine(planReminders({ ...input, holidays: own, parties: others }))).toEqual(mine(planReminders(input)));
    }), RUNS);
  });

  it('without holidays or closed days, the plan is the plan of the weekly quiet days alone', () => {
    fc.assert(fc.property(scenario, ({ input }) => {
      const bare = new Map([...input.parties].map(([k, p]) => [k, { ...p, closedDays: [] }]));
      const { holidays: _h, ...withoutHolidays } = input;
      const plan = planReminders({ ...withoutHolidays, parties: bare });
      for (const s of plan) if (s.moved) expect(s.moved.because).toMatch(/^(weekend|[A-Z][a-z]+day \(quiet day\))$/);
      expect(planReminders({ ...input, holidays: holidayTable({}), parties: bare })).toEqual(plan);
    }), RUNS);
  });

  it('with the real date-holidays calendar, no send lands on a public holiday of its party’s country', () => {
    const real = publicHolidays();
    const realScenario = scenario.map((s) => ({ ...s, input: { ...s.input, holidays: real }, holidays: real }));
    fc.assert(fc.property(realScenario, ({ input }) => {
      for (const s of planReminders(input)) {
        const party = input.parties.get(s.partyId)!;
        expect(closedReason(party, real)(localDay(s))).toBeNull();
        expect(input.policy.quietDays).not.toContain(weekdayOf(localDay(s)));
      }
    }), { numRuns: Math.min(RUNS.numRuns, 100) });
  });
});
