/** /healthz (the process is up), /readyz (Redis answers) and /v1/status (counts). */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { sendProblem } from '../problem.js';
import { AppError } from '../../domain/errors.js';

export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const started = performance.now();
    try {
      await Promise.race([
        deps.services.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('Redis did not answer within 1 s')), 1000).unref()),
      ]);
      const rttMs = performance.now() - started;
      deps.metrics?.redisRoundTrip.set(rttMs / 1000);
      res.json({ status: 'ready', redis: { ok: true, rttMs: Math.round(rttMs * 100) / 100 } });
    } catch (err) {
      sendProblem(res, new AppError('unavailable', `Redis is not reachable: ${(err as Error).message}`));
    }
  });
  return router;
}

export function statusRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const partyIds = await deps.parties.ids();
    // An editor sees counts of its own parties' commitments only.
    const p = req.principal;
    const summary = await deps.commitments.summary(partyIds, deps.clock.now(), p?.role === 'editor' ? { scope: p.parties ?? [] } : {});
    res.json({ asOf: deps.clock.now().toISOString(), ...summary });
  });
  return router;
}
