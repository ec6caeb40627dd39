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
import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { enqueueDigestSend } from '../../../jobs/digest.js';
import { QUEUES, createQueue } from '../../../jobs/queues.js';
import type { Principal } from '../../domain/auth.js';
import { digestAudiences, type DigestAudience } from '../../domain/digest-audience.js';
import { buildDigest } from '../../domain/digest.js';
import { AppError } from '../../domain/errors.js';
import { PartyIdSchema } from '../../domain/party.js';
import { composeDigests, messageIdDomain } from '../../mail/digest-compose.js';
import { renderDigest } from '../../mail/digest-template.js';
import { createSendLedger } from '../../mail/ledger.js';
import { createDigestArchive, readDigestSnapshot, resolveDigestPeriod, type ArchivedDigest, type DigestSummary, archiveEntry } from '../../store/digest-store.js';
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
  const { config, clock, redis, keys } = deps;
  const cron = config.DIGEST_CRON;
  const timeZone = config.DIGEST_TZ;
  const archive = createDigestArchive(redis, keys);
  const sources = { redis, keys, meetings: deps.meetings, parties: deps.parties, reminderLedger: createSendLedger(redis, keys, 'reminder') };
  let ownQueue: Queue | undefined;
  const digestQueue = () => deps.queues?.find((q) => q.name === QUEUES.digest) ?? (ownQueue ??= createQueue(QUEUES.digest, redis, config.REDIS_PREFIX, deps.logger));
  const router = Router();

  router.get('/digest/preview', async (req, res) => {
    const q = parse(PreviewQuery, req.query, 'query');
    const party = scopeFor(principalOf(req), q.party);
    if (party !== null && !(await deps.parties.get(party))) throw new AppError('not_found', `No party has the id ${party}.`);
    const asOf = q.asOf ?? clock.now();
    const period = await resolveDigestPeriod({ archive, meetings: deps.meetings }, cron, timeZone, asOf);
    const snapshot = await readDigestSnapshot(sources, period);
    const digest = buildDigest(snapshot, period, { asOf, timeZone, party });
    res.set('X-Digest-Empty', String(digest.isEmpty));
    if (q.format === 'json') return void res.json(digest);
    const rendered = renderDigest(digest, { short: digest.isEmpty && config.DIGEST_EMPTY === 'short', baseUrl: config.PUBLIC_BASE_URL });
    if (q.format === 'text') return void res.type('text/plain; charset=utf-8').send(rendered.text);
    res.type('text/html; charset=utf-8').send(rendered.html);
  });

  router.post('/digest/send', requireRole('admin'), async (req: Request, res) => {
    const body = parse(SendBody, req.body ?? {});
    const header = req.get('idempotency-key');
    const key = header?.trim() || body.idempotencyKey;
    if (!key || key.length > 200) throw new AppError('validation', 'Send an Idempotency-Key header (or an idempotencyKey field) so that a repeat sends nothing twice.', [{ path: 'Idempotency-Key', message: 'expected 1 to 200 characters' }]);
    if (header && body.idempotencyKey && header.trim() !== body.idempotencyKey) throw new AppError('validation', 'The Idempotency-Key header and the idempotencyKey field differ.', [{ path: 'idempotencyKey', message: 'differs from the Idempotency-Key header' }]);
    const sendId = `manual-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
    const requestHash = createHash('sha256').update(JSON.stringify({ to: body.to ?? null, party: body.party ?? null })).digest('hex').slice(0, 32);

    const existing = await archive.listBySend(sendId);
    if (existing.length > 0) {
      if (existing.some((d) => d.requestHash !== requestHash)) throw new AppError('conflict', 'This idempotency key was used for a different send request.', [{ path: 'Idempotency-Key', message: 'reused with a different body' }]);
      await enqueueDigestSend(digestQueue(), sendId);
      return void res.status(200).json({ sendId, replayed: true, digests: existing.map(summary) });
    }

    const parties = await deps.parties.list();
    if (body.party && !parties.some((p) => p.id === body.party)) throw new AppError('validation', `No party has the id ${body.party}.`, [{ path: 'party', message: 'unknown party' }]);
    let audiences: DigestAudience[];
    if (body.to) audiences = [{ scope: body.party ?? null, recipients: [...new Set(body.to.map((e) => e.toLowerCase()))] }];
    else if (body.party) audiences = digestAudiences(parties, { steeringGroup: [], partyOptIn: [body.party] }).audiences.filter((a) => a.scope === body.party);
    else audiences = digestAudiences(parties, { steeringGroup: config.DIGEST_STEERING_GROUP, partyOptIn: config.DIGEST_PARTY_OPT_IN }).audiences;
    if (audiences.length === 0) throw new AppError('conflict', 'Nobody would receive this digest: no co-chair contact, steering-group address or opted-in focal point is configured.', [{ path: 'to', message: 'no recipients' }]);

    // An out-of-schedule digest covers the scheduled period so far: [previous run, now).
    const now = clock.now();
    const scheduled = await resolveDigestPeriod({ archive, meetings: deps.meetings }, cron, timeZone, now);
    const period = { ...scheduled, to: now };
    const snapshot = await readDigestSnapshot(sources, period);
    const composed = composeDigests(snapshot, period, { sendId, asOf: now, timeZone, audiences, empty: config.DIGEST_EMPTY, force: true, domain: messageIdDomain(config.PUBLIC_BASE_URL), baseUrl: config.PUBLIC_BASE_URL });
    const saved: ArchivedDigest[] = [];
    for (const c of composed) {
      const r = await archive.saveIfAbsent(archiveEntry(c, { sendId, kind: 'manual', period, asOf: now, createdAt: now, requestHash }));
      saved.push(r.digest);
    }
    await enqueueDigestSend(digestQueue(), sendId);
    res.status(202).json({ sendId, replayed: false, digests: saved.map(summary) });
  });

  router.get('/digests', async (req, res) => {
    const q = parse(ListQuery, req.query, 'query');
    const page = await archive.list({ limit: q.limit, ...(q.cursor ? { offset: Number(q.cursor) } : {}), filter: visibleTo(principalOf(req)) });
    res.json({ items: page.items, nextCursor: page.nextOffset === null ? null : String(page.nextOffset) });
  });

  router.get('/digests/:id', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const q = parse(GetQuery, req.query, 'query');
    const d = await archive.get(id);
    if (!d || !visibleTo(principalOf(req))(d)) throw new AppError('not_found', `No digest has the id ${id}.`);
    if (q.format === 'html') return void res.type('text/html; charset=utf-8').send(d.html);
    if (q.format === 'text') return void res.type('text/plain; charset=utf-8').send(d.text);
    res.json(d);
  });

  return router;
}
