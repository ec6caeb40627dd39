/** /v1/parties and /v1/meetings. */
import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { PartyPatchSchema, PartySchema } from '../../domain/party.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireRole } from '../middleware.js';

/** What an editor may change of its own parties. */
const EDITOR_FIELDS = new Set(['contacts', 'timeZone', 'closedDays']);

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

  /**
   * Admins patch any party; an editor may keep its own parties' contacts, time zone and closed
   * days up to date (the office knows when it is closed). Country, name, kind and roles are admin only.
   */
  router.patch('/:id', requireRole('admin', 'editor'), async (req, res) => {
    const { id } = parse(PartyParams, req.params, 'params');
    const p = principalOf(req);
    const patch = parse(PartyPatchSchema, req.body);
    if (p.role === 'editor') {
      if (!p.parties?.includes(id)) throw new AppError('forbidden', `The token ${p.name} is not scoped to ${id}.`);
      const notAllowed = Object.keys(patch).filter((k) => !EDITOR_FIELDS.has(k));
      if (notAllowed.length) throw new AppError('forbidden', 'An editor may change only contacts, timeZone and closedDays.', notAllowed.map((k) => ({ path: k, message: 'admin only' })));
    }
    res.json(await deps.services.commitments.updateParty(id, patch));
  });

  return router;
}

export { meetingsRouter } from './meetings.js';
