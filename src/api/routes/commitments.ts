/** /v1/commitments: list, create, read, patch, complete, reopen, cancel, history. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { assertVisible } from '../../domain/auth.js';
import {
  CancelInputSchema,
  CommitmentInputSchema,
  CommitmentPatchSchema,
  CompleteInputSchema,
  ReopenInputSchema,
  toView,
  type Commitment,
} from '../../domain/commitment.js';
import { StatusSchema } from '../../domain/status.js';
import type { AppDeps } from '../deps.js';
import { reportCommitmentError, viewEach } from '../../app/isolate.js';
import { etag, ifMatchVersion, parse, principalOf, requireRole, requireWriter } from '../middleware.js';
import { createCommitmentViews } from '../commitment-views.js';
import { sendJson } from '../respond.js';
import { AppError } from '../../domain/errors.js';

/** True when the YYYY-MM-DD at the start of `s` is a day of the calendar (Date.parse rolls 2009-02-30 over to March 2). */
const realDay = (s: string): boolean => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

// Only ISO forms: Date.parse alone accepts "1" or "March 7" and reads them in the server's zone.
const instantOrDate = z
  .string()
  .max(40)
  .refine((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) || z.iso.datetime({ offset: true }).safeParse(s).success) && !Number.isNaN(Date.parse(s)) && realDay(s), {
    message: 'expected an ISO 8601 date (YYYY-MM-DD, read as UTC midnight) or instant',
  })
  .transform((s) => Date.parse(s));

export const ListQuerySchema = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(StatusSchema))
    .optional(),
  party: z.string().regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'expected a party id such as LKA').optional(),
  meeting: z.string().optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  dueBefore: instantOrDate.optional(),
  dueAfter: instantOrDate.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

const ID = /^[a-z0-9-]{1,80}$/;
const IdParams = z.object({ id: z.string().regex(ID, 'expected a commitment id (a slug)') });

export function commitmentsRouter(deps: AppDeps): Router {
  const { commitments, clock } = deps;
  const router = Router();

  const use = deps.services.commitments;
  const send = (res: Response, c: Commitment, status = 200) => {
    res.status(status).set('ETag', etag(c.version)).json(toView(c, clock.now()));
  };
  /** The acting token, and the version its If-Match names. */
  const actorOf = (req: Request) => {
    const p = principalOf(req);
    const ifMatch = ifMatchVersion(req);
    return { actor: { name: p.name, principal: p }, opts: ifMatch === undefined ? {} : { ifMatch } };
  };
  const idOf = (req: Request) => parse(IdParams, req.params, 'params').id;
  const views = createCommitmentViews();

  // The most frequent request, so its route is matched first: the stored JSON, and its view from
  // the cache when unchanged (src/api/commitment-views.ts).
  router.get('/:id', async (req, res) => {
    const given = req.params['id'];
    const id = typeof given === 'string' && ID.test(given) ? given : parse(IdParams, req.params, 'params').id;
    const stored = await commitments.getJson(id);
    if (stored === null) throw new AppError('not_found', `No commitment has the id ${id}.`);
    const { commitment, body } = views.view(id, stored, clock.now());
    assertVisible(principalOf(req), commitment);
    sendJson(req, res, body, { etag: etag(commitment.version) });
  });

  router.get('/', async (req, res) => {
    const q = parse(ListQuerySchema, req.query, 'query');
    const p = principalOf(req);
    const page = await commitments.listJson(
      {
        ...(q.status ? { status: q.status } : {}),
        ...(q.party ? { parties: [q.party] } : {}),
        // An editor's list shows only its parties' commitments; party= narrows within them.
        ...(p.role === 'editor' ? { scope: [...(p.parties ?? [])] } : {}),
        ...(q.meeting ? { meetingId: q.meeting } : {}),
        ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
        ...(q.dueBefore !== undefined ? { dueBefore: q.dueBefore } : {}),
        ...(q.dueAfter !== undefined ? { dueAfter: q.dueAfter } : {}),
      },
      { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) },
      clock.now(),
    );
    const now = clock.now();
    // Each item's view comes from the cache while its stored JSON is unchanged (src/api/commitment-views.ts),
    // so the page is those strings joined: what JSON.stringify({ items, nextCursor }) would give.
    // A commitment that cannot be viewed is left out of the page and reported (src/app/isolate.ts).
    const items = viewEach(page.items, (r) => views.view(r.id, r.json, now).body, (id, err) => reportCommitmentError(deps, 'view', id, err));
    sendJson(req, res, `{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`);
  });

  router.post('/', requireRole('admin'), async (req, res) => {
    const input = parse(CommitmentInputSchema, req.body);
    const c = await use.create(input, actorOf(req).actor);
    res.location(`/v1/commitments/${c.id}`);
    send(res, c, 201);
  });

  router.get('/:id/history', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const c = await commitments.mustGet(id);
    assertVisible(principalOf(req), c);
    res.json({ items: await commitments.history(id) });
  });

  router.patch('/:id', requireWriter, async (req, res) => {
    const patch = parse(CommitmentPatchSchema, req.body);
    const { actor, opts } = actorOf(req);
    send(res, await use.patch(idOf(req), patch, actor, opts));
  });

  router.post('/:id/complete', requireWriter, async (req, res) => {
    const input = parse(CompleteInputSchema, req.body ?? {});
    const { actor, opts } = actorOf(req);
    send(res, await use.complete(idOf(req), input, actor, opts));
  });

  router.post('/:id/reopen', requireWriter, async (req, res) => {
    const input = parse(ReopenInputSchema, req.body ?? {});
    const { actor, opts } = actorOf(req);
    send(res, await use.reopen(idOf(req), input.reason, actor, opts));
  });

  router.post('/:id/cancel', requireWriter, async (req, res) => {
    const input = parse(CancelInputSchema, req.body);
    const { actor, opts } = actorOf(req);
    send(res, await use.cancel(idOf(req), input.reason, actor, opts));
  });

  return router;
}
