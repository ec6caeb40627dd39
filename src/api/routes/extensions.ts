/**
 * Requests for more time in the API (src/app/extensions.ts):
 *   GET  /v1/extension-requests?state=pending|approved|declined|expired
 *   GET  /v1/commitments/:id/extension-requests
 *   POST /v1/commitments/:id/extension-requests   { newDate, reason }: admin, or an editor whose party leads it
 *   POST /v1/extension-requests/:id/approve       admin ({ note } optional)
 *   POST /v1/extension-requests/:id/decline       admin ({ note } optional)
 */
import { Router } from 'express';
import { z } from 'zod';
import { assertVisible } from '../../domain/auth.js';
import { AppError } from '../../domain/errors.js';
import { DecisionInputSchema, ExtensionInputSchema } from '../../app/extensions.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireRole, requireWriter } from '../middleware.js';

const IdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)') });
const RequestParams = z.object({ id: z.string().regex(/^ext-[0-9a-f]{12}$/, 'expected a request id such as ext-0123456789ab') });
export const ExtensionListQuery = z.strictObject({ state: z.enum(['pending', 'approved', 'declined', 'expired']).default('pending') });

export function extensionsRouter(deps: AppDeps): Router {
  const ext = deps.services.extensions;
  const router = Router();

  router.get('/extension-requests', async (req, res) => {
    const q = parse(ExtensionListQuery, req.query, 'query');
    const p = principalOf(req);
    const items = await ext.list(q.state);
    // An editor sees the requests of what its parties are in.
    const visible = [];
    for (const r of items) {
      const c = await deps.commitments.get(r.commitmentId);
      if (!c) continue;
      try {
        assertVisible(p, c);
        visible.push(r);
      } catch {
        /* not this token's */
      }
    }
    res.json({ items: visible });
  });

  router.get('/commitments/:id/extension-requests', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const c = await deps.commitments.mustGet(id);
    assertVisible(principalOf(req), c);
    res.json({ items: await ext.of(id) });
  });

  router.post('/commitments/:id/extension-requests', requireWriter, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const input = parse(ExtensionInputSchema, req.body);
    const p = principalOf(req);
    const c = await deps.commitments.mustGet(id);
    assertVisible(p, c);
    if (p.role === 'editor' && !c.leads.some((l) => p.parties?.includes(l))) {
      throw new AppError('forbidden', `The token ${p.name} may ask for more time only on what its party leads.`);
    }
    const created = await ext.request(id, input, p.name);
    res.status(201).location(`/v1/extension-requests/${created.id}`).json(created);
  });

  router.post('/extension-requests/:id/approve', requireRole('admin'), async (req, res) => {
    const { id } = parse(RequestParams, req.params, 'params');
    const input = parse(DecisionInputSchema, req.body ?? {});
    res.json(await ext.approve(id, { name: principalOf(req).name }, input.note || undefined));
  });

  router.post('/extension-requests/:id/decline', requireRole('admin'), async (req, res) => {
    const { id } = parse(RequestParams, req.params, 'params');
    const input = parse(DecisionInputSchema, req.body ?? {});
    res.json(await ext.decline(id, { name: principalOf(req).name }, input.note || undefined));
  });

  return router;
}
