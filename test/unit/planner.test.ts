import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { cancelCommitment, completeCommitment, patchCommitment, reopenCommitment } from '../../src/domain/commitment.js';
import { effectivePolicy, planReminders, planStatusCheck, SKIP_MISSED, SKIP_SUPERSEDED, type PlannedSend } from '../../src/domain/planner.js';
import { commitment, DAY, DEFAULT_POLICY, HOUR, party, partyMap, planInput, seed } from './planner-fixtures.js';

const local = (s: PlannedSend) => new TZDate(Date.parse(s.at), s.timeZone).toString().slice(0, 24);
const byKey = (plan: PlannedSend[]) => new Map(plan.map((s) => [`${s.stepKey}/${s.partyId}`, s]));

describe('planner: the default policy on the 2009 seed', () => {
  const { parties, commitment: seeded } = seed();
  const workshop = seeded('workshop-information-campaigns'); // due 2009-12-31, Asia/Jakarta; leads IDN, AUS; member IOM
  const plan = planReminders(planInput({ commitment: workshop, parties, now: new Date('2009-11-01T00:00:00Z') }));

  it('when planned well ahead, then every party gets P30D/P14D/P7D/P1D/due and the leads also overdue-1..4 and the escalation', () => {
    const steps = (id: string) => plan.filter((s) => s.partyId === id).map((s) => s.stepKey);
    const pre = ['before-P30D', 'before-P14D', 'before-P7D', 'before-P1D', 'due'];
    const post = ['overdue-1', 'overdue-2', 'overdue-3', 'overdue-4', 'escalation'];
    expect(steps('IDN').sort()).toEqual([...pre, ...post].sort());
    expect(steps('AUS').sort()).toEqual([...pre, ...post].sort());
    expect(steps('IOM').sort()).toEqual([...pre].sort());
    expect(plan).toHaveLength(25);
    expect(plan.every((s) => s.state === 'planned')).toBe(true);
  });

  it('when the deadline is a date, then each step is counted from that calendar date at 09:00 on each party’s own clock', () => {
    const k = byKey(plan);
    expect(k.get('before-P30D/IDN')!.at).toBe('2009-12-01T02:00:00.000Z'); // 09:00 WIB
    expect(k.get('before-P7D/IOM')!.at).toBe('2009-12-24T02:00:00.000Z'); // 09:00 Bangkok
    expect(k.get('due/IDN')!.at).toBe('2009-12-31T02:00:00.000Z');
    expect(local(k.get('due/AUS')!)).toBe('Thu Dec 31 2009 09:00:00'); // Sydney, AEDT
    expect(k.get('due/AUS')!.at).toBe('2009-12-30T22:00:00.000Z');
    expect(k.get('overdue-1/IDN')!.at).toBe('2010-01-07T02:00:00.000Z');
    expect(k.get('overdue-4/AUS')!.at).toBe('2010-01-27T22:00:00.000Z');
    expect(k.get('escalation/IDN')!.at).toBe('2010-01-14T02:00:00.000Z');
  });

  it('when it plans, then ids name the commitment, the deadline version, the step and the party', () => {
    expect(byKey(plan).get('before-P7D/AUS')!.id).toBe('workshop-information-campaigns--d1--before-P7D--AUS');
    expect(plan.every((s) => s.commitmentId === workshop.id && s.dueVersion === 1)).toBe(true);
  });

  it('when escalating, then it goes to each lead, and the steering group is copied once, not once per lead', () => {
    const k = byKey(plan);
    expect(workshop.leads).toEqual(['IDN', 'AUS']);
    expect(k.get('escalation/IDN')!.to).toEqual(['focal-point.idn@example.org']);
    expect(k.get('escalation/AUS')!.to).toEqual(['focal-point.aus@example.org']);
    // Both co-chairs lead the workshop, so each gets the escalation as a lead and neither is copied;
    // the copies ride on the first lead's send.
    expect(k.get('escalation/IDN')!.cc).toEqual(['steering@example.org']);
    expect(k.get('escalation/AUS')!.cc).toEqual([]);
    expect(plan.filter((s) => s.step !== 'escalation').every((s) => s.cc.length === 0)).toBe(true);
  });

  it('when a co-chair does not lead, then it is copied once, on the first lead’s escalation, whatever the number of leads', () => {
    const both = partyMap(
      party('AUS', 'Australia/Sydney', { roles: ['co-chair'] }),
      party('IDN', 'Asia/Jakarta', { roles: ['co-chair'] }),
      party('LKA', 'Asia/Colombo'),
      party('AFG', 'Asia/Kabul'),
    );
    const c = commitment({ leads: ['LKA', 'AFG', 'IDN'], members: ['AUS'], due: { date: '2026-06-17', timeZone: 'Asia/Colombo' } });
    const escalations = planReminders(planInput({ commitment: c, parties: both })).filter((s) => s.step === 'escalation');
    expect(escalations.map((s) => s.partyId).sort()).toEqual(['AFG', 'IDN', 'LKA']);
    expect(escalations.find((s) => s.partyId === 'LKA')!.cc).toEqual(['aus@example.org', 'steering@example.org']);
    expect(escalations.filter((s) => s.partyId !== 'LKA').every((s) => s.cc.length === 0)).toBe(true);
    // The same send is the one whose delivery records commitment.escalated.
    expect(escalations.filter((s) => s.recordsEscalation).map((s) => s.partyId)).toEqual(['LKA']);
  });

  it('when the commitment has no deadline, then nothing is planned and there is no status check', () => {
    const open = seeded('technical-meeting-irregular-maritime-ventures');
    expect(planReminders(planInput({ commitment: open, parties }))).toEqual([]);
    expect(planStatusCheck(open)).toBeNull();
  });

  it('when the service starts 16 years late, then the item gets one overdue notice and one escalation per lead, now', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const late = planReminders(planInput({ commitment: workshop, parties, now }));
    const planned = late.filter((s) => s.state === 'planned');
    expect(planned.map((s) => `${s.stepKey}/${s.partyId}`).sort()).toEqual(['escalation/AUS', 'escalation/IDN', 'overdue-4/AUS', 'overdue-4/IDN']);
    expect(planned.every((s) => s.at === now.toISOString() && s.nominalAt !== undefined)).toBe(true);
    expect(late.filter((s) => s.state === 'skipped').every((s) => s.skipReason === SKIP_MISSED)).toBe(true);
  });
});

