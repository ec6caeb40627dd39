/**
 * Planner behaviours pinned one by one (each found unpinned by mutation
 * testing): a zero overdue interval, clock-part steps with a send hour, `now`
 * exactly on an overdue instant, the catch-up window's exact edge, and which
 * step wins a collision.
 */
import { describe, expect, it } from 'vitest';
import { SKIP_MISSED, SKIP_SUPERSEDED, effectivePolicy, planPrefix, planReminders, planStatusCheck, type PlannedSend } from '../../src/domain/planner.js';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';
import { DEFAULT_POLICY, HOUR, commitment, party, partyMap, planInput } from './planner-fixtures.js';

const keys = (plan: PlannedSend[]) => plan.map((s) => `${s.stepKey}/${s.partyId}`);
const byKey = (plan: PlannedSend[]) => new Map(plan.map((s) => [`${s.stepKey}/${s.partyId}`, s]));
const UTC = partyMap(party('AAA', 'UTC'));
/** Friday 15 January 2010, a date deadline in UTC: it ends at 23:59:59.999Z. */
const FRIDAY = commitment({ due: { date: '2010-01-15', timeZone: 'UTC' } });
const NO_QUIET: ReminderPolicy = { ...DEFAULT_POLICY, quietDays: [] };

describe('overdue.every of P0D', () => {
  it('plans no overdue notice at all (a zero interval would stack them on one instant), and still the escalation', () => {
    const plan = planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: { ...NO_QUIET, overdue: { every: 'P0D', max: 3 } } }));
    expect(plan.filter((s) => s.step === 'overdue')).toEqual([]);
    expect(keys(plan)).toEqual(['before-P30D/AAA', 'before-P14D/AAA', 'before-P7D/AAA', 'before-P1D/AAA', 'due/AAA', 'escalation/AAA']);
  });

  it('PT0S likewise; and overdue.max of 0 plans none either', () => {
    for (const policy of [{ ...NO_QUIET, overdue: { every: 'PT0S', max: 3 } }, { ...NO_QUIET, overdue: { every: 'P7D', max: 0 } }]) {
      expect(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy })).filter((s) => s.step === 'overdue')).toEqual([]);
    }
  });

  it('with overdue.max of 1, exactly one overdue notice, a week after the deadline', () => {
    const plan = planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: { ...NO_QUIET, overdue: { every: 'P7D', max: 1 } } }));
    expect(plan.filter((s) => s.step === 'overdue').map((s) => [s.stepKey, s.at])).toEqual([['overdue-1', '2010-01-22T09:00:00.000Z']]);
  });
});

describe('a PT36H step with a send hour', () => {
  // Counted from the end of the deadline's date (Fri 15th 23:59:59.999), then placed on that day at 09:00.
  const policy = { ...NO_QUIET, before: ['PT36H'], overdue: { every: 'PT36H', max: 3 } };

  it('before-PT36H lands on Thursday at 09:00; the follow-ups every 36 hours land on the 17th, 18th and 20th at 09:00', () => {
    const plan = planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy }));
    expect(plan.map((s) => [s.stepKey, s.at])).toEqual([
      ['before-PT36H', '2010-01-14T09:00:00.000Z'],
      ['due', '2010-01-15T09:00:00.000Z'],
      ['overdue-1', '2010-01-17T09:00:00.000Z'],
      ['overdue-2', '2010-01-18T09:00:00.000Z'],
      ['overdue-3', '2010-01-20T09:00:00.000Z'],
      ['escalation', '2010-01-29T09:00:00.000Z'],
    ]);
  });

  it('in a zone with an offset, the hours are counted on the party\'s clock and the send hour is local', () => {
    const plan = planReminders(planInput({ commitment: commitment({ due: { date: '2010-01-15', timeZone: 'Asia/Jakarta' } }), parties: partyMap(party('AAA', 'Asia/Jakarta')), policy }));
    expect(byKey(plan).get('overdue-1/AAA')!.at).toBe('2010-01-17T02:00:00.000Z');
    expect(byKey(plan).get('before-PT36H/AAA')!.at).toBe('2010-01-14T02:00:00.000Z');
  });

  it('in exact mode with an instant deadline, the same step is exactly 36 hours away', () => {
    const c = commitment({ due: { at: '2010-01-15T12:00:00Z' } });
    const plan = planReminders(planInput({ commitment: c, parties: UTC, policy: { ...policy, sendAt: null } }));
    expect(plan.map((s) => [s.stepKey, s.at])).toEqual([
      ['before-PT36H', '2010-01-14T00:00:00.000Z'],
      ['due', '2010-01-15T12:00:00.000Z'],
      ['overdue-1', '2010-01-17T00:00:00.000Z'],
      ['overdue-2', '2010-01-18T12:00:00.000Z'],
      ['overdue-3', '2010-01-20T00:00:00.000Z'],
      ['escalation', '2010-01-29T12:00:00.000Z'],
    ]);
  });

  it('a P1DT12H step mixes a calendar day and clock hours: the same instants as PT36H away from DST', () => {
    const plan = planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: { ...policy, before: ['P1DT12H'], overdue: { every: 'P1DT12H', max: 3 } } }));
    expect(plan.filter((s) => s.step !== 'due' && s.step !== 'escalation').map((s) => s.at)).toEqual([
      '2010-01-14T09:00:00.000Z',
      '2010-01-17T09:00:00.000Z',
      '2010-01-18T09:00:00.000Z',
      '2010-01-20T09:00:00.000Z',
    ]);
  });
});

