/**
 * The digest Job Scheduler on real BullMQ and Redis: it fires on a
 * seconds-level cron and each period reaches each recipient once; a restart
 * with a changed cron leaves one scheduler; a bad cron or zone stops the
 * start with a message naming the variable.
 */
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env.js';
import { QUEUES, bullPrefix } from '../../jobs/queues.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { start } from '../../src/main.js';
import { startDigestWorker } from '../../workers/digest.js';
import { createServices } from '../../src/app/services.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { redisUrl, uniquePrefix } from '../support/redis.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

let sink: SmtpSink;
let ctx: TestContext;
let mailer: Mailer;
let queue: Queue;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  sink = await startSmtpSink();
  ctx = createTestContext('digest-scheduler', { SMTP_URL: sink.url, DIGEST_CRON: '*/2 * * * * *', DIGEST_STEERING_GROUP: 'sg@example.org' });
  await ctx.seed();
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: ctx.config.MAIL_FROM });
  queue = new Queue(QUEUES.digest, { connection: ctx.redis, prefix: bullPrefix(ctx.prefix) });
});

afterAll(async () => {
  await queue?.close();
  await mailer?.close();
  await ctx?.cleanup();
  await sink?.close();
});

const deps = (env: Record<string, string> = {}) => ({ services: ctx.servicesWith({ notifier: mailer }, {}, env), redis: ctx.redis });
const WEEKLY = 'weekly-digest';

describe('the digest scheduler', () => {
  it('when a seconds-level cron fires, then every period reaches every recipient exactly once', async () => {
    const running = await startDigestWorker(deps());
    try {
      // Three recipients per fire (AUS and IDN focal points, the steering group); wait for two fires.
      await sink.waitFor(6, 20_000);
    } finally {
      await running.close();
    }
    const byPeriod = new Map<string, string[]>();
    for (const m of sink.messages) {
      const id = String(m.parsed.headers.get('x-followup-digest'));
      byPeriod.set(id, [...(byPeriod.get(id) ?? []), m.envelopeTo[0]!]);
    }
    expect(byPeriod.size).toBeGreaterThanOrEqual(2);
    for (const recipients of byPeriod.values()) {
      expect(recipients.sort()).toEqual(['focal-point.aus@example.org', 'focal-point.idn@example.org', 'sg@example.org']);
    }
    const ids = sink.messages.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    // The first digest covers everything since the meeting; later ones cover two seconds each.
    const first = sink.messages[0]!;
    expect(first.parsed.text).toContain('since the meeting');
    expect(first.parsed.text).toContain('overdue since 31 December 2009');
  });

  it('when the service restarts with a changed cron, then exactly one scheduler remains, with the new pattern and one next job', async () => {
    const a = await startDigestWorker({ ...deps({ DIGEST_CRON: '0 9 * * 1' }) });
    await a.close();
    const b = await startDigestWorker({ ...deps({ DIGEST_CRON: '30 8 * * 2', DIGEST_TZ: 'Australia/Sydney' }) });
    await b.close();
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([[WEEKLY, '30 8 * * 2', 'Australia/Sydney']]);
    const delayed = await queue.getDelayed();
    expect(delayed.filter((j) => j.repeatJobKey === WEEKLY)).toHaveLength(1);
  });

  it('when a second digest definition exists, then starting the weekly one leaves it scheduled, and each keeps its own schedule', async () => {
    const monthly = { id: 'monthly-digest', cron: '0 8 1 * *', timeZone: 'Australia/Sydney' };
    const first = await startDigestWorker({ ...deps({ DIGEST_CRON: '0 9 * * 1' }), definitions: [monthly] });
    await first.close();
    const running = await startDigestWorker(deps({ DIGEST_CRON: '0 9 * * 1' }));
    await running.close();
    const schedulers = (await queue.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz]).sort();
    expect(schedulers).toEqual([
      ['monthly-digest', '0 8 1 * *', 'Australia/Sydney'],
      [WEEKLY, '0 9 * * 1', ctx.config.DIGEST_TZ],
    ]);
    await queue.removeJobScheduler('monthly-digest');
  });
});

describe('an unusable schedule', () => {
  it.each([
    ['DIGEST_CRON', { DIGEST_CRON: '0 9 * * 8' }, /DIGEST_CRON: "0 9 \* \* 8" is not a usable cron pattern/],
    ['DIGEST_TZ', { DIGEST_TZ: 'Asia/Atlantis' }, /DIGEST_TZ: "Asia\/Atlantis" is not an IANA time zone/],
  ])('when %s is bad, then the worker does not start, says which variable, and installs nothing', async (_name, override, message) => {
    await queue.removeJobScheduler(WEEKLY);
    // The worker checks the schedule itself (a config object can reach it without loadConfig).
    const services = createServices({ ...ctx.config, ...override }, { redis: ctx.redis, notifier: mailer }, { clock: ctx.clock, logger });
    const err = await startDigestWorker({ services, redis: ctx.redis }).catch((e: unknown) => e);
    await services.close();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('CronDate');
    expect(await queue.getJobSchedulersCount()).toBe(0);
  });

  it('when the service starts with a bad DIGEST_CRON, then start rejects with the clear message before connecting anything', async () => {
    const env = { REDIS_URL: redisUrl(), REDIS_PREFIX: uniquePrefix('digest-bad-start'), SEED: 'none', DIGEST_CRON: 'every monday', PORT: '0', LOG_LEVEL: 'silent' };
    expect(() => loadConfig(env)).not.toThrow(); // the config itself parses; the schedule check is what stops it
    const err = await start({ env, role: 'all', logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/DIGEST_CRON: "every monday" has 2 fields/);
  });
});