describe('planner: send hour and recipients', () => {
  const parties = partyMap(party('AUS', 'Australia/Canberra'), party('AFG', 'Asia/Kabul'), party('NZL', 'Pacific/Auckland', { contacts: [] }));
  const c = commitment({ leads: ['AUS'], members: ['AFG', 'NZL', 'XXX'], due: { date: '2026-06-17', timeZone: 'Asia/Kabul' } });

  it('when a step goes out, then Canberra gets it at 09:00 Canberra time and Kabul at 09:00 Kabul time', () => {
    const k = byKey(planReminders(planInput({ commitment: c, parties })));
    expect(local(k.get('due/AUS')!)).toBe('Wed Jun 17 2026 09:00:00');
    expect(k.get('due/AUS')!.at).toBe('2026-06-16T23:00:00.000Z');
    expect(local(k.get('due/AFG')!)).toBe('Wed Jun 17 2026 09:00:00');
    expect(k.get('due/AFG')!.at).toBe('2026-06-17T04:30:00.000Z');
  });

  it('when a party is a member, then it gets the before and due notices but not the overdue ones or the escalation', () => {
    const steps = planReminders(planInput({ commitment: c, parties })).filter((s) => s.partyId === 'AFG').map((s) => s.step);
    expect(new Set(steps)).toEqual(new Set(['before', 'due']));
  });

  it('when a party has no contacts or is unknown, then it gets no send', () => {
    const ids = new Set(planReminders(planInput({ commitment: c, parties })).map((s) => s.partyId));
    expect(ids).toEqual(new Set(['AUS', 'AFG']));
  });

  it('when a party lives west of the deadline’s zone, then its due notice moves to the day before rather than after the deadline', () => {
    const west = partyMap(party('AAA', 'Pacific/Honolulu'));
    const due = { date: '2026-06-17', timeZone: 'Pacific/Auckland' } as const; // ends 2026-06-17T11:59:59.999Z
    const k = byKey(planReminders(planInput({ commitment: commitment({ due }), parties: west, policy: { ...DEFAULT_POLICY, before: [], quietDays: [] } })));
    expect(local(k.get('due/AAA')!)).toBe('Tue Jun 16 2026 09:00:00');
    expect(Date.parse(k.get('due/AAA')!.at)).toBeLessThanOrEqual(Date.parse('2026-06-17T11:59:59.999Z'));
  });
});