describe('now exactly at an overdue instant', () => {
  // Weekly follow-ups at 09:00Z on the 22nd and the 29th; escalation P14D also on the 29th.
  const policy = { ...NO_QUIET, overdue: { every: 'P7D', max: 3 }, escalateAfter: 'P21D' };
  const plan = (now: string) => byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy, now: new Date(now), catchUpWindowMs: 12 * HOUR })));

  it('at overdue-1\'s instant, overdue-1 is the one due and stays planned at its own instant', () => {
    const k = plan('2010-01-22T09:00:00.000Z');
    expect(k.get('overdue-1/AAA')).toMatchObject({ state: 'planned', at: '2010-01-22T09:00:00.000Z' });
    expect(k.get('overdue-1/AAA')!.nominalAt).toBeUndefined();
    expect(k.get('overdue-2/AAA')).toMatchObject({ state: 'planned', at: '2010-01-29T09:00:00.000Z' });
  });

  it('at overdue-2\'s instant, overdue-2 is due and overdue-1 is superseded, not sent twice', () => {
    const k = plan('2010-01-29T09:00:00.000Z');
    expect(k.get('overdue-1/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_MISSED });
    expect(k.get('overdue-2/AAA')).toMatchObject({ state: 'planned', at: '2010-01-29T09:00:00.000Z' });
    expect(k.get('overdue-3/AAA')!.state).toBe('planned');
  });

  it('a millisecond before overdue-2, with a wide window, overdue-1 is the latest due and is kept', () => {
    const k = byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy, now: new Date('2010-01-29T08:59:59.999Z'), catchUpWindowMs: 30 * 24 * HOUR })));
    expect(k.get('overdue-1/AAA')).toMatchObject({ state: 'planned', at: '2010-01-22T09:00:00.000Z' });
    expect(k.get('overdue-2/AAA')!.state).toBe('planned');
  });

  it('at overdue-2\'s instant with a wide window, overdue-1 is superseded (not missed)', () => {
    const k = byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy, now: new Date('2010-01-29T09:00:00.000Z'), catchUpWindowMs: 30 * 24 * HOUR })));
    expect(k.get('overdue-1/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_SUPERSEDED });
    expect(k.get('overdue-2/AAA')).toMatchObject({ state: 'planned', at: '2010-01-29T09:00:00.000Z' });
  });
});

