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
 *
 * Round trips (the hot path of a burst): the commitment and the send's ledger
 * entries are read together when the send id can be guessed from the job id
 * (see send-id-guess.ts; a miss reads the ledger after planning, as before),
 * and the job's reminder.sent/failed event rides in the last recipient's
 * ledger script call (ledger entry + index + history + event stream, one
 * command). The ledger write is still issued the moment the SMTP server
 * accepts, and the guard still decides on the commitment just read.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { recipientsOf, type Planner } from '../jobs/plan.js';
import { MAIL_ATTEMPTS, mailBackoffMs, parseSendReminderPayload, reminderJobId } from '../jobs/reminder-jobs.js';
import { realInstant, type Clock } from '../src/domain/clock.js';
import { isClosed } from '../src/domain/status.js';
import type { Commitment } from '../src/domain/commitment.js';
import type { DomainEvent } from '../src/domain/events.js';
import type { PlannedSend } from '../src/domain/planner.js';
import { childFor } from '../src/logger.js';
import { actionLinkUrl } from '../src/mail/action-link.js';
import type { SendLedger } from '../src/mail/ledger.js';
import { MailError, toMailError, type Mailer } from '../src/mail/mailer.js';
import { createReminderRenderer } from '../src/mail/reminder-template.js';
import { countReminder, type Metrics } from '../src/metrics.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';
import type { PartyLookup } from './party-cache.js';
import { createSendIdGuesser } from './send-id-guess.js';

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

// Helpers at module level: on the hot path, closures made per job cost (tsx names each one).
const jobLog = (logger: Logger, job: Job, commitmentId: string) => childFor(logger, { queue: 'reminders', jobId: job.id, commitmentId });

type Failure = { address: string; error: string; code?: number };

/** The events that report one job's outcome so far: reminder.sent (+ commitment.escalated), reminder.failed. */
function jobEvents(c: Commitment, send: PlannedSend, at: string, sent: readonly string[], failed: readonly Failure[]): DomainEvent[] {
  const base = { commitmentId: c.id, meetingId: c.meetingId, at, version: c.version, changes: {} };
  const sendId = send.id;
  const events: DomainEvent[] = [];
  if (sent.length) {
    events.push({ ...base, type: 'reminder.sent', who: 'reminder-worker', data: { sendId, step: send.stepKey, plannedAt: send.at, recipients: [...sent] } });
    if (send.step === 'escalation') events.push({ ...base, type: 'commitment.escalated', who: 'reminder-worker', data: { sendId, to: send.to, cc: send.cc } });
  }
  if (failed.length) events.push({ ...base, type: 'reminder.failed', who: 'reminder-worker', data: { sendId, step: send.stepKey, failures: [...failed] } });
  return events;
}

/**
 * JSON.parse of a commitment, memoised by the exact stored string (per id, last
 * `max` ids): the ten or so jobs of one commitment's step read the same
 * document, and a string comparison is far cheaper than a parse. Every job
 * still reads the document from Redis, so the guard always decides on what is
 * stored now; the parsed object is shared, and nothing here mutates it.
 */
function createCommitmentParser(max = 512): (id: string, json: string) => Commitment {
  const cache = new Map<string, { json: string; c: Commitment }>();
  return (id, json) => {
    const hit = cache.get(id);
    if (hit && hit.json === json) return hit.c;
    const c = JSON.parse(json) as Commitment;
    cache.delete(id);
    cache.set(id, { json, c });
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return c;
  };
}