describe('planner: quiet days', () => {
  const parties = partyMap(party('AAA', 'Australia/Sydney'));
  const saturday = { date: '2026-03-21', timeZone: 'Australia/Sydney' } as const;

  it('when a step falls on a Saturday, then it moves to Monday at the same send hour', () => {
    const k = byKey(planReminders(planInput({ commitment: commitment({ due: saturday }), parties })));
    expect(local(k.get('before-P7D/AAA')!)).toBe('Mon Mar 16 2026 09:00:00'); // nominally Sat 14
    expect(local(k.get('overdue-1/AAA')!)).toBe('Mon Mar 30 2026 09:00:00'); // nominally Sat 28
  });

  it('when the deadline itself is on a Saturday, then the due notice moves back to Friday, and the P1D that also lands there gives way', () => {
    const plan = planReminders(planInput({ commitment: commitment({ due: saturday }), parties }));
    const k = byKey(plan);
    expect(local(k.get('due/AAA')!)).toBe('Fri Mar 20 2026 09:00:00');
    expect(k.has('before-P1D/AAA')).toBe(false);
  });

  it('when quiet days are turned off, then a Saturday step stays on Saturday', () => {
    const k = byKey(planReminders(planInput({ commitment: commitment({ due: saturday }), parties, policy: { ...DEFAULT_POLICY, quietDays: [] } })));
    expect(local(k.get('due/AAA')!)).toBe('Sat Mar 21 2026 09:00:00');
    expect(local(k.get('before-P7D/AAA')!)).toBe('Sat Mar 14 2026 09:00:00');
  });

  it('when daily follow-ups pile onto a Monday, then only one overdue notice goes out that Monday', () => {
    const policy = { ...DEFAULT_POLICY, before: [], overdue: { every: 'P1D', max: 5 }, escalateAfter: null };
    const plan = planReminders(planInput({ commitment: commitment({ due: { date: '2026-03-19', timeZone: 'Australia/Sydney' } }), parties, policy }));
    expect(plan.filter((s) => s.step === 'overdue').map(local)).toEqual(['Fri Mar 20 2026 09:00:00', 'Mon Mar 23 2026 09:00:00', 'Tue Mar 24 2026 09:00:00']);
  });
});

