/** fast-check arbitraries of reminder policies, shared by the planner's property tests. */
import fc from 'fast-check';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';

/** A local send hour, HH:MM. */
export const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/** A whole policy whose steps are drawn from `duration`. */
export const policyOf = (duration: fc.Arbitrary<string>): fc.Arbitrary<ReminderPolicy> =>
  fc.record({
    before: fc.array(duration, { maxLength: 5 }),
    onDue: fc.boolean(),
    overdue: fc.record({ every: duration, max: fc.integer({ min: 0, max: 6 }) }),
    escalateAfter: fc.option(duration, { nil: null }),
    sendAt: fc.option(hhmm, { nil: null }),
    quietDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 6 }),
  });
