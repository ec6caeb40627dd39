/**
 * Reminder policies: the default from configuration, and per-commitment
 * overrides. Pure. Every value is bounded here: each duration at most 10 years
 * (see duration.ts), at most 20 `before` steps, at most 52 overdue follow-ups.
 */
import { z } from 'zod';
import { isoDurationSchema } from './duration.js';

export const ReminderPolicySchema = z.strictObject({
  before: z.array(isoDurationSchema).max(20),
  onDue: z.boolean(),
  overdue: z.strictObject({ every: isoDurationSchema, max: z.number().int().min(0).max(52) }),
  escalateAfter: isoDurationSchema.nullable(),
  sendAt: z
    .string()
    .max(5, { message: 'expected HH:MM', abort: true })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
    .nullable(),
  quietDays: z.array(z.number().int().min(0).max(6)).max(6),
});
export type ReminderPolicy = z.infer<typeof ReminderPolicySchema>;

/** Build the default policy from parsed configuration values. */
export function defaultPolicy(cfg: {
  REMINDER_BEFORE: string[];
  REMINDER_ON_DUE: boolean;
  REMINDER_OVERDUE_EVERY: string;
  REMINDER_OVERDUE_MAX: number;
  REMINDER_ESCALATE_AFTER: string;
  REMINDER_SEND_AT: string;
  REMINDER_QUIET_DAYS: number[];
}): ReminderPolicy {
  return {
    before: cfg.REMINDER_BEFORE,
    onDue: cfg.REMINDER_ON_DUE,
    overdue: { every: cfg.REMINDER_OVERDUE_EVERY, max: cfg.REMINDER_OVERDUE_MAX },
    escalateAfter: cfg.REMINDER_ESCALATE_AFTER,
    sendAt: cfg.REMINDER_SEND_AT === 'exact' ? null : cfg.REMINDER_SEND_AT,
    quietDays: cfg.REMINDER_QUIET_DAYS,
  };
}