describe('planner: exact mode with second-scale steps', () => {
  const policy = { before: ['PT15S', 'PT10S', 'PT5S'], onDue: true, overdue: { every: 'PT5S', max: 2 }, escalateAfter: 'PT12S', sendAt: null, quietDays: [] };
  const c = commitment({ due: { at: '2026-03-10T10:00:20Z' } });
  const now = new Date('2026-03-10T10:00:00Z');

  it('when sendAt is null, then each step is sent at its exact instant', () => {
    const plan = planReminders(planInput({ commitment: c, parties: partyMap(party('AAA', 'Asia/Kabul')), policy, now }));
    expect(plan.map((s) => [s.stepKey, s.at.slice(11)])).toEqual([
      ['before-PT15S', '10:00:05.000Z'],
      ['before-PT10S', '10:00:10.000Z'],
      ['before-PT5S', '10:00:15.000Z'],
      ['due', '10:00:20.000Z'],
      ['overdue-1', '10:00:25.000Z'],
      ['overdue-2', '10:00:30.000Z'],
      ['escalation', '10:00:32.000Z'],
    ]);
    expect(plan.every((s) => s.state === 'planned')).toBe(true);
  });

  it('when an exact-mode step falls on a quiet day, then it moves to the next working day at the same local time', () => {
    // 2026-03-14 is a Saturday: PT5S before a Saturday-noon deadline would pass it, so it goes back to Friday.
    const sat = commitment({ due: { at: '2026-03-14T01:00:00Z' } }); // Sat 12:00 Sydney
    const plan = planReminders(planInput({ commitment: sat, parties: partyMap(party('AAA', 'Australia/Sydney')), policy: { ...policy, quietDays: [6, 0] }, now }));
    const k = byKey(plan);
    expect(local(k.get('before-PT5S/AAA')!)).toBe('Fri Mar 13 2026 11:59:55');
    expect(local(k.get('overdue-1/AAA')!)).toBe('Mon Mar 16 2026 12:00:05');
  });
});

