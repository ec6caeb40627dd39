/**
 * The one error handler: any error becomes application/problem+json, never a
 * stack trace. A browser (whose `Accept` prefers text/html to JSON) gets the
 * same status, headers and words as a small HTML page instead.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, coerceError, type ErrorCode, type FieldError } from '../domain/errors.js';
import { renderErrorPage } from './views/error-page.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemBody(status: number, code: ErrorCode, detail: string, errors: FieldError[] = []) {
  return { type: `https://followup.invalid/problems/${code}`, title: TITLES[status] ?? 'Error', status, detail, errors };
}

/** Body-parser, Redis and other errors, mapped to the AppError they mean. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = coerceError(err) as Error & { type?: string; status?: number; code?: string };
  switch (e.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'The request body is too large.', [{ path: '(body)', message: 'too large' }], { cause: e });
    case 'entity.parse.failed':
      return new AppError('validation', 'The request body is not valid JSON.', [{ path: '(body)', message: 'invalid JSON' }], { cause: e });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 'The request body encoding is not supported.', [], { cause: e });
  }
  if (
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|ECONNREFUSED|MaxRetriesPerRequest|Reached the max retries/i.test(e.message) ||
    e.name === 'MaxRetriesPerRequestError'
  ) {
    return new AppError('unavailable', 'The data store is not reachable; try again shortly.', [], { cause: e });
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('validation', e.message, [], { cause: e, httpStatus: e.status });
  }
  return new AppError('internal', 'An unexpected error occurred; it has been logged.', [], { cause: e });
}

/**
 * True when the client ranks text/html above every JSON type, as browsers do
 * (`text/html,…,*\/*;q=0.8`). No Accept, `*\/*` and `application/json` all pick
 * JSON, because JSON is listed first and wins ties.
 */
export function prefersHtml(req: Pick<Request, 'accepts'>): boolean {
  return req.accepts(['application/problem+json', 'application/json', 'text/html']) === 'text/html';
}

/** With `req`, the body follows its `Accept` (see prefersHtml); without, it is problem+json. */
export function sendProblem(res: Parameters<RequestHandler>[1], err: AppError, req?: Pick<Request, 'accepts'>): void {
  if (err.httpStatus === 503) res.setHeader('Retry-After', '5');
  if (err.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  if (req) res.vary('Accept');
  const body = problemBody(err.httpStatus, err.code, err.message, err.errors);
  if (req && prefersHtml(req)) {
    res.status(err.httpStatus).set('Cache-Control', 'no-store').type('html').send(renderErrorPage(body.status, body.title, body.detail, body.errors));
    return;
  }
  res.status(err.httpStatus).type('application/problem+json').send(JSON.stringify(body));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err);
    const log = (req as { log?: Logger }).log ?? logger;
    if (appError.httpStatus >= 500) log.error({ err: appError.cause ?? appError }, 'request failed');
    if (res.headersSent) return;
    sendProblem(res, appError, req);
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};
