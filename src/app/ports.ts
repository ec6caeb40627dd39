/**
 * The ports the use cases call: how a change reaches the job queues, and how
 * a message reaches a person. Adapters: jobs/scheduler.ts (BullMQ) and
 * src/mail/mailer.ts (SMTP or an outbox folder).
 */
import type { Principal } from '../domain/auth.js';

export type { Mailer as Notifier, OutgoingMail, SendResult } from '../mail/mailer.js';

/** What the use cases ask of the job queues. Every call may fail while Redis is away. */
export interface Scheduler {
  /** Plan these commitments' reminders again (one deduplicated reconcile each). */
  commitmentsChanged(ids: readonly string[]): Promise<void>;
  /** Send one failed reminder send again, now. */
  retryReminder(sendId: string, data: { c: string; v: number; p: string }): Promise<void>;
  /** Deliver a prepared (archived) digest send. */
  deliverDigest(sendId: string): Promise<void>;
}

/**
 * Who acts. `principal` is the API token's identity, checked by the use case
 * against the commitment it acts on; the CLI, the demo and signed links act
 * without one (they are trusted, or carry their own proof).
 */
export interface Actor {
  name: string;
  principal?: Principal;
}

export const systemActor = (name: string): Actor => ({ name });
