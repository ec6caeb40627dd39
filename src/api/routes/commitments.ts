/** /v1/commitments: list, create, read, patch, complete, reopen, cancel, history. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { inScope, type Principal } from '../../domain/auth.js';
import {
  CancelInputSchema,
  CommitmentInputSchema,
  CommitmentPatchSchema,
  CompleteInputSchema,
  ReopenInputSchema,
  cancelCommitment,
  completeCommitment,
  createCommitment,
  partiesOf,
  patchCommitment,
  reopenCommitment,
  toView,
  type Change,
  type Commitment,
} from '../../domain/commitment.js';
import { AppError } from '../../domain/errors.js';
import { StatusSchema } from '../../domain/status.js';
import type { AppDeps } from '../deps.js';
import { assertVisible, etag, ifMatchVersion, parse, principalOf, requireRole, requireWriter } from '../middleware.js';

// Only ISO forms: Date.parse alone accepts "1" or "March 7" and reads them in the server's zone.
const instantOrDate = z
  .string()
  .refine((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) || z.iso.datetime({ offset: true }).safeParse(s).success) && !Number.isNaN(Date.parse(s)), {
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

const IdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a commitment id (a slug)') });

/** 403 when a change would leave the commitment outside the principal's parties (an editor patching its own party out). */
function assertStaysInScope(p: Principal, c: Pick<Commitment, 'leads' | 'members'>): void {
  if (!inScope(p, partiesOf(c))) throw new AppError('forbidden', `The token ${p.name} may not take its own parties out of this commitment.`);
}

export function commitmentsRouter(deps: AppDeps): Router {
  const { commitments, parties, meetings, clock } = deps;
  const router = Router();

  const send = (res: Response, c: Commitment, status = 200) => {
    res.status(status).set('ETag', etag(c.version)).json(toView(c, clock.now()));
  };

  /** After a committed change: reschedule. A failure here is repaired by the full reconcile. */
  const changed = async (req: Request, change: Change) => {
    if (change.events.length === 0 || !deps.onChange) return;
    try {
      await deps.onChange.commitmentChanged(change.commitment.id);
    } catch (err) {
      (req.log ?? deps.logger).warn({ err, commitmentId: change.commitment.id }, 'reschedule deferred to the full reconcile');
    }
  };

  async function assertPartiesExist(ids: readonly string[], field: string) {
    const known = new Set(await parties.ids());
    const errors = ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
    if (errors.length) throw new AppError('validation', 'Unknown parties.', errors.map(({ id, i }) => ({ path: `${field}.${i}`, message: `unknown party ${id}` })));
  }

  /** The shared path of every state change: scope, If-Match, pure rule, atomic write, reschedule. */
  async function mutate(req: Request, res: Response, rule: (c: Commitment, who: string, now: Date) => Change) {
    const { id } = parse(IdParams, req.params, 'params');
    const p = principalOf(req);
    const ifMatch = ifMatchVersion(req);
    const change = await commitments.mutate(
      id,
      (current) => {
        const result = rule(current, p.name, clock.now());
        assertStaysInScope(p, result.commitment);
        return result;
      },
      { visible: (current) => assertVisible(p, current), ...(ifMatch === undefined ? {} : { ifMatch }) },
    );
    await changed(req, change);
    send(res, change.commitment);
  }

  router.get('/', async (req, res) => {
    const q = parse(ListQuerySchema, req.query, 'query');
    const p = principalOf(req);
    const page = await commitments.list(
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
    res.json({ items: page.items.map((c) => toView(c, now)), nextCursor: page.nextCursor });
  });

  router.post('/', requireRole('admin'), async (req, res) => {
    const input = parse(CommitmentInputSchema, req.body);
    await meetings.mustGet(input.meetingId).catch(() => {
      throw new AppError('validation', `No meeting has the id ${input.meetingId}.`, [{ path: 'meetingId', message: 'unknown meeting' }]);
    });
    await assertPartiesExist(input.leads, 'leads');
    await assertPartiesExist(input.members, 'members');
    const change = createCommitment(input, principalOf(req).name, clock.now());
    if (!(await commitments.create(change))) {
      throw new AppError('conflict', `A commitment with the id ${change.commitment.id} already exists.`, [{ path: 'id', message: 'already taken' }]);
    }
    await changed(req, change);
    res.location(`/v1/commitments/${change.commitment.id}`);
    send(res, change.commitment, 201);
  });

  router.get('/:id', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const c = await commitments.mustGet(id);
    assertVisible(principalOf(req), c);
    send(res, c);
  });

  router.get('/:id/history', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const c = await commitments.mustGet(id);
    assertVisible(principalOf(req), c);
    res.json({ items: await commitments.history(id) });
  });

  router.patch('/:id', requireWriter, async (req, res) => {
    const patch = parse(CommitmentPatchSchema, req.body);
    if (patch.leads) await assertPartiesExist(patch.leads, 'leads');
    if (patch.members) await assertPartiesExist(patch.members, 'members');
    await mutate(req, res, (c, who, now) => patchCommitment(c, patch, who, now));
  });

  router.post('/:id/complete', requireWriter, async (req, res) => {
    const input = parse(CompleteInputSchema, req.body);
    await mutate(req, res, (c, who, now) => completeCommitment(c, input, who, now));
  });

  router.post('/:id/reopen', requireWriter, async (req, res) => {
    const input = parse(ReopenInputSchema, req.body ?? {});
    await mutate(req, res, (c, who, now) => reopenCommitment(c, input.reason, who, now));
  });

  router.post('/:id/cancel', requireWriter, async (req, res) => {
    const input = parse(CancelInputSchema, req.body);
    await mutate(req, res, (c, who, now) => cancelCommitment(c, input.reason, who, now));
  });

  return router;
}
