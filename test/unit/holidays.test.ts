import { describe, expect, it } from 'vitest';
import { closedReason, dayKey, holidayTable, partyCountry } from '../../src/domain/holidays.js';
import { publicHolidays } from '../../src/domain/public-holidays.js';
import { PartyPatchSchema, PartySchema } from '../../src/domain/party.js';
import { planReminders, type PlannedSend } from '../../src/domain/planner.js';
import { localIso } from '../../src/domain/send-placement.js';
import { commitment, DAY, DEFAULT_POLICY, party, partyMap, planInput } from './planner-fixtures.js';

const day = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return { y, m: m - 1, d };
};
const byKey = (plan: PlannedSend[]) => new Map(plan.map((s) => [`${s.stepKey}/${s.partyId}`, s]));
const only = (before: string[]) => ({ ...DEFAULT_POLICY, before, onDue: false, overdue: { every: 'P7D', max: 0 }, escalateAfter: null });

describe('party country and closed days', () => {
  it('a state whose id is an ISO alpha-3 code keeps that country’s holidays; an organisation none unless set', () => {
    expect(partyCountry({ id: 'AUS', kind: 'state' })).toBe('AU');
    expect(partyCountry({ id: 'IDN', kind: 'state' })).toBe('ID');
    expect(partyCountry({ id: 'LKA', kind: 'state' })).toBe('LK');
    expect(partyCountry({ id: 'NZL', kind: 'state' })).toBe('NZ');
    expect(partyCountry({ id: 'XYZ', kind: 'state' })).toBeNull();
    expect(partyCountry({ id: 'IOM', kind: 'organisation' })).toBeNull();
    expect(partyCountry({ id: 'ASEAN', kind: 'observer' })).toBeNull();
    expect(partyCountry({ id: 'UNHCR', kind: 'organisation', country: 'TH' })).toBe('TH');
    expect(partyCountry({ id: 'AUS', kind: 'state', country: 'NZ' })).toBe('NZ');
  });

  it('the party schema takes an alpha-2 country and at most 366 real closed days', () => {
    const base = { id: 'AUS', name: 'Australia', kind: 'state', timeZone: 'Australia/Sydney' };
    expect(PartySchema.parse({ ...base, country: 'AU', closedDays: ['2010-01-04'] })).toMatchObject({ country: 'AU', closedDays: ['2010-01-04'] });
    expect(PartySchema.parse(base)).not.toHaveProperty('country');
    const bad = (extra: object) => PartySchema.safeParse({ ...base, ...extra }).error?.issues.map((i) => i.path.join('.'));
    expect(bad({ country: 'AUS' })).toEqual(['country']);
    expect(bad({ country: 'au' })).toEqual(['country']);
    expect(bad({ closedDays: ['2010-02-30'] })).toEqual(['closedDays.0']);
    expect(bad({ closedDays: ['4 Jan 2010'] })).toEqual(['closedDays.0']);
    expect(bad({ closedDays: Array.from({ length: 367 }, () => '2010-01-04') })).toEqual(['closedDays']);
    expect(PartyPatchSchema.parse({ closedDays: [] })).toEqual({ closedDays: [] });
  });
});

