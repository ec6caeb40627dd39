/**
 * createServices(config, clients): the one composition root. `npm start`, the
 * CLI, the demo, the benchmarks and the tests all wire the stores, the queues
 * and the use cases here, once.
 *
 * The caller owns the clients it passes (Redis connections, the notifier) and
 * closes them after `close()`; the services close what they opened (the
 * producer queues, the workers' data connection), in reverse order.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import { createPlanner } from '../../jobs/plan.js';
import { QUEUES, createQueue } from '../../jobs/queues.js';
import { createBullScheduler } from '../../jobs/scheduler.js';
import type { Clock } from '../domain/clock.js';
import type { HolidayLookup } from '../domain/holidays.js';
import { coerceError } from '../domain/errors.js';
import type { Metrics } from '../metrics.js';
import { createAuthenticator, ensureGeneratedAdminToken, sharedSecret, type Authenticator } from '../store/auth-store.js';
import { createRedisCommitmentStore, type CommitmentStore } from '../store/commitment-store.js';
import { createDigestArchive, createDigestSnapshotReader } from '../store/digest-store.js';
import { createEventTail, type EventTail } from '../store/event-tail.js';
import { createKeys } from '../store/keys.js';
import { createSendLedger } from '../store/ledger-store.js';
import { createRedisMeetingStore, createRedisPartyStore, type MeetingStore, type PartyStore } from '../store/party-store.js';
import { createRateLimitStore } from '../store/rate-limit-store.js';
import { createScheduleIndex } from '../store/schedule-index.js';
import { createCommitmentService, type CommitmentService } from './commitments.js';
import { createMeetingService, type MeetingService } from './meetings.js';
import { createDelivery } from './delivery.js';
import { createDigestService, type DigestService } from './digests.js';
import type { Notifier, Scheduler } from './ports.js';
import { createReminderService, type ReminderService } from './reminders.js';
import { createNoticePort } from '../../jobs/notices.js';
import { createExtensionStore } from '../store/extension-store.js';
import { createLinkStore } from '../store/link-store.js';
import { createExtensionService, type ExtensionService, type NoticePort } from './extensions.js';
import { createLinkService, type LinkService } from './links.js';

export interface Clients {
  /** The API-side connection: fails fast while Redis is down (the API answers 503). */
  redis: Redis;
  /** Where mail goes; needed by whatever sends (the workers, a digest run). */
  notifier?: Notifier;
}

export interface ServiceOptions {
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Another Scheduler adapter in place of BullMQ's (tests of the reschedule error policy). */
  scheduler?: Scheduler;
  /** The public holidays the planner reads; date-holidays by default. Real-time tests pass none, so their plans do not depend on today's date. */
  holidays?: HolidayLookup;
}

/** The stores, use cases and ports one process needs, bound to one Redis connection. */
function wire(config: Config, redis: Redis, notifier: Notifier | undefined, scheduler: Scheduler, opts: ServiceOptions, ports: LinkPorts) {
  const keys = createKeys(config.REDIS_PREFIX);
  const { clock, logger, metrics } = opts;
  const commitments = createRedisCommitmentStore(redis, keys);
  const parties = createRedisPartyStore(redis, keys);
  const meetings = createRedisMeetingStore(redis, keys);
  const reminderLedger = createSendLedger(redis, keys, 'reminder');
  const digestLedger = createSendLedger(redis, keys, 'digest');
  const planner = createPlanner(config, opts.holidays ? { holidays: opts.holidays } : {});
  const archive = createDigestArchive(redis, keys);
  const schedule = createScheduleIndex(redis, keys);
  const notifierOrFail: Notifier = notifier ?? {
    kind: 'outbox',
    target: '(none)',
    send: () => Promise.reject(new Error('this process has no mail transport')),
    close: async () => {},
  };
  const delivery = createDelivery({ notifier: notifierOrFail, clock, ...(metrics ? { metrics } : {}) });
  const m = metrics ? { metrics } : {};
  const commitmentService = createCommitmentService({ commitments, parties, meetings, schedule, scheduler, clock, logger, ...m });
  const meetingService = createMeetingService({ meetings, parties, commitments, commitmentService, clock, logger });
  // Signed links and requests for more time (src/app/links.ts, src/app/extensions.ts).
  const extensionStore = createExtensionStore(redis, keys);
  const links = createLinkService({
    store: createLinkStore(redis, keys),
    extensions: extensionStore,
    commitments,
    parties,
    clock,
    secret: ports.secret,
    baseUrl: config.PUBLIC_BASE_URL,
    steeringGroup: config.DIGEST_STEERING_GROUP,
  });
  const extensions = createExtensionService({
    store: extensionStore,
    commitments,
    useCases: commitmentService,
    parties,
    links,
    ledger: createSendLedger(redis, keys, 'notice'),
    delivery,
    notices: ports.notices,
    clock,
    logger,
    decisionDays: config.EXTENSION_DECISION_DAYS,
    baseUrl: config.PUBLIC_BASE_URL,
  });
  return {
    stores: { commitments, parties, meetings, reminderLedger, digestLedger, archive, schedule },
    links,
    extensions,
    planner,
    delivery,
    commitments: commitmentService,
    meetingUseCases: meetingService,
    digests: createDigestService({
      viewLinks: links.viewLinks,
      config,
      clock,
      logger,
      archive,
      snapshots: createDigestSnapshotReader({ redis, keys, meetings, parties, reminderLedger }),
      ledger: digestLedger,
      delivery,
      parties,
      meetings,
      scheduler,
      ...m,
    }),
    reminders: createReminderService({ commitments, parties, ledger: reminderLedger, planner, scheduler, clock }),
  };
}
export type Wired = ReturnType<typeof wire>;

