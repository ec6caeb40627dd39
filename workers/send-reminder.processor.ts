/**
 * The reminder job: the fire-time guard, then one message per recipient
 * through the send ledger.
 *
 * Guard (promise 1's second line, and promise 2): re-read the commitment and
 * send nothing when it is done or cancelled, when its deadline version is not
 * the job's, or when the job's send is no longer in the current plan (or the
 * plan now says it is skipped: missed by more than the catch-up window).
 *
 * Delivery (promise 3): for each recipient, skip if the ledger says `sent`;
 * otherwise send, then record `sent` at once. See src/mail/ledger.ts for the
 * one window this leaves (a crash between SMTP acceptance and the ledger
 * write sends that one recipient again, with the same Message-ID).
 * 4xx and network errors put the job back in the delayed set with
 * exponential backoff and jitter (mailBackoffMs; up to MAIL_ATTEMPTS tries,
 * counted by BullMQ's attemptsStarted), then count as failed; 5xx and
 * rejected recipients are recorded `failed` and end the job with
 * UnrecoverableError, after the accepted recipients are recorded `sent`.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { recipientsOf, type Planner } from '../jobs/plan.js';
import { MAIL_ATTEMPTS, SendReminderPayloadSchema, mailBackoffMs, reminderJobId } from '../jobs/reminder-jobs.js';
import { realInstant, type Clock } from '../src/domain/clock.js';
import { isClosed } from '../src/domain/status.js';
import type { DomainEvent } from '../src/domain/events.js';
import { childFor } from '../src/logger.js';
import { actionLinkUrl } from '../src/mail/action-link.js';
import type { SendLedger } from '../src/mail/ledger.js';
import { MailError, toMailError, type Mailer } from '../src/mail/mailer.js';
import { renderReminder } from '../src/mail/reminder-template.js';
import { countReminder, type Metrics } from '../src/metrics.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';
import type { PartyLookup } from './party-cache.js';

export interface SendReminderDeps {
  commitments: CommitmentStore;
  parties: PartyLookup;
  ledger: SendLedger;
  planner: Planner;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  /** The action-link HMAC secret (resolved once at start). */
  actionSecret: () => Promise<string>;
  metrics?: Metrics;
  /** Base of the retry backoff for temporary mail failures, ms. */
  backoffMs?: number;
}

export type SendOutcome =
  | { outcome: 'closed' | 'stale' | 'not-in-plan' | 'skipped' }
  | { outcome: 'sent'; sent: string[]; already: string[] };