describe('planner: catch-up', () => {
  const parties = partyMap(party('AAA', 'Asia/Jakarta'));
  const c = commitment({ due: { date: '2026-03-18', timeZone: 'Asia/Jakarta' } }); // Wednesday; 09:00 WIB = 02:00Z
  const window = 12 * HOUR;

  it('when planning three days before the deadline, then the missed P7D and P14D are recorded as skipped, not dropped', () => {
    const plan = planReminders(planInput({ commitment: c, parties, now: new Date('2026-03-15T12:00:00Z'), catchUpWindowMs: window }));
    const k = byKey(plan);
    expect(k.get('before-P7D/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_MISSED, at: '2026-03-11T02:00:00.000Z' });
    expect(k.get('before-P14D/AAA')!.state).toBe('skipped');
    expect(k.get('before-P1D/AAA')!.state).toBe('planned');
  });

  it('when a step is late by less than the window, then it stays planned and goes out now', () => {
    const plan = planReminders(planInput({ commitment: c, parties, now: new Date('2026-03-17T10:00:00Z'), catchUpWindowMs: window }));
    expect(byKey(plan).get('before-P1D/AAA')).toMatchObject({ state: 'planned', at: '2026-03-17T02:00:00.000Z' });
  });

  it('when the service starts three weeks late, then one overdue notice goes out now instead of a burst', () => {
    const now = new Date('2026-04-08T05:00:00Z'); // after overdue-1 (03-25) and -2 (04-01), before -3 (04-08 02:00Z + window)
    const plan = planReminders(planInput({ commitment: c, parties, now, catchUpWindowMs: HOUR }));
    const overdue = plan.filter((s) => s.step === 'overdue');
    expect(overdue.map((s) => [s.stepKey, s.state])).toEqual([
      ['overdue-1', 'skipped'],
      ['overdue-2', 'skipped'],
      ['overdue-3', 'planned'],
      ['overdue-4', 'planned'],
    ]);
    expect(overdue[2]).toMatchObject({ at: now.toISOString(), nominalAt: '2026-04-08T02:00:00.000Z' });
    expect(plan.filter((s) => s.step === 'overdue' && s.state === 'planned' && Date.parse(s.at) <= now.getTime())).toHaveLength(1);
  });

  it('when several overdue follow-ups are inside the window, then only the latest is sent and the rest are superseded', () => {
    const policy = { ...DEFAULT_POLICY, overdue: { every: 'P1D', max: 4 }, quietDays: [] };
    const now = new Date('2026-03-21T03:00:00Z'); // overdue-1..3 passed (19th, 20th, 21st at 02:00Z)
    const plan = planReminders(planInput({ commitment: c, parties, now, catchUpWindowMs: 3 * DAY, policy }));
    const k = byKey(plan);
    expect(k.get('overdue-1/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_SUPERSEDED });
    expect(k.get('overdue-2/AAA')).toMatchObject({ state: 'skipped', skipReason: SKIP_SUPERSEDED });
    expect(k.get('overdue-3/AAA')).toMatchObject({ state: 'planned', at: '2026-03-21T02:00:00.000Z' });
    expect(k.get('overdue-4/AAA')!.state).toBe('planned');
  });

  it('when a missed notice would be re-timed to a quiet day, then it waits for the next working day’s send hour', () => {
    const now = new Date('2026-04-11T05:00:00Z'); // Saturday in Jakarta
    const plan = planReminders(planInput({ commitment: c, parties, now, catchUpWindowMs: HOUR }));
    const esc = byKey(plan).get('escalation/AAA')!;
    expect(esc).toMatchObject({ state: 'planned', nominalAt: '2026-04-01T02:00:00.000Z' });
    expect(local(esc)).toBe('Mon Apr 13 2026 09:00:00');
  });
});

describe('planner: lifecycle', () => {
  const parties = partyMap(party('AAA', 'Europe/Paris'), party('BBB', 'America/New_York'));
  const c = commitment({ leads: ['AAA'], members: ['BBB'], due: { date: '2026-06-30', timeZone: 'Europe/Paris' } });
  const now = new Date('2026-05-01T00:00:00Z');
  const at = new Date('2026-05-02T00:00:00Z');

  it('when the deadline moves, then every id of the new plan is new and bound to deadline version 2', () => {
    const before = planReminders(planInput({ commitment: c, parties, now }));
    const moved = patchCommitment(c, { due: { date: '2026-07-31', timeZone: 'Europe/Paris' } }, 'test', at).commitment;
    const after = planReminders(planInput({ commitment: moved, parties, now }));
    expect(moved.dueVersion).toBe(2);
    const old = new Set(before.map((s) => s.id));
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => old.has(s.id))).toEqual([]);
    expect(after.every((s) => s.id.includes('--d2--') && s.dueVersion === 2)).toBe(true);
    expect(planStatusCheck(moved)!.id).toBe('test-commitment--d2--status-check');
  });

  it('when a commitment is completed or cancelled, then nothing is planned and there is no status check', () => {
    const done = completeCommitment(c, { note: 'held', completedOn: '2026-05-01' }, 'test', at).commitment;
    const cancelled = cancelCommitment(c, 'overtaken', 'test', at).commitment;
    for (const closed of [done, cancelled]) {
      expect(planReminders(planInput({ commitment: closed, parties, now }))).toEqual([]);
      expect(planStatusCheck(closed)).toBeNull();
    }
  });

  it('when a completed commitment is reopened, then its plan comes back with the same ids', () => {
    const done = completeCommitment(c, { note: 'held', completedOn: '2026-05-01' }, 'test', at).commitment;
    const reopened = reopenCommitment(done, 'not really', 'test', at).commitment;
    expect(planReminders(planInput({ commitment: reopened, parties, now })).map((s) => s.id)).toEqual(planReminders(planInput({ commitment: c, parties, now })).map((s) => s.id));
  });

  it('when the status check is planned, then it is at the deadline instant', () => {
    expect(planStatusCheck(c)).toEqual({ id: 'test-commitment--d1--status-check', at: '2026-06-30T21:59:59.999Z', dueVersion: 1 });
  });

  it('when a commitment has its own policy, then it wins over the default', () => {
    const own = { ...DEFAULT_POLICY, before: ['P3D'] };
    expect(effectivePolicy({ ...c, reminderPolicy: own }, DEFAULT_POLICY)).toBe(own);
    expect(effectivePolicy(c, DEFAULT_POLICY)).toBe(DEFAULT_POLICY);
  });
});
