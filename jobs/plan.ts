/**
 * The planner fed from configuration: one place that turns (commitment,
 * parties, now) into the plan, so the reconcile job, the fire-time guard and
 * the API all see the same sends.
 */
import type { Config } from '../config/env.js';
import type { Commitment } from '../src/domain/commitment.js';
import { durationToMs, parseIsoDuration } from '../src/domain/duration.js';
import type { Party } from '../src/domain/party.js';
import { effectivePolicy, planReminders, planStatusCheck, type PlannedSend } from '../src/domain/planner.js';
import { defaultPolicy } from '../src/domain/reminder-policy.js';
import type { HolidayLookup } from '../src/domain/holidays.js';
import { publicHolidays } from '../src/domain/public-holidays.js';

/**
 * The public holidays every planner of this process reads: one lookup (and one bounded memo)
 * per process, made on first use, so a process that never plans never loads the holiday data.
 */
let processHolidays: HolidayLookup | null = null;
function sharedHolidays(): HolidayLookup {
  processHolidays ??= publicHolidays();
  return processHolidays;
}

export type PlanConfig = Pick<
  Config,
  | 'REMINDER_BEFORE'
  | 'REMINDER_ON_DUE'
  | 'REMINDER_OVERDUE_EVERY'
  | 'REMINDER_OVERDUE_MAX'
  | 'REMINDER_ESCALATE_AFTER'
  | 'REMINDER_SEND_AT'
  | 'REMINDER_QUIET_DAYS'
  | 'CATCH_UP_WINDOW'
  | 'DIGEST_STEERING_GROUP'
>;

export interface Planner {
  plan(c: Commitment, parties: ReadonlyMap<string, Party>, now: Date): PlannedSend[];
  statusCheck(c: Commitment): ReturnType<typeof planStatusCheck>;
}

/**
 * Bind the planner to the configured default policy, catch-up window and steering group, and to
 * the public holidays of each party's country (quiet days, like the weekend; a moved send says
 * why). `holidays` replaces the process's date-holidays lookup (tests, benchmarks).
 */
export function createPlanner(config: PlanConfig, opts: { holidays?: HolidayLookup } = {}): Planner {
  const fallback = defaultPolicy(config);
  const catchUpWindowMs = durationToMs(parseIsoDuration(config.CATCH_UP_WINDOW) ?? { hours: 12 });
  const holidays = opts.holidays ?? sharedHolidays();
  return {
    plan: (commitment, parties, now) =>
      planReminders({ commitment, policy: effectivePolicy(commitment, fallback), parties, now, catchUpWindowMs, steeringGroup: config.DIGEST_STEERING_GROUP, holidays }),
    statusCheck: planStatusCheck,
  };
}

/** Everyone a send goes to, each once (lower-cased), with whether they are copied. */
export function recipientsOf(send: Pick<PlannedSend, 'to' | 'cc'>): Array<{ address: string; copied: boolean }> {
  const seen = new Set<string>();
  const out: Array<{ address: string; copied: boolean }> = [];
  for (const [list, copied] of [[send.to, false], [send.cc, true]] as const) {
    for (const a of list) {
      const key = a.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ address: key, copied });
    }
  }
  return out;
}