export function createSendReminderProcessor(deps: SendReminderDeps) {
  const { commitments, ledger, planner, mailer, clock } = deps;
  const guesser = createSendIdGuesser();
  const renderReminder = createReminderRenderer();
  const parseCommitment = createCommitmentParser();

  return async function processSendReminder(job: Job, token?: string): Promise<SendOutcome> {
    const parsed = parseSendReminderPayload(job.data);
    if (!parsed.success || !job.id) throw new UnrecoverableError(`malformed reminder payload: ${parsed.error?.issues.map((i) => i.message).join('; ') ?? 'no job id'}`);
    const { c: commitmentId, v: dueVersion, p: partyId, m: manual } = parsed.data;

    // One round trip: the commitment and, when the send can be guessed, its ledger entries.
    const guessed = guesser.guess(job.id, commitmentId, dueVersion, partyId);
    const [json, guessedEntries] = await Promise.all([commitments.getJson(commitmentId), guessed ? ledger.getAll(guessed) : null]);
    const c = json ? parseCommitment(commitmentId, json) : null;
    if (!c) throw new UnrecoverableError(`unknown commitment ${commitmentId}`);
    if (isClosed(c.status)) return { outcome: 'closed' };
    if (c.dueVersion !== dueVersion) return { outcome: 'stale' };

    const now = clock.now();
    const parties = await deps.parties.all();
    // Plan only this party's sends: the planner works per party, so they are the same
    // sends (ids, instants, recipients, copies) as in the full plan, for a tenth of the work.
    const mine = { ...c, leads: c.leads.filter((x) => x === partyId), members: c.members.filter((x) => x === partyId) };
    const plan = planner.plan(mine, parties, now);
    // A guessed id hashes to this job's id, so it is the send if the plan still has it.
    const send = (guessed !== null && plan.find((s) => s.id === guessed)) || plan.find((s) => reminderJobId(s.id) === job.id);
    if (!send) {
      jobLog(deps.logger, job, commitmentId).info('send no longer in the plan; nothing sent');
      return { outcome: 'not-in-plan' };
    }
    guesser.learn([send.stepKey]);
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

    const entries = send.id === guessed && guessedEntries ? guessedEntries : await ledger.getAll(sendId);
    const secret = await deps.actionSecret();
    const leadNames = c.leads.map((id) => parties.get(id)?.name ?? id);
    // attemptsStarted counts this run too; temporary-failure retries below go through moveToDelayed.
    const lastAttempt = job.attemptsStarted >= MAIL_ATTEMPTS;
    const sent: string[] = [];
    const already: string[] = [];
    const failed: Failure[] = [];
    let retryable: MailError | null = null;
    let eventsRecorded = false;


    const pending = recipients.filter((r) => {
      if (entries[r.address]?.state !== 'sent') return true;
      already.push(r.address);
      return false;
    });
    for (let i = 0; i < pending.length; i++) {
      const r = pending[i]!;
      const last = i === pending.length - 1;
      const actionUrl = actionLinkUrl(deps.baseUrl, secret, { commitmentId: c.id, recipient: r.address, dueVersion: c.dueVersion }, now);
      const mail = renderReminder({ commitment: c, send, recipient: r.address, copied: r.copied, leadNames, baseUrl: deps.baseUrl, actionUrl });
      let outcome: MailError | null = null;
      try {
        const result = await mailer.send({ ...mail, to: [r.address], date: clock.now() });
        if (result.rejected.length > 0) outcome = new MailError(`recipient rejected: ${result.rejected.join(', ')}`, 550, true, result.rejected);
      } catch (err) {
        outcome = err instanceof MailError ? err : toMailError(err);
      }
      if (outcome && !outcome.permanent && !lastAttempt) {
        retryable = outcome;
        break;
      }
      const at = clock.now();
      if (outcome) failed.push({ address: r.address, error: outcome.message, ...(outcome.responseCode ? { code: outcome.responseCode } : {}) });
      else sent.push(r.address);
      // Record at once: for a sent message this write closes the duplicate window for this recipient.
      // The last recipient's write carries the job's events in the same script call (one command).
      const events = last ? { commitmentId: c.id, events: jobEvents(c, send, at.toISOString(), sent, failed) } : undefined;
      await (outcome ? ledger.markFailed(sendId, r.address, at, outcome.message, outcome.responseCode, meta, events) : ledger.markSent(sendId, r.address, at, mail.messageId, meta, events));
      if (last) eventsRecorded = true;
    }

    if (!eventsRecorded) {
      const events = jobEvents(c, send, clock.now().toISOString(), sent, failed);
      if (events.length) await commitments.appendEvents(c.id, events);
    }
    countReminder(deps.metrics, 'sent', send.stepKey, sent.length);
    countReminder(deps.metrics, 'failed', send.stepKey, failed.length);

    if (retryable) {
      const delay = mailBackoffMs(job.attemptsStarted, deps.backoffMs);
      jobLog(deps.logger, job, commitmentId).warn({ err: retryable, attempt: job.attemptsStarted, retryInMs: delay }, 'temporary mail failure; will retry');
      await job.moveToDelayed(Date.now() + delay, token);
      throw new DelayedError();
    }
    if (failed.length) {
      throw new UnrecoverableError(`delivery failed for ${failed.map((f) => `${f.address} (${f.code ?? 'no code'})`).join(', ')}`);
    }
    if (deps.logger.isLevelEnabled('debug')) jobLog(deps.logger, job, commitmentId).debug({ step: send.stepKey, sent: sent.length, already: already.length }, 'reminder sent');
    return { outcome: 'sent', sent, already };
  };
}
