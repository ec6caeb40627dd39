/**
 * A policy stored before durations were bounded (P300000Y,
 * PT99999999999999999999S) must not break planning: the out-of-range steps
 * are left out and the others planned as usual.
 */
import { describe, expect, it } from 'vitest';
import { planReminders } from '../../src/domain/planner.js';
import { subjectLead } from '../../src/mail/reminder-template.js';
import { DEFAULT_POLICY, commitment, party, partyMap, planInput } from './planner-fixtures.js';

describe('a commitment whose stored policy holds huge durations', () => {
  const c = commitment({ due: { date: '2010-01-15', timeZone: 'UTC' } });
  const parties = partyMap(party('AAA', 'UTC'));
  const poisoned = { ...DEFAULT_POLICY, quietDays: [], before: ['P300000Y', 'P7D', 'PT99999999999999999999S'], overdue: { every: 'P300000Y', max: 3 }, escalateAfter: 'PT99999999999999999999S' };

  it('plans the sound steps and leaves the huge ones out, without throwing', () => {
    const plan = planReminders(planInput({ commitment: c, parties, policy: poisoned }));
    expect(plan.map((s) => [s.stepKey, s.at])).toEqual([
      ['before-P7D', '2010-01-08T09:00:00.000Z'],
      ['due', '2010-01-15T09:00:00.000Z'],
    ]);
  });

  it('a reminder subject for such a step still renders', () => {
    expect(subjectLead('before-P300000Y')).toBe('Due in P300000Y');
  });
});
