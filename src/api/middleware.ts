/** Authentication, authorisation and input parsing for the routes. */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { canWrite, type Principal, type Role } from '../domain/auth.js';
import { AppError, fieldErrors } from '../domain/errors.js';
import type { Authenticator } from '../store/auth-store.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      principal?: Principal;
    }
  }
}

/**
 * Several middlewares as one router layer: each runs when the one before calls `next()`; an
 * error (thrown, passed to `next`, or a rejected promise, as Express 5 handles them) skips the
 * rest. For the chains every API request goes through, where each router layer costs a match
 * and a dispatch.
 */
export function series(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => runFrom(handlers, 0, req, res, next);
}

// The continuation is an inline arrow on purpose: a named per-request closure gets wrapped
// by the TypeScript loader (to keep its name), which costs more than the closure itself.
function runFrom(handlers: readonly RequestHandler[], i: number, req: Request, res: Response, next: NextFunction): void {
  const handler = handlers[i];
  if (!handler) return next();
  try {
    const out = handler(req, res, (err?: unknown) => (err !== undefined && err !== null ? next(err) : runFrom(handlers, i + 1, req, res, next))) as unknown;
    if (out instanceof Promise) out.catch((e: unknown) => next(e ?? new Error('rejected')));
  } catch (e) {
    next(e);
  }
}

/** Require a valid bearer token; 401 otherwise. Configured tokens are checked without a promise. */
export function authenticate(auth: Authenticator): RequestHandler {
  const decide = (req: Request, next: NextFunction, principal: Principal | null) => {
    if (!principal) return next(new AppError('unauthenticated', 'The token is not valid.'));
    req.principal = principal;
    next();
  };
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new AppError('unauthenticated', 'Send Authorization: Bearer <token>.'));
    const token = match[1]!;
    const known = auth.authenticateConfigured?.(token);
    if (known !== undefined) return decide(req, next, known);
    auth.authenticate(token).then((principal) => decide(req, next, principal), next);
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new AppError('unauthenticated', 'Send Authorization: Bearer <token>.');
  return req.principal;
}

/** Allow only these roles; 403 otherwise. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const p = principalOf(req);
    if (!roles.includes(p.role)) return next(new AppError('forbidden', `The ${p.role} role may not do this.`));
    next();
  };
}

export const requireWriter: RequestHandler = (req, _res, next) => {
  const p = principalOf(req);
  if (!canWrite(p)) return next(new AppError('forbidden', `The ${p.role} role may only read.`));
  next();
};

/** Parse with zod, or throw a 400 naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, data: unknown, where: 'body' | 'query' | 'params' = 'body'): z.output<S> {
  const result = schema.safeParse(data ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    throw new AppError('validation', `The request ${where} is not valid.`, fieldErrors(result.error.issues, where === 'body' ? '' : where));
  }
  return result.data;
}

const hasBody = (req: Request) => Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;

/** Bodies must be JSON: 415 otherwise. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (hasBody(req) && !req.is('application/json')) {
    return next(new AppError('unsupported_media_type', 'Send the body as application/json.', [{ path: 'Content-Type', message: 'expected application/json' }]));
  }
  next();
};

/**
 * requireJson, then the JSON body parser (up to `limit`), as one layer. A request with
 * neither Content-Length nor Transfer-Encoding (most reads) goes straight on: both would
 * pass it untouched (the parser leaves `req.body` undefined).
 */
export function jsonBody(limit: string): RequestHandler {
  const parser = express.json({ limit, strict: false });
  return (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    requireJson(req, res, (err?: unknown) => (err ? next(err) : parser(req, res, next)));
  };
}

/** The version an If-Match header asks for, or undefined when there is none. */
export function ifMatchVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  // "*" matches any current version (RFC 9110), so it guards nothing.
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new AppError('validation', 'If-Match must be an ETag from a previous response, such as "3".', [{ path: 'If-Match', message: 'expected an ETag such as "3"' }]);
  return Number(m[1]);
}

export const etag = (version: number) => `"${version}"`;
