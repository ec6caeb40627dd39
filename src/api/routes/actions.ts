/**
 * The one-click "mark as done" link from a reminder.
 *
 *   GET  /actions/done?token=…   a confirmation page; it changes nothing, so a
 *                                mail scanner that prefetches links completes nothing
 *   POST /actions/done           (form: token, note) completes the commitment,
 *                                recorded under the recipient's address as `who`
 *
 * A tampered, expired or stale link (the deadline changed, or the commitment
 * is already closed) gets a plain 4xx HTML page that says why. The pages use
 * no script: helmet's CSP forbids inline scripts, and a form POST needs none.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import escapeHtml from 'escape-html';
import { completeCommitment } from '../../domain/commitment.js';
import { AppError, coerceError } from '../../domain/errors.js';
import { isClosed } from '../../domain/status.js';
import { verifyActionToken, type ActionClaims } from '../../mail/action-link.js';
import type { AppDeps } from '../deps.js';

const STYLE = 'body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1.2rem}textarea{width:100%}';

function sendPage(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('text/html')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

const para = (s: string) => `<p>${escapeHtml(s)}</p>`;

class LinkProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** `limit`: the per-address rate limit (src/api/rate-limit.ts); its 429 is a page too, with Retry-After. */
export function actionsRouter(deps: AppDeps, limit?: RequestHandler): Router {
  const { commitments, clock } = deps;
  const getSecret = () => deps.services.secret('action-link');
  const router = Router();
  if (limit) {
    router.use(limit);
    router.use(((err, _req, res, next) => {
      if (!(err instanceof AppError) || err.code !== 'rate_limited') return next(err);
      sendPage(res, 429, 'Too many requests', para(`${err.message} Your link still works.`));
    }) as ErrorRequestHandler);
  }

  /** Verify a token and check it against the commitment as it is now. */
  async function check(token: unknown): Promise<{ claims: ActionClaims; title: string }> {
    const v = verifyActionToken(await getSecret(), token, clock.now());
    if (!v.ok) {
      if (v.reason === 'expired') throw new LinkProblem(410, 'This link has expired', 'Links in reminders expire. Use the newest reminder, or record completion in Follow-up.');
      throw new LinkProblem(400, 'This link is not valid', 'The link is incomplete or has been altered. Open it again from the reminder email, without changing it.');
    }
    const c = await commitments.get(v.claims.commitmentId);
    if (!c) throw new LinkProblem(404, 'Commitment not found', 'The commitment this link was for no longer exists.');
    if (isClosed(c.status)) throw new LinkProblem(409, `Already ${c.status === 'done' ? 'done' : 'cancelled'}`, `“${c.title}” is already ${c.status}. Nothing more to do.`);
    if (c.dueVersion !== v.claims.dueVersion) {
      throw new LinkProblem(409, 'This link is out of date', `The deadline of “${c.title}” has changed since this reminder was sent. Use the newest reminder.`);
    }
    return { claims: v.claims, title: c.title };
  }

  const fail = (res: Response, err: unknown) => {
    if (err instanceof LinkProblem) return sendPage(res, err.status, err.title, para(err.message));
    if (err instanceof AppError && err.httpStatus < 500) return sendPage(res, err.httpStatus, 'This cannot be done', para(err.message));
    deps.logger.error({ err: coerceError(err) }, 'action link failed');
    sendPage(res, 503, 'Please try again', para('Follow-up could not complete this just now. Try again in a minute.'));
  };

  router.get('/done', async (req, res) => {
    try {
      const { claims, title } = await check(req.query.token);
      const token = String(req.query.token);
      sendPage(
        res,
        200,
        'Mark as done?',
        `${para(`Commitment: “${title}”`)}${para(`You are confirming as ${claims.recipient}.`)}
<form method="post" action="done">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<p><label for="note">Note or evidence (optional)</label><br><textarea id="note" name="note" rows="3" maxlength="2000"></textarea></p>
<p><button type="submit">Yes, mark it as done</button></p>
</form>`,
      );
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/done', express.urlencoded({ extended: false, limit: '20kb' }), async (req, res) => {
    try {
      const body = (req.body ?? {}) as { token?: unknown; note?: unknown };
      const { claims } = await check(body.token);
      const noteText = typeof body.note === 'string' ? body.note.trim().slice(0, 2000) : '';
      const note = noteText || `Marked done from the reminder link by ${claims.recipient}.`;
      const c = await deps.services.commitments.apply(claims.commitmentId, { name: claims.recipient }, (current, now) => {
        // Re-checked inside the atomic write: the deadline may have moved since `check`.
        if (current.dueVersion !== claims.dueVersion) throw new LinkProblem(409, 'This link is out of date', 'The deadline changed a moment ago. Use the newest reminder.');
        const result = completeCommitment(current, { note, completedOn: now.toISOString().slice(0, 10) }, claims.recipient, now);
        return { ...result, events: result.events.map((e) => ({ ...e, data: { ...e.data, via: 'action-link' } })) };
      });
      const done = c.status === 'done';
      sendPage(
        res,
        200,
        done ? 'Marked as done' : 'Progress recorded',
        para(done ? `“${c.title}” is now done. Thank you; no further reminders will be sent.` : `One unit of “${c.title}” is recorded: ${c.target?.done ?? 0} of ${c.target?.units ?? 0}.`),
      );
    } catch (err) {
      fail(res, err);
    }
  });

  return router;
}
