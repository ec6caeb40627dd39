/** Sending a JSON body that is already a string, in one write. */
import type { Request, Response } from 'express';

/**
 * Send `body` (serialised JSON) with `status`, as `res.status(status).set('ETag', etag).json(…)`
 * would: `application/json; charset=utf-8`, Content-Length, and a 304 without a body when the
 * request's If-None-Match names `etag` (`req.fresh`). Express turns a body of 1,000 characters
 * or more into a Buffer, so Node writes the headers and the body as two chunks; a string body
 * goes out with its headers as one.
 */
export function sendJson(req: Request, res: Response, body: string, opts: { status?: number; etag?: string } = {}): void {
  res.statusCode = opts.status ?? 200;
  if (opts.etag !== undefined) res.setHeader('ETag', opts.etag);
  if (req.fresh) {
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  // A HEAD answer has the GET's headers and no body.
  if (req.method === 'HEAD') res.end();
  else res.end(body, 'utf8');
}
