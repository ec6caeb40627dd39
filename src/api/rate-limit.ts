/**
 * Rate limits, the API's 429 answers: `api` per token on /v1, `authFailures`
 * per client address (failed sign-ins), `public` per client address on the
 * pages that carry their own credential. What each counts and how to set it:
 * docs/operating.md#rate-limits. Counts live in Redis in fixed windows of real
 * time, so every API process shares them; a Redis outage lets requests
 * through (the route then answers 503). The client address is `req.ip`
 * (TRUST_PROXY decides which proxies may name it).
 */
import { createHash } from 'node:crypto';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Options } from 'express-rate-limit';
import type { RedisStore } from 'rate-limit-redis';
import { addToWindow } from '../store/rate-limit-store.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../domain/errors.js';
import type { AppDeps } from './deps.js';

const MINUTE = 60_000;

const kAuthFailuresChecked = Symbol('followup.authFailuresChecked');

type Limit = 'api' | 'authFailures' | 'public';

const WINDOW_MS: Record<Limit, number> = { api: MINUTE, authFailures: 15 * MINUTE, public: MINUTE };

/** How long a process trusts what it last learned from Redis about one key, ms. */
export const SYNC_MS = 100;
/** Keys (tokens, addresses) a process remembers per limit. */
export const MAX_KEYS = 10_000;

interface SharedWindow {
  /** The shared count as Redis last answered it, plus what is on its way. */
  known: number;
  /** Counted here, not yet sent. */
  pending: number;
  resetAt: number;
  syncedAt: number;
  timer: NodeJS.Timeout | null;
  /** The draft-8 partition key, computed once per key. */
  pk: string;
}

/** Remember at most `max` entries: the oldest goes first. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number, onDrop?: (key: string, value: V) => void): V {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const [oldKey, oldValue] = map.entries().next().value as [string, V];
    map.delete(oldKey);
    onDrop?.(oldKey, oldValue);
  }
  return value;
}

/**
 * Per process, the two limits on the hot path keep what they learned from Redis
 * for a moment, so a request costs no round trip of its own:
 * - `api` counts each token's requests locally and adds them to the shared count
 *   in Redis at most SYNC_MS later (one INCRBY for the batch). A process decides
 *   alone only for SYNC_MS after it last read the shared count; the first request
 *   after that, and the first of a window, wait for Redis, and a hit that reaches
 *   the limit sends the batch at once. So one process refuses exactly at the
 *   limit, a token at its limit is refused by every process from its next sync,
 *   and across N processes a token can get past the limit by at most what the
 *   other processes let through in SYNC_MS;
 * - `authFailures` keeps each address's count for up to SYNC_MS (a failure in this
 *   process updates it at once). An address blocked by failures in another process
 *   is refused here within SYNC_MS.
 * Both maps are bounded (MAX_KEYS entries, oldest dropped first).
 *
 * A fixed-window counter shared through Redis and batched per process. `hit` answers synchronously when the window is known and fresh, else a promise.
 */
export function sharedWindowCounter(store: RedisStore, windowMs: number, limit: number, onStoreError: (err: unknown) => void, maxKeys = MAX_KEYS) {
  const now = Date.now;
  const windows = new Map<string, SharedWindow>();

  const add = (key: string, n: number) => addToWindow(store, key, n, windowMs);

  function flush(key: string, w: SharedWindow): void {
    w.timer = null;
    const n = w.pending;
    if (n === 0) return;
    w.pending = 0;
    w.known += n;
    add(key, n).then(
      ({ count, ttl }) => {
        // Other processes' hits are in `count`; ours since this flush are still pending.
        w.known = Math.max(w.known, count);
        w.resetAt = now() + ttl;
        w.syncedAt = now();
      },
      onStoreError,
    );
  }

  /** A key pushed out of the bounded map takes its pending hits to Redis first. */
  function dropped(key: string, w: SharedWindow): void {
    if (w.timer) clearTimeout(w.timer);
    flush(key, w);
  }

  /** Count one hit; the count and the window's end, at once when this process may decide alone. */
  function hit(key: string): { count: number; resetAt: number; pk: string } | Promise<{ count: number; resetAt: number; pk: string }> {
    const t = now();
    const w = windows.get(key);
    if (w && t < w.resetAt && t - w.syncedAt <= SYNC_MS) {
      w.pending++;
      const count = w.known + w.pending;
      if (count >= limit) {
        // At the limit the shared count must be current: every other process refuses from its next sync on.
        if (w.timer) clearTimeout(w.timer);
        flush(key, w);
      } else {
        w.timer ??= setTimeout(() => flush(key, w), SYNC_MS).unref();
      }
      return { count, resetAt: w.resetAt, pk: w.pk };
    }
    // Unknown, stale or ended: add this hit and what is pending in one round trip, and decide on the answer.
    const carried = w && t < w.resetAt ? w.pending : 0;
    if (w) {
      w.pending = 0;
      if (w.timer) clearTimeout(w.timer);
      w.timer = null;
    }
    const pk = w?.pk ?? Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
    return add(key, carried + 1).then(({ count, ttl }) => {
      const at = now();
      const current = windows.get(key);
      if (current && current.resetAt > at) {
        // A burst of first hits each waits for its own answer: keep the highest count seen.
        current.known = Math.max(current.known, count);
        current.resetAt = at + ttl;
        current.syncedAt = at;
        remember(windows, key, current, maxKeys, dropped);
        return { count: count + current.pending, resetAt: current.resetAt, pk };
      }
      // A new window: what was pending belonged to the one that ended.
      if (current?.timer) clearTimeout(current.timer);
      remember(windows, key, { known: count, pending: 0, resetAt: at + ttl, syncedAt: at, timer: null, pk }, maxKeys, dropped);
      return { count, resetAt: at + ttl, pk };
    });
  }

  return { hit, size: () => windows.size };
}

