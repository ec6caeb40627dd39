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
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { createApp } from './api/app.js';
import { systemClock, type Clock } from './domain/clock.js';
import { coerceError } from './domain/errors.js';
import { createLogger } from './logger.js';
import { connectRedis, createRedis, RedisUnreachableError } from './redis.js';
import { createAuthenticator, ensureGeneratedAdminToken } from './store/auth-store.js';
import { createRedisCommitmentStore } from './store/commitment-store.js';
import { createKeys } from './store/keys.js';
import { importMeetingFile } from './store/meeting-import.js';
import { createRedisMeetingStore, createRedisPartyStore } from './store/party-store.js';
import { QUEUES, createQueue } from '../jobs/queues.js';
import { createReconcileScheduler } from '../jobs/reminder-jobs.js';
import { startWorkers } from '../workers/index.js';
import { startDigestWorker } from '../workers/digest.js';
import { assertDigestSchedule } from '../jobs/digest.js';
import { createMailer } from './mail/mailer.js';
import { createMetrics } from './metrics.js';
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
async function seed(deps: Parameters<typeof importMeetingFile>[1], redis: Redis, keys: ReturnType<typeof createKeys>, clock: Clock, logger: Logger) {
  if ((await redis.zcard(keys.meetings)) > 0) return;
  const file = JSON.parse(await readFile(SEED_FILE, 'utf8')) as unknown;
  const result = await importMeetingFile(file, deps, 'seed', clock.now());
  logger.info({ meetingId: result.meetingId, created: result.commitments.created.length }, 'seeded the 2009 meeting');
}

export async function start(opts: { env?: Record<string, string | undefined>; role?: Role; clock?: Clock; logger?: Logger } = {}): Promise<Running> {
  const config = loadConfig(opts.env);
  // A bad DIGEST_CRON / DIGEST_TZ stops the start here, with a message naming it, before any client exists.
  assertDigestSchedule(config.DIGEST_CRON, config.DIGEST_TZ);
  const role = opts.role ?? 'all';
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, nodeEnv: config.NODE_ENV, ...(config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {}) });
  const keys = createKeys(config.REDIS_PREFIX);
  // One metrics registry per process, shared by the API and the workers it runs.
  const metrics = createMetrics({ defaults: true });

  // Release in reverse order of setup; every step runs even when one fails.
  const releasers: Array<{ name: string; release: () => Promise<unknown> }> = [];

  const redis = createRedis(config, 'api');
  await connectRedis(redis, config);
  releasers.push({ name: 'redis', release: () => redis.quit() });

  const commitments = createRedisCommitmentStore(redis, keys);
  const parties = createRedisPartyStore(redis, keys);
  const meetings = createRedisMeetingStore(redis, keys);

  let generatedToken: string | undefined;
  if (!config.API_TOKENS) {
    const token = await ensureGeneratedAdminToken(redis, keys);
    if (token) {
      generatedToken = token;
      // Printed once, on purpose not through the logger (which redacts tokens): only its hash is kept.
      process.stdout.write(`\n  Generated admin token (shown once, only its hash is stored):\n\n    ${token}\n\n`);
    }
  }
  if (config.SEED === '2009') await seed({ commitments, parties, meetings }, redis, keys, clock, logger);

  if (role === 'all' || role === 'workers') {
    // Workers get a connection of their own that waits for Redis (maxRetriesPerRequest: null).
    const workerRedis = createRedis(config, 'worker');
    await connectRedis(workerRedis, config);
    releasers.push({ name: 'worker-redis', release: () => workerRedis.quit() });
    const mailer = createMailer({ ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}), outboxDir: config.OUTBOX_DIR, from: config.MAIL_FROM });
    releasers.push({ name: 'mailer', release: () => mailer.close() });
    logger.info({ mail: mailer.kind, target: mailer.target }, mailer.kind === 'outbox' ? `mail is written to the outbox folder ${mailer.target}` : `mail goes to ${mailer.target}`);
    // Released before the mailer and the connection: stop taking jobs, let active ones finish.
    const workers = await startWorkers({ config, redis: workerRedis, keys, clock, logger, mailer, metrics });
    releasers.push({ name: 'workers', release: () => workers.close() });
    // The weekly digest: its Job Scheduler is replaced at every start, so there is only ever one.
    const digestWorker = await startDigestWorker({ config, redis: workerRedis, keys, clock, logger, mailer, metrics });
    releasers.push({ name: 'digest-worker', release: () => digestWorker.close() });
    metrics.watchQueues([...Object.values(workers.queues), digestWorker.queue]);
  }

  let url: string | undefined;
  if (role === 'all' || role === 'api') {
    const auth = createAuthenticator(redis, keys, config.API_TOKENS);
    // Producers on the API's fail-fast connection: a change while Redis is down is repaired by the full reconcile.
    const reconcileQueue = createQueue(QUEUES.reconcile, redis, config.REDIS_PREFIX, logger);
    const reminderQueue = createQueue(QUEUES.reminders, redis, config.REDIS_PREFIX, logger);
    releasers.push({ name: 'api-queues', release: () => Promise.all([reconcileQueue.close(), reminderQueue.close()]) });
    const onChange = createReconcileScheduler(reconcileQueue);
    // The dashboard and the queue-depth gauges watch every queue, also those only workers produce to.
    const watched = [reconcileQueue, reminderQueue];
    for (const name of Object.values(QUEUES)) if (!watched.some((q) => q.name === name)) watched.push(createQueue(name, redis, config.REDIS_PREFIX, logger));
    releasers.push({ name: 'watched-queues', release: () => Promise.all(watched.slice(2).map((q) => q.close())) });
    const app = createApp({ config, redis, keys, clock, logger, auth, commitments, parties, meetings, onChange, reminderQueue, queues: watched, metrics });
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
