/**
 * The service entry point: config → clients → API and workers.
 * Exports start and stop; run directly, it starts and stops on SIGTERM/SIGINT.
 *
 *   npm start                     API and workers in one process (the default)
 *   npm run start:api             only the API
 *   npm run start:workers         only the workers
 */
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { createApp } from './api/app.js';
import { createServices, type Services } from './app/services.js';
import { describeNextMail, findNextMail } from './app/next-mail.js';
import { systemClock, type Clock } from './domain/clock.js';
import { coerceError } from './domain/errors.js';
import { createLogger } from './logger.js';
import { connectRedis, createRedis, RedisUnreachableError } from './redis.js';
import { startWorkers } from '../workers/index.js';
import { startDigestWorker } from '../workers/digest.js';
import { assertDigestSchedule } from '../jobs/digest.js';
import { createMailer } from './mail/mailer.js';
import { reminderStepKeys, createMetrics } from './metrics.js';
import { createMetricsApp } from './api/metrics.js';

export type Role = 'all' | 'api' | 'workers';

export interface Running {
  config: Config;
  logger: Logger;
  /** The API's address, when this process serves it. */
  url?: string;
  /** The generated admin token, only on the first start without API_TOKENS. */
  generatedToken?: string;
  stop(): Promise<void>;
}

const SEED_FILE = fileURLToPath(new URL('../config/seed/ahg-som-2009.json', import.meta.url));

/** Load the 2009 meeting when the store holds no meeting yet. Idempotent. */
async function seed(services: Services) {
  if (!(await services.isEmpty())) return;
  const file = JSON.parse(await readFile(SEED_FILE, 'utf8')) as unknown;
  const result = await services.commitments.importMeeting(file, { name: 'seed' });
  services.logger.info({ meetingId: result.meetingId, created: result.commitments.created.length }, 'seeded the 2009 meeting');
}

export async function start(opts: { env?: Record<string, string | undefined>; role?: Role; clock?: Clock; logger?: Logger } = {}): Promise<Running> {
  const config = loadConfig(opts.env);
  // A bad DIGEST_CRON / DIGEST_TZ stops the start here, with a message naming it, before any client exists.
  assertDigestSchedule(config.DIGEST_CRON, config.DIGEST_TZ);
  const role = opts.role ?? 'all';
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, nodeEnv: config.NODE_ENV, ...(config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {}) });
  // One metrics registry per process, shared by the API and the workers it runs.
  const metrics = createMetrics({ defaults: true, steps: reminderStepKeys(config) });

  // Release in reverse order of setup; every step runs even when one fails.
  const releasers: Array<{ name: string; release: () => Promise<unknown> }> = [];

  const redis = createRedis(config, 'api');
  await connectRedis(redis, config);
  releasers.push({ name: 'redis', release: () => redis.quit() });
  const runsWorkers = role === 'all' || role === 'workers';
  const mailer = runsWorkers ? createMailer({ ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}), outboxDir: config.OUTBOX_DIR, from: config.MAIL_FROM }) : undefined;
  if (mailer) releasers.push({ name: 'mailer', release: () => mailer.close() });
  const services = createServices(config, { redis, ...(mailer ? { notifier: mailer } : {}) }, { clock, logger, metrics });
  releasers.push({ name: 'services', release: () => services.close() });

  let generatedToken: string | undefined;
  if (!config.API_TOKENS) {
    const token = await services.ensureGeneratedAdminToken();
    if (token) {
      generatedToken = token;
      // Printed once, on purpose not through the logger (which redacts tokens): only its hash is kept.
      process.stdout.write(`\n  Generated admin token (shown once, only its hash is stored):\n\n    ${token}\n\n`);
    }
  }
  if (config.SEED === '2009') await seed(services);

  if (runsWorkers && mailer) {
    // Workers get a connection of their own that waits for Redis (maxRetriesPerRequest: null).
    const workerRedis = createRedis(config, 'worker');
    await connectRedis(workerRedis, config);
    releasers.push({ name: 'worker-redis', release: () => workerRedis.quit() });
    logger.info({ mail: mailer.kind, target: mailer.target }, mailer.kind === 'outbox' ? `mail is written to the outbox folder ${mailer.target}` : `mail goes to ${mailer.target}`);
    // Released before the mailer and the connection: stop taking jobs, let active ones finish.
    const workers = await startWorkers({ services, redis: workerRedis });
    releasers.push({ name: 'workers', release: () => workers.close() });
    const digestWorker = await startDigestWorker({ services, redis: workerRedis });
    releasers.push({ name: 'digest-worker', release: () => digestWorker.close() });
    // Quiet days and the send hour often put the first mail days ahead: say when it will be.
    try {
      const w = services.on(redis);
      const next = await findNextMail({ commitments: w.stores.commitments, parties: w.stores.parties, planner: w.planner, ledger: w.stores.reminderLedger, clock });
      logger.info(next.kind === 'next' ? { nextReminder: next.next } : {}, describeNextMail(next));
    } catch (err) {
      logger.warn({ err: coerceError(err) }, 'could not work out the next reminder');
    }
  }
  metrics.watchQueues(services.queues);

  let url: string | undefined;
  if (role === 'all' || role === 'api') {
    const app = createApp(services);
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url, role }, 'API listening');
    releasers.push({
      name: 'http',
      release: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    });
  }

  const metricsPort = config.METRICS_PORT;
  if (metricsPort) {
    // Every role serves its own metrics here, so a workers-only process can be scraped and health-checked.
    const metricsServer: Server = await new Promise((resolve, reject) => {
      const s = createMetricsApp({ metrics, config, logger }).listen(metricsPort, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    logger.info({ port: config.METRICS_PORT, role }, 'metrics listening');
    releasers.push({ name: 'metrics-http', release: () => new Promise<void>((resolve) => metricsServer.close(() => resolve())) });
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_TIMEOUT_MS).unref());
      const releaseAll = (async () => {
        for (const r of [...releasers].reverse()) {
          try {
            await r.release();
          } catch (err) {
            logger.warn({ err: coerceError(err), step: r.name }, 'shutdown step failed');
          }
        }
      })();
      await Promise.race([releaseAll, deadline]);
      logger.info('stopped');
    })();
    return stopping;
  };
  return { config, logger, ...(url ? { url } : {}), ...(generatedToken ? { generatedToken } : {}), stop };
}

function roleFromArgv(argv: string[]): Role {
  const arg = argv.find((a) => a.startsWith('--role='));
  const role = arg?.slice('--role='.length) ?? 'all';
  if (role !== 'all' && role !== 'api' && role !== 'workers') {
    process.stderr.write(`Unknown --role=${role}; expected all, api or workers.\n`);
    process.exit(2);
  }
  return role;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  start({ role: roleFromArgv(process.argv.slice(2)) }).then(
    (running) => {
      const shutdown = (signal: string) => {
        running.logger.info({ signal }, 'shutting down');
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    },
    (err: unknown) => {
      if (err instanceof ConfigError || err instanceof RedisUnreachableError) {
        process.stderr.write(`${err.message}\n`);
      } else {
        process.stderr.write(`Failed to start: ${coerceError(err).stack ?? String(err)}\n`);
      }
      process.exit(1);
    },
  );
}
