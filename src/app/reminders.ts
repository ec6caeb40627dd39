/**
 * Reminders as people ask about them: a commitment's plan overlaid with what
 * the ledger says happened to each send, the ledger's failed and sent
 * deliveries, and an admin's retry of a failed send.
 */
import { recipientsOf, type Planner } from '../../jobs/plan.js';
import { inScope, type Principal } from '../domain/auth.js';
import type { Clock } from '../domain/clock.js';
import { partiesOf, type Commitment } from '../domain/commitment.js';
import { AppError } from '../domain/errors.js';
import type { Party } from '../domain/party.js';
import type { PlannedSend } from '../domain/planner.js';
import { isClosed } from '../domain/status.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { LedgerEntry, LedgerRow, SendLedger } from '../store/ledger-store.js';
import type { PartyStore } from '../store/party-store.js';
import type { Scheduler } from './ports.js';

type State = 'planned' | 'sent' | 'skipped' | 'failed';

/** One send's view: the plan's instant and recipients, each recipient's ledger outcome, and an overall state. */
export function sendView(s: PlannedSend, entries: Record<string, LedgerEntry>, closedAs: string | null) {
  const recipients = recipientsOf(s).map(({ address, copied }) => {
    const e = entries[address];
    const fallback: State = closedAs || s.state === 'skipped' ? 'skipped' : 'planned';
    return {
      address,
      copied,
      state: (e?.state ?? fallback) as State,
      ...(e ? { at: e.at } : {}),
      ...(e?.messageId ? { messageId: e.messageId } : {}),
      ...(e?.error ? { error: e.error } : {}),
      ...(e?.responseCode ? { responseCode: e.responseCode } : {}),
    };
  });
  const has = (st: State) => recipients.some((r) => r.state === st);
  const state: State = has('failed') ? 'failed' : has('planned') ? 'planned' : has('sent') ? 'sent' : 'skipped';
  const skipReason = state === 'skipped' ? (closedAs ? `commitment ${closedAs}` : (s.skipReason ?? Object.values(entries)[0]?.error)) : undefined;
  return {
    id: s.id,
    step: s.step,
    stepKey: s.stepKey,
    at: s.at,
    ...(s.nominalAt ? { nominalAt: s.nominalAt } : {}),
    // Why the send is not at its nominal local time: a weekend, a public holiday or a closed day of the party.
    ...(s.moved ? { moved: s.moved } : {}),
    // Why the send is not at its nominal local time: a weekend, a public holiday or a closed day of the party.
    ...(s.moved ? { moved: s.moved } : {}),
    partyId: s.partyId,
    timeZone: s.timeZone,
    state,
    ...(skipReason ? { skipReason } : {}),
    recipients,
  };
}

/** One ledger row as the API shows it. */
export function deliveryView(r: LedgerRow) {
  const m = r.meta ?? {};
  return {
    sendId: r.sendId,
    recipient: r.recipient,
    state: r.state,
    at: r.at,
    commitmentId: typeof m.commitmentId === 'string' ? m.commitmentId : null,
    step: typeof m.step === 'string' ? m.step : null,
    dueVersion: typeof m.dueVersion === 'number' ? m.dueVersion : null,
    plannedAt: typeof m.plannedAt === 'string' ? m.plannedAt : null,
    ...(r.messageId ? { messageId: r.messageId } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.responseCode ? { responseCode: r.responseCode } : {}),
  };
}
export type DeliveryView = ReturnType<typeof deliveryView>;

export interface ReminderServiceDeps {
  commitments: CommitmentStore;
  parties: PartyStore;
  ledger: SendLedger;
  planner: Planner;
  scheduler: Scheduler;
  clock: Clock;
}

/** The most failed deliveries one bulk retry reads. */
export const RETRY_MANY_MAX = 10_000;

