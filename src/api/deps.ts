/** What the routes get: the services (use cases, read models, ports) and the process's config, clock and logger. */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import type { Services } from '../app/services.js';
import type { Clock } from '../domain/clock.js';
import type { Metrics } from '../metrics.js';
import type { Authenticator } from '../store/auth-store.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { MeetingStore, PartyStore } from '../store/party-store.js';

export interface AppDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  services: Services;
  auth: Authenticator;
  /** Read models for queries; changes go through `services`. */
  commitments: CommitmentStore;
  parties: PartyStore;
  meetings: MeetingStore;
  metrics?: Metrics;
  /** BullMQ queues for the dashboard at /admin/queues and the queue-depth gauges. */
  queues: readonly Queue[];
}

/** The routes' view of the services. */
export const appDeps = (services: Services): AppDeps => ({
  config: services.config,
  clock: services.clock,
  logger: services.logger,
  services,
  auth: services.auth,
  commitments: services.commitmentStore,
  parties: services.parties,
  meetings: services.meetings,
  ...(services.metrics ? { metrics: services.metrics } : {}),
  queues: services.queues,
});
