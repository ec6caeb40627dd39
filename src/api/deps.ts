/** Everything the API needs, injected by the entry point (or a test). */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import type { Clock } from '../domain/clock.js';
import type { Metrics } from '../metrics.js';
import type { Authenticator } from '../store/auth-store.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { Keys } from '../store/keys.js';
import type { MeetingStore, PartyStore } from '../store/party-store.js';

/** Called after every committed change, to reschedule reminders (see jobs/). */
export interface ChangeListener {
  commitmentChanged(commitmentId: string): Promise<void>;
}

export interface AppDeps {
  config: Config;
  redis: Redis;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  auth: Authenticator;
  commitments: CommitmentStore;
  parties: PartyStore;
  meetings: MeetingStore;
  /** Optional: the reminder scheduler. Without it, changes are picked up by the periodic full reconcile. */
  onChange?: ChangeListener;
  /** Optional: this process's metrics (one per process); createApp makes a fresh set when absent. */
  metrics?: Metrics;
  /** Optional: BullMQ queues for the dashboard at /admin/queues and the queue-depth gauges. */
  queues?: readonly Queue[];
  /** Optional: the reminders queue, for the admin retry of a failed delivery (POST /v1/reminders/:sendId/retry). */
  reminderQueue?: Queue;
}
