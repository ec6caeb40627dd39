/**
 * When will the next reminder mail go out? The planner's answer over the
 * stored commitments, overlaid with the ledger (a send already delivered is
 * not next), so a first start can say when its first mail will appear: quiet
 * days and the send hour often put it days ahead.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { recipientsOf, type Planner } from '../../jobs/plan.js';
import type { Clock } from '../domain/clock.js';
import type { PlannedSend } from '../domain/planner.js';
import { isClosed } from '../domain/status.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { SendLedger } from '../store/ledger-store.js';
import type { PartyStore } from '../store/party-store.js';

export interface NextMail {
  /** UTC ISO instant of the send. */
  at: string;
  timeZone: string;
  partyId: string;
  commitmentId: string;
  title: string;
  stepKey: string;
  /** The API route that shows the commitment's whole reminder plan. */
  planRoute: string;
}

export type NextMailAnswer =
  | { kind: 'next'; next: NextMail; commitments: number }
  | { kind: 'none'; commitments: number }
  /** More commitments than a start-up log line should plan (see `maxCommitments`). */
  | { kind: 'too-many'; commitments: number };

export interface NextMailDeps {
  commitments: Pick<CommitmentStore, 'allIds' | 'getMany'>;
  parties: Pick<PartyStore, 'list'>;
  planner: Planner;
  ledger: Pick<SendLedger, 'getMany'>;
  clock: Clock;
}

/**
 * The earliest planned send that still has a recipient without an outcome
 * (the reconcile's rule for which sends need a job). Plans every stored open
 * commitment, up to `maxCommitments` (1,000 by default: planning costs about
 * 0.3-0.9 ms a commitment, and a large store should not slow the start), and
 * reads the ledger only for the earliest sends.
 */
export async function findNextMail(deps: NextMailDeps, opts: { maxCommitments?: number } = {}): Promise<NextMailAnswer> {
  const ids = await deps.commitments.allIds();
  if (ids.length > (opts.maxCommitments ?? 1000)) return { kind: 'too-many', commitments: ids.length };
  const nowDate = deps.clock.now();
  const now = nowDate.getTime();
  const parties = new Map((await deps.parties.list()).map((p) => [p.id, p] as const));
  const titles = new Map<string, string>();
  const planned: Array<{ s: PlannedSend; at: number }> = [];
  for (let i = 0; i < ids.length; i += 500) {
    for (const c of await deps.commitments.getMany(ids.slice(i, i + 500))) {
      if (isClosed(c.status)) continue;
      titles.set(c.id, c.title);
      // A missed notice caught up "now" may carry an instant just behind the clock: it is next, now.
      for (const s of deps.planner.plan(c, parties, nowDate)) if (s.state === 'planned') planned.push({ s, at: Math.max(Date.parse(s.at), now) });
    }
  }
  planned.sort((a, b) => a.at - b.at);
  for (let i = 0; i < planned.length; i += 50) {
    const batch = planned.slice(i, i + 50);
    const entries = await deps.ledger.getMany(batch.map((p) => p.s.id));
    const open = batch.find((p, j) => recipientsOf(p.s).some((r) => !entries[j]![r.address] || entries[j]![r.address]!.state === 'skipped'));
    if (!open) continue;
    const { s } = open;
    const next = { at: new Date(open.at).toISOString(), timeZone: s.timeZone, partyId: s.partyId, commitmentId: s.commitmentId, title: titles.get(s.commitmentId) ?? s.commitmentId, stepKey: s.stepKey, planRoute: `/v1/commitments/${s.commitmentId}/reminders` };
    return { kind: 'next', next, commitments: ids.length };
  }
  return { kind: 'none', commitments: ids.length };
}

/** A step as people say it: "overdue notice", "reminder 7 days before the deadline". */
export function stepLabel(stepKey: string): string {
  if (stepKey === 'due') return 'reminder on the day of the deadline';
  if (stepKey === 'escalation') return 'escalation';
  if (stepKey.startsWith('overdue')) return 'overdue notice';
  const before = /^before-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(stepKey);
  if (before) {
    const parts = [[before[1], 'week'], [before[2], 'day'], [before[3], 'hour'], [before[4], 'minute']]
      .filter(([n]) => n !== undefined && n !== '0')
      .map(([n, unit]) => `${n} ${unit}${n === '1' ? '' : 's'}`);
    if (parts.length) return `reminder ${parts.join(' ')} before the deadline`;
  }
  return `${stepKey} reminder`;
}

/**
 * The start-up log line, e.g. "next reminder: Monday 4 January 2010, 09:00
 * Asia/Jakarta, overdue notice for 'Workshop on information campaigns'".
 * The time is the recipient party's local time, in its zone.
 */
export function describeNextMail(answer: NextMailAnswer): string {
  if (answer.kind === 'too-many') return `next reminder: not computed at start for ${answer.commitments} commitments; each commitment's plan is at GET /v1/commitments/{id}/reminders`;
  if (answer.kind === 'none') return answer.commitments === 0 ? 'next reminder: none, no commitment is stored' : 'next reminder: none planned (every commitment is closed, has no deadline, or its reminders are done)';
  const n = answer.next;
  const local = format(new TZDate(n.at, n.timeZone), "EEEE d MMMM yyyy, HH:mm");
  return `next reminder: ${local} ${n.timeZone}, ${stepLabel(n.stepKey)} for '${n.title}' (to ${n.partyId}; plan at GET ${n.planRoute})`;
}
