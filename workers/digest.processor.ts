/**
 * The digest job. The story of a scheduled fire:
 *
 * 1. The period comes from the job's scheduled time, not the wall clock, so
 *    a late, retried or restarted job covers the same period.
 * 2. Prepare: unless every audience's digest of this period is archived
 *    already, read one snapshot, build and render a digest per audience, and
 *    archive each (SET NX: the first preparation's content wins and is frozen).
 * 3. Deliver each archived digest to each of its recipients through the
 *    digest send ledger, keyed by (period, recipient): a recipient the ledger
 *    has as sent is never sent again. The Message-ID is derived from the
 *    period and the address, so the one window the ledger leaves (a crash
 *    after SMTP acceptance, before the ledger write; see src/mail/ledger.ts)
 *    yields a copy that mail clients fold.
 *
 * A manual send arrives prepared by the API (archived under its idempotency
 * key) and only runs step 3. 4xx and network errors make the job throw after
 * the other recipients are served, so BullMQ retries it; 5xx and rejected
 * recipients are recorded `failed` and not retried.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import { DIGEST_JOBS, type DigestRunJobData, type DigestSendJobData } from '../jobs/digest.js';
import type { Clock } from '../src/domain/clock.js';
import { digestAudiences } from '../src/domain/digest-audience.js';
import { periodKey } from '../src/domain/digest-period.js';
import { composeDigests, digestId, messageIdDomain } from '../src/mail/digest-compose.js';
import type { SendLedger } from '../src/mail/ledger.js';
import { toMailError, type Mailer } from '../src/mail/mailer.js';
import { countDigest, type Metrics } from '../src/metrics.js';
import { readDigestSnapshot, resolveDigestPeriod, type ArchivedDigest, type DigestArchive, type SnapshotSources, archiveEntry } from '../src/store/digest-store.js';

export interface DigestProcessorDeps {
  config: Pick<Config, 'DIGEST_CRON' | 'DIGEST_TZ' | 'DIGEST_STEERING_GROUP' | 'DIGEST_PARTY_OPT_IN' | 'DIGEST_EMPTY' | 'PUBLIC_BASE_URL'>;
  clock: Clock;
  logger: Logger;
  sources: SnapshotSources;
  archive: DigestArchive;
  /** createSendLedger(redis, keys, 'digest') */
  ledger: SendLedger;
  mailer: Mailer;
  metrics?: Metrics;
}

export interface DeliveryResult {
  sent: string[];
  already: string[];
  failed: string[];
}

/**
 * The instant a digest run was due: named in the data of a run queued by hand;
 * for a scheduler fire, BullMQ keeps it as `prevMillis` and in the job id
 * `repeat:<scheduler>:<millis>`.
 */
export function scheduledTimeOf(job: Pick<Job, 'id' | 'opts' | 'timestamp' | 'data'>): Date {
  const given = (job.data as Partial<DigestRunJobData> | undefined)?.scheduledAt;
  if (typeof given === 'number' && Number.isFinite(given) && given > 0) return new Date(given);
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number' && prev > 0) return new Date(prev);
  const m = /:(\d{10,})$/.exec(job.id ?? '');
  if (m) return new Date(Number(m[1]));
  return new Date(job.timestamp + (job.opts.delay ?? 0));
}

