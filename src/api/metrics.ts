/**
 * HTTP side of the metrics: the request-duration middleware, the protected
 * /metrics route, and the small app served on METRICS_PORT instead.
 *
 * Who may scrape:
 *   - METRICS_PORT set: /metrics is served only there (not on the main app);
 *     it asks for METRICS_TOKEN when that is set, otherwise the port itself is
 *     the boundary (keep it off the public network).
 *   - otherwise: /metrics on the main app, with `Authorization: Bearer <METRICS_TOKEN>`,
 *     or with an admin token when METRICS_TOKEN is unset.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Config } from '../../config/env.js';
import { AppError } from '../domain/errors.js';
import type { Metrics } from '../metrics.js';
import type { Authenticator } from '../store/auth-store.js';
import { errorHandler, notFound } from './problem.js';
import type { Logger } from 'pino';

/** The matched route pattern, or a fixed label for requests no route matched. */
export function routeLabel(req: Request, pattern?: string): string {
  if (pattern !== undefined) return (pattern.endsWith('/') ? pattern.slice(0, -1) : pattern) || '/';
  // Sub-apps (the queue dashboard, static files) match no route of ours: keep their mount only.
  if (req.originalUrl.startsWith('/admin/queues')) return '/admin/queues/*';
  if (req.originalUrl.startsWith('/docs/')) return '/docs/*';
  return 'unmatched';
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Allow the configured METRICS_TOKEN, or else (when it is unset and `auth` is given) an admin token. */
export function metricsAuth(config: Pick<Config, 'METRICS_TOKEN'>, auth?: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (config.METRICS_TOKEN) {
      if (match && timingSafeEqual(digest(match[1]!), digest(config.METRICS_TOKEN))) return next();
      return next(new AppError('unauthenticated', 'Send Authorization: Bearer <METRICS_TOKEN>.'));
    }
    if (!auth) return next();
    if (!match) return next(new AppError('unauthenticated', 'Send Authorization: Bearer <admin token>, or set METRICS_TOKEN.'));
    const principal = await auth.authenticate(match[1]!);
    if (!principal) return next(new AppError('unauthenticated', 'The token is not valid.'));
    if (principal.role !== 'admin') return next(new AppError('forbidden', 'Only an admin token (or METRICS_TOKEN) may read metrics.'));
    next();
  };
}

/** GET /metrics in the Prometheus text format. */
export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.set('Content-Type', metrics.registry.contentType).set('Cache-Control', 'no-store').send(body);
  };
}

/**
 * The app served on METRICS_PORT: /metrics and /healthz only. Every role starts
 * it when METRICS_PORT is set, so a workers-only process can be scraped and
 * health-checked too.
 */
export function createMetricsApp(deps: { metrics: Metrics; config: Pick<Config, 'METRICS_TOKEN'>; logger: Logger }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/metrics', metricsAuth(deps.config), metricsHandler(deps.metrics));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
