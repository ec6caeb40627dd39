/**
 * A worker process for the crash test: the real reminder workers on a given
 * Redis prefix and SMTP server, started as a child so the test can SIGKILL it.
 *
 *   REDIS_URL=… REDIS_PREFIX=… SMTP_URL=… node --import tsx test/support/reminder-worker-child.ts
 *
 * Prints "ready" once the workers run. Short lock and stall intervals let the
 * next child pick up the jobs a killed one held within seconds, not 30 s.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../../config/env.js';
import { systemClock } from '../../src/domain/clock.js';
import { createMailer } from '../../src/mail/mailer.js';
import { createServices } from '../../src/app/services.js';
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
const services = createServices(config, { redis, notifier: mailer }, { clock: systemClock, logger: pino({ level: process.env.CHILD_LOG_LEVEL ?? 'silent' }) });
const workers = await startWorkers({
  services,
  redis,
  options: { noFullReconcile: true, reminderConcurrency: Number(process.env.CONCURRENCY ?? 20), worker: { lockDuration: 3000, stalledInterval: 1000 } },
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
