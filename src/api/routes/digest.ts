/**
 * The digest API: preview without sending, an admin's out-of-schedule send,
 * and the archive of what was sent.
 *
 *   GET  /v1/digest/preview?format=html|text|json&asOf=…&party=…
 *   POST /v1/digest/send        (admin; Idempotency-Key header or idempotencyKey field)
 *   GET  /v1/digests            ?limit=&cursor=
 *   GET  /v1/digests/:id        ?format=json|html|text
 *
 * An editor sees only its own parties' digests: its preview is
 * scoped to its party, and archived digests of other scopes are not found.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Principal } from '../../domain/auth.js';
import { AppError } from '../../domain/errors.js';
import { PartyIdSchema } from '../../domain/party.js';
import type { ArchivedDigest, DigestSummary } from '../../store/digest-store.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireRole } from '../middleware.js';

const instant = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date or instant such as 2010-01-18T00:00:00Z' })
  .transform((s) => new Date(Date.parse(s)));

export const PreviewQuery = z.strictObject({
  format: z.enum(['html', 'text', 'json']).default('html'),
  asOf: instant.optional(),
  party: PartyIdSchema.optional(),
});

export const SendBody = z
  .strictObject({
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
    /** Send the digest to these addresses instead of the configured audiences. */
    to: z.array(z.email()).min(1).max(100).optional(),
    /** Send only this party's digest (to its focal points, or to `to`). */
    party: PartyIdSchema.optional(),
  })
  .default({});

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,9}$/, 'expected a cursor from nextCursor').optional(),
});
const IdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,160}$/, 'expected a digest id') });
export const GetQuery = z.strictObject({ format: z.enum(['json', 'html', 'text']).default('json') });

/** The party an editor's request is scoped to; admins and viewers may pick any (or none). */
function scopeFor(p: Principal, requested: string | undefined): string | null {
  if (p.role !== 'editor') return requested ?? null;
  const mine = p.parties ?? [];
  if (requested !== undefined) {
    if (!mine.includes(requested)) throw new AppError('forbidden', `The token ${p.name} is not scoped to ${requested}.`, [{ path: 'query.party', message: 'not one of your parties' }]);
    return requested;
  }
  if (mine.length === 1) return mine[0]!;
  throw new AppError('validation', 'Choose the party whose digest to preview.', [{ path: 'query.party', message: `expected one of ${mine.join(', ') || '(no parties)'}` }]);
}

const visibleTo = (p: Principal) => (d: Pick<DigestSummary, 'scope'>) => p.role !== 'editor' || (d.scope !== null && (p.parties ?? []).includes(d.scope));

const summary = ({ text: _t, html: _h, ...rest }: ArchivedDigest): DigestSummary => rest;

export function digestRouter(deps: AppDeps): Router {
  const { clock } = deps;
  const digests = deps.services.digests;
  const router = Router();

  router.get('/digest/preview', async (req, res) => {
    const q = parse(PreviewQuery, req.query, 'query');
    const party = scopeFor(principalOf(req), q.party);
    const { digest, rendered } = await digests.preview({ asOf: q.asOf ?? clock.now(), party, format: q.format });
    res.set('X-Digest-Empty', String(digest.isEmpty));
    if (!rendered) return void res.json(digest);
    if (q.format === 'text') return void res.type('text/plain; charset=utf-8').send(rendered.text);
    res.type('text/html; charset=utf-8').send(rendered.html);
  });

  router.post('/digest/send', requireRole('admin'), async (req: Request, res) => {
    const body = parse(SendBody, req.body ?? {});
    const header = req.get('idempotency-key');
    const key = header?.trim() || body.idempotencyKey;
    if (!key || key.length > 200) throw new AppError('validation', 'Send an Idempotency-Key header (or an idempotencyKey field) so that a repeat sends nothing twice.', [{ path: 'Idempotency-Key', message: 'expected 1 to 200 characters' }]);
    if (header && body.idempotencyKey && header.trim() !== body.idempotencyKey) throw new AppError('validation', 'The Idempotency-Key header and the idempotencyKey field differ.', [{ path: 'idempotencyKey', message: 'differs from the Idempotency-Key header' }]);
    const result = await digests.sendNow({ key, ...(body.to ? { to: body.to } : {}), ...(body.party ? { party: body.party } : {}) });
    res.status(result.replayed ? 200 : 202).json({ ...result, digests: result.digests.map(summary) });
  });

  router.get('/digests', async (req, res) => {
    const q = parse(ListQuery, req.query, 'query');
    const page = await digests.list({ limit: q.limit, ...(q.cursor ? { offset: Number(q.cursor) } : {}), filter: visibleTo(principalOf(req)) });
    res.json({ items: page.items, nextCursor: page.nextOffset === null ? null : String(page.nextOffset) });
  });

  router.get('/digests/:id', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const q = parse(GetQuery, req.query, 'query');
    const d = await digests.get(id);
    if (!d || !visibleTo(principalOf(req))(d)) throw new AppError('not_found', `No digest has the id ${id}.`);
    if (q.format === 'html') return void res.type('text/html; charset=utf-8').send(d.html);
    if (q.format === 'text') return void res.type('text/plain; charset=utf-8').send(d.text);
    res.json(d);
  });

  return router;
}
