/**
 * The reminder job: the fire-time guard, then one message per recipient
 * through the ledgered delivery (src/app/delivery.ts).
 *
 * A job is a group of sends (one step of one commitment at one instant) or
 * one send (an admin retry). It re-plans at fire time and sends what the plan
 * now puts there, and nothing when the commitment is done or cancelled, its
 * deadline version is not the job's, or the send has aged out of the catch-up
 * window. Messages of a job go one at a time, so at most one per job is ever
 * in the ledger's crash window. A 4xx reply moves the job back to the
 * delayed set (jobs/retry.ts) for as long as the send is still useful (each
 * run goes through the fire-time guard again); a mail server outage pauses the
 * whole queue instead (jobs/retry.ts: pauseForOutage) and spends no try; a
 * final failure (5xx, rejected address) is recorded and, once the job's other
 * recipients are served, ends it with UnrecoverableError.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { recipientsOf, type Planner } from '../jobs/plan.js';
import {
  SLOT_CLOSED_SECONDS,
  SendReminderPayloadSchema,
  groupInstant,
  parseCheckMember,
  parseSlotMember,
  reminderGroupJobId,
  reminderJobId,
  type SendSendsPayload,
  type SendSlotPayload,
} from '../jobs/reminder-jobs.js';
import { MAIL_ATTEMPTS, mailTries, parsePayload, pauseForOutage, retryLater, type PauseDelivery } from '../jobs/retry.js';
import { isOutage } from '../src/app/delivery.js';
import { realInstant, type Clock } from '../src/domain/clock.js';
import { isClosed } from '../src/domain/status.js';
import type { Commitment } from '../src/domain/commitment.js';
import type { DomainEvent } from '../src/domain/events.js';
import type { Party } from '../src/domain/party.js';
import type { PlannedSend } from '../src/domain/planner.js';
import { childFor } from '../src/logger.js';
import { actionLinkUrl } from '../src/mail/action-link.js';
import type { LedgerEntry, SendLedger } from '../src/store/ledger-store.js';
import type { MailError } from '../src/mail/mailer.js';
import type { Delivery as LedgeredDelivery } from '../src/app/delivery.js';
import type { LinkService } from '../src/app/links.js';
import { createReminderRenderer } from '../src/mail/reminder-template.js';
import { countReminder, type Metrics } from '../src/metrics.js';
import type { CommitmentStore } from '../src/store/commitment-store.js';
import type { ScheduleIndex } from '../src/store/schedule-index.js';
import { batchPerTurn } from '../src/store/turn-batch.js';
import type { StatusCheck } from './status-check.processor.js';
import type { PartyLookup } from './party-cache.js';

export interface SendReminderDeps {
  commitments: CommitmentStore;
  parties: PartyLookup;
  ledger: SendLedger;
  planner: Planner;
  delivery: LedgeredDelivery;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  /** The action-link HMAC secret (resolved once at start). */
  actionSecret: () => Promise<string>;
  /** Signed links (src/app/links.ts): each recipient's View, and for a lead its action links. Without it, the legacy done link. */
  links?: Pick<LinkService, 'issueMany'>;
  metrics?: Metrics;
  /** Base of the retry backoff for temporary mail failures, ms. */
  backoffMs?: number;
  /** Pause the reminder queue while the mail server is out (queue.rateLimit); without it, an outage is retried like a 4xx. */
  pauseDelivery?: PauseDelivery;
  /** How long one outage pause lasts before the next job probes the server, ms. */
  outagePauseMs?: number;
  /** Called on each outage pause (throttled logging and counting). */
  onOutage?: (err: MailError) => void;
  /** The status check at a deadline, for the checks a slot holds (workers/status-check.processor.ts). */
  check: StatusCheck;
  /** The reminder slots (src/store/schedule-index.ts). */
  slots: Pick<ScheduleIndex, 'slotMembers' | 'served' | 'closeSlot'>;
}

export type SendOutcome =
  | { outcome: 'closed' | 'stale' | 'not-in-plan' | 'skipped' }
  | { outcome: 'sent'; sent: string[]; already: string[] };

