/**
 * The digest use cases: preview, prepare (and archive), deliver.
 *
 * A scheduled digest's story:
 * 1. Its period comes from the run's scheduled time, not the wall clock, so a
 *    late, retried or restarted run covers the same period.
 * 2. Prepare: unless every audience's digest of the period is archived
 *    already, read one snapshot, build and render a digest per audience, and
 *    archive each (first preparation wins; its content is frozen), so every
 *    recipient gets the same bytes and the archive holds what was sent.
 * 3. Deliver each archived digest to each recipient through the digest
 *    ledger (src/app/delivery.ts), keyed by (send id, recipient).
 * A manual send is prepared here under its idempotency key and delivered by a job.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import { VIEW_LINK_PLACEHOLDER } from '../mail/digest-template.js';
import { automaticHeaders as digestHeadersOf } from '../mail/layout.js';
import type { Clock } from '../domain/clock.js';
import { digestAudiences, type DigestAudience } from '../domain/digest-audience.js';
import { periodKey } from '../domain/digest-period.js';
import { buildDigest } from '../domain/digest.js';
import { digestQuery } from '../domain/digest-view.js';
import { AppError } from '../domain/errors.js';
import { composeDigests, digestId, messageIdDomain } from '../mail/digest-compose.js';
import { renderDigest } from '../mail/digest-template.js';
import { countDigest, type Metrics } from '../metrics.js';
import { archiveEntry, resolveDigestPeriod, type ArchivedDigest, type DigestArchive, type DigestSnapshotReader } from '../store/digest-store.js';
import type { SendLedger } from '../store/ledger-store.js';
import type { MeetingStore, PartyStore } from '../store/party-store.js';
import type { Delivery } from './delivery.js';
import type { MailError } from '../mail/mailer.js';
import type { Scheduler } from './ports.js';

/** One kind of scheduled digest: its id names its Job Scheduler, so several can coexist. */
export interface DigestDefinition {
  id: string;
  cron: string;
  timeZone: string;
}

export type DigestConfig = Pick<Config, 'DIGEST_CRON' | 'DIGEST_TZ' | 'DIGEST_STEERING_GROUP' | 'DIGEST_PARTY_OPT_IN' | 'DIGEST_EMPTY' | 'PUBLIC_BASE_URL'>;

/** The weekly status digest to the co-chairs and the steering group, from configuration. */
export const weeklyDigest = (config: Pick<Config, 'DIGEST_CRON' | 'DIGEST_TZ'>): DigestDefinition => ({ id: 'weekly-digest', cron: config.DIGEST_CRON, timeZone: config.DIGEST_TZ });

export interface DigestServiceDeps {
  config: DigestConfig;
  clock: Clock;
  logger: Logger;
  archive: DigestArchive;
  snapshots: DigestSnapshotReader;
  /** The digest send ledger. */
  ledger: SendLedger;
  delivery: Delivery;
  parties: PartyStore;
  meetings: MeetingStore;
  scheduler: Scheduler;
  metrics?: Metrics;
  /** Each recipient's signed view link per commitment (src/app/links.ts), put in place of the composed placeholders. */
  viewLinks?: (commitmentIds: readonly string[], recipient: string) => Promise<Map<string, string>>;
}

export interface DeliveryResult {
  sent: string[];
  already: string[];
  failed: string[];
  /** Recipients whose delivery failed temporarily: the job tries them again later. */
  retry: MailError[];
}

/** What the store reads for a run: one view per audience's scope, judged at `asOf` (composeDigests builds with the same defaults). */
const queriesOf = (audiences: readonly DigestAudience[], asOf: Date) => [...new Set(audiences.map((a) => a.scope))].map((party) => digestQuery({ asOf, party }));

/** Auto-Submitted and the meeting's List-Id on every digest. */
const digestHeaders = (domain: string, meetingId: string | undefined) => digestHeadersOf({ domain, ...(meetingId ? { meetingId } : {}) });

