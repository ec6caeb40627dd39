/**
 * 405 Method Not Allowed, with `Allow`, for a wrong method on a path the API
 * serves. Mounted after every router and before the 404: a request that got
 * here was handled by no route. Which methods a path has comes from the
 * OpenAPI document (the contract test keeps it true to the routes), so an
 * unknown path stays a 404 and nothing reads the router's internals.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../domain/errors.js';
import { buildOpenApiDocument } from './openapi.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

interface PathMethods {
  /** The path template as a regular expression; `{param}` matches one segment. */
  pattern: RegExp;
  /** Upper-case, as `Allow` lists them; HEAD wherever GET is (Express answers it). */
  allow: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The route table of an OpenAPI document's `paths`: one entry per path template. */
export function routeTable(paths: Record<string, object | undefined>): PathMethods[] {
  return Object.entries(paths).map(([template, item]) => {
    const methods = METHODS.filter((m) => item && m in item).map((m) => m.toUpperCase());
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    const parts = template.split(/(\{[^}]+\})/);
    return {
      pattern: new RegExp(`^${parts.map((p) => (p.startsWith('{') ? '[^/]+' : escape(p))).join('')}/?$`),
      allow: methods,
    };
  });
}

/**
 * The methods a path allows, or null when no route serves it. Every template
 * that matches counts: Express routes `DELETE /v1/meetings/draft` to
 * `/v1/meetings/{id}` even though `/v1/meetings/draft` itself only takes POST.
 */
export function allowedMethods(table: readonly PathMethods[], path: string): string[] | null {
  const matches = table.filter((r) => r.pattern.test(path));
  return matches.length === 0 ? null : [...new Set(matches.flatMap((r) => r.allow))];
}

/** The service's table, built on first use: building the document takes about 150 ms, and most apps never need it. */
let serviceTable: PathMethods[] | null = null;
const ofService = () => (serviceTable ??= routeTable(buildOpenApiDocument('http://localhost').paths as Record<string, object>));

/** The 405 handler; `paths` defaults to the service's OpenAPI document. */
export function methodNotAllowed(paths?: Record<string, object | undefined>): RequestHandler {
  const given = paths ? routeTable(paths) : null;
  return (req, res, next) => {
    const allow = allowedMethods(given ?? ofService(), req.path);
    if (!allow || allow.length === 0 || allow.includes(req.method)) return next();
    res.setHeader('Allow', allow.join(', '));
    next(new AppError('method_not_allowed', `${req.path} does not take ${req.method}; it takes ${allow.join(', ')}.`, [{ path: 'method', message: `expected one of ${allow.join(', ')}` }]));
  };
}
