/**
 * Reminders in the API:
 *   GET  /v1/commitments/:id/reminders   every planned send with its state (plan overlaid with the ledger)
 *   GET  /v1/reminders?state=failed|sent&commitment=&limit=
 *   POST /v1/reminders/:sendId/retry     admin: re-enqueue a failed delivery
 */
import { Router } from 'express';
import { z } from 'zod';
import { createPlanner, recipientsOf } from '../../../jobs/plan.js';
import { enqueueReminderRetry } from '../../../jobs/reminder-jobs.js';
import { inScope } from '../../domain/auth.js';
import { partiesOf, type Commitment } from '../../domain/commitment.js';
import { AppError } from '../../domain/errors.js';
import type { PlannedSend } from '../../domain/planner.js';
import { isClosed } from '../../domain/status.js';
import { createSendLedger, type LedgerEntry, type LedgerRow } from '../../mail/ledger.js';
import type { AppDeps } from '../deps.js';
import { assertVisible, parse, principalOf, requireRole } from '../middleware.js';

const IdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)') });
const SendParams = z.object({ sendId: z.string().regex(/^[A-Za-z0-9-]{1,240}$/, 'expected a send id from GET /v1/reminders') });
export const ListQuery = z.strictObject({
  state: z.enum(['failed', 'sent']).default('failed'),
  commitment: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

type State = 'planned' | 'sent' | 'skipped' | 'failed';

/** One send's view: the plan's instant and recipients, each recipient's ledger outcome, and an overall state. */
function sendView(s: PlannedSend, entries: Record<string, LedgerEntry>, closedAs: string | null) {
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
    partyId: s.partyId,
    timeZone: s.timeZone,
    state,
    ...(skipReason ? { skipReason } : {}),
    recipients,
  };
}

function rowView(r: LedgerRow) {
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

export function remindersRouter(deps: AppDeps): Router {
  const { commitments, parties, clock } = deps;
  const planner = createPlanner(deps.config);
  const ledger = createSendLedger(deps.redis, deps.keys, 'reminder');
  const router = Router();

  const partyMap = async () => new Map((await parties.list()).map((p) => [p.id, p] as const));

  router.get('/commitments/:id/reminders', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const c = await commitments.mustGet(id);
    assertVisible(principalOf(req), c);
    const now = clock.now();
    // A closed commitment has no plan; show what its plan was, with the unsent sends skipped.
    const closedAs = isClosed(c.status) ? c.status : null;
    const asPlanned: Commitment = closedAs ? { ...c, status: 'open' } : c;
    const plan = planner.plan(asPlanned, await partyMap(), now);
    const entries = await ledger.getMany(plan.map((s) => s.id));
    const check = planner.statusCheck(asPlanned);
    res.json({
      commitmentId: c.id,
      dueVersion: c.dueVersion,
      status: c.status,
      statusCheck: check && !closedAs ? { id: check.id, at: check.at } : null,
      items: plan.map((s, i) => sendView(s, entries[i]!, closedAs)),
    });
  });

  router.get('/reminders', async (req, res) => {
    const q = parse(ListQuery, req.query, 'query');
    const p = principalOf(req);
    // Filtering happens after the index read, so read generously when filtering.
    const filtering = q.commitment !== undefined || p.role === 'editor';
    const fetch = filtering ? 5000 : q.limit;
    const rows = q.state === 'failed' ? await ledger.failed({ limit: fetch }) : await ledger.sent({ limit: fetch });
    let items = rows.map(rowView);
    if (q.commitment) items = items.filter((r) => r.commitmentId === q.commitment);
    if (p.role === 'editor') {
      const ids = [...new Set(items.map((r) => r.commitmentId).filter((x): x is string => x !== null))];
      const visible = new Set((await commitments.getMany(ids)).filter((c) => inScope(p, partiesOf(c))).map((c) => c.id));
      items = items.filter((r) => r.commitmentId !== null && visible.has(r.commitmentId));
    }
    res.json({ items: items.slice(0, q.limit) });
  });

  router.post('/reminders/:sendId/retry', requireRole('admin'), async (req, res) => {
    const { sendId } = parse(SendParams, req.params, 'params');
    const entries = await ledger.getAll(sendId);
    if (Object.keys(entries).length === 0) throw new AppError('not_found', `No delivery has the send id ${sendId}.`);
    const failed = Object.entries(entries).filter(([, e]) => e.state === 'failed');
    if (failed.length === 0) throw new AppError('conflict', `The send ${sendId} has no failed delivery to retry.`, [{ path: 'sendId', message: 'nothing failed' }]);
    const meta = failed[0]![1].meta ?? {};
    const commitmentId = meta.commitmentId;
    const dueVersion = meta.dueVersion;
    const partyId = meta.partyId;
    if (typeof commitmentId !== 'string' || typeof dueVersion !== 'number' || typeof partyId !== 'string') throw new AppError('conflict', `The send ${sendId} does not say which commitment it belongs to.`);
    const c = await commitments.mustGet(commitmentId);
    if (isClosed(c.status)) throw new AppError('conflict', `The commitment ${c.id} is ${c.status}; its reminders are not sent any more.`, [{ path: 'sendId', message: `commitment ${c.status}` }]);
    if (c.dueVersion !== dueVersion) throw new AppError('conflict', `The deadline of ${c.id} has changed since this send; it would not be sent.`, [{ path: 'sendId', message: 'deadline changed' }]);
    if (!deps.reminderQueue) throw new AppError('unavailable', 'This process has no reminders queue to retry with.');
    await enqueueReminderRetry(deps.reminderQueue, sendId, { c: commitmentId, v: dueVersion, p: partyId });
    res.status(202).json({ sendId, commitmentId, state: 'queued', recipients: failed.map(([r]) => r) });
  });

  return router;
}
