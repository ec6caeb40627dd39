/**
 * GET / — the read-only status page for officials — and its icon.
 *
 * STATUS_PAGE=public serves it to anyone. STATUS_PAGE=token asks for a token:
 * a bearer header, or a viewer link `/?token=<API token>` opened once, which
 * sets an HttpOnly session cookie and redirects to the same page without the
 * token. An editor token sees only its parties' commitments, as in the API.
 *
 * The page shows PAGE_SIZE commitments at a time, and each rendered page is
 * kept in a bounded cache per viewer scope and filter. An entry is served
 * while the store's version is the one it was rendered at and the clock has
 * not reached its expiry: the next minute (the page says "as of HH:MM" and
 * "due in 3 days") or the next deadline (an item turns overdue), whichever
 * comes first. Its ETag answers a matching If-None-Match with 304.
 */
import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Principal } from '../../domain/auth.js';
import { SlugSchema, partiesOf, toView, type CommitmentView } from '../../domain/commitment.js';
import { reportCommitmentError, viewEach } from '../../app/isolate.js';
import { AppError } from '../../domain/errors.js';
import type { Meeting } from '../../domain/meeting.js';
import type { Party } from '../../domain/party.js';
import { PartyIdSchema, timeZoneSchema } from '../../domain/party.js';
import type { AppDeps } from '../deps.js';
import { parse } from '../middleware.js';
import { withoutToken, type SessionCookies } from '../session-cookie.js';
import { FAVICON_SVG } from '../views/html.js';
import { STATUS_FILTERS, renderSignInNeeded, renderStatusPage, type StatusFilter } from '../views/status-page.js';
import { BoundedLru } from './status-page-cache.js';

export const VIEWER_SESSION_MS = 8 * 60 * 60 * 1000;

/** Commitments per page of the status page. */
export const PAGE_SIZE = 50;
const MAX_PAGE = 10_000;

const blankable = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).optional();

/** The page's query: filters, the page number, the viewer's zone, and the one-time token. Unknown parameters are ignored. */
export const StatusPageQuerySchema = z.object({
  meeting: blankable(SlugSchema),
  party: blankable(PartyIdSchema),
  status: blankable(z.enum(STATUS_FILTERS)),
  page: blankable(z.coerce.number<string>().int().min(1).max(MAX_PAGE)),
  tz: timeZoneSchema.optional(),
  token: z.string().max(512).optional(),
});

/** Overdue first, then by deadline (none last), then by title. */
function byUrgency(a: CommitmentView, b: CommitmentView): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity;
  const db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  return da !== db ? da - db : a.title.localeCompare(b.title);
}

export interface StatusPageOptions {
  /** How many rendered pages to keep (0 turns the cache off), and their total size. */
  cacheEntries?: number;
  cacheBytes?: number;
  /** A string that changes on every commitment write; by default the store's (see changeMarkOf). */
  changeMark?: () => Promise<string>;
}

/** The commitment store's change mark: a string that changes on every write (see CommitmentStore.changeMark). */
export function changeMarkOf(deps: Pick<AppDeps, 'commitments'>): () => Promise<string> {
  return () => deps.commitments.changeMark();
}

interface Rendered {
  html: string;
  etag: string;
  version: string;
  /** Epoch ms from which this rendering is out of date, whatever the store says. */
  expiresAt: number;
}

const hash = (s: string) => createHash('sha1').update(s).digest('base64url');