const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

const DETAIL: Record<Limit, (retryAfterS: number) => string> = {
  api: (s) => `This token has made too many requests; try again in ${s} s.`,
  authFailures: (s) => `Too many failed sign-ins from this address; try again in ${s} s.`,
  public: (s) => `Too many requests from this address; try again in ${s} s.`,
};

export type RateLimits = Record<Limit, RequestHandler>;

const pass: RequestHandler = (_req, _res, next) => next();

/** Another limit's RateLimit field may be there already (draft-8 lists one per policy): append to it, else set. */
const setOrAppend = (res: Response, name: string, value: string) => (res.hasHeader(name) ? res.append(name, value) : res.setHeader(name, value));

const secondsUntil = (at: Date | undefined, windowMs: number) => Math.max(1, Math.ceil(((at?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));

export function createRateLimits(deps: Pick<AppDeps, 'config' | 'services' | 'logger'>): RateLimits {
  const { config, services, logger } = deps;
  const limits: Record<Limit, number> = {
    api: config.RATE_LIMIT_API_PER_MINUTE,
    authFailures: config.RATE_LIMIT_AUTH_FAILURES,
    public: config.RATE_LIMIT_PUBLIC_PER_MINUTE,
  };
  const storeFor = (name: Limit) => services.rateLimitStore(name);
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
    api: apiLimit(),
    public: counted('public', clientAddress),
    authFailures: authFailureLimit(),
  };

  /** Requests per token per window, counted through sharedWindowCounter (see the module comment). */
  function apiLimit(): RequestHandler {
    const limit = limits.api;
    if (limit <= 0) return pass;
    const windowMs = WINDOW_MS.api;
    const windowS = Math.ceil(windowMs / 1000);
    const counter = sharedWindowCounter(storeFor('api'), windowMs, limit, (err) => logger.warn({ err }, 'rate limit store unavailable; request let through'));
    const decide = (res: Parameters<RequestHandler>[1], next: Parameters<RequestHandler>[2], r: { count: number; resetAt: number; pk: string }) => {
      const resetS = Math.max(0, Math.ceil((r.resetAt - Date.now()) / 1000));
      setOrAppend(res, 'RateLimit', `"api"; r=${Math.max(0, limit - r.count)}; t=${resetS}`);
      setOrAppend(res, 'RateLimit-Policy', `"api"; q=${limit}; w=${windowS}; pk=:${r.pk}:`);
      if (r.count > limit) {
        res.setHeader('Retry-After', String(Math.max(1, resetS)));
        return next(refuse('api', new Date(r.resetAt)));
      }
      next();
    };
    return (req, res, next) => {
      const r = counter.hit(`token:${req.principal?.name ?? clientAddress(req)}`);
      if (!(r instanceof Promise)) return decide(res, next, r);
      r.then(
        (known) => decide(res, next, known),
        (err: unknown) => {
          // A store outage never locks everyone out: the route itself answers 503 if Redis is down.
          logger.warn({ err }, 'rate limit store unavailable; request let through');
          next();
        },
      );
    };
  }

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
    // What each address's count was a moment ago (see the module comment); a failure here updates it.
    const seen = new Map<string, { info: ClientRateLimitInfo | undefined; at: number }>();
    const lookup = async (key: string) => {
      const cached = seen.get(key);
      if (cached && Date.now() - cached.at <= SYNC_MS) return cached.info;
      await ready;
      const info = await store.get(key);
      remember(seen, key, { info, at: Date.now() }, MAX_KEYS);
      return info;
    };
    // A 401 counts only when a credential was tried: a browser opening a private page without
    // one, or a script that forgot its header, is not guessing.
    function countIf401(this: Response) {
      if (this.statusCode !== 401) return;
      const key = clientAddress(this.req);
      // Count it here at once: the next request from this address must not pass on the old count.
      const cached = seen.get(key);
      if (cached?.info) cached.info = { ...cached.info, totalHits: cached.info.totalHits + 1 };
      else seen.delete(key);
      store.increment(key).then((info) => remember(seen, key, { info, at: Date.now() }, MAX_KEYS), warn);
    }
    const decide = (req: Request, res: Response, next: NextFunction, info: ClientRateLimitInfo | undefined) => {
      if (info && Number.isFinite(info.totalHits) && info.totalHits >= limit) {
        res.setHeader('Retry-After', String(secondsUntil(info.resetTime, WINDOW_MS.authFailures)));
        return next(refuse('authFailures', info.resetTime));
      }
      if (req.get('authorization') !== undefined || typeof req.query['token'] === 'string') res.on('finish', countIf401);
      next();
    };
    return (req, res, next) => {
      // Mounted on /v1 and again for the rest of the app: a request is checked (and counted) once.
      const r = req as Request & { [kAuthFailuresChecked]?: true };
      if (r[kAuthFailuresChecked]) return next();
      r[kAuthFailuresChecked] = true;
      const key = clientAddress(req);
      // Known a moment ago: decided at once, without a promise (see the module comment).
      const cached = seen.get(key);
      if (cached && Date.now() - cached.at <= SYNC_MS) return decide(req, res, next, cached.info);
      lookup(key).then(
        (info) => decide(req, res, next, info),
        (err: unknown) => {
          warn(err);
          decide(req, res, next, undefined);
        },
      );
    };
  }
}
