/**
 * GET / — the read-only status page for officials.
 *
 * STATUS_PAGE=public serves it to anyone. STATUS_PAGE=token asks for a token:
 * a bearer header, or a viewer link `/?token=<API token>` opened once, which
 * sets an HttpOnly session cookie and redirects to the same page without the
 * token. An editor token sees only its parties' commitments, as in the API.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Principal } from '../../domain/auth.js';
import { SlugSchema, partiesOf, toView, type CommitmentView } from '../../domain/commitment.js';
import type { Meeting } from '../../domain/meeting.js';
import { PartyIdSchema, timeZoneSchema } from '../../domain/party.js';
import type { AppDeps } from '../deps.js';
import { parse } from '../middleware.js';
import { withoutToken, type SessionCookies } from '../session-cookie.js';
import { STATUS_FILTERS, renderSignInNeeded, renderStatusPage, type StatusFilter } from '../views/status-page.js';

export const VIEWER_SESSION_MS = 8 * 60 * 60 * 1000;

const blankable = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).optional();

/** The page's query: filters, the viewer's zone, and the one-time token. Unknown parameters are ignored. */
export const StatusPageQuerySchema = z.object({
  meeting: blankable(SlugSchema),
  party: blankable(PartyIdSchema),
  status: blankable(z.enum(STATUS_FILTERS)),
  tz: timeZoneSchema.optional(),
  token: z.string().optional(),
});

/** Overdue first, then by deadline (none last), then by title. */
function byUrgency(a: CommitmentView, b: CommitmentView): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity;
  const db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  return da !== db ? da - db : a.title.localeCompare(b.title);
}

export function statusPageRouter(deps: AppDeps, sessions: SessionCookies): Router {
  const router = Router();
  const tokenMode = deps.config.STATUS_PAGE === 'token';

  /** In token mode: the viewer, or null when they must sign in first. */
  async function viewer(req: Request): Promise<Principal | null> {
    const header = req.get('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      return m ? deps.auth.authenticate(m[1]!) : null;
    }
    return sessions.read(req);
  }

  router.get('/', async (req, res) => {
    const q = parse(StatusPageQuerySchema, req.query, 'query');
    res.set('Cache-Control', 'no-store');
    let principal: Principal | null = null;
    if (tokenMode) {
      if (q.token) {
        principal = await deps.auth.authenticate(q.token);
        if (!principal) {
          res.status(401).type('html').send(renderSignInNeeded('This viewer link is not valid (any more).'));
          return;
        }
        await sessions.issue(res, principal, VIEWER_SESSION_MS);
        res.redirect(303, withoutToken(req));
        return;
      }
      principal = await viewer(req);
      if (!principal) {
        res.status(401).set('WWW-Authenticate', 'Bearer').type('html').send(renderSignInNeeded('This status page is shared with a viewer link.'));
        return;
      }
    }

    const now = deps.clock.now();
    const [meetings, parties] = await Promise.all([deps.meetings.list(), deps.parties.list()]);
    let meeting: Meeting | null = meetings[meetings.length - 1] ?? null;
    if (q.meeting) meeting = await deps.meetings.mustGet(q.meeting);

    const ids = meeting ? await deps.commitments.findIds({ meetingId: meeting.id }, now) : [];
    let all = (await deps.commitments.getMany(ids)).map((c) => toView(c, now));
    if (principal?.role === 'editor') {
      const mine = new Set(principal.parties ?? []);
      all = all.filter((c) => partiesOf(c).some((p) => mine.has(p)));
    }

    const counts = { total: all.length, open: 0, in_progress: 0, done: 0, cancelled: 0, overdue: 0 };
    for (const c of all) {
      counts[c.status]++;
      if (c.overdue) counts.overdue++;
    }
    const status = q.status || undefined;
    const party = q.party || undefined;
    const items = all
      .filter((c) => !party || partiesOf(c).includes(party))
      .filter((c) => !status || (status === 'overdue' ? c.overdue : c.status === status))
      .sort(byUrgency);

    const tz = q.tz ?? meeting?.timeZone ?? deps.config.DIGEST_TZ;
    const tzOptions = [...new Set(['UTC', tz, ...(meeting?.timeZone ? [meeting.timeZone] : []), ...parties.map((p) => p.timeZone)])].sort();

    res.type('html').send(
      renderStatusPage({
        meeting,
        meetings,
        now,
        tz,
        tzOptions,
        parties: [...parties].sort((a, b) => a.name.localeCompare(b.name)),
        filter: { ...(party ? { party } : {}), ...(status ? { status: status as StatusFilter } : {}) },
        items,
        counts,
        ...(principal ? { signedInAs: principal.name } : {}),
      }),
    );
  });
  return router;
}