export function statusPageRouter(deps: AppDeps, sessions: SessionCookies, opts: StatusPageOptions = {}): Router {
  const router = Router();
  const tokenMode = deps.config.STATUS_PAGE === 'token';
  const cache = new BoundedLru<Rendered>(opts.cacheEntries ?? 200, opts.cacheBytes ?? 32 * 1024 * 1024, (r) => r.html.length * 2 + 256);
  /** Renders under way, so a burst of requests for a page that just expired renders it once. */
  const inflight = new Map<string, Promise<Rendered>>();

  /** In token mode: the viewer, or null when they must sign in first. */
  async function viewer(req: Request): Promise<Principal | null> {
    const header = req.get('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      return m ? deps.auth.authenticate(m[1]!) : null;
    }
    return sessions.read(req);
  }

  /**
   * What the page depends on, as one string that changes when any of it changes:
   * the store's change mark for commitments (see changeMarkOf) and the parties and
   * meetings themselves (few and small, read for the page anyway; their writes
   * leave no event). Null when the store offers no change mark: nothing is cached.
   */
  const commitmentsMark = opts.changeMark ?? changeMarkOf(deps);
  const cacheOn = commitmentsMark !== null;
  async function storeVersion(): Promise<{ version: string; meetings: Meeting[]; parties: Party[] }> {
    const [mark, meetings, parties] = await Promise.all([commitmentsMark?.() ?? '', deps.meetings.list(), deps.parties.list()]);
    const version = `${mark}.${hash(JSON.stringify([meetings, parties]))}`;
    return { version, meetings, parties };
  }

  type Query = z.infer<typeof StatusPageQuerySchema>;

  async function render(q: Query, principal: Principal | null, store: Awaited<ReturnType<typeof storeVersion>>): Promise<Rendered> {
    const now = deps.clock.now();
    const { meetings, parties } = store;
    let meeting: Meeting | null = meetings[meetings.length - 1] ?? null;
    if (q.meeting) {
      meeting = meetings.find((m) => m.id === q.meeting) ?? null;
      if (!meeting) throw new AppError('not_found', `No meeting has the id ${q.meeting}.`);
    }

    const ids = meeting ? await deps.commitments.findIds({ meetingId: meeting.id }, now) : [];
    // A commitment that cannot be viewed is left out and reported (src/app/isolate.ts); the page still renders.
    let all = viewEach(await deps.commitments.getMany(ids), (c) => toView(c, now), (id, err) => reportCommitmentError(deps, 'status-page', id, err));
    if (principal?.role === 'editor') {
      const mine = new Set(principal.parties ?? []);
      all = all.filter((c) => partiesOf(c).some((p) => mine.has(p)));
    }

    const counts = { total: all.length, open: 0, in_progress: 0, done: 0, cancelled: 0, overdue: 0 };
    let nextDeadline = Infinity;
    for (const c of all) {
      counts[c.status]++;
      if (c.overdue) counts.overdue++;
      const due = c.dueAt ? Date.parse(c.dueAt) : Infinity;
      if (due >= now.getTime() && due < nextDeadline) nextDeadline = due;
    }
    const status = q.status || undefined;
    const party = q.party || undefined;
    const matching = all
      .filter((c) => !party || partiesOf(c).includes(party))
      .filter((c) => !status || (status === 'overdue' ? c.overdue : c.status === status))
      .sort(byUrgency);
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    const pageNo = q.page || 1;

    const tz = q.tz ?? meeting?.timeZone ?? deps.config.DIGEST_TZ;
    const tzOptions = [...new Set(['UTC', tz, ...(meeting?.timeZone ? [meeting.timeZone] : []), ...parties.map((p) => p.timeZone)])].sort();

    const pendingExtensions = new Map((await deps.services.extensions.list('pending')).map((r) => [r.commitmentId, { newDate: r.newDate, requestedBy: r.requestedBy }] as const));
    const html = renderStatusPage({
      pendingExtensions,
      meeting,
      meetings,
      now,
      tz,
      tzOptions,
      parties: [...parties].sort((a, b) => a.name.localeCompare(b.name)),
      filter: { ...(party ? { party } : {}), ...(status ? { status: status as StatusFilter } : {}) },
      items: matching.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE),
      matching,
      page: pageNo,
      pages,
      pageSize: PAGE_SIZE,
      counts,
      ...(principal ? { signedInAs: principal.name } : {}),
    });
    // A deadline at this very instant turns overdue a millisecond later.
    const nextMinute = (Math.floor(now.getTime() / 60_000) + 1) * 60_000;
    return { html, etag: `"${hash(html)}"`, version: store.version, expiresAt: Math.min(nextMinute, nextDeadline + 1) };
  }

  router.get(['/favicon.ico', '/favicon.svg'], (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=31536000, immutable').send(FAVICON_SVG);
  });

  router.get('/', async (req, res) => {
    const q = parse(StatusPageQuerySchema, req.query, 'query');
    let principal: Principal | null = null;
    if (tokenMode) {
      res.set('Cache-Control', 'no-store');
      if (q.token) {
        principal = await deps.auth.authenticate(q.token);
        if (!principal) {
          res.status(401).type('html').send(renderSignInNeeded('This viewer link is not valid (any more).'));
          return;
        }
        await sessions.issue(res, principal, VIEWER_SESSION_MS, q.token);
        res.redirect(303, withoutToken(req));
        return;
      }
      principal = await viewer(req);
      if (!principal) {
        res.status(401).set('WWW-Authenticate', 'Bearer').type('html').send(renderSignInNeeded('This status page is shared with a viewer link.'));
        return;
      }
    }

    const store = await storeVersion();
    // What the rendering depends on besides the store: who looks (an editor sees its parties only) and the query.
    const scope = principal ? [principal.role, principal.name, ...(principal.parties ?? [])] : [];
    const key = JSON.stringify([scope, q.meeting || '', q.party || '', q.status || '', q.tz ?? '', q.page || 1]);
    const now = deps.clock.now().getTime();
    let page = cacheOn ? cache.get(key) : undefined;
    if (!page || page.version !== store.version || now >= page.expiresAt) {
      const flightKey = `${key}@${store.version}`;
      let flight = inflight.get(flightKey);
      if (!flight) {
        flight = render(q, principal, store).finally(() => inflight.delete(flightKey));
        inflight.set(flightKey, flight);
      }
      page = await flight;
      if (cacheOn) cache.set(key, page);
    }

    // Browsers may keep the page, but ask each time (no-cache): a 304 costs one small read.
    res.set('Cache-Control', tokenMode ? 'private, no-cache' : 'no-cache');
    if (tokenMode) res.vary('Authorization').vary('Cookie');
    res.set('ETag', page.etag);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.type('html').send(page.html);
  });
  return router;
}
