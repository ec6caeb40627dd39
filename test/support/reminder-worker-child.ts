/**
 * A worker process for the crash test: the real reminder workers on a given
 * Redis prefix and SMTP server, started as a child so the test can SIGKILL it.
 *
 *   REDIS_URL=… REDIS_PREFIX=… SMTP_URL=… node --import tsx test/support/reminder-worker-child.ts
 *
 * Prints "ready" once the workers run. It runs the production lock and stalled
 * interval of the reminder worker (8 s, 3 s), so the crash test measures how late
 * the jobs a killed worker held really arrive.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../config/env.js';
import { systemClock } from '../../src/domain/clock.js';
import { createMailer } from '../../src/mail/mailer.js';
import { createServices } from '../../src/app/services.js';
import { NO_HOLIDAYS } from '../../src/domain/holidays.js';
import { startWorkers } from '../../workers/index.js';

const config = loadConfig({
  REDIS_URL: process.env.REDIS_URL,
  REDIS_PREFIX: process.env.REDIS_PREFIX,
  SMTP_URL: process.env.SMTP_URL,
  PUBLIC_BASE_URL: 'http://followup.test',
  NODE_ENV: 'test',
});
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
const mailer = createMailer({ smtpUrl: config.SMTP_URL!, outboxDir: 'outbox', from: config.MAIL_FROM });
const services = createServices(config, { redis, notifier: mailer }, { clock: systemClock, logger: pino({ level: process.env.CHILD_LOG_LEVEL ?? 'silent' }), holidays: NO_HOLIDAYS });
const workers = await startWorkers({
  services,
  redis,
  // The production lock and stalled interval (workers/index.ts), so the crash test measures the real worst case.
  options: { noFullReconcile: true, reminderConcurrency: Number(process.env.CONCURRENCY ?? 20) },
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void workers
    .close()
    .then(() => services.close())
    .then(() => mailer.close())
    .then(() => redis.quit())
    .finally(() => process.exit(0));
});