/** What one run of a job's sends came to, and so what the job does next. */
type RunOutcome =
  | SendOutcome
  | { outcome: 'unknown' }
  /** Nothing is ready yet: run again at `until`. */
  | { outcome: 'wait'; until: number }
  /** A temporary mail failure stopped the run. */
  | { outcome: 'retry'; error: MailError; tries: number; commitmentId: string }
  /** Every recipient has an outcome, and some failed for good (recorded in the ledger). */
  | { outcome: 'failed'; message: string };

/** Run the job again at `until`. A wait is not a mail try: it is counted in the job's data, so mailTries leaves it out. */
async function waitFor(job: Job, token: string | undefined, data: { w?: number | undefined }, until: number): Promise<never> {
  await job.updateData({ ...data, w: (data.w ?? 0) + 1 });
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}

/**
 * Members of one slot run side by side, in chunks: a chunk's groups read, write their links and
 * leave the slot in about the same turns, so those commands go to Redis together (batchPerTurn).
 * Measured against a sliding window of the same width, chunks cost less CPU per reminder.
 */
const SLOT_PARALLEL = 20;

// Helpers at module level: on the hot path, closures made per job cost (tsx names each one).
const jobLog = (logger: Logger, job: Job, commitmentId: string) => childFor(logger, { queue: 'reminders', jobId: job.id, commitmentId });

type Failure = { address: string; error: string; code?: number };

/** The events that report one job's outcome so far: reminder.sent (+ commitment.escalated, from the first lead's escalation only), reminder.failed. */
function jobEvents(c: Commitment, send: PlannedSend, at: string, sent: readonly string[], failed: readonly Failure[]): DomainEvent[] {
  const base = { commitmentId: c.id, meetingId: c.meetingId, at, version: c.version, changes: {} };
  const sendId = send.id;
  const events: DomainEvent[] = [];
  if (sent.length) {
    events.push({ ...base, type: 'reminder.sent', who: 'reminder-worker', data: { sendId, step: send.stepKey, plannedAt: send.at, recipients: [...sent] } });
    if (send.recordsEscalation) events.push({ ...base, type: 'commitment.escalated', who: 'reminder-worker', data: { sendId, to: send.to, cc: send.cc } });
  }
  if (failed.length) events.push({ ...base, type: 'reminder.failed', who: 'reminder-worker', data: { sendId, step: send.stepKey, failures: [...failed] } });
  return events;
}

/**
 * JSON.parse of a commitment, memoised by the exact stored string (per id, last
 * `max` ids): the jobs of one commitment's step (one per instant, when its
 * parties are in several zones) read the same document, and a string
 * comparison is far cheaper than a parse. Every job
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

/** What one send's deliveries came to in this run. */
interface Delivery {
  sent: string[];
  already: string[];
  failed: Failure[];
  /** A temporary failure that stopped the run (the job is retried later). */
  retryable: MailError | null;
}

