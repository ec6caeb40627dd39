/**
 * /v1/meetings: list and read meetings, create and change them (admin), delete one nothing
 * points to, import a meeting file, and draft one from an outcome statement.
 *
 * Mounted before the API's general JSON parser: the import takes larger bodies and the draft
 * takes text/plain, so each route parses its own body.
 */
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { DRAFT_MAX_BYTES } from '../../domain/draft/draft.js';
import { AppError } from '../../domain/errors.js';
import { MeetingCreateSchema, MeetingPatchSchema } from '../../domain/meeting.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireJson, requireRole } from '../middleware.js';

const MeetingParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a meeting id') });

/** The draft's body: text/plain only (415 otherwise), as bytes so the draft can tell text from binary. */
const requireText: RequestHandler = (req, _res, next) => {
  if (!req.is('text/plain')) {
    return next(new AppError('unsupported_media_type', 'Send the outcome statement as text/plain.', [{ path: 'Content-Type', message: 'expected text/plain' }]));
  }
  next();
};

export function meetingsRouter(deps: AppDeps, importBodyLimit: string): Router {
  const router = Router();
  const useCases = deps.services.meetingUseCases;
  const json = [requireJson, express.json({ limit: deps.config.BODY_LIMIT })];

  router.get('/', async (_req, res) => {
    res.json({ items: await useCases.list() });
  });

  // Before /:id, so "draft" is never read as an id.
  router.post('/draft', requireRole('admin'), requireText, express.raw({ type: 'text/plain', limit: DRAFT_MAX_BYTES }), async (req, res) => {
    // express.raw leaves an empty body as {}: the draft reads that as "no statement".
    const body: unknown = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.json(await useCases.draft(body));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parse(MeetingParams, req.params, 'params');
    const meeting = await useCases.get(id);
    // An editor sees only the ids of its own parties' commitments, as in its lists.
    const p = principalOf(req);
    const ids = await deps.commitments.findIds({ meetingId: id, ...(p.role === 'editor' ? { scope: [...(p.parties ?? [])] } : {}) }, deps.clock.now());
    res.json({ ...meeting, commitmentIds: ids });
  });

  router.post('/', requireRole('admin'), ...json, async (req, res) => {
    const input = parse(MeetingCreateSchema, req.body);
    const result = await useCases.create(input, { name: principalOf(req).name, principal: principalOf(req) });
    res.status(201).location(`/v1/meetings/${result.meeting.id}`).json(result);
  });

  router.patch('/:id', requireRole('admin'), ...json, async (req, res) => {
    const { id } = parse(MeetingParams, req.params, 'params');
    const patch = parse(MeetingPatchSchema, req.body);
    res.json(await useCases.update(id, patch, { name: principalOf(req).name, principal: principalOf(req) }));
  });

  router.delete('/:id', requireRole('admin'), async (req, res) => {
    const { id } = parse(MeetingParams, req.params, 'params');
    await useCases.remove(id);
    res.status(204).end();
  });

  router.post('/import', requireRole('admin'), requireJson, express.json({ limit: importBodyLimit }), async (req, res) => {
    const result = await deps.services.commitments.importMeeting(req.body, { name: principalOf(req).name });
    res.status(result.meeting === 'created' || result.commitments.created.length > 0 ? 201 : 200).json(result);
  });

  return router;
}