export function createDigestService(deps: DigestServiceDeps) {
  const { config, clock, archive, snapshots, ledger, delivery } = deps;
  const domain = messageIdDomain(config.PUBLIC_BASE_URL);
  const weekly = weeklyDigest(config);

  /** The text and HTML of a digest for one recipient: each commitment's placeholder becomes the recipient's view link. */
  async function withViewLinks(d: Pick<ArchivedDigest, 'text' | 'html'>, recipient: string): Promise<{ text: string; html: string }> {
    const ids = [...new Set([...`${d.text}\n${d.html}`.matchAll(VIEW_LINK_PLACEHOLDER)].map((m) => m[1]!))];
    const links = ids.length && deps.viewLinks ? await deps.viewLinks(ids, recipient) : new Map<string, string>();
    const fallback = `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/`;
    const put = (s: string) => s.replace(VIEW_LINK_PLACEHOLDER, (_m, id: string) => links.get(id) ?? fallback);
    return { text: put(d.text), html: put(d.html) };
  }

  /** Step 3: send one archived digest to each recipient the ledger has not served. */
  async function deliverOne(d: ArchivedDigest, opts: { lastAttempt: boolean }): Promise<DeliveryResult> {
    const result: DeliveryResult = { sent: [], already: [], failed: [], retry: [] };
    const [entries] = await ledger.getMany([d.sendId]);
    for (const r of d.recipients) {
      const prior = entries?.[r.email.toLowerCase()];
      if (prior && prior.state !== 'skipped') {
        result.already.push(r.email);
        if (r.state === 'pending') await archive.recordRecipient(d.id, r.email, { state: prior.state, at: prior.at, ...(prior.error ? { error: prior.error } : {}) });
        continue;
      }
      const outcome = await delivery.deliver(
        ledger,
        { sendId: d.sendId, recipient: r.email, meta: { digestId: d.id }, mail: { to: [r.email], subject: d.subject, ...(await withViewLinks(d, r.email)), messageId: r.messageId, headers: { ...digestHeaders(domain, 'digest'), 'X-Followup-Digest': d.id } } },
        opts,
      );
      if (outcome.state === 'retry') {
        await archive.recordRecipient(d.id, r.email, { state: 'pending', at: clock.now().toISOString(), error: outcome.error.message });
        result.retry.push(outcome.error);
      } else if (outcome.state === 'failed') {
        await archive.recordRecipient(d.id, r.email, { state: 'failed', at: outcome.at.toISOString(), error: outcome.error.message });
        deps.logger.warn({ err: outcome.error, digestId: d.id, recipient: r.email }, 'digest delivery failed permanently');
        result.failed.push(r.email);
      } else {
        await archive.recordRecipient(d.id, r.email, { state: 'sent', at: outcome.at.toISOString() });
        await archive.appendLog({ at: outcome.at.toISOString(), digestId: d.id, sendId: d.sendId, recipient: r.email, messageId: r.messageId });
        countDigest(deps.metrics, d.scope ? 'party' : 'steering-group');
        result.sent.push(r.email);
      }
    }
    return result;
  }

  const audiencesFor = async () => {
    const parties = await deps.parties.list();
    const { audiences, unknownParties } = digestAudiences(parties, { steeringGroup: config.DIGEST_STEERING_GROUP, partyOptIn: config.DIGEST_PARTY_OPT_IN });
    if (unknownParties.length) deps.logger.warn({ unknownParties }, 'DIGEST_PARTY_OPT_IN names unknown parties; they get no digest');
    return { parties, audiences };
  };

  return {
    weekly,

    /** The digest as it would go out at the next scheduled run after `asOf`, for everyone or one party. */
    async preview(opts: { asOf: Date; party: string | null; format: 'html' | 'text' | 'json' }) {
      if (opts.party !== null && !(await deps.parties.get(opts.party))) throw new AppError('not_found', `No party has the id ${opts.party}.`);
      const period = await resolveDigestPeriod({ archive, meetings: deps.meetings }, weekly.cron, weekly.timeZone, opts.asOf);
      const snapshot = await snapshots.read(period, [digestQuery({ asOf: opts.asOf, party: opts.party })]);
      const digest = buildDigest(snapshot, period, { asOf: opts.asOf, timeZone: weekly.timeZone, party: opts.party });
      const rendered = opts.format === 'json' ? null : renderDigest(digest, { short: digest.isEmpty && config.DIGEST_EMPTY === 'short', baseUrl: config.PUBLIC_BASE_URL });
      return { digest, rendered };
    },

    /** Steps 1 and 2 of the run of `definition` due at `scheduledAt`: the archived digests of its period. */
    async prepareScheduled(scheduledAt: Date, definition: Pick<DigestDefinition, 'cron' | 'timeZone'> = weekly): Promise<{ sendId: string; digests: ArchivedDigest[] }> {
      const { cron, timeZone } = definition;
      const period = await resolveDigestPeriod({ archive, meetings: deps.meetings }, cron, timeZone, scheduledAt);
      const sendId = periodKey(period);
      const { audiences } = await audiencesFor();
      const archived = await archive.listBySend(sendId);
      const have = new Set(archived.map((d) => d.id));
      let digests = archived;
      if (audiences.some((a) => !have.has(digestId(sendId, a.scope)))) {
        const composed = composeDigests(await snapshots.read(period, queriesOf(audiences, scheduledAt)), period, { sendId, asOf: scheduledAt, timeZone, audiences, empty: config.DIGEST_EMPTY, domain, baseUrl: config.PUBLIC_BASE_URL, itemLinks: Boolean(deps.viewLinks) });
        const createdAt = clock.now();
        digests = [];
        for (const c of composed) {
          if (c.skip) {
            deps.logger.info({ sendId, scope: c.scope }, 'empty period: no digest sent (DIGEST_EMPTY=skip)');
            continue;
          }
          digests.push((await archive.saveIfAbsent(archiveEntry(c, { sendId, kind: 'scheduled', period, asOf: scheduledAt, createdAt }))).digest);
        }
      }
      await archive.markRun(period.to, sendId);
      return { sendId, digests };
    },

    /**
     * An admin's out-of-schedule send, covering the scheduled period so far. The idempotency key
     * makes a repeat send nothing twice; reused with another request it is refused.
     */
    async sendNow(request: { key: string; to?: string[]; party?: string }): Promise<{ sendId: string; replayed: boolean; digests: ArchivedDigest[] }> {
      const sendId = `manual-${createHash('sha256').update(request.key).digest('hex').slice(0, 24)}`;
      const requestHash = createHash('sha256').update(JSON.stringify({ to: request.to ?? null, party: request.party ?? null })).digest('hex').slice(0, 32);
      const existing = await archive.listBySend(sendId);
      if (existing.length > 0) {
        if (existing.some((d) => d.requestHash !== requestHash)) throw new AppError('conflict', 'This idempotency key was used for a different send request.', [{ path: 'Idempotency-Key', message: 'reused with a different body' }]);
        await deps.scheduler.deliverDigest(sendId);
        return { sendId, replayed: true, digests: existing };
      }

      const parties = await deps.parties.list();
      if (request.party && !parties.some((p) => p.id === request.party)) throw new AppError('validation', `No party has the id ${request.party}.`, [{ path: 'party', message: 'unknown party' }]);
      let audiences: DigestAudience[];
      if (request.to) audiences = [{ scope: request.party ?? null, recipients: [...new Set(request.to.map((e) => e.toLowerCase()))] }];
      else if (request.party) audiences = digestAudiences(parties, { steeringGroup: [], partyOptIn: [request.party] }).audiences.filter((a) => a.scope === request.party);
      else audiences = (await audiencesFor()).audiences;
      if (audiences.length === 0) throw new AppError('conflict', 'Nobody would receive this digest: no co-chair contact, steering-group address or opted-in focal point is configured.', [{ path: 'to', message: 'no recipients' }]);

      const now = clock.now();
      const scheduled = await resolveDigestPeriod({ archive, meetings: deps.meetings }, weekly.cron, weekly.timeZone, now);
      const period = { ...scheduled, to: now };
      const composed = composeDigests(await snapshots.read(period, queriesOf(audiences, now)), period, { sendId, asOf: now, timeZone: weekly.timeZone, audiences, empty: config.DIGEST_EMPTY, force: true, domain, baseUrl: config.PUBLIC_BASE_URL, itemLinks: Boolean(deps.viewLinks) });
      const saved: ArchivedDigest[] = [];
      for (const c of composed) saved.push((await archive.saveIfAbsent(archiveEntry(c, { sendId, kind: 'manual', period, asOf: now, createdAt: now, requestHash }))).digest);
      await deps.scheduler.deliverDigest(sendId);
      return { sendId, replayed: false, digests: saved };
    },

    /** The archived digests of one send id (a manual send's job delivers these). */
    archived: (sendId: string) => archive.listBySend(sendId),
    /** The archive, newest first. */
    list: archive.list,
    /**
     * One archived digest as the API shows it: where each recipient got a signed link of their
     * own, the archive shows the commitment's API address (its reader holds a token).
     */
    async get(id: string): Promise<ArchivedDigest | null> {
      const d = await archive.get(id);
      if (!d) return null;
      const api = (_m: string, cid: string) => `${config.PUBLIC_BASE_URL}/v1/commitments/${cid}`;
      return { ...d, text: d.text.replace(VIEW_LINK_PLACEHOLDER, api), html: d.html.replace(VIEW_LINK_PLACEHOLDER, api) };
    },

    /** Step 3 for every digest of a send; temporary failures are returned for the job to retry. */
    async deliver(digests: readonly ArchivedDigest[], opts: { lastAttempt: boolean }): Promise<DeliveryResult> {
      const total: DeliveryResult = { sent: [], already: [], failed: [], retry: [] };
      for (const d of digests) {
        const r = await deliverOne(d, opts);
        total.sent.push(...r.sent);
        total.already.push(...r.already);
        total.failed.push(...r.failed);
        total.retry.push(...r.retry);
      }
      return total;
    },
  };
}
export type DigestService = ReturnType<typeof createDigestService>;