/** What the links and the requests for more time need from the composition root. */
interface LinkPorts {
  secret: () => Promise<string>;
  notices: NoticePort;
}

export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Read models for queries (lists, pages, feeds). Changes go through the use cases. */
  commitmentStore: CommitmentStore;
  parties: PartyStore;
  meetings: MeetingStore;
  auth: Authenticator;
  /** The use cases. */
  commitments: CommitmentService;
  /** Meetings: create, change (moving tied deadlines), delete, draft from a statement. */
  meetingUseCases: MeetingService;
  digests: DigestService;
  reminders: ReminderService;
  /** Signed links in mail (issue, check). */
  links: LinkService;
  /** Requests for more time. */
  extensions: ExtensionService;
  scheduler: Scheduler;
  /** Every BullMQ queue of the deployment (producer side): the dashboard and the queue-depth gauges. */
  queues: readonly Queue[];
  /** A secret shared by every process: the configured one, or one generated once and kept in Redis. */
  secret(name: 'action-link' | 'session' | 'feed'): Promise<string>;
  /** Rate-limit counters shared by every API process. */
  rateLimitStore(name: string): ReturnType<typeof createRateLimitStore>;
  /** The admin token generated at first start without API_TOKENS (only to the process that made it). */
  ensureGeneratedAdminToken(): Promise<string | null>;
  /** True when the store holds no meeting yet (first start). */
  isEmpty(): Promise<boolean>;
  /** Follow the event stream from its beginning on a connection of its own (the demo's narrator). */
  tailEvents(): EventTail;
  /** Round trip to Redis, for /readyz. */
  ping(): Promise<void>;
  /**
   * The same stores and use cases on another connection: the workers use a connection
   * that waits for Redis instead of failing fast.
   */
  on(redis: Redis): Wired;
  close(): Promise<void>;
}

export function createServices(config: Config, clients: Clients, opts: ServiceOptions): Services {
  const { redis, notifier } = clients;
  const keys = createKeys(config.REDIS_PREFIX);
  // Opened on first use: a CLI command that only reads, or a refused import, touches no queue.
  let opened: Record<'reconcile' | 'reminders' | 'statusCheck' | 'digest' | 'notices', Queue> | undefined;
  const queues = () =>
    (opened ??= {
      reconcile: createQueue(QUEUES.reconcile, redis, config.REDIS_PREFIX, opts.logger),
      reminders: createQueue(QUEUES.reminders, redis, config.REDIS_PREFIX, opts.logger),
      statusCheck: createQueue(QUEUES.statusCheck, redis, config.REDIS_PREFIX, opts.logger),
      digest: createQueue(QUEUES.digest, redis, config.REDIS_PREFIX, opts.logger),
      notices: createQueue(QUEUES.notices, redis, config.REDIS_PREFIX, opts.logger),
    });
  const scheduler = opts.scheduler ?? createBullScheduler(queues);
  const secrets = new Map<string, Promise<string>>();
  const ports: LinkPorts = { secret: () => services.secret('action-link'), notices: createNoticePort(() => queues().notices, opts.clock) };
  const wired = wire(config, redis, notifier, scheduler, opts, ports);
  const configuredSecret: Record<string, string | undefined> = { 'action-link': config.ACTION_LINK_SECRET };

  let closing: Promise<void> | undefined;
  const services: Services = {
    config,
    clock: opts.clock,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    commitmentStore: wired.stores.commitments,
    parties: wired.stores.parties,
    meetings: wired.stores.meetings,
    auth: createAuthenticator(redis, keys, config.API_TOKENS),
    commitments: wired.commitments,
    meetingUseCases: wired.meetingUseCases,
    digests: wired.digests,
    reminders: wired.reminders,
    links: wired.links,
    extensions: wired.extensions,
    scheduler,
    get queues() {
      return Object.values(queues());
    },
    secret(name) {
      let s = secrets.get(name);
      if (!s) {
        s = sharedSecret(redis, keys, name, configuredSecret[name]);
        // A failed read (Redis down) is not remembered.
        s.catch(() => secrets.delete(name));
        secrets.set(name, s);
      }
      return s;
    },
    rateLimitStore: (name) => createRateLimitStore(redis, keys, name),
    ensureGeneratedAdminToken: () => ensureGeneratedAdminToken(redis, keys),
    isEmpty: async () => (await wired.stores.meetings.count()) === 0,
    tailEvents: () => createEventTail(redis, keys),
    ping: async () => {
      await redis.ping();
    },
    on: (other) => wire(config, other, notifier, scheduler, opts, ports),
    close() {
      closing ??= (async () => {
        for (const q of Object.values(opened ?? {}).reverse()) {
          await q.close().catch((err: unknown) => opts.logger.warn({ err: coerceError(err), queue: q.name }, 'queue close failed'));
        }
      })();
      return closing;
    },
  };
  return services;
}
