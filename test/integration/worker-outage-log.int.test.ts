/**
 * While Redis is down, the workers log the outage once, then every 30 s, and its end once,
 * not the ~22 error lines a second of every worker, queue and connection reporting it.
 * Redis is a server this file starts on its own port and stops.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import { createServices } from '../../src/app/services.js';
import { systemClock } from '../../src/domain/clock.js';
import { createRedis } from '../../src/redis.js';
import { startWorkers } from '../../workers/index.js';
import { createOutageLog } from '../../jobs/outage-log.js';
import { API_TOKENS } from '../support/app.js';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.js';

let redis: OwnRedis | undefined;
afterAll(async () => {
  await redis?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker logs during a Redis outage', () => {
  it('one line when it starts and one when it ends, over 4 s of outage', async () => {
    redis = await startOwnRedis();
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const config = loadConfig({ REDIS_URL: redis.url, REDIS_PREFIX: 'outage-log', API_TOKENS, NODE_ENV: 'test' });
    const apiRedis = createRedis(config, 'api');
    const workerRedis = createRedis(config, 'worker');
    apiRedis.on('error', () => {});
    const services = createServices(config, { redis: apiRedis }, { clock: systemClock, logger });
    const workers = await startWorkers({ services, redis: workerRedis, options: { noFullReconcile: true } });
    try {
      await sleep(500);
      const before = lines.length;
      await redis.stop();
      await sleep(4000);
      const during = lines.slice(before).filter((l) => l.level >= 50);
      expect(during.length, JSON.stringify(during.map((l) => l.msg))).toBeLessThanOrEqual(1);
      expect(during[0]?.msg ?? '').toMatch(/Redis unreachable/);
      await redis.start();
      await sleep(3000);
      expect(lines.slice(before).some((l) => /Redis reachable again/.test(l.msg))).toBe(true);
    } finally {
      await workers.close();
      await services.close();
      workerRedis.disconnect();
      apiRedis.disconnect();
    }
  }, 30_000);

  it('repeats every 30 s while it lasts, counting what it folded in', () => {
    let t = 0;
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, d) => (lines.push(JSON.parse(c.toString())), d()) }));
    const log = createOutageLog(logger, 'Redis', { now: () => t });
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
    for (t = 0; t < 61_000; t += 45) log.report(down);
    expect(lines.map((l) => l.msg)).toEqual(['Redis unreachable; waiting for it (logged again every 30 s while it lasts)', 'Redis still unreachable', 'Redis still unreachable']);
    expect(lines[1]).toMatchObject({ downForMs: 30_015, folded: 666 });
    log.report(new Error('something else'), { queue: 'reminders' });
    expect(lines.at(-1)).toMatchObject({ msg: 'worker error', queue: 'reminders' });
    log.recovered();
    expect(lines.at(-1)).toMatchObject({ msg: 'Redis reachable again' });
    expect(log.active).toBe(false);
  });
});
