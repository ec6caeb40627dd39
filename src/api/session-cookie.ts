/**
 * Short-lived browser sessions for the pages people open in a browser (the
 * queue dashboard, the status page in token mode), which cannot send a bearer
 * header.
 *
 * The flow: open `…?token=<API token>` once; the server checks the token,
 * sets an HttpOnly, SameSite=Strict cookie holding the principal and an expiry,
 * signed with HMAC-SHA256 (secret shared by every process through Redis), and
 * redirects to the same page without the token, so it leaves the address bar
 * and the history. The token itself is never stored in the cookie, only its
 * reference (its SHA-256, what the token store keeps): each use of the cookie
 * looks the token up again, so a revoked token's sessions end at once, and a
 * changed role or party scope applies at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../../config/env.js';
import { RoleSchema, type Principal } from '../domain/auth.js';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { tokenRef, type Authenticator } from '../store/auth-store.js';
import type { Services } from '../app/services.js';

export const SESSION_COOKIE = 'fu_session';

export interface SessionCookies {
  /** Set the session cookie for `principal`, signed in with `token`, valid for `ttlMs`. */
  issue(res: Response, principal: Principal, ttlMs: number, token: string): Promise<void>;
  /** The principal of a valid, unexpired session cookie whose token is still valid, or null. */
  read(req: Request): Promise<Principal | null>;
  clear(res: Response): void;
}

/** The value of one cookie from the Cookie header (no cookie-parser needed for one name). */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function createSessionCookies(deps: { services: Pick<Services, 'secret'>; config: Pick<Config, 'PUBLIC_BASE_URL'>; clock: Clock; auth: Pick<Authenticator, 'byRef'> }): SessionCookies {
  const key = () => deps.services.secret('session');
  const sign = async (payload: string) => createHmac('sha256', await key()).update(payload).digest('base64url');
  const secure = deps.config.PUBLIC_BASE_URL.startsWith('https:');

  return {
    async issue(res, principal, ttlMs, token) {
      const body = Buffer.from(
        JSON.stringify({ n: principal.name, r: principal.role, p: principal.parties, e: deps.clock.now().getTime() + ttlMs, t: tokenRef(token) }),
      ).toString('base64url');
      res.cookie(SESSION_COOKIE, `${body}.${await sign(body)}`, {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: '/',
        maxAge: ttlMs,
      });
    },
    async read(req) {
      const raw = cookieValue(req, SESSION_COOKIE);
      const m = raw ? /^([\w-]+)\.([\w-]+)$/.exec(raw) : null;
      if (!m) return null;
      const expected = Buffer.from(await sign(m[1]!));
      const given = Buffer.from(m[2]!);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const data = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { n: string; r: string; p?: string[]; e: number; t?: string };
        const role = RoleSchema.safeParse(data.r);
        if (!role.success || typeof data.e !== 'number' || data.e <= deps.clock.now().getTime() || typeof data.t !== 'string') return null;
        // The token is checked on each use: a revoked one (or one renamed) ends the session now.
        const current = await deps.auth.byRef(data.t);
        if (!current || current.name !== data.n) return null;
        return current;
      } catch (err) {
        if (err instanceof SyntaxError) return null;
        throw err;
      }
    },
    clear(res) {
      res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
    },
  };
}

/**
 * Authenticate with a bearer token or a session cookie (bearer wins), and set
 * `req.principal`. With `optional`, a request with neither passes through
 * unauthenticated; a bad bearer token is always a 401.
 */
export function bearerOrSession(auth: Authenticator, sessions: SessionCookies, opts: { optional?: boolean } = {}): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match ? await auth.authenticate(match[1]!) : null;
      if (!principal) return next(new AppError('unauthenticated', 'The bearer token is not valid.'));
      req.principal = principal;
      return next();
    }
    const principal = await sessions.read(req);
    if (principal) req.principal = principal;
    else if (!opts.optional) return next(new AppError('unauthenticated', 'Send Authorization: Bearer <token>, or open /admin/login?token=<token> once in the browser.'));
    next();
  };
}

/** The request URL without its `token` query parameter, for the redirect after a cookie login. */
export function withoutToken(req: Request): string {
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}`;
}
