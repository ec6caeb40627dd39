/**
 * What every request gets before any route runs, in one middleware: the security headers,
 * the request id, and, when the response is finished, the access log line and the
 * request-duration metric. One layer and one 'finish' listener per request instead of
 * three of each, and nothing recomputed that is the same for every response (see
 * docs/benchmarks.md, "API").
 */
import { randomUUID } from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Logger } from 'pino';
import { redactUrlQuery } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { routeLabel } from './metrics.js';

/**
 * The headers helmet sets with these options, worked out once by running helmet itself
 * against a recording response. With static options (no per-request nonce) helmet's
 * output is the same for every request, so the frame sets this list instead of running
 * helmet's dozen middlewares and rebuilding the Content-Security-Policy string each time.
 * Anything else helmet does to a response (it would have to depend on the request) fails
 * here, at start, rather than being dropped silently.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): ReadonlyArray<readonly [string, string]> {
  const set = new Map<string, readonly [string, string]>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      set.set(name.toLowerCase(), [name, String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      set.delete(name.toLowerCase());
    },
  };
  const request = new Proxy({}, { get: (_t, p) => { throw new Error(`helmet read req.${String(p)}: its headers depend on the request, so they cannot be precomputed`); } });
  const response = new Proxy(recorder, {
    get: (target, p) => {
      if (p in target) return target[p as keyof typeof target];
      throw new Error(`helmet used res.${String(p)}: only setHeader and removeHeader can be precomputed`);
    },
  });
  let done = false;
  helmet(options)(request as never, response as never, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  return [...set.values()];
}

const REQUEST_ID = /^[\w-]+$/;
const kFrame = Symbol('followup.frame');

/** What the frame keeps per request: one object, so the request object gains one property, not five. */
interface Frame {
  started: number;
  id: string;
  route: unknown;
  /** The matched route's mount path and path, joined only when the response is finished. */
  routeBase: string | undefined;
  routePath: string | undefined;
}

type Framed = Request & { [kFrame]?: Frame };

/** The request id the frame gave this request (a well-formed X-Request-Id, or a new UUID). */
export const requestIdOf = (req: Request): string | undefined => (req as Framed)[kFrame]?.id;

/**
 * Install the frame on `app` and return its middleware (mount it first).
 *
 * - Security headers: the precomputed list, on every response (errors included); a route may override one.
 * - Request id: a well-formed X-Request-Id (≤ 64 of `[A-Za-z0-9_-]`) is kept, else a new UUID, echoed in the response.
 * - Access log: one line per request when the response is finished, at info (warn for 4xx,
 *   error for 5xx), holding only what an operator needs: request id, method, URL with secret
 *   query values redacted, client address, status and duration; never headers (cookies,
 *   tokens). Health probes are not logged. `req.log` is a child logger bound to the request
 *   id, made only when something logs through it.
 * - Metrics: the request's duration, labelled by the route *pattern* (`/v1/commitments/:id`,
 *   never the id itself, so label cardinality stays bounded).
 *
 * `req.log` and the route pattern are accessors on the app's request prototype, set up once
 * here, rather than properties defined on every request object.
 */
export function requestFrame(app: Express, deps: { logger: Logger; metrics: Metrics; headers: ReadonlyArray<readonly [string, string]> }): RequestHandler {
  const { logger, metrics, headers } = deps;
  const duration = metrics.httpRequestDuration;
  const children = new WeakMap<Request, Logger>();
  // The access line is made only of fields that hold no secret (the id is `[\w-]` or a UUID, the
  // URL has its secret query values replaced, and no key is one of REDACT_PATHS), so the
  // logger's path redaction, which walks and copies every logged object, would never change
  // it: this line skips it. Every other line the request logs (`req.log`) is redacted as usual.
  const accessLogger = logger.child({}, { redact: { paths: [], censor: '[redacted]' } });

  Object.defineProperties(app.request, {
    log: {
      configurable: true,
      enumerable: false,
      get(this: Framed) {
        let child = children.get(this);
        if (!child) children.set(this, (child = logger.child({ reqId: this[kFrame]?.id })));
        return child;
      },
    },
    // The router sets req.route when a route matches, while req.baseUrl still holds the mount
    // path; by 'finish' an error may have unwound baseUrl, so the pattern is remembered then.
    route: {
      configurable: true,
      enumerable: true,
      get(this: Framed) {
        return this[kFrame]?.route;
      },
      set(this: Framed, value: { path?: unknown } | undefined) {
        const frame = this[kFrame];
        // A request the frame has not seen (an app mounted without it) keeps a plain property.
        if (!frame) return void Object.defineProperty(this, 'route', { value, writable: true, configurable: true, enumerable: true });
        frame.route = value;
        if (value && typeof value.path === 'string') {
          frame.routeBase = this.baseUrl;
          frame.routePath = value.path;
        }
      },
    },
  });

  function finished(this: Response) {
    const req = this.req as Framed;
    const frame = req[kFrame]!;
    const status = this.statusCode;
    const ms = performance.now() - frame.started;
    duration.observe({ method: req.method, route: routeLabel(req, frame.routePath === undefined ? undefined : frame.routeBase! + frame.routePath), status: String(status) }, ms / 1000);
    const url = req.originalUrl;
    if (url === '/healthz' || url === '/readyz') return;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (!accessLogger.isLevelEnabled(level)) return;
    const id = frame.id;
    accessLogger[level](
      { reqId: id, req: { id, method: req.method, url: redactUrlQuery(url), remoteAddress: req.socket.remoteAddress }, res: { statusCode: status }, responseTime: Math.round(ms) },
      'request completed',
    );
  }

  return (req, res, next) => {
    const started = performance.now();
    for (const [name, value] of headers) res.setHeader(name, value);
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && given.length <= 64 && REQUEST_ID.test(given) ? given : randomUUID();
    (req as Framed)[kFrame] = { started, id, route: undefined, routeBase: undefined, routePath: undefined };
    res.setHeader('X-Request-Id', id);
    res.on('finish', finished);
    next();
  };
}