describe('the catch-up window\'s exact edge', () => {
  // before-P1D is at 2010-01-14T09:00Z; the window is 12 hours.
  const at = Date.parse('2010-01-14T09:00:00.000Z');
  const plan = (nowMs: number) => byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: NO_QUIET, now: new Date(nowMs), catchUpWindowMs: 12 * HOUR })));

  it('a send exactly as old as the window is still planned, at its own instant', () => {
    expect(plan(at + 12 * HOUR).get('before-P1D/AAA')).toMatchObject({ state: 'planned', at: '2010-01-14T09:00:00.000Z' });
  });

  it('one millisecond older, it is skipped as missed', () => {
    expect(plan(at + 12 * HOUR + 1).get('before-P1D/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_MISSED });
  });

  it('the overdue notice exactly at the edge keeps its instant; a millisecond past, it is re-timed to now', () => {
    const o1 = Date.parse('2010-01-22T09:00:00.000Z');
    const atEdge = byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: NO_QUIET, now: new Date(o1 + 12 * HOUR), catchUpWindowMs: 12 * HOUR }))).get('overdue-1/AAA')!;
    expect(atEdge).toMatchObject({ state: 'planned', at: '2010-01-22T09:00:00.000Z' });
    expect(atEdge.nominalAt).toBeUndefined();
    const past = new Date(o1 + 12 * HOUR + 1);
    const late = byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: NO_QUIET, now: past, catchUpWindowMs: 12 * HOUR }))).get('overdue-1/AAA')!;
    expect(late).toMatchObject({ state: 'planned', at: past.toISOString(), nominalAt: '2010-01-22T09:00:00.000Z' });
  });

  it('the escalation, missed, is re-timed to now and not skipped', () => {
    const now = new Date('2010-03-01T00:00:00.000Z');
    const k = byKey(planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy: NO_QUIET, now, catchUpWindowMs: HOUR })));
    expect(k.get('escalation/AAA')).toMatchObject({ state: 'planned', at: now.toISOString(), nominalAt: '2010-01-29T09:00:00.000Z' });
    expect(k.get('before-P1D/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_MISSED });
  });
});

describe('which step wins a collision', () => {
  const plan = (policy: ReminderPolicy) => planReminders(planInput({ commitment: FRIDAY, parties: UTC, policy }));

  it('due beats a before step on the same instant (the one nearest the deadline wins)', () => {
    // PT1H before the end of Friday is still Friday: 09:00, the due notice's instant.
    expect(keys(plan({ ...NO_QUIET, before: ['PT1H'] })).filter((k) => k !== 'escalation/AAA' && !k.startsWith('overdue'))).toEqual(['due/AAA']);
  });

  it('the before step nearest the deadline wins, in whichever order the policy lists them', () => {
    for (const before of [['PT30H', 'PT40H'], ['PT40H', 'PT30H']]) {
      // Both land on Thursday 09:00.
      expect(keys(plan({ ...NO_QUIET, before, onDue: false })).filter((k) => k.startsWith('before'))).toEqual(['before-PT30H/AAA']);
    }
  });

  it('between equally near steps, the smaller step key wins, in whichever order they are listed', () => {
    for (const before of [['P1D', 'PT24H'], ['PT24H', 'P1D']]) {
      expect(keys(plan({ ...NO_QUIET, before, onDue: false })).filter((k) => k.startsWith('before'))).toEqual(['before-P1D/AAA']);
    }
    for (const before of [['P7D', 'P1W'], ['P1W', 'P7D']]) {
      expect(keys(plan({ ...NO_QUIET, before, onDue: false })).filter((k) => k.startsWith('before'))).toEqual(['before-P1W/AAA']);
    }
  });

  it('the lowest-numbered overdue follow-up wins a shared instant; an escalation on that instant is kept beside it', () => {
    // PT6H follow-ups after the end of Friday all land on Saturday or Sunday 09:00; quiet weekend moves them to Monday.
    const p = plan({ ...DEFAULT_POLICY, before: [], onDue: false, overdue: { every: 'PT12H', max: 4 }, escalateAfter: 'P1D' });
    expect(p.map((s) => [s.stepKey, s.at])).toEqual([
      ['escalation', '2010-01-18T09:00:00.000Z'],
      ['overdue-1', '2010-01-18T09:00:00.000Z'],
    ]);
  });

  it('a lower rank wins even over a smaller step key: PT30H beats P1DT10H on the same Thursday', () => {
    for (const before of [['P1DT10H', 'PT30H'], ['PT30H', 'P1DT10H']]) {
      expect(keys(plan({ ...NO_QUIET, before, onDue: false })).filter((k) => k.startsWith('before'))).toEqual(['before-PT30H/AAA']);
    }
  });

  it('due beats even a zero-length before step on its instant', () => {
    expect(keys(plan({ ...NO_QUIET, before: ['PT0S'], overdue: { every: 'P7D', max: 0 }, escalateAfter: null }))).toEqual(['due/AAA']);
  });

  it('a duplicated before duration is planned once', () => {
    expect(keys(plan({ ...NO_QUIET, before: ['P7D', 'P7D'], onDue: false })).filter((k) => k.startsWith('before'))).toEqual(['before-P7D/AAA']);
  });
});