export function createSendReminderProcessor(deps: SendReminderDeps) {
  const { commitments, ledger, planner, delivery, clock } = deps;
  const renderReminder = createReminderRenderer();
  const parseCommitment = createCommitmentParser();
  // A slot's groups read their commitment and their ledger entries at about the same time: the
  // reads made in one turn go to Redis as one pipeline (one socket write, not one per group).
  const readJson = batchPerTurn<string, string | null>(async (ids) => {
    const found = new Map((await commitments.getManyJson(ids)).map((r) => [r.id, r.json]));
    return ids.map((id) => found.get(id) ?? null);
  });
  /** The stored commitment, read in this turn's pipeline and parsed once per stored string. */
  const readCommitment = async (id: string): Promise<Commitment | null> => {
    const json = await readJson(id);
    return json ? parseCommitment(id, json) : null;
  };
  const readEntries = batchPerTurn<readonly string[], Array<Record<string, LedgerEntry>>>(async (lists) => {
    const all = await ledger.getMany(lists.flat());
    let at = 0;
    return lists.map((l) => all.slice(at, (at += l.length)));
  });

  /** The sends this job is for, in the plan as it is now. */
  function sendsOf(jobId: string, data: SendSendsPayload, c: Commitment, parties: ReadonlyMap<string, Party>, now: Date): PlannedSend[] {
    if ('k' in data) return planner.plan(c, parties, now).filter((s) => s.stepKey === data.k && groupInstant(s) === data.t);
    // One send (an admin retry): the full plan, since who is copied on an escalation depends on
    // the other leads; then the one send whose job id this is.
    return planner.plan(c, parties, now).filter((s) => reminderJobId(s.id) === jobId);
  }

  /**
   * Send one planned send to its recipients that the ledger does not have as
   * `sent`, recording each outcome the moment it is known.
   */
  async function deliver(
    c: Commitment,
    send: PlannedSend,
    entries: Record<string, LedgerEntry>,
    ctx: { secret: string; leadNames: string[]; now: Date; lastAttempt: boolean },
  ): Promise<Delivery> {
    const d: Delivery = { sent: [], already: [], failed: [], retryable: null };
    const sendId = send.id;
    const meta = { commitmentId: c.id, partyId: send.partyId, step: send.stepKey, dueVersion: send.dueVersion, plannedAt: send.at };
    const pending = recipientsOf(send).filter((r) => {
      if (entries[r.address]?.state !== 'sent') return true;
      d.already.push(r.address);
      return false;
    });
    let eventsRecorded = false;
    // Every recipient's links in one write, before the first message (a retry issues fresh ones).
    const issued = deps.links
      ? await deps.links.issueMany(
          c,
          pending.map((r) => ({ recipient: r.address, partyId: send.partyId, purposes: r.copied ? ['view'] : c.leads.includes(send.partyId) ? ['view', 'complete', 'progress', 'extend'] : ['view', 'progress'] })),
        )
      : null;
    for (let i = 0; i < pending.length; i++) {
      const r = pending[i]!;
      const last = i === pending.length - 1;
      const linkInput = issued
        ? { links: issued[i]! }
        : { actionUrl: actionLinkUrl(deps.baseUrl, ctx.secret, { commitmentId: c.id, recipient: r.address, dueVersion: c.dueVersion }, ctx.now) };
      const mail = renderReminder({ commitment: c, send, recipient: r.address, copied: r.copied, leadNames: ctx.leadNames, baseUrl: deps.baseUrl, ...linkInput });
      const outcome = await delivery.deliver(
        ledger,
        {
          sendId,
          recipient: r.address,
          // Waiting for a connection, a message planned earlier goes first (another slot's later sends wait).
          mail: { ...mail, to: [r.address], order: Date.parse(send.at) },
          meta,
          // The last recipient's write carries the send's events in the same script call (one command).
          events: ({ sent, at, error }) => {
            if (!last) return undefined;
            eventsRecorded = true;
            const failed = error ? [...d.failed, { address: r.address, error: error.message, ...(error.responseCode ? { code: error.responseCode } : {}) }] : d.failed;
            return { commitmentId: c.id, events: jobEvents(c, send, at.toISOString(), sent ? [...d.sent, r.address] : d.sent, failed) };
          },
        },
        { lastAttempt: ctx.lastAttempt },
      );
      if (outcome.state === 'retry') {
        d.retryable = outcome.error;
        break;
      }
      if (outcome.state === 'failed') d.failed.push({ address: r.address, error: outcome.error.message, ...(outcome.error.responseCode ? { code: outcome.error.responseCode } : {}) });
      else d.sent.push(r.address);
    }
    if (!eventsRecorded) {
      const events = jobEvents(c, send, clock.now().toISOString(), d.sent, d.failed);
      if (events.length) await commitments.appendEvents(c.id, events);
    }
    countReminder(deps.metrics, 'sent', send.stepKey, d.sent.length);
    countReminder(deps.metrics, 'failed', send.stepKey, d.failed.length);
    return d;
  }

  /**
   * One job's sends (a group, or one send): the fire-time guard, then delivery. What the job
   * must do next is returned, not done, so a slot can do it per group.
   */
  async function runSends(jobId: string, data: SendSendsPayload, attemptsStarted: number): Promise<RunOutcome> {
    const manual = 'm' in data && data.m === 1;
    const c = await readCommitment(data.c);
    if (!c) return { outcome: 'unknown' };
    if (isClosed(c.status)) return { outcome: 'closed' };
    if (c.dueVersion !== data.v) return { outcome: 'stale' };

    const now = clock.now();
    const parties = await deps.parties.all();
    const sends = sendsOf(jobId, data, c, parties, now);
    if (sends.length === 0) {
      deps.logger.info({ queue: 'reminders', jobId, commitmentId: c.id }, 'send no longer in the plan; nothing sent');
      return { outcome: 'not-in-plan' };
    }
    const due = manual ? sends : sends.filter((s) => s.state !== 'skipped');
    for (const s of manual ? [] : sends.filter((x) => x.state === 'skipped')) {
      const meta = { commitmentId: c.id, partyId: s.partyId, step: s.stepKey, dueVersion: s.dueVersion, plannedAt: s.at };
      let n = 0;
      for (const r of recipientsOf(s)) if (await ledger.markSkippedIfAbsent(s.id, r.address, now, s.skipReason ?? 'skipped', meta)) n++;
      countReminder(deps.metrics, 'skipped', s.stepKey, n);
    }
    if (due.length === 0) return { outcome: 'skipped' };
    // Never early: a send whose instant is still ahead (it moved later, or a missed notice waits
    // out a quiet day) is left for a later run, at the earliest such instant
    // (on BullMQ's real timeline: realInstant is the identity unless the clock is compressed).
    const ready = manual ? due : due.filter((s) => Date.parse(s.at) <= now.getTime());
    const later = manual ? [] : due.filter((s) => Date.parse(s.at) > now.getTime());
    const wait = (): RunOutcome => ({ outcome: 'wait', until: realInstant(clock, Math.min(...later.map((s) => Date.parse(s.at)))) });
    if (ready.length === 0) return wait();

    // The group's ledger entries in one command (shared with the other groups of this turn).
    const [entries, secret] = await Promise.all([readEntries(ready.map((s) => s.id)), deps.actionSecret()]);
    // This run's mail try (waits left out, see mailTries); temporary-failure retries below go through moveToDelayed.
    const tries = mailTries(attemptsStarted, data);
    // A 4xx is final only for an admin's one-off retry after its tries; a planned send keeps trying while it is useful.
    const ctx = { secret, leadNames: c.leads.map((id) => parties.get(id)?.name ?? id), now, lastAttempt: manual && tries >= MAIL_ATTEMPTS };
    const sent: string[] = [];
    const already: string[] = [];
    const failed: Failure[] = [];
    let retryable: MailError | null = null;
    for (let i = 0; i < ready.length && !retryable; i++) {
      const d = await deliver(c, ready[i]!, entries[i]!, ctx);
      sent.push(...d.sent);
      already.push(...d.already);
      failed.push(...d.failed);
      retryable = d.retryable;
    }

    if (retryable) return { outcome: 'retry', error: retryable, tries, commitmentId: c.id };
    if (later.length) return wait();
    if (failed.length) return { outcome: 'failed', message: `delivery failed for ${failed.map((f) => `${f.address} (${f.code ?? 'no code'})`).join(', ')}` };
    if (deps.logger.isLevelEnabled('debug')) deps.logger.debug({ queue: 'reminders', jobId, commitmentId: c.id, step: ready[0]!.stepKey, sends: ready.length, sent: sent.length, already: already.length }, 'reminder sent');
    return { outcome: 'sent', sent, already };
  }

  /** A temporary failure: pause the queue for an outage, else this job tries again later. */
  async function retry(job: Job, token: string | undefined, r: Extract<RunOutcome, { outcome: 'retry' }>): Promise<never> {
    if (deps.pauseDelivery && isOutage(r.error)) {
      deps.onOutage?.(r.error);
      return pauseForOutage(deps.pauseDelivery, deps.outagePauseMs ?? 30_000);
    }
    jobLog(deps.logger, job, r.commitmentId).warn({ err: r.error, attempt: r.tries }, 'temporary mail failure; will retry');
    return retryLater(job, token, r.tries, deps.backoffMs);
  }

  /**
   * A slot: every group it holds (and the status checks due then), a few at a time, each through the same guard and delivery as a
   * group's own job. A served group leaves the slot. A group that must wait (a send moved later)
   * or retry (a 4xx) stays, and the slot's job runs again for it, as a group's own job would: at
   * the earliest such instant, or after the mail backoff. An outage pauses the queue, as ever.
   * The slot closes once empty, so a group the reconcile adds meanwhile is either served here or
   * refused and given a job of its own.
   */
  async function runSlot(job: Job, token: string | undefined, data: SendSlotPayload): Promise<SendOutcome> {
    const at = data.s;
    const tries = mailTries(job.attemptsStarted, data);
    const sent: string[] = [];
    const already: string[] = [];
    const kept = new Set<string>();
    let waitUntil = Number.POSITIVE_INFINITY;
    let retryable: Extract<RunOutcome, { outcome: 'retry' }> | null = null;
    let outage: Extract<RunOutcome, { outcome: 'retry' }> | null = null;
    for (;;) {
      const members = (await deps.slots.slotMembers(at)).filter((m) => !kept.has(m));
      if (members.length === 0) {
        if (kept.size > 0 || (await deps.slots.closeSlot(at, SLOT_CLOSED_SECONDS))) break;
        continue;
      }
      const runMember = async (member: string, served: string[]): Promise<void> => {
        const check = parseCheckMember(member);
        if (check) {
          const r = await deps.check(check.c, check.v, readCommitment);
          if (r.outcome === 'early') {
            waitUntil = Math.min(waitUntil, r.until);
            kept.add(member);
          } else served.push(member);
          return;
        }
        const group = parseSlotMember(member);
        const r = group ? await runSends(reminderGroupJobId({ commitmentId: group.c, dueVersion: group.v, stepKey: group.k, at: group.t }), group, tries) : ({ outcome: 'unknown' } as const);
        if (r.outcome === 'retry') {
          if (deps.pauseDelivery && isOutage(r.error)) outage ??= r;
          else retryable ??= r;
          kept.add(member);
          return;
        }
        if (r.outcome === 'wait') {
          waitUntil = Math.min(waitUntil, r.until);
          kept.add(member);
          return;
        }
        if (r.outcome === 'sent') {
          sent.push(...r.sent);
          already.push(...r.already);
        } else if (r.outcome === 'failed') {
          jobLog(deps.logger, job, group!.c).warn({ reason: r.message }, 'reminder group failed for good');
        }
        served.push(member);
      };
      // Mail first: a status check only records "overdue", which can wait a moment, so the
      // slot's checks run after its groups.
      const checksLast = [...members.filter((m) => parseCheckMember(m) === null), ...members.filter((m) => parseCheckMember(m) !== null)];
      for (let i = 0; i < checksLast.length && !outage; i += SLOT_PARALLEL) {
        const served: string[] = [];
        await Promise.all(checksLast.slice(i, i + SLOT_PARALLEL).map((m) => runMember(m, served)));
        // The chunk's served members leave the slot together (one SREM); a crash before it only
        // runs them again, and the ledger and the overdue marker make that a no-op.
        await Promise.all(served.map((m) => deps.slots.served(at, m)));
      }
      if (outage) return retry(job, token, outage);
    }
    if (retryable) return retry(job, token, retryable);
    // Only waits are left.
    if (kept.size > 0) return waitFor(job, token, data, waitUntil);
    return { outcome: 'sent', sent, already };
  }

  return async function processSendReminder(job: Job, token?: string): Promise<SendOutcome> {
    if (!job.id) throw new UnrecoverableError('reminder job without an id');
    const data = parsePayload(SendReminderPayloadSchema, job);
    if ('s' in data) return runSlot(job, token, data);
    const r = await runSends(job.id, data, job.attemptsStarted);
    switch (r.outcome) {
      case 'unknown':
        throw new UnrecoverableError(`unknown commitment ${data.c}`);
      case 'wait':
        return waitFor(job, token, data, r.until);
      case 'retry':
        return retry(job, token, r);
      case 'failed':
        throw new UnrecoverableError(r.message);
      default:
        return r;
    }
  };
}
