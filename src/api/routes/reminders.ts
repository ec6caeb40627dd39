/**
 * Reminders in the API:
 *   GET  /v1/commitments/:id/reminders   every planned send with its state (plan overlaid with the ledger)
 *   GET  /v1/reminders?state=failed|sent&commitment=&limit=&cursor=   → { items, nextCursor }
 *   POST /v1/reminders/:sendId/retry     admin: re-enqueue a failed delivery
 *   POST /v1/reminders/retry             admin: re-enqueue every failed delivery matching a filter
 */
import { Router } from 'express';
import { z } from 'zod';
import { assertVisible } from '../../domain/auth.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireRole } from '../middleware.js';

const IdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)') });
const SendParams = z.object({ sendId: z.string().regex(/^[A-Za-z0-9-]{1,240}$/, 'expected a send id from GET /v1/reminders') });
export const ListQuery = z.strictObject({
  state: z.enum(['failed', 'sent']).default('failed'),
  commitment: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,1000}$/, 'expected a cursor from nextCursor').optional(),
});

/** POST /v1/reminders/retry: which failed sends to retry at once. */
export const BulkRetrySchema = z.strictObject({
  state: z.literal('failed'),
  commitmentId: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)').optional(),
  since: z.iso.datetime({ message: 'expected a UTC instant such as 2009-11-01T00:00:00Z' }).optional(),
});

export function remindersRouter(deps: AppDeps): Router {
  const reminders = deps.services.reminders;
  const router = Router();

  router.get('/commitments/:id/reminders', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const c = await deps.commitments.mustGet(id);
    assertVisible(principalOf(req), c);
    res.json(await reminders.planOf(c));
  });

  router.get('/reminders', async (req, res) => {
    const q = parse(ListQuery, req.query, 'query');
    const page = await reminders.deliveries({ state: q.state, limit: q.limit, ...(q.commitment ? { commitment: q.commitment } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) }, principalOf(req));
    res.json({ items: page.items, nextCursor: page.nextCursor });
  });

  router.post('/reminders/retry', requireRole('admin'), async (req, res) => {
    const q = parse(BulkRetrySchema, req.body);
    res.status(202).json(await reminders.retryMany({ state: q.state, ...(q.commitmentId ? { commitmentId: q.commitmentId } : {}), ...(q.since ? { since: new Date(q.since) } : {}) }));
  });

  router.post('/reminders/:sendId/retry', requireRole('admin'), async (req, res) => {
    const { sendId } = parse(SendParams, req.params, 'params');
    res.status(202).json(await reminders.retry(sendId));
  });

  return router;
}