describe('plan order, ids and helpers', () => {
  it('sends on one instant are ordered by id; ids carry the deadline version', () => {
    const parties = partyMap(party('BBB', 'UTC'), party('AAA', 'UTC'));
    const c = commitment({ leads: ['BBB', 'AAA'], due: { date: '2010-01-15', timeZone: 'UTC' } });
    const plan = planReminders(planInput({ commitment: c, parties, policy: { ...NO_QUIET, before: [], overdue: { every: 'P7D', max: 0 }, escalateAfter: null } }));
    expect(plan.map((s) => s.id)).toEqual(['test-commitment--d1--due--AAA', 'test-commitment--d1--due--BBB']);
    expect(planPrefix({ id: 'x', dueVersion: 7 })).toBe('x--d7');
  });

  it('the status check is at the deadline; none without a deadline', () => {
    expect(planStatusCheck(FRIDAY)).toEqual({ id: 'test-commitment--d1--status-check', at: '2010-01-15T23:59:59.999Z', dueVersion: 1 });
    expect(planStatusCheck(commitment({ due: null }))).toBeNull();
  });

  it('the effective policy is the commitment\'s own, else the default', () => {
    const own = { ...NO_QUIET, onDue: false };
    expect(effectivePolicy(commitment({ due: null, reminderPolicy: own }), DEFAULT_POLICY)).toEqual(own);
    expect(effectivePolicy(FRIDAY, DEFAULT_POLICY)).toBe(DEFAULT_POLICY);
  });
});

describe('the escalation\'s copies', () => {
  const withContacts = (id: string, roles: ('co-chair' | 'steering-group')[] = []) => party(id, 'UTC', { roles });
  const escalations = (leads: string[], ...ps: ReturnType<typeof party>[]) =>
    planReminders(planInput({ commitment: commitment({ leads, due: { date: '2010-01-15', timeZone: 'UTC' } }), parties: partyMap(...ps), policy: { ...NO_QUIET, before: [], onDue: false, overdue: { every: 'P7D', max: 0 } } })).filter((s) => s.step === 'escalation');

  it('copy the co-chairs in party id order, whatever order the parties come in, then the steering group; never a non-co-chair', () => {
    const e = escalations(['LED'], withContacts('MMM', ['co-chair']), withContacts('ZZZ', ['co-chair']), withContacts('LED'), withContacts('OTH', ['steering-group']), withContacts('AAA', ['co-chair']));
    expect(e.map((s) => [s.partyId, s.cc, s.recordsEscalation])).toEqual([['LED', ['aaa@example.org', 'mmm@example.org', 'zzz@example.org', 'steering@example.org'], true]]);
  });

  it('ride on the first lead that has contacts: a lead without any gets no send and carries nothing', () => {
    const e = escalations(['NOC', 'BBB', 'AAA'], party('NOC', 'UTC', { contacts: [] }), withContacts('BBB'), withContacts('AAA'), withContacts('CCC', ['co-chair']));
    expect(e.map((s) => [s.partyId, s.cc, s.recordsEscalation ?? false])).toEqual([
      ['AAA', [], false],
      ['BBB', ['ccc@example.org', 'steering@example.org'], true],
    ]);
  });
});
