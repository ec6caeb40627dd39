/**
 * createApp(services) → the Express app, without listening. Entry points and
 * tests start it; nothing here creates a client.
 */
import express, { type Express } from 'express';
import { appDeps, type AppDeps } from './deps.js';
import type { Services } from '../app/services.js';
import { authenticate, jsonBody, series } from './middleware.js';
import { requestFrame, securityHeaders } from './request-frame.js';
import { errorHandler, notFound } from './problem.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { commitmentsRouter } from './routes/commitments.js';
import { healthRouter, statusRouter } from './routes/health.js';
import { meetingsRouter, partiesRouter } from './routes/parties.js';
import { createMetrics, reminderStepKeys } from '../metrics.js';
import { metricsAuth, metricsHandler } from './metrics.js';
import { createSessionCookies } from './session-cookie.js';
import { adminRouter } from './routes/admin.js';
import { calendarRouter, partyFeedRouter } from './routes/calendar.js';
import { statusPageRouter } from './routes/status-page.js';
import { docsRouter } from './routes/docs.js';
import { actionsRouter } from './routes/actions.js';
import { remindersRouter } from './routes/reminders.js';
import { extensionsRouter } from './routes/extensions.js';
import { digestRouter } from './routes/digest.js';
import { createRateLimits } from './rate-limit.js';

export function createApp(services: Services): Express {
  const given = appDeps(services);
  // One metrics set per app unless the entry point shares its process-wide one.
  const metrics = given.metrics ?? createMetrics({ steps: reminderStepKeys(given.config) });
  metrics.watchQueues(given.queues);
  const deps: AppDeps = { ...given, metrics };
  const sessions = createSessionCookies(deps);
  const https = deps.config.PUBLIC_BASE_URL.startsWith('https:');
  const app = express();
  app.disable('x-powered-by');
  // Which proxies' X-Forwarded-For names the client (rate limits count per address): TRUST_PROXY.
  app.set('trust proxy', deps.config.TRUST_PROXY);
  app.set('query parser', 'simple');
  app.set('etag', false);

  // Security headers (helmet's, worked out once), the request id, the access log line (never
  // headers or a token in the query) and the request-duration metric: src/api/request-frame.ts.
  // upgrade-insecure-requests would send a plain-http deployment's browsers to https that is not there.
  const headers = securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } } });
  app.use(requestFrame(app, { logger: deps.logger, metrics, headers }));

  // 429s (see src/api/rate-limit.ts): an address with too many failed sign-ins is refused
  // everywhere but the health probes; the routes with a credential in the URL, and each token, have budgets.
  const limits = createRateLimits(deps);
  // The API first: its requests (the bulk of the traffic) skip the routers of the health
  // probes and the pages below, none of which serves a path under /v1.
  const v1 = express.Router();
  // Calendar clients cannot send headers: the per-party feed has its own token, so it sits before bearer auth.
  v1.use('/calendar', limits.authFailures, limits.public, partyFeedRouter(deps));
  // Every other /v1 request: failed sign-ins, the bearer token, the token's budget, as one layer.
  v1.use(series(limits.authFailures, authenticate(deps.auth), limits.api));
  // Commitments (most requests) take their JSON body here and skip the routers below; the import
  // route takes larger bodies, so /meetings is mounted before the general JSON parser.
  const json = jsonBody(deps.config.BODY_LIMIT);
  // (Mounted as two handlers, not a series: the router stays visible to what walks the app's routes.)
  v1.use('/commitments', json, commitmentsRouter(deps));
  v1.use('/meetings', meetingsRouter(deps, '10mb'));
  v1.use(json);
  v1.use('/parties', partiesRouter(deps));
  v1.use('/status', statusRouter(deps));
  v1.use(calendarRouter(deps));
  v1.use(remindersRouter(deps));
  v1.use(extensionsRouter(deps));
  v1.use(digestRouter(deps));
  app.use('/v1', v1);

  app.use(healthRouter(deps));
  app.use(limits.authFailures);

  // With METRICS_PORT set, /metrics is served only on that port (see src/api/metrics.ts).
  if (!deps.config.METRICS_PORT) app.get('/metrics', metricsAuth(deps.config, deps.auth), metricsHandler(metrics));
  app.use('/admin', adminRouter(deps, sessions));
  // The public pages (the status page, the API docs) share the one-click links' per-address budget.
  app.get(['/', '/docs', '/openapi.json'], limits.public);
  app.use(docsRouter(deps));
  app.use(statusPageRouter(deps, sessions));
  // One-click links from reminder mail carry their own signed token, so they sit outside bearer auth.
  app.use('/actions', actionsRouter(deps, limits.public));

  // A path some route serves, asked with another method: 405 with Allow (an unknown path stays 404).
  app.use(methodNotAllowed());
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
