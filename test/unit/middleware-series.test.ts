import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { series } from '../../src/api/middleware.js';

/** An app whose one route runs after `chain`, and whose error handler names the error. */
function appWith(chain: RequestHandler, ran: string[]) {
  const app = express();
  app.use(chain);
  app.get('/', (_req, res) => {
    ran.push('route');
    res.send('ok');
  });
  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
    res.status(418).send(err.message);
  };
  app.use(onError);
  return app;
}

const step = (name: string, ran: string[]): RequestHandler => (_req, _res, next) => {
  ran.push(name);
  next();
};

describe('series: several middlewares as one layer', () => {
  it('when every middleware calls next, then they run in order and the route after them', async () => {
    const ran: string[] = [];
    const async: RequestHandler = async (_req, _res, next) => {
      await new Promise((r) => setTimeout(r, 1));
      ran.push('async');
      next();
    };
    await request(appWith(series(step('a', ran), async, step('b', ran)), ran)).get('/').expect(200, 'ok');
    expect(ran).toEqual(['a', 'async', 'b', 'route']);
  });

  it.each([
    ['passes an error to next', ((_req, _res, next) => next(new Error('refused'))) as RequestHandler],
    ['throws', (() => {
      throw new Error('refused');
    }) as RequestHandler],
    ['rejects', (async () => {
      await Promise.resolve();
      throw new Error('refused');
    }) as RequestHandler],
  ])('when a middleware %s, then the rest and the route are skipped and the error handler answers', async (_name, failing) => {
    const ran: string[] = [];
    const res = await request(appWith(series(step('a', ran), failing, step('b', ran)), ran)).get('/').expect(418);
    expect(res.text).toBe('refused');
    expect(ran).toEqual(['a']);
  });
});