export function createSendReminderProcessor(deps: SendReminderDeps) {
  const { commitments, ledger, planner, mailer, clock } = deps;

  return async function processSendReminder(job: Job, token?: string): Promise<SendOutcome> {
    const parsed = SendReminderPayloadSchema.safeParse(job.data);
    if (!parsed.success || !job.id) throw new UnrecoverableError(`malformed reminder payload: ${parsed.error?.issues.map((i) => i.message).join('; ') ?? 'no job id'}`);
    const { c: commitmentId, v: dueVersion, p: partyId, m: manual } = parsed.data;
    const log = () => childFor(deps.logger, { queue: 'reminders', jobId: job.id, commitmentId });

    const c = await commitments.get(commitmentId);
    if (!c) throw new UnrecoverableError(`unknown commitment ${commitmentId}`);
    if (isClosed(c.status)) return { outcome: 'closed' };
    if (c.dueVersion !== dueVersion) return { outcome: 'stale' };

    const now = clock.now();
    const parties = await deps.parties.all();
    // Plan only this party's sends: the planner works per party, so they are the same
    // sends (ids, instants, recipients, copies) as in the full plan, for a tenth of the work.
    const mine = { ...c, leads: c.leads.filter((x) => x === partyId), members: c.members.filter((x) => x === partyId) };
    const send = planner.plan(mine, parties, now).find((s) => reminderJobId(s.id) === job.id);
    if (!send) {
      log().info('send no longer in the plan; nothing sent');
      return { outcome: 'not-in-plan' };
    }
    const sendId = send.id;
    const recipients = recipientsOf(send);
    const meta = { commitmentId: c.id, partyId: send.partyId, step: send.stepKey, dueVersion: send.dueVersion, plannedAt: send.at };
    if (send.state === 'skipped' && !manual) {
      let n = 0;
      for (const r of recipients) if (await ledger.markSkippedIfAbsent(sendId, r.address, now, send.skipReason ?? 'skipped', meta)) n++;
      countReminder(deps.metrics, 'skipped', send.stepKey, n);
      return { outcome: 'skipped' };
    }
    // Never early: if this job fires before its planned instant (its `at` moved later), wait
    // (on BullMQ's real timeline: realInstant is the identity unless the clock is compressed).
    if (Date.parse(send.at) > now.getTime() && !manual) {
      await job.moveToDelayed(realInstant(clock, Date.parse(send.at)), token);
      throw new DelayedError();
    }

    const entries = await ledger.getAll(sendId);
    const secret = await deps.actionSecret();
    const leadNames = c.leads.map((id) => parties.get(id)?.name ?? id);
    // attemptsStarted counts this run too; temporary-failure retries below go through moveToDelayed.
    const lastAttempt = job.attemptsStarted >= MAIL_ATTEMPTS;
    const sent: string[] = [];
    const already: string[] = [];
    const failed: Array<{ address: string; error: string; code?: number }> = [];
    let retryable: MailError | null = null;

    for (const r of recipients) {
      if (entries[r.address]?.state === 'sent') {
        already.push(r.address);
        continue;
      }
      const actionUrl = actionLinkUrl(deps.baseUrl, secret, { commitmentId: c.id, recipient: r.address, dueVersion: c.dueVersion }, now);
      const mail = renderReminder({ commitment: c, send, recipient: r.address, copied: r.copied, leadNames, baseUrl: deps.baseUrl, actionUrl });
      try {
        const result = await mailer.send({ ...mail, to: [r.address], date: clock.now() });
        if (result.rejected.length > 0) throw new MailError(`recipient rejected: ${result.rejected.join(', ')}`, 550, true, result.rejected);
        // Record at once: this write closes the duplicate window for this recipient.
        await ledger.markSent(sendId, r.address, clock.now(), mail.messageId, meta);
        sent.push(r.address);
      } catch (err) {
        const me = err instanceof MailError ? err : toMailError(err);
        if (!me.permanent && !lastAttempt) {
          retryable = me;
          break;
        }
        await ledger.markFailed(sendId, r.address, clock.now(), me.message, me.responseCode, meta);
        failed.push({ address: r.address, error: me.message, ...(me.responseCode ? { code: me.responseCode } : {}) });
      }
    }

    const at = clock.now().toISOString();
    const base = { commitmentId: c.id, meetingId: c.meetingId, at, version: c.version, changes: {} };
    const events: DomainEvent[] = [];
    if (sent.length) {
      events.push({ ...base, type: 'reminder.sent', who: 'reminder-worker', data: { sendId, step: send.stepKey, plannedAt: send.at, recipients: sent } });
      if (send.step === 'escalation') events.push({ ...base, type: 'commitment.escalated', who: 'reminder-worker', data: { sendId, to: send.to, cc: send.cc } });
    }
    if (failed.length) events.push({ ...base, type: 'reminder.failed', who: 'reminder-worker', data: { sendId, step: send.stepKey, failures: failed } });
    if (events.length) await commitments.appendEvents(c.id, events);
    countReminder(deps.metrics, 'sent', send.stepKey, sent.length);
    countReminder(deps.metrics, 'failed', send.stepKey, failed.length);

    if (retryable) {
      const delay = mailBackoffMs(job.attemptsStarted, deps.backoffMs);
      log().warn({ err: retryable, attempt: job.attemptsStarted, retryInMs: delay }, 'temporary mail failure; will retry');
      await job.moveToDelayed(Date.now() + delay, token);
      throw new DelayedError();
    }
    if (failed.length) {
      throw new UnrecoverableError(`delivery failed for ${failed.map((f) => `${f.address} (${f.code ?? 'no code'})`).join(', ')}`);
    }
    if (deps.logger.isLevelEnabled('debug')) log().debug({ step: send.stepKey, sent: sent.length, already: already.length }, 'reminder sent');
    return { outcome: 'sent', sent, already };
  };
}
