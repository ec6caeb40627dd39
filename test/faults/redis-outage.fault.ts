/**
 * Redis stopped for 20 s under load. A Redis of this file's own (append-only file, fsync on
 * every write) is SIGKILLed while two writers create commitments and a reader lists them and
 * opens the status page, and started again 20 s later. Checked: every write the API
 * acknowledged (201) is there afterwards (0 lost); every request answered 503 with Retry-After
 * or succeeded, within 10 s (nothing hangs); every reminder of an acknowledged commitment is
 * delivered once (0 duplicates), by workers that waited for Redis to come back.
 */
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import { createApp } from '../../src/api/app.js';
import { createServices } from '../../src/app/services.js';
import { systemClock } from '../../src/domain/clock.js';
import { createMailer } from '../../src/mail/mailer.js';
import { connectRedis, createRedis } from '../../src/redis.js';
import { startWorkers } from '../../workers/index.js';
import { API_TOKENS, TOKENS, bearer, seedFile } from '../support/app.js';
import { startOwnRedis, type OwnRedis } from '../support/own-redis.js';
import { DUE_ONLY, sendIdOf, sleep, until } from '../support/reminder-harness.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const OUTAGE_MS = 20_000;
const admin = bearer(TOKENS.admin);
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe('Redis stopped for 20 s under load', () => {
  it('loses no acknowledged write, sends nothing twice, and every request answers 503 or succeeds without hanging', async () => {
    const redis: OwnRedis = await startOwnRedis({ aof: true });
    cleanups.push(() => redis.dispose());
    const sink: SmtpSink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = loadConfig({ REDIS_URL: redis.url, REDIS_PREFIX: 'fault-redis', API_TOKENS, NODE_ENV: 'test', SMTP_URL: sink.url, PUBLIC_BASE_URL: 'http://followup.test', RATE_LIMIT_API_PER_MINUTE: '0', RATE_LIMIT_PUBLIC_PER_MINUTE: '0' });
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const apiRedis = createRedis(config, 'api');
    await connectRedis(apiRedis, config);
    const workerRedis = createRedis(config, 'worker');
    await connectRedis(workerRedis, config);
    const mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: config.MAIL_FROM });
    const services = createServices(config, { redis: apiRedis, notifier: mailer }, { clock: systemClock, logger });
    await services.commitments.importMeeting({ ...(seedFile() as object), commitments: [] }, { name: 'seed' });
    const workers = await startWorkers({ services, redis: workerRedis, options: { noFullReconcile: true } });
    cleanups.push(async () => {
      await workers.close();
      await services.close();
      await mailer.close();
      workerRedis.disconnect();
      apiRedis.disconnect();
    });
    const app = createApp(services);

    const acked = new Set<string>();
    const violations: string[] = [];
    let worstMs = 0;
    let answered503 = 0;
    let requests = 0;
    const check = (what: string, res: request.Response, ms: number) => {
      requests++;
      worstMs = Math.max(worstMs, ms);
      if (res.status === 503) {
        answered503++;
        if (!(Number(res.headers['retry-after']) >= 1)) violations.push(`${what}: 503 without Retry-After`);
      } else if (res.status >= 400) violations.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    };
    const timed = async (what: string, r: request.Test) => {
      const t = Date.now();
      try {
        const res = await r.timeout(10_000);
        check(what, res, Date.now() - t);
        return res;
      } catch (err) {
        violations.push(`${what}: no answer within 10 s (${String(err)})`);
        return null;
      }
    };

    const start = Date.now();
    const stopAt = start + 5_000 + OUTAGE_MS + 10_000;
    const writer = async (w: number) => {
      for (let i = 0; Date.now() < stopAt; i++) {
        const id = `fault-${w}-${i}`;
        const res = await timed('POST /v1/commitments', request(app).post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: `Fault load ${w}/${i}`, leads: ['LKA'], members: ['IDN'], due: { at: new Date(Date.now() + 8_000).toISOString() }, reminderPolicy: DUE_ONLY }));
        if (res?.status === 201) acked.add(id);
        await sleep(100);
      }
    };
    const reader = async () => {
      while (Date.now() < stopAt) {
        await timed('GET /v1/commitments', request(app).get('/v1/commitments?limit=20').set(admin));
        await timed('GET /', request(app).get('/'));
        await timed('GET /v1/reminders', request(app).get('/v1/reminders?state=failed').set(admin));
        await sleep(200);
      }
    };
    const outage = (async () => {
      await sleep(5_000);
      await redis.stop('SIGKILL');
      await sleep(OUTAGE_MS);
      await redis.start();
    })();
    await Promise.all([writer(1), writer(2), reader(), outage]);

    // Every acknowledged write is there (the API's client reconnects by itself).
    await until(async () => ((await request(app).get('/readyz')).status === 200 ? true : null), 15_000, 'the API to see Redis again');
    const stored = new Set((await services.commitmentStore.getMany([...acked])).map((c) => c.id));
    const lost = [...acked].filter((id) => !stored.has(id));

    // Every reminder of an acknowledged commitment is delivered once.
    const key = (m: (typeof sink.messages)[number]) => `${sendIdOf(m)}|${m.envelopeTo.join()}`;
    const wanted = acked.size * 2;
    await until(() => (new Set(sink.messages.filter((m) => acked.has(sendIdOf(m).split('--')[0]!)).map(key)).size >= wanted ? true : null), 90_000, 'every reminder after the outage');
    await sleep(2_000);
    const counts = new Map<string, number>();
    for (const m of sink.messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;

    const report = `${requests} requests (${answered503} answered 503), ${acked.size} writes acknowledged, ${lost.length} lost, ${sink.messages.length} mails, ${duplicates} duplicated, slowest answer ${worstMs} ms`;
    console.info(`[fault: Redis stopped 20 s] ${report}`);
    expect(violations.slice(0, 10), report).toEqual([]);
    expect(answered503, report).toBeGreaterThan(0);
    expect(lost, report).toEqual([]);
    expect(duplicates, report).toBe(0);
    expect(acked.size, report).toBeGreaterThan(20);
  });
});
