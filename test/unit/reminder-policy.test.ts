/** The default reminder policy from configuration, and the policy schema's bounds. */
import { describe, expect, it } from 'vitest';
import { ReminderPolicySchema, defaultPolicy } from '../../src/domain/reminder-policy.js';
import { isValidTimeZone } from '../../src/domain/time-zone.js';

const CFG = {
  REMINDER_BEFORE: ['P30D', 'P7D'],
  REMINDER_ON_DUE: true,
  REMINDER_OVERDUE_EVERY: 'P7D',
  REMINDER_OVERDUE_MAX: 4,
  REMINDER_ESCALATE_AFTER: 'P14D',
  REMINDER_SEND_AT: '09:00',
  REMINDER_QUIET_DAYS: [6, 0],
};

describe('defaultPolicy', () => {
  it('maps each setting to its field', () => {
    expect(defaultPolicy(CFG)).toEqual({ before: ['P30D', 'P7D'], onDue: true, overdue: { every: 'P7D', max: 4 }, escalateAfter: 'P14D', sendAt: '09:00', quietDays: [6, 0] });
  });

  it('a send hour of "exact" means no send hour', () => {
    expect(defaultPolicy({ ...CFG, REMINDER_SEND_AT: 'exact', REMINDER_ON_DUE: false }).sendAt).toBeNull();
    expect(defaultPolicy({ ...CFG, REMINDER_SEND_AT: 'exact', REMINDER_ON_DUE: false }).onDue).toBe(false);
  });

  it('the default policy passes its own schema', () => {
    expect(ReminderPolicySchema.parse(defaultPolicy(CFG))).toEqual(defaultPolicy(CFG));
  });
});

describe('the policy schema', () => {
  const ok = defaultPolicy(CFG);
  it.each([
    ['sendAt 24:00', { sendAt: '24:00' }, 'sendAt'],
    ['sendAt 9:00', { sendAt: '9:00' }, 'sendAt'],
    ['sendAt 09:60', { sendAt: '09:60' }, 'sendAt'],
    ['quiet day 7', { quietDays: [7] }, 'quietDays.0'],
    ['quiet day -1', { quietDays: [-1] }, 'quietDays.0'],
    ['seven quiet days', { quietDays: [0, 1, 2, 3, 4, 5, 6] }, 'quietDays'],
    ['a fractional max', { overdue: { every: 'P7D', max: 1.5 } }, 'overdue.max'],
    ['an unknown field', { extra: 1 }, ''],
  ])('refuses %s', (_, over, path) => {
    const r = ReminderPolicySchema.safeParse({ ...ok, ...over });
    expect(r.success).toBe(false);
    if (path) expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it.each([['00:00'], ['23:59'], ['19:05']])('accepts the send hour %s', (sendAt) => {
    expect(ReminderPolicySchema.safeParse({ ...ok, sendAt }).success).toBe(true);
  });

  it('accepts six quiet days, 52 follow-ups and 20 before steps; and no send hour or escalation', () => {
    expect(ReminderPolicySchema.safeParse({ ...ok, quietDays: [0, 1, 2, 3, 4, 5], overdue: { every: 'P1D', max: 52 }, before: Array.from({ length: 20 }, (_, i) => `P${i + 1}D`), sendAt: null, escalateAfter: null }).success).toBe(true);
  });
});

describe('isValidTimeZone with what is not a string', () => {
  it('answers false, without throwing', () => {
    expect(isValidTimeZone(undefined as never)).toBe(false);
    expect(isValidTimeZone(7 as never)).toBe(false);
  });
});