describe('public holidays from date-holidays', () => {
  const lookup = publicHolidays();

  it('names the public holidays of the country, by local date, and nothing on an ordinary day', () => {
    expect(lookup.holidayOn('AU', day('2010-01-26'))).toBe('Australia Day');
    expect(lookup.holidayOn('AU', day('2010-01-01'))).toBe("New Year's Day");
    expect(lookup.holidayOn('ID', day('2010-09-10'))).toMatch(/Eid al-Fitr/);
    expect(lookup.holidayOn('ID', day('2010-09-11'))).toMatch(/Eid al-Fitr/);
    expect(lookup.holidayOn('ID', day('2010-01-26'))).toBeNull();
    expect(lookup.holidayOn('AU', day('2010-09-10'))).toBeNull();
    expect(lookup.holidayOn('AU', day('2010-01-27'))).toBeNull();
  });

  it('leaves out observances (Mother’s Day in Australia) and has none for an unknown country', () => {
    expect(lookup.holidayOn('AU', day('2010-05-09'))).toBeNull();
    expect(lookup.holidayOn('ZZ', day('2010-01-01'))).toBeNull();
    expect(lookup.holidayOn('not a code', day('2010-01-01'))).toBeNull();
  });

  it('keeps its memo bounded and still answers after evicting', () => {
    const small = publicHolidays({ maxEntries: 2 });
    for (let y = 2000; y < 2010; y++) small.holidayOn('AU', day(`${y}-06-15`));
    expect(small.holidayOn('AU', day('2001-01-26'))).toBe('Australia Day');
  });

  it('a party’s closed day comes first, then its country’s holiday, named with the country', () => {
    const aus = { id: 'AUS', kind: 'state' as const, closedDays: ['2010-01-04'] };
    const why = closedReason(aus, lookup);
    expect(why(day('2010-01-04'))).toBe('closed day of AUS');
    expect(why(day('2010-01-01'))).toBe("New Year's Day (AU)");
    expect(why(day('2010-01-05'))).toBeNull();
    expect(closedReason({ id: 'IOM', kind: 'organisation' }, lookup)(day('2010-01-01'))).toBeNull();
  });

  it('dayKey and localIso write days and local times as the API shows them', () => {
    expect(dayKey({ y: 2010, m: 0, d: 4 })).toBe('2010-01-04');
    expect(localIso(new Date('2009-12-31T22:00:00Z'), 'Australia/Sydney')).toBe('2010-01-01T09:00+11:00');
    expect(localIso(new Date('2010-01-01T02:00:00Z'), 'Asia/Jakarta')).toBe('2010-01-01T09:00+07:00');
    expect(localIso(new Date('2010-01-01T04:15:30.5Z'), 'Asia/Kathmandu')).toBe('2010-01-01T10:00:30.500+05:45');
    expect(localIso(new Date('2010-01-01T14:00:00Z'), 'America/St_Johns')).toBe('2010-01-01T10:30-03:30');
  });
});

