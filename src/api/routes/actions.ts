/**
 * The pages behind every link in mail. No token, login or script: the link
 * itself is the credential (src/app/links.ts), for one purpose and one recipient.
 *
 *   GET  /actions/l/:token   the page of the link: a commitment's read-only view,
 *                            or the form of an action. GET never changes anything,
 *                            so a mail scanner that prefetches links changes nothing.
 *   POST /actions/l/:token   the form's submission: complete (a unit of a multi-unit
 *                            item, with its own evidence), record progress, request
 *                            more time, approve or decline it. Recorded under the
 *                            recipient's address, through the use cases.
 *   GET|POST /actions/done   the retired single-purpose link (its token carried the
 *                            address): a page that says to use the newest mail.
 *
 * A refused link (altered, unknown, expired, used, stale after a later transition,
 * the recipient no longer a contact, another commitment's form) gets an HTML page
 * that says why and what to do, never JSON. Rate-limited per client address.
 */
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { completeCommitment, type Change, type Commitment } from '../../domain/commitment.js';
import { isoDateSchema } from '../../domain/deadline.js';
import type { DomainEvent } from '../../domain/events.js';
import { AppError, coerceError } from '../../domain/errors.js';
import { multiLine, singleLine } from '../../domain/text.js';
import { LinkRefusal, type ResolvedLink } from '../../app/links.js';
import { linkUrl } from '../../mail/action-link.js';
import { dateLabel } from '../../mail/deadline-words.js';
import type { AppDeps } from '../deps.js';
import { actionForm, commitmentPage, messagePage, ordinal } from '../views/link-pages.js';

const REFUSAL_TEXT: Record<LinkRefusal['reason'], { status: number; title: string; what: string }> = {
  invalid: { status: 400, title: 'This link is not valid', what: 'Open it again from the mail, without changing it. If it still fails, use the newest mail about this commitment.' },
  expired: { status: 410, title: 'This link has expired', what: 'Links in mail expire. Use the newest reminder, or ask the secretariat.' },
  used: { status: 409, title: 'This link was already used', what: 'Each action link works once. The View link in the same mail shows where the commitment stands.' },
  stale: { status: 409, title: 'This link is out of date', what: 'The commitment changed after this mail was sent (completed, reopened, or its deadline moved). Use the newest mail about it.' },
  closed: { status: 409, title: 'Nothing more to do', what: 'The commitment is closed; no action is needed.' },
  not_allowed: { status: 403, title: 'This link is no longer yours to use', what: 'Your address is no longer among the contacts entitled to it. Ask the secretariat if that is wrong.' },
  gone: { status: 404, title: 'Not found', what: 'What this link was for no longer exists.' },
  decided: { status: 409, title: 'Already decided', what: 'Another co-chair decided this request already. The leads have been told.' },
};

const text = (v: unknown, max: number): string => (typeof v === 'string' ? multiLine(v).trim().slice(0, max) : '');

class FormProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** `limit`: the per-address rate limit (src/api/rate-limit.ts); its 429 is a page too, with Retry-After. */
export function actionsRouter(deps: AppDeps, limit?: RequestHandler): Router {
  const { clock, services } = deps;
  const links = services.links;
  const router = Router();
  if (limit) {
    router.use(limit);
    router.use(((err, _req, res, next) => {
      if (!(err instanceof AppError) || err.code !== 'rate_limited') return next(err);
      send(res, 429, messagePage('Too many requests', [`${err.message} Your link still works.`]));
    }) as ErrorRequestHandler);
  }

  function send(res: Response, status: number, page: string): void {
    res.status(status).set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').set('X-Robots-Tag', 'noindex').type('text/html').send(page);
  }

  const fail = (res: Response, err: unknown, selfUrl?: string) => {
    if (err instanceof LinkRefusal) {
      const t = REFUSAL_TEXT[err.reason];
      deps.logger.info({ reason: err.reason, purpose: err.claims?.purpose, commitmentId: err.claims?.commitmentId }, 'signed link refused');
      return send(res, t.status, messagePage(t.title, [err.message, t.what]));
    }
    if (err instanceof FormProblem) return send(res, 400, messagePage('Please check the form', [err.message, 'Go back, correct it and send it again.'], selfUrl ? { href: selfUrl, label: 'Back to the form' } : undefined));
    if (err instanceof AppError && err.httpStatus < 500) return send(res, err.httpStatus, messagePage('This cannot be done', [err.message]));
    deps.logger.error({ err: coerceError(err) }, 'signed link failed');
    send(res.set('Retry-After', '60'), 503, messagePage('Please try again', ['Follow-up could not do this just now. Try again in a minute; your link still works.']));
  };

  const zoneOf = (r: ResolvedLink) => r.role.party?.timeZone ?? (r.commitment.due && 'timeZone' in r.commitment.due ? r.commitment.due.timeZone : 'UTC');

  router.get('/l/:token', async (req, res) => {
    try {
      const r = await links.resolve(req.params.token);
      const { claims, commitment: c } = r;
      if (claims.purpose === 'view') {
        const actions: Record<string, string> = {};
        for (const [purpose, token] of Object.entries(claims.siblings ?? {})) if (token && (await links.usable(token))) actions[purpose] = linkUrl(deps.config.PUBLIC_BASE_URL, token);
        const [history, pending] = await Promise.all([deps.commitments.history(c.id), services.extensions.pendingOf(c.id)]);
        if (pending) delete actions.extend;
        return send(res, 200, commitmentPage({ c, claims, zone: zoneOf(r), parties: new Map(r.parties.map((p) => [p.id, p])), history, pending, actions, now: clock.now() }));
      }
      if (claims.purpose === 'extend' && (await services.extensions.pendingOf(c.id))) {
        return send(res, 409, messagePage('A request is already waiting', [`“${c.title}” already has a request for more time waiting for the co-chairs. You will get their answer by mail.`]));
      }
      const request = claims.extensionId ? await services.extensions.get(claims.extensionId) : null;
      send(res, 200, actionForm(claims.purpose, c, claims, { zone: zoneOf(r), now: clock.now(), request }));
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/l/:token', express.urlencoded({ extended: false, limit: '20kb' }), async (req: Request, res) => {
    const selfUrl = `${deps.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/actions/l/${encodeURIComponent(String(req.params.token))}`;
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const r = await links.resolve(req.params.token);
      const { claims, commitment: c } = r;
      // A form belongs to one commitment: a link cannot act on another.
      if (body.commitmentId !== undefined && body.commitmentId !== c.id) throw new LinkRefusal('invalid', 'This form was for another commitment.', claims);
      const who = claims.recipient;
      const actor = { name: who };
      /** The pure rule runs inside the atomic write: refused if anything changed since the check. */
      const guarded = (rule: (cur: Commitment, now: Date) => Change) => (cur: Commitment, now: Date) => {
        if (cur.version !== c.version) throw new LinkRefusal('stale', `“${c.title}” changed a moment ago.`, claims);
        return rule(cur, now);
      };
      let page: string;
      switch (claims.purpose) {
        case 'complete': {
          const note = text(body.note, 2000);
          const evidenceUrl = text(body.evidenceUrl, 2000);
          if (evidenceUrl && !/^https?:\/\/[^\s]+$/i.test(evidenceUrl)) throw new FormProblem('evidenceUrl', 'The evidence link must be an http(s) address.');
          const completedOn = text(body.completedOn, 10);
          if (completedOn && !isoDateSchema.safeParse(completedOn).success) throw new FormProblem('completedOn', 'The date must be a real date, YYYY-MM-DD.');
          const updated = await services.commitments.apply(c.id, actor, guarded((cur, now) => {
            const result = completeCommitment(cur, { ...(note ? { note } : {}), ...(evidenceUrl ? { evidenceUrl } : {}), ...(completedOn ? { completedOn } : {}) }, who, now);
            return { ...result, events: result.events.map((e) => ({ ...e, data: { ...e.data, via: 'signed-link' } })) };
          }));
          await links.markUsed(claims);
          page = updated.status === 'done'
            ? messagePage('Marked as done', [`“${updated.title}” is now done. Thank you; no further reminders will be sent.`])
            : messagePage('Progress recorded', [`The ${ordinal(updated.target?.done ?? 0)} of ${updated.target?.units ?? 0} is recorded for “${updated.title}”.`]);
          break;
        }
        case 'progress': {
          const note = singleLine(text(body.note, 2000)).trim() ? text(body.note, 2000) : '';
          if (!note) throw new FormProblem('note', 'Say what has happened: the note is empty.');
          await services.commitments.apply(c.id, actor, guarded((cur, now) => {
            const at = now.toISOString();
            const next = { ...structuredClone(cur), version: cur.version + 1, updatedAt: at, status: cur.status === 'open' ? ('in_progress' as const) : cur.status };
            const base = { commitmentId: cur.id, meetingId: cur.meetingId, at, who, version: next.version };
            const events: DomainEvent[] = [{ ...base, type: 'commitment.progress_noted', changes: {}, data: { note, via: 'signed-link' } }];
            if (cur.status !== next.status) events.push({ ...base, type: 'commitment.status_changed', changes: { status: { from: cur.status, to: next.status } } });
            return { commitment: next, events };
          }));
          await links.markUsed(claims);
          page = messagePage('Progress recorded', [`Your note on “${c.title}” is recorded, and the item is in progress.`]);
          break;
        }
        case 'extend': {
          const newDate = text(body.newDate, 10);
          const reason = text(body.reason, 2000);
          if (!isoDateSchema.safeParse(newDate).success) throw new FormProblem('newDate', 'Choose the proposed new date.');
          if (!reason) throw new FormProblem('reason', 'Give a reason for the co-chairs.');
          const req2 = await services.extensions.request(c.id, { newDate, reason }, who);
          await links.markUsed(claims);
          page = messagePage('Request sent', [`The co-chairs are asked to move the deadline of “${c.title}” to ${dateLabel(req2.newDate)}.`, `They have until ${dateLabel(req2.decideBy.slice(0, 10))} to decide; you will get their answer by mail.`]);
          break;
        }
        case 'approve':
        case 'decline': {
          const note = text(body.note, 2000) || undefined;
          const id = claims.extensionId!;
          const decided = claims.purpose === 'approve' ? await services.extensions.approve(id, actor, note) : await services.extensions.decline(id, actor, note);
          await links.markUsed(claims);
          page = messagePage(claims.purpose === 'approve' ? 'Approved' : 'Declined', [
            claims.purpose === 'approve' ? `The deadline of “${c.title}” is now ${dateLabel(decided.newDate)}. The leads are told by mail.` : `The request for “${c.title}” is declined. The leads are told by mail.`,
          ]);
          break;
        }
        default:
          throw new LinkRefusal('invalid', 'This link only shows a page.', claims);
      }
      send(res, 200, page);
    } catch (err) {
      fail(res, err, selfUrl);
    }
  });

  const retired = (_req: Request, res: Response) =>
    send(res, 410, messagePage('This link is no longer used', ['Links of this kind have been replaced. Use the newest mail about this commitment: its links open a page for you.']));
  router.get('/done', retired);
  router.post('/done', retired);

  return router;
}
