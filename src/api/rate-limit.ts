/**
 * Rate limits: the API's 429 answers.
 *
 * Three limits, each counted in Redis (express-rate-limit with
 * rate-limit-redis, fixed windows), so every API process of a deployment
 * shares one count:
 * - `api`: requests per token per minute on /v1 (RATE_LIMIT_API_PER_MINUTE);
 * - `authFailures`: failed sign-ins (a credential tried, 401 answered) per
 *   client address per 15 minutes (RATE_LIMIT_AUTH_FAILURES), from any route that takes a
 *   credential (bearer tokens, feed tokens, the dashboard and status-page
 *   logins). Past it, that address gets 429 on every route but /healthz and
 *   /readyz until the window ends, even with a good token: a guessing client
 *   learns nothing more;
 * - `public`: requests per client address per minute on the routes that carry
 *   their own credential in the URL, the one-click links (/actions) and the
 *   party calendar feeds (RATE_LIMIT_PUBLIC_PER_MINUTE).
 * 0 turns a limit off. A refused request gets problem+json 429 with
 * Retry-After, and every counted response carries the IETF draft-8
 * `RateLimit` and `RateLimit-Policy` headers. When Redis cannot be reached the
 * request passes (the route itself then answers 503), so a store outage never
 * locks everyone out.
 *
 * The client address is `req.ip`: the peer, or X-Forwarded-For from a proxy on
 * loopback (the app trusts only that, see src/api/app.ts). Windows run on real
 * time (the keys' TTL in Redis), not the service clock: they throttle traffic
 * as it happens, and a replay's virtual clock has no say in that.
 */
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '../domain/errors.js';
import type { AppDeps } from './deps.js';

const MINUTE = 60_000;

type Limit = 'api' | 'authFailures' | 'public';

const WINDOW_MS: Record<Limit, number> = { api: MINUTE, authFailures: 15 * MINUTE, public: MINUTE };

const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

const DETAIL: Record<Limit, (retryAfterS: number) => string> = {
  api: (s) => `This token has made too many requests; try again in ${s} s.`,
  authFailures: (s) => `Too many failed sign-ins from this address; try again in ${s} s.`,
  public: (s) => `Too many requests from this address; try again in ${s} s.`,
};

export type RateLimits = Record<Limit, RequestHandler>;

const pass: RequestHandler = (_req, _res, next) => next();

const secondsUntil = (at: Date | undefined, windowMs: number) => Math.max(1, Math.ceil(((at?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));

export function createRateLimits(deps: Pick<AppDeps, 'config' | 'redis' | 'keys' | 'logger'>): RateLimits {
  const { config, redis, keys, logger } = deps;
  const limits: Record<Limit, number> = {
    api: config.RATE_LIMIT_API_PER_MINUTE,
    authFailures: config.RATE_LIMIT_AUTH_FAILURES,
    public: config.RATE_LIMIT_PUBLIC_PER_MINUTE,
  };
  const storeFor = (name: Limit) =>
    new RedisStore({
      prefix: keys.ns(`ratelimit:${name}:`),
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
    });
  const refuse = (name: Limit, resetTime: Date | undefined) => new AppError('rate_limited', DETAIL[name](secondsUntil(resetTime, WINDOW_MS[name])));

  const counted = (name: Limit, keyGenerator: (req: Request) => string): RequestHandler => {
    if (limits[name] <= 0) return pass;
    return rateLimit({
      windowMs: WINDOW_MS[name],
      limit: limits[name],
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      passOnStoreError: true,
      logger: { warn: (err, msg) => logger.warn({ err }, msg ?? 'rate limit'), error: (err, msg) => logger.error({ err }, msg ?? 'rate limit store') },
      store: storeFor(name),
      keyGenerator,
      handler: (req, _res, next) => next(refuse(name, (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime)),
    });
  };

  return {
    api: counted('api', (req) => `token:${req.principal?.name ?? clientAddress(req)}`),
    public: counted('public', clientAddress),
    authFailures: authFailureLimit(),
  };

  /**
   * Counts only responses that are 401 to a request that tried a credential (an Authorization
   * header or a `token` in the query), after they are sent, and refuses an address already
   * over the limit before its credential is looked at. (express-rate-limit's
   * skipSuccessfulRequests counts every request while it runs and takes it back after, so
   * a burst of good parallel requests would be refused; hence the store used directly.)
   */
  function authFailureLimit(): RequestHandler {
    const limit = limits.authFailures;
    if (limit <= 0) return pass;
    const store = storeFor('authFailures');
    const ready = store.init({ windowMs: WINDOW_MS.authFailures } as Options).catch((err: unknown) => logger.warn({ err }, 'rate limit store: scripts not loaded yet'));
    const warn = (err: unknown) => logger.warn({ err }, 'rate limit store unavailable; request let through');
    return async (req, res, next) => {
      const key = clientAddress(req);
      try {
        await ready;
        const info = await store.get(key);
        if (info && Number.isFinite(info.totalHits) && info.totalHits >= limit) {
          res.setHeader('Retry-After', String(secondsUntil(info.resetTime, WINDOW_MS.authFailures)));
          return next(refuse('authFailures', info.resetTime));
        }
      } catch (err) {
        warn(err);
      }
      // A 401 counts only when a credential was tried: a browser opening a private page without
      // one, or a script that forgot its header, is not guessing.
      const tried = req.get('authorization') !== undefined || typeof req.query['token'] === 'string';
      if (tried) {
        res.on('finish', () => {
          if (res.statusCode === 401) store.increment(key).catch(warn);
        });
      }
      next();
    };
  }
}