export function createReminderService(deps: ReminderServiceDeps) {
  const { commitments, ledger, planner, clock } = deps;
  const partyMap = async (): Promise<ReadonlyMap<string, Party>> => new Map((await deps.parties.list()).map((p) => [p.id, p] as const));

  return {
    /** Every planned send of a commitment with its state; a closed one shows what its plan was, unsent sends skipped. */
    async planOf(c: Commitment) {
      const closedAs = isClosed(c.status) ? c.status : null;
      const asPlanned: Commitment = closedAs ? { ...c, status: 'open' } : c;
      const plan = planner.plan(asPlanned, await partyMap(), clock.now());
      const entries = await ledger.getMany(plan.map((s) => s.id));
      const check = planner.statusCheck(asPlanned);
      return {
        commitmentId: c.id,
        dueVersion: c.dueVersion,
        status: c.status,
        statusCheck: check && !closedAs ? { id: check.id, at: check.at } : null,
        items: plan.map((s, i) => sendView(s, entries[i]!, closedAs)),
      };
    },

    /**
     * Failed or sent deliveries, newest first, limited to what the principal may
     * see, one page at a time. Each query reads an index that answers it: the
     * ledger's index of the state; for one commitment, its own indexes (if in
     * scope); for an editor, the per-party indexes of its parties, which hold the
     * rows of the commitments each party leads or belongs to now (kept by the
     * ledger's writes and by every change of a commitment's parties). So every
     * page is complete and costs what it shows, whatever the ledger holds besides.
     */
    async deliveries(q: { state: 'failed' | 'sent'; commitment?: string; limit: number; cursor?: string }, p: Principal): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
      const cursor = q.cursor !== undefined ? { cursor: q.cursor } : {};
      let page: Awaited<ReturnType<SendLedger['page']>>;
      if (q.commitment !== undefined) {
        const [c] = await commitments.getMany([q.commitment]);
        // An editor sees nothing of a commitment out of scope; a deleted one keeps its ledger rows.
        const scope = p.role === 'editor' && (!c || !inScope(p, partiesOf(c))) ? [] : [q.commitment];
        page = await ledger.page({ state: q.state, limit: q.limit, commitments: scope, ...cursor });
      } else if (p.role === 'editor') {
        page = await ledger.page({ state: q.state, limit: q.limit, parties: p.parties ?? [], ...cursor });
      } else {
        page = await ledger.page({ state: q.state, limit: q.limit, ...cursor });
      }
      return { items: page.rows.map(deliveryView), nextCursor: page.nextCursor };
    },

    retry,

    /**
     * An admin's bulk retry: every failed send (of one commitment, failed at or after `since`)
     * re-enqueued now, each as `retry` does; sends whose commitment has closed or whose deadline
     * moved are left as they are. Reads at most RETRY_MANY_MAX failed deliveries, newest first.
     * Returns how many sends were enqueued.
     */
    async retryMany(q: { state: 'failed'; commitmentId?: string; since?: Date }): Promise<{ count: number }> {
      const rows = await ledger.failed({ ...(q.since ? { from: q.since } : {}), limit: RETRY_MANY_MAX });
      const sendIds = [...new Set(rows.filter((r) => q.commitmentId === undefined || r.meta?.commitmentId === q.commitmentId).map((r) => r.sendId))];
      let count = 0;
      for (const sendId of sendIds) {
        try {
          await retry(sendId);
          count++;
        } catch (err) {
          // Closed, deadline moved, already retried and sent, or gone: nothing to send for this one.
          if (err instanceof AppError && (err.code === 'conflict' || err.code === 'not_found')) continue;
          throw err;
        }
      }
      return { count };
    },
  };

  /** An admin's retry of one failed send: re-enqueued now; the fire-time guard and the ledger still apply. */
  async function retry(sendId: string) {
    const entries = await ledger.getAll(sendId);
    if (Object.keys(entries).length === 0) throw new AppError('not_found', `No delivery has the send id ${sendId}.`);
    const failed = Object.entries(entries).filter(([, e]) => e.state === 'failed');
    if (failed.length === 0) throw new AppError('conflict', `The send ${sendId} has no failed delivery to retry.`, [{ path: 'sendId', message: 'nothing failed' }]);
    const { commitmentId, dueVersion, partyId } = failed[0]![1].meta ?? {};
    if (typeof commitmentId !== 'string' || typeof dueVersion !== 'number' || typeof partyId !== 'string') throw new AppError('conflict', `The send ${sendId} does not say which commitment it belongs to.`);
    const c = await commitments.mustGet(commitmentId);
    if (isClosed(c.status)) throw new AppError('conflict', `The commitment ${c.id} is ${c.status}; its reminders are not sent any more.`, [{ path: 'sendId', message: `commitment ${c.status}` }]);
    if (c.dueVersion !== dueVersion) throw new AppError('conflict', `The deadline of ${c.id} has changed since this send; it would not be sent.`, [{ path: 'sendId', message: 'deadline changed' }]);
    await deps.scheduler.retryReminder(sendId, { c: commitmentId, v: dueVersion, p: partyId });
    return { sendId, commitmentId, state: 'queued' as const, recipients: failed.map(([r]) => r) };
  }
}
export type ReminderService = ReturnType<typeof createReminderService>;