export function createDigestProcessor(deps: DigestProcessorDeps) {
  const { config, clock, archive, ledger, mailer } = deps;
  const domain = messageIdDomain(config.PUBLIC_BASE_URL);

  /** Step 3: send one archived digest to each recipient not yet served. Throws when some failed temporarily. */
  async function deliver(d: ArchivedDigest): Promise<DeliveryResult> {
    const result: DeliveryResult = { sent: [], already: [], failed: [] };
    const temporary: Error[] = [];
    const log = deps.logger.child({ queue: 'digest', digestId: d.id });
    for (const r of d.recipients) {
      const prior = await ledger.get(d.sendId, r.email);
      if (prior && prior.state !== 'skipped') {
        result.already.push(r.email);
        if (r.state === 'pending') await archive.recordRecipient(d.id, r.email, { state: prior.state, at: prior.at, ...(prior.error ? { error: prior.error } : {}) });
        continue;
      }
      try {
        await mailer.send({ to: [r.email], subject: d.subject, text: d.text, html: d.html, messageId: r.messageId, headers: { 'X-Followup-Digest': d.id }, date: clock.now() });
      } catch (err) {
        const me = toMailError(err);
        const at = clock.now();
        if (me.permanent) {
          await ledger.markFailed(d.sendId, r.email, at, me.message, me.responseCode, { digestId: d.id });
          await archive.recordRecipient(d.id, r.email, { state: 'failed', at: at.toISOString(), error: me.message });
          result.failed.push(r.email);
          log.warn({ err: me, recipient: r.email }, 'digest delivery failed permanently');
        } else {
          await archive.recordRecipient(d.id, r.email, { state: 'pending', at: at.toISOString(), error: me.message });
          temporary.push(me);
        }
        continue;
      }
      // Record at once: the window between acceptance and this write is the documented one.
      const at = clock.now();
      await ledger.markSent(d.sendId, r.email, at, r.messageId, { digestId: d.id });
      await archive.recordRecipient(d.id, r.email, { state: 'sent', at: at.toISOString() });
      await archive.appendLog({ at: at.toISOString(), digestId: d.id, sendId: d.sendId, recipient: r.email, messageId: r.messageId });
      countDigest(deps.metrics, d.scope ? 'party' : 'steering-group');
      result.sent.push(r.email);
    }
    if (temporary.length) throw new Error(`${temporary.length} digest deliveries failed temporarily and will be retried: ${temporary[0]!.message}`);
    return result;
  }

  /** Steps 1 and 2 for the run due at `scheduledAt`: the archived digests of its period. */
  async function prepareScheduled(scheduledAt: Date, cron: string, timeZone: string): Promise<{ sendId: string; digests: ArchivedDigest[] }> {
    const period = await resolveDigestPeriod({ archive, meetings: deps.sources.meetings }, cron, timeZone, scheduledAt);
    const sendId = periodKey(period);
    const parties = await deps.sources.parties.list();
    const { audiences, unknownParties } = digestAudiences(parties, { steeringGroup: config.DIGEST_STEERING_GROUP, partyOptIn: config.DIGEST_PARTY_OPT_IN });
    if (unknownParties.length) deps.logger.warn({ unknownParties }, 'DIGEST_PARTY_OPT_IN names unknown parties; they get no digest');
    const archived = await archive.listBySend(sendId);
    const have = new Set(archived.map((d) => d.id));
    let digests = archived;
    if (audiences.some((a) => !have.has(digestId(sendId, a.scope)))) {
      const snapshot = await readDigestSnapshot(deps.sources, period);
      const composed = composeDigests(snapshot, period, { sendId, asOf: scheduledAt, timeZone, audiences, empty: config.DIGEST_EMPTY, domain, baseUrl: config.PUBLIC_BASE_URL });
      const createdAt = clock.now();
      digests = [];
      for (const c of composed) {
        if (c.skip) {
          deps.logger.info({ sendId, scope: c.scope }, 'empty period: no digest sent (DIGEST_EMPTY=skip)');
          continue;
        }
        const saved = await archive.saveIfAbsent(archiveEntry(c, { sendId, kind: 'scheduled', period, asOf: scheduledAt, createdAt }));
        digests.push(saved.digest);
      }
    }
    await archive.markRun(period.to, sendId);
    return { sendId, digests };
  }

  /** Deliver every digest, then throw if any delivery has to be retried. */
  async function deliverAll(digests: ArchivedDigest[]): Promise<DeliveryResult> {
    const total: DeliveryResult = { sent: [], already: [], failed: [] };
    let retry: unknown;
    for (const d of digests) {
      try {
        const r = await deliver(d);
        total.sent.push(...r.sent);
        total.already.push(...r.already);
        total.failed.push(...r.failed);
      } catch (err) {
        retry ??= err;
      }
    }
    if (retry) throw retry;
    return total;
  }

  return async function processDigest(job: Job): Promise<DeliveryResult & { sendId: string }> {
    if (job.name === DIGEST_JOBS.send) {
      const sendId = (job.data as Partial<DigestSendJobData>)?.sendId;
      if (typeof sendId !== 'string' || !/^[a-z0-9-]{1,100}$/.test(sendId)) throw new UnrecoverableError('malformed digest send payload: expected { sendId }');
      const digests = await archive.listBySend(sendId);
      if (digests.length === 0) throw new UnrecoverableError(`no archived digest has the send id ${sendId}`);
      return { sendId, ...(await deliverAll(digests)) };
    }
    if (job.name === DIGEST_JOBS.scheduled) {
      // The schedule that fired this job, so a retry after a cron change still covers the same period.
      const repeat = (job.opts as { repeat?: { pattern?: string; tz?: string } }).repeat;
      const { sendId, digests } = await prepareScheduled(scheduledTimeOf(job), repeat?.pattern ?? config.DIGEST_CRON, repeat?.tz ?? config.DIGEST_TZ);
      return { sendId, ...(await deliverAll(digests)) };
    }
    throw new UnrecoverableError(`unknown digest job ${job.name}`);
  };
}