describe('planner: public holidays are quiet days, for that party only', () => {
  const holidays = publicHolidays();
  const parties = partyMap(
    party('AUS', 'Australia/Sydney'),
    party('IDN', 'Asia/Jakarta'),
    party('IOM', 'Asia/Bangkok', { kind: 'organisation' }),
  );

  it('a send that would fall on Idul Fitri in Indonesia moves to the next working day there; Australia’s stays', () => {
    // Due Friday 17 September 2010; seven days before is Friday the 10th, Idul Fitri (and the 11th too).
    const c = commitment({ leads: ['IDN', 'AUS'], members: ['IOM'], due: { date: '2010-09-17', timeZone: 'Asia/Jakarta' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P7D']), holidays })));
    expect(k.get('before-P7D/IDN')).toMatchObject({ at: '2010-09-13T02:00:00.000Z' }); // Monday 09:00 WIB
    expect(k.get('before-P7D/IDN')!.moved).toEqual({ from: '2010-09-10T09:00+07:00', because: 'End of Ramadan (Eid al-Fitr) (ID)' });
    expect(k.get('before-P7D/AUS')).toMatchObject({ at: '2010-09-09T23:00:00.000Z' }); // Friday 09:00 AEST
    expect(k.get('before-P7D/AUS')).not.toHaveProperty('moved');
    expect(k.get('before-P7D/IOM')).not.toHaveProperty('moved');
  });

  it('a send that would fall on Australia Day in Australia moves to the next working day there; Indonesia’s stays', () => {
    const c = commitment({ leads: ['IDN', 'AUS'], due: { date: '2010-02-02', timeZone: 'Asia/Jakarta' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P7D']), holidays })));
    expect(k.get('before-P7D/AUS')).toMatchObject({ at: '2010-01-26T22:00:00.000Z', moved: { from: '2010-01-26T09:00+11:00', because: 'Australia Day (AU)' } });
    expect(k.get('before-P7D/IDN')).toMatchObject({ at: '2010-01-26T02:00:00.000Z' });
    expect(k.get('before-P7D/IDN')).not.toHaveProperty('moved');
  });

  it('New Year’s Day then the weekend: the send goes out on Monday and says why, as the API shows it', () => {
    const c = commitment({ leads: ['AUS'], due: { date: '2010-01-08', timeZone: 'Australia/Sydney' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P7D']), holidays })));
    expect(k.get('before-P7D/AUS')).toMatchObject({ at: '2010-01-03T22:00:00.000Z', moved: { from: '2010-01-01T09:00+11:00', because: "New Year's Day (AU)" } });
  });

  it('a party’s own closed day pushes it one day further, and only that party', () => {
    const closed = partyMap(party('AUS', 'Australia/Sydney', { closedDays: ['2010-01-04'] }), party('NZL', 'Pacific/Auckland'));
    const c = commitment({ leads: ['AUS', 'NZL'], due: { date: '2010-01-08', timeZone: 'Australia/Sydney' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties: closed, policy: only(['P7D', 'P4D']), holidays })));
    // Tuesday: P7D (New Year's Day, weekend, closed Monday) and P4D (closed Monday) both land there.
    expect(k.get('before-P4D/AUS')).toMatchObject({ at: '2010-01-04T22:00:00.000Z', moved: { from: '2010-01-04T09:00+11:00', because: 'closed day of AUS' } });
    // P7D and P4D collide on Tuesday for Australia: one send is kept, the one nearer the deadline.
    expect([...k.keys()].filter((x) => x.endsWith('/AUS'))).toEqual(['before-P4D/AUS']);
    // New Zealand: 2 and 4 January 2010 are public holidays there (4th: substitute day), so Tuesday too, for its own reasons.
    expect(k.get('before-P4D/NZL')).toMatchObject({ at: '2010-01-04T20:00:00.000Z', moved: { from: '2010-01-04T09:00+13:00', because: "Day after New Year's Day (substitute day) (NZ)" } });
  });

  it('an organisation keeps weekends only, unless it has a country', () => {
    const c = commitment({ leads: ['IOM'], due: { date: '2010-01-08', timeZone: 'Asia/Bangkok' } });
    const plain = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P7D']), holidays })));
    expect(plain.get('before-P7D/IOM')).toMatchObject({ at: '2010-01-01T02:00:00.000Z' });
    const withCountry = partyMap(party('IOM', 'Asia/Bangkok', { kind: 'organisation', country: 'TH' }));
    const k = byKey(planReminders(planInput({ commitment: c, parties: withCountry, policy: only(['P7D']), holidays })));
    expect(k.get('before-P7D/IOM')!.moved!.because).toMatch(/\(TH\)$/);
    expect(Date.parse(k.get('before-P7D/IOM')!.at)).toBeGreaterThan(Date.parse('2010-01-01T02:00:00.000Z'));
  });

  it('a due notice on a holiday that is the deadline day moves back to the last working day before it', () => {
    const c = commitment({ leads: ['AUS'], due: { date: '2010-01-26', timeZone: 'Australia/Sydney' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy: { ...only([]), onDue: true }, holidays })));
    expect(k.get('due/AUS')).toMatchObject({ at: '2010-01-24T22:00:00.000Z', moved: { from: '2010-01-26T09:00+11:00', because: 'Australia Day (AU)' } });
  });

  it('a weekend move says "weekend"; a weekday quiet day names the day', () => {
    const c = commitment({ leads: ['IDN'], due: { date: '2010-03-12', timeZone: 'Asia/Jakarta' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P6D']), holidays })));
    expect(k.get('before-P6D/IDN')).toMatchObject({ at: '2010-03-08T02:00:00.000Z', moved: { from: '2010-03-06T09:00+07:00', because: 'weekend' } });
    const fridays = byKey(planReminders(planInput({ commitment: c, parties, policy: { ...only(['P7D']), quietDays: [5] }, holidays })));
    expect(fridays.get('before-P7D/IDN')!.moved!.because).toBe('Friday (quiet day)');
  });

  it('an overdue notice that would fall on a holiday goes out the next working day', () => {
    const c = commitment({ leads: ['AUS'], due: { date: '2010-01-19', timeZone: 'Australia/Sydney' } });
    const policy = { ...only([]), overdue: { every: 'P7D', max: 1 } };
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy, holidays })));
    expect(k.get('overdue-1/AUS')).toMatchObject({ at: '2010-01-26T22:00:00.000Z', moved: { because: 'Australia Day (AU)' } });
  });

  it('a missed overdue notice caught up on a holiday waits for the next working day and says why', () => {
    const c = commitment({ leads: ['AUS'], due: { date: '2010-01-05', timeZone: 'Australia/Sydney' } });
    const policy = { ...only([]), overdue: { every: 'P7D', max: 2 } };
    const now = new Date('2010-01-26T01:00:00Z'); // 12:00 on Australia Day in Sydney
    const plan = planReminders(planInput({ commitment: c, parties, policy, holidays, now }));
    const notice = plan.find((s) => s.step === 'overdue' && s.state === 'planned')!;
    expect(notice).toMatchObject({ stepKey: 'overdue-2', at: '2010-01-26T22:00:00.000Z', nominalAt: '2010-01-18T22:00:00.000Z' });
    expect(notice.moved).toEqual({ from: '2010-01-26T12:00+11:00', because: 'Australia Day (AU)' });
  });

  it('across the end of DST: Easter in Sydney and Auckland (Good Friday to Easter Monday, clocks back on the Sunday)', () => {
    const both = partyMap(party('AUS', 'Australia/Sydney'), party('NZL', 'Pacific/Auckland'));
    const c = commitment({ leads: ['AUS', 'NZL'], due: { date: '2010-04-09', timeZone: 'Australia/Sydney' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties: both, policy: only(['P7D']), holidays })));
    // Friday 2 April 09:00 AEDT → Tuesday 6 April 09:00 AEST.
    expect(k.get('before-P7D/AUS')).toMatchObject({ at: '2010-04-05T23:00:00.000Z', moved: { from: '2010-04-02T09:00+11:00', because: 'Good Friday (AU)' } });
    // Friday 2 April 09:00 NZDT → Tuesday 6 April 09:00 NZST.
    expect(k.get('before-P7D/NZL')).toMatchObject({ at: '2010-04-05T21:00:00.000Z', moved: { from: '2010-04-02T09:00+13:00', because: 'Good Friday (NZ)' } });
  });

  it('across the start of DST: Labour Day in Auckland (a month after clocks go forward) keeps 09:00 local', () => {
    const nz = partyMap(party('NZL', 'Pacific/Auckland'));
    const c = commitment({ leads: ['NZL'], due: { date: '2010-11-01', timeZone: 'Pacific/Auckland' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties: nz, policy: only(['P7D']), holidays })));
    expect(k.get('before-P7D/NZL')).toMatchObject({ at: '2010-10-25T20:00:00.000Z', moved: { from: '2010-10-25T09:00+13:00', because: 'Labour Day (NZ)' } });
  });

  it('with an injected table the planner uses only it: holidays are data, not code', () => {
    const table = holidayTable({ AU: { '2030-06-03': 'Test Day' } });
    const c = commitment({ leads: ['AUS'], due: { date: '2030-06-10', timeZone: 'Australia/Sydney' } });
    const k = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P7D']), holidays: table })));
    expect(k.get('before-P7D/AUS')).toMatchObject({ moved: { from: '2030-06-03T09:00+10:00', because: 'Test Day (AU)' } });
    expect(Date.parse(k.get('before-P7D/AUS')!.at) - Date.parse('2030-06-02T23:00:00.000Z')).toBe(DAY);
    const none = byKey(planReminders(planInput({ commitment: c, parties, policy: only(['P7D']) })));
    expect(none.get('before-P7D/AUS')).toMatchObject({ at: '2030-06-02T23:00:00.000Z' });
  });
});
