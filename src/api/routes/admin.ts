/**
 * /admin: the BullMQ queue dashboard (bull-board) at /admin/queues, for admins only.
 *
 * Browsers cannot send a bearer header, so an admin opens
 * `/admin/login?token=<admin token>` once: it sets a one-hour HttpOnly
 * session cookie and redirects to the dashboard. Scripts may use the bearer
 * header directly (the dashboard's JSON API lives under /admin/queues/api).
 */
import { Router, type RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { parse, requireRole } from '../middleware.js';
import { bearerOrSession, type SessionCookies } from '../session-cookie.js';

export const ADMIN_SESSION_MS = 60 * 60 * 1000;
export const DASHBOARD_PATH = '/admin/queues';

/**
 * The dashboard is a React app loading its own scripts and styles from
 * /admin/queues/static, which helmet's default policy allows. Two things need
 * relaxing, and only here: its stylesheet pulls IBM Plex from Google Fonts
 * (style-src/font-src), and `upgrade-insecure-requests` would break it on a
 * plain-http deployment (the main policy drops that directive the same way).
 */
function dashboardCsp(upgrade: boolean): RequestHandler {
  const policy = [
    "default-src 'self'",
    "base-uri 'self'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
    "font-src 'self' data: https://fonts.gstatic.com",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    ...(upgrade ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    next();
  };
}

export function adminRouter(deps: AppDeps, sessions: SessionCookies): Router {
  const router = Router();

  router.get('/login', async (req, res) => {
    const { token } = parse(z.object({ token: z.string().min(16, 'expected an admin token') }), req.query, 'query');
    const principal = await deps.auth.authenticate(token);
    if (!principal) throw new AppError('unauthenticated', 'The token is not valid.', [{ path: 'query.token', message: 'not a valid token' }]);
    if (principal.role !== 'admin') throw new AppError('forbidden', 'Only an admin token opens the dashboard.');
    await sessions.issue(res, principal, ADMIN_SESSION_MS, token);
    res.redirect(303, DASHBOARD_PATH);
  });

  router.get('/logout', (_req, res) => {
    sessions.clear(res);
    res.redirect(303, '/');
  });

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: (deps.queues ?? []).map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Follow-up queues' } },
  });
  router.use(
    '/queues',
    bearerOrSession(deps.auth, sessions),
    requireRole('admin'),
    dashboardCsp(deps.config.PUBLIC_BASE_URL.startsWith('https:')),
    // The dashboard's API answers its own 500 on a Redis error: ask Redis first, so an outage is our 503.
    async (req, _res, next) => {
      if (req.path.startsWith('/api/')) await deps.services.ping();
      next();
    },
    serverAdapter.getRouter() as Router,
  );
  return router;
}
