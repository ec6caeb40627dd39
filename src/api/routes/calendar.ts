/**
 * Calendar feeds (iCalendar, RFC 5545) of commitment deadlines.
 *
 *   GET /v1/calendar.ics                       every deadline; any API token (bearer)
 *   GET /v1/calendar/:party.ics?token=…        one party's deadlines; a read-only feed token
 *   GET /v1/parties/:id/calendar-url           admin: the party's feed URL
 *
 * Calendar clients subscribe by URL and cannot send headers, so the per-party
 * feed carries a token in the query: an HMAC of the party id under a secret
 * shared through Redis. It opens that one feed and nothing else.
 *
 * Clients update rather than duplicate because the UID is stable (the
 * commitment id at the service's host) and SEQUENCE is the commitment's
 * version, which goes up with every change a subscriber sees: a moved
 * deadline, a cancellation (RFC 5546 wants a cancelled event's SEQUENCE
 * raised), a reinstatement, a new title or status. It never goes down, and it
 * is never below the deadline version the feed used before.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type Response } from 'express';
import ical, { ICalEventStatus } from 'ical-generator';
import { z } from 'zod';
import type { Commitment } from '../../domain/commitment.js';
import { AppError } from '../../domain/errors.js';
import { PartyIdSchema } from '../../domain/party.js';
import type { AppDeps } from '../deps.js';
import { parse, principalOf, requireRole } from '../middleware.js';

const TIMED_EVENT_MS = 30 * 60 * 1000;
const PartyParams = z.object({ party: PartyIdSchema });

/** The read-only feed token of a party: HMAC-SHA256 of its id, base64url. */
export async function feedToken(deps: Pick<AppDeps, 'services'>, partyId: string): Promise<string> {
  const secret = await deps.services.secret('feed');
  return createHmac('sha256', secret).update(`feed:${partyId}`).digest('base64url');
}

/** Build the feed. Commitments without a deadline have no event. Pure apart from its inputs. */
export function buildCalendar(items: readonly Commitment[], opts: { name: string; host: string; baseUrl: string }): string {
  const cal = ical({ name: opts.name, prodId: { company: 'followup', product: 'commitments', language: 'EN' }, ttl: 60 * 60 });
  for (const c of [...items].sort((a, b) => a.id.localeCompare(b.id))) {
    if (c.due === null) continue;
    const progress = c.target ? ` (${c.target.done} of ${c.target.units})` : '';
    const prefix = c.status === 'done' ? 'Done: ' : '';
    const description = [
      c.sourceText,
      '',
      `Status: ${c.status.replace('_', ' ')}${progress}`,
      `Leads: ${c.leads.join(', ') || 'none'}`,
      ...('date' in c.due ? [`Due by the end of ${c.due.date} (${c.due.timeZone})`] : []),
    ].join('\n');
    const common = {
      id: `${c.id}@${opts.host}`,
      sequence: c.version,
      stamp: new Date(c.updatedAt),
      lastModified: new Date(c.updatedAt),
      summary: `${prefix}${c.title}${progress}`,
      description,
      url: `${opts.baseUrl}/#${c.id}`,
      status: c.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    };
    if ('date' in c.due) {
      // A date deadline is a whole day in its zone: an all-day event on that date (VALUE=DATE has no zone).
      cal.createEvent({ ...common, start: c.due.date, allDay: true });
    } else {
      const at = new Date(c.due.at);
      cal.createEvent({ ...common, start: at, end: new Date(at.getTime() + TIMED_EVENT_MS) });
    }
  }
  return cal.toString();
}

function sendCalendar(res: Response, body: string, filename: string) {
  res
    .status(200)
    .set('Content-Type', 'text/calendar; charset=utf-8')
    .set('Content-Disposition', `inline; filename="${filename}"`)
    .set('Cache-Control', 'private, max-age=300')
    .send(body);
}

function feedOptions(deps: AppDeps, name: string) {
  return { name, host: new URL(deps.config.PUBLIC_BASE_URL).hostname, baseUrl: deps.config.PUBLIC_BASE_URL };
}

/** Per-party feeds, authenticated by feed token only: mount before the bearer-token middleware. */
export function partyFeedRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/:party.ics', async (req, res) => {
    const { party } = parse(PartyParams, req.params, 'params');
    const { token } = parse(z.object({ token: z.string().optional() }), req.query, 'query');
    if (!token) throw new AppError('unauthenticated', 'Add the feed token: ?token=… (admins get the URL from /v1/parties/:id/calendar-url).', [{ path: 'query.token', message: 'missing' }]);
    const expected = Buffer.from(await feedToken(deps, party));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new AppError('unauthenticated', 'The feed token is not valid for this party.', [{ path: 'query.token', message: 'not valid for this party' }]);
    }
    const p = await deps.parties.mustGet(party);
    const ids = await deps.commitments.findIds({ parties: [party] }, deps.clock.now());
    const items = await deps.commitments.getMany(ids);
    sendCalendar(res, buildCalendar(items, feedOptions(deps, `Follow-up: ${p.name}`)), `followup-${party}.ics`);
  });
  return router;
}

/** Feeds behind the bearer token: mount inside /v1 after authentication. */
export function calendarRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/calendar.ics', async (req, res) => {
    // An editor sees only its parties' commitments, as in GET /v1/commitments.
    const p = principalOf(req);
    const ids = p.role === 'editor' ? await deps.commitments.findIds({ parties: [...(p.parties ?? [])] }, deps.clock.now()) : await deps.commitments.allIds();
    const items = await deps.commitments.getMany(ids);
    sendCalendar(res, buildCalendar(items, feedOptions(deps, 'Follow-up: all deadlines')), 'followup.ics');
  });

  router.get('/parties/:party/calendar-url', requireRole('admin'), async (req, res) => {
    const { party } = parse(PartyParams, req.params, 'params');
    await deps.parties.mustGet(party);
    const token = await feedToken(deps, party);
    const url = `${deps.config.PUBLIC_BASE_URL}/v1/calendar/${party}.ics?token=${token}`;
    res.json({ party, url, webcal: url.replace(/^https?:/, 'webcal:') });
  });

  return router;
}
