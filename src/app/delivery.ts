/**
 * Ledgered delivery: the one way a reminder or a digest reaches a person.
 *
 * For each (send id, recipient) the ledger says whether it went out. A
 * message is sent only when the ledger has no `sent` for it, and its outcome
 * is recorded the moment it is known. The one window this leaves: a crash
 * after the server accepted a message and before the ledger write sends that
 * recipient the message again, with the same Message-ID, so mail clients
 * fold the copies. Recording before sending would close the window but lose
 * mail on a crash before acceptance, the worse failure for a deadline.
 *
 * Failures are classified once (src/mail/mailer.ts): a 5xx reply or a
 * rejected address is final and recorded `failed`; anything else (4xx,
 * connection refused, timeout) is temporary, recorded nowhere, and the job
 * tries again later. A temporary failure is never final here while the send
 * is still useful: the caller's fire-time guard decides that (a reminder past
 * the catch-up window is skipped, a closed commitment's is dropped). Among the
 * temporary failures, an outage (no reply at all: refused, timed out, reset,
 * unknown host; or 421, the server closing the channel) says nothing about
 * this message: the processors then pause the whole queue (BullMQ's rate
 * limiter) instead of spending the message's tries, and resume by themselves
 * when a probe after the pause gets through. Only an explicit `lastAttempt`
 * (an admin's one-off retry) turns a 4xx reply into `failed`; an outage never.
 */
import type { Clock } from '../domain/clock.js';
import { MailError, toMailError } from '../mail/mailer.js';
import type { Metrics } from '../metrics.js';
import type { LedgerEvents, SendLedger } from '../store/ledger-store.js';
import type { Notifier, OutgoingMail } from './ports.js';

export interface DeliveryItem {
  sendId: string;
  recipient: string;
  mail: OutgoingMail;
  /** Kept with the ledger entry: commitment id, step, digest id … */
  meta: Record<string, unknown>;
  /** Events to record in the same write as the outcome (built from it). */
  events?: (outcome: { sent: boolean; at: Date; error?: MailError }) => LedgerEvents | undefined;
}

export type DeliveryOutcome =
  | { state: 'sent'; at: Date; messageId: string }
  | { state: 'failed'; at: Date; error: MailError }
  /** Temporary failure: nothing recorded; try again later (`outage`: pause the queue, see isOutage). */
  | { state: 'retry'; error: MailError; outage: boolean };

/**
 * The mail server could not be reached or will not talk now: no SMTP reply at all (connection
 * refused, timeout, reset, DNS) or 421 (service not available). Such a failure is about the
 * server, not the message, so delivery pauses rather than spending the message's tries.
 */
export function isOutage(e: Pick<MailError, 'permanent' | 'responseCode'>): boolean {
  return !e.permanent && (e.responseCode === undefined || e.responseCode === 421);
}

export function createDelivery(deps: { notifier: Notifier; clock: Clock; metrics?: Metrics }) {
  const { notifier, clock } = deps;

  /** Send one message and record its outcome (see the module comment). */
  async function deliver(ledger: SendLedger, item: DeliveryItem, opts: { lastAttempt?: boolean } = {}): Promise<DeliveryOutcome> {
    let error: MailError | null = null;
    try {
      const result = await notifier.send({ ...item.mail, date: clock.now() });
      if (result.rejected.length > 0) error = new MailError(`recipient rejected: ${result.rejected.join(', ')}`, 550, true, result.rejected);
    } catch (err) {
      error = err instanceof MailError ? err : toMailError(err);
    }
    if (error && !error.permanent && (!opts.lastAttempt || isOutage(error))) return { state: 'retry', error, outage: isOutage(error) };
    const at = clock.now();
    const events = item.events?.({ sent: !error, at, ...(error ? { error } : {}) });
    // Recorded at once: for a sent message this write closes the duplicate window.
    if (error) {
      await ledger.markFailed(item.sendId, item.recipient, at, error.message, error.responseCode, item.meta, events);
      return { state: 'failed', at, error };
    }
    await ledger.markSent(item.sendId, item.recipient, at, item.mail.messageId, item.meta, events);
    return { state: 'sent', at, messageId: item.mail.messageId };
  }

  return { deliver };
}
export type Delivery = ReturnType<typeof createDelivery>;
