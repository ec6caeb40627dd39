/**
 * createApp(deps) → the Express app, without listening. Entry points and tests
 * start it; nothing here creates a client.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { AppDeps } from './deps.js';
import { authenticate, requireJson } from './middleware.js';
import { errorHandler, notFound } from './problem.js';
import { commitmentsRouter } from './routes/commitments.js';
import { healthRouter, statusRouter } from './routes/health.js';
import { meetingsRouter, partiesRouter } from './routes/parties.js';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(helmet());

  app.use(healthRouter(deps));

  const v1 = express.Router();
  v1.use(authenticate(deps.auth));
  // The import route takes larger bodies, so it is mounted before the general JSON parser.
  v1.use('/meetings', meetingsRouter(deps, '10mb'));
  v1.use(requireJson, express.json({ limit: deps.config.BODY_LIMIT, strict: false }));
  v1.use('/commitments', commitmentsRouter(deps));
  v1.use('/parties', partiesRouter(deps));
  v1.use('/status', statusRouter(deps));
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
