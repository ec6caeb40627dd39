/** /v1/parties and /v1/meetings. */
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { PartyPatchSchema, PartySchema } from '../../domain/party.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireJson, requireRole } from '../middleware.js';

const PartyParams = z.object({ id: z.string().regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'expected a party id such as LKA') });

export function partiesRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ items: await deps.parties.list() });
  });

  router.get('/:id', async (req, res) => {
    const { id } = parse(PartyParams, req.params, 'params');
    res.json(await deps.parties.mustGet(id));
  });

  router.post('/', requireRole('admin'), async (req, res) => {
    const party = parse(PartySchema, req.body);
    if (!(await deps.parties.create(party))) {
      throw new AppError('conflict', `A party with the id ${party.id} already exists.`, [{ path: 'id', message: 'already taken' }]);
    }
    res.status(201).location(`/v1/parties/${party.id}`).json(party);
  });

  /** Admins patch any party; an editor may keep its own parties' contacts and time zone up to date. */
  router.patch('/:id', requireRole('admin', 'editor'), async (req, res) => {
    const { id } = parse(PartyParams, req.params, 'params');
    const p = principalOf(req);
    const patch = parse(PartyPatchSchema, req.body);
    if (p.role === 'editor') {
      if (!p.parties?.includes(id)) throw new AppError('forbidden', `The token ${p.name} is not scoped to ${id}.`);
      const notAllowed = Object.keys(patch).filter((k) => k !== 'contacts' && k !== 'timeZone');
      if (notAllowed.length) throw new AppError('forbidden', 'An editor may change only contacts and timeZone.', notAllowed.map((k) => ({ path: k, message: 'admin only' })));
    }
    res.json(await deps.services.commitments.updateParty(id, patch));
  });

  return router;
}

export function meetingsRouter(deps: AppDeps, importBodyLimit: string): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ items: await deps.meetings.list() });
  });

  router.get('/:id', async (req, res) => {
    const { id } = parse(z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected a meeting id') }), req.params, 'params');
    const meeting = await deps.meetings.mustGet(id);
    // An editor sees only the ids of its own parties' commitments, as in its lists.
    const p = principalOf(req);
    const ids = await deps.commitments.findIds({ meetingId: id, ...(p.role === 'editor' ? { scope: [...(p.parties ?? [])] } : {}) }, deps.clock.now());
    res.json({ ...meeting, commitmentIds: ids });
  });

  router.post('/import', requireRole('admin'), requireJson, express.json({ limit: importBodyLimit }), async (req, res) => {
    const result = await deps.services.commitments.importMeeting(req.body, { name: principalOf(req).name });
    res.status(result.meeting === 'created' || result.commitments.created.length > 0 ? 201 : 200).json(result);
  });

  return router;
}
