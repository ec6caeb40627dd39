/**
 * Requests for more time: a lead asks for a new date with a reason; the
 * co-chairs (contacts of the parties with the role co-chair) each get one mail
 * with signed Approve and Decline links; approval moves the deadline through
 * the same use case as an admin PATCH (a new dueVersion, so the old plan never
 * sends); both outcomes are mailed to the leads and recorded in the
 * commitment's history. One request per commitment may be pending; one not
 * decided within EXTENSION_DECISION_DAYS expires, and the leads are told.
 *
 * The mails go through the ledgered delivery (ledger kind `notice`, one send
 * id per request and outcome), so each recipient gets each at most once. They
 * are sent by the worker that holds the mail transport: the use case asks the
 * notice queue for it (`notify`), and for the expiry at the decision deadline.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../domain/clock.js';
import type { Commitment } from '../domain/commitment.js';
import { isoDateSchema } from '../domain/deadline.js';
import { AppError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { Party } from '../domain/party.js';
import { isClosed } from '../domain/status.js';
import { multiLine } from '../domain/text.js';
import { deadlineWords } from '../mail/deadline-words.js';
import { messageIdDomain } from '../mail/layout.js';
import { renderNotice, type NoticeKind } from '../mail/notice-template.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { ExtensionRequest, ExtensionState, ExtensionStore } from '../store/extension-store.js';
import type { SendLedger } from '../store/ledger-store.js';
import type { PartyStore } from '../store/party-store.js';
import type { CommitmentService } from './commitments.js';
import type { Delivery } from './delivery.js';
import type { LinkService } from './links.js';
import type { Actor } from './ports.js';

export type { ExtensionRequest, ExtensionState } from '../store/extension-store.js';

export const ExtensionInputSchema = z.strictObject({
  newDate: isoDateSchema,
  reason: z.string().overwrite(multiLine).trim().min(1).max(2000),
});
export type ExtensionInput = z.infer<typeof ExtensionInputSchema>;

export const DecisionInputSchema = z.strictObject({ note: z.string().overwrite(multiLine).trim().max(2000).optional() }).default({});

/** Asks the notice queue to send a notice now, or to expire a request at its decision deadline. */
export interface NoticePort {
  notify(kind: NoticeKind, requestId: string): Promise<void>;
  expireAt(requestId: string, at: Date): Promise<void>;
}

export interface ExtensionServiceDeps {
  store: ExtensionStore;
  commitments: CommitmentStore;
  useCases: Pick<CommitmentService, 'patch'>;
  parties: PartyStore;
  links: LinkService;
  ledger: SendLedger;
  delivery: Delivery;
  notices: NoticePort;
  clock: Clock;
  logger: Logger;
  decisionDays: number;
  baseUrl: string;
}

const DAY = 86_400_000;

/** The date a request proposes must be later than the deadline it replaces (and than today there). */
function todayIn(zone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function createExtensionService(deps: ExtensionServiceDeps) {
  const { store, commitments, clock } = deps;
  const domain = messageIdDomain(deps.baseUrl);

  function event(c: Commitment, type: DomainEvent['type'], who: string, data: Record<string, unknown>): DomainEvent {
    return { type, commitmentId: c.id, meetingId: c.meetingId, at: clock.now().toISOString(), who, version: c.version, changes: {}, data };
  }

  async function zoneOf(c: Commitment): Promise<string> {
    if (c.due && 'timeZone' in c.due) return c.due.timeZone;
    const lead = c.leads[0] ? await deps.parties.get(c.leads[0]) : null;
    return lead?.timeZone ?? 'UTC';
  }

  async function mustGet(id: string): Promise<ExtensionRequest> {
    const r = await store.get(id);
    if (!r) throw new AppError('not_found', `No request for more time has the id ${id}.`);
    return r;
  }

  /** Ask for more time (a lead, by its token or from a signed link). */
  async function request(commitmentId: string, input: ExtensionInput, who: string): Promise<ExtensionRequest> {
    const c = await commitments.mustGet(commitmentId);
    if (isClosed(c.status)) throw new AppError('illegal_transition', `“${c.title}” is ${c.status}; it needs no more time.`, [{ path: 'status', message: `commitment is ${c.status}` }]);
    const timeZone = await zoneOf(c);
    const now = clock.now();
    const floor = c.due && 'date' in c.due ? c.due.date : todayIn(timeZone, now);
    if (input.newDate <= floor) {
      throw new AppError('validation', `The new date must be after ${floor}.`, [{ path: 'newDate', message: `expected a date after ${floor}` }]);
    }
    const req: ExtensionRequest = {
      id: `ext-${randomBytes(6).toString('hex')}`,
      commitmentId: c.id,
      meetingId: c.meetingId,
      state: 'pending',
      fromDue: c.due,
      newDate: input.newDate,
      timeZone,
      reason: input.reason,
      requestedBy: who,
      requestedAt: now.toISOString(),
      decideBy: new Date(now.getTime() + deps.decisionDays * DAY).toISOString(),
      dueVersion: c.dueVersion,
    };
    if (!(await store.create(req))) {
      throw new AppError('conflict', `“${c.title}” already has a request for more time waiting for the co-chairs.`, [{ path: 'commitmentId', message: 'a request is already pending' }]);
    }
    await commitments.appendEvents(c.id, [event(c, 'extension.requested', who, { requestId: req.id, newDate: req.newDate, timeZone, reason: req.reason })]);
    await deps.notices.notify('asked', req.id);
    await deps.notices.expireAt(req.id, new Date(req.decideBy));
    return req;
  }

  /** Approve: the deadline moves through the same use case as an admin PATCH. */
  async function approve(id: string, actor: Actor, note?: string): Promise<ExtensionRequest> {
    const pending = await mustGet(id);
    if (pending.state !== 'pending') throw new AppError('conflict', `This request is already ${pending.state}.`, [{ path: 'state', message: pending.state }]);
    const c = await commitments.mustGet(pending.commitmentId);
    if (isClosed(c.status)) throw new AppError('illegal_transition', `“${c.title}” is ${c.status}.`, [{ path: 'status', message: c.status }]);
    const decided = await store.decide(id, (r) => ({ ...r, state: 'approved', decidedBy: actor.name, decidedAt: clock.now().toISOString(), ...(note ? { decisionNote: note } : {}) }));
    if (!decided) throw new AppError('conflict', 'This request was decided a moment ago.', [{ path: 'state', message: 'no longer pending' }]);
    const moved = await deps.useCases.patch(c.id, { due: { date: pending.newDate, timeZone: pending.timeZone } }, { name: actor.name });
    await commitments.appendEvents(c.id, [event(moved, 'extension.approved', actor.name, { requestId: id, newDate: pending.newDate, timeZone: pending.timeZone, dueVersion: moved.dueVersion, ...(note ? { note } : {}) })]);
    await deps.notices.notify('approved', id);
    return decided.after;
  }

  async function close(id: string, state: 'declined' | 'expired', who: string, note?: string): Promise<ExtensionRequest | null> {
    const decided = await store.decide(id, (r) => ({ ...r, state, decidedBy: who, decidedAt: clock.now().toISOString(), ...(note ? { decisionNote: note } : {}) }));
    if (!decided) return null;
    const c = await commitments.get(decided.after.commitmentId);
    if (c) await commitments.appendEvents(c.id, [event(c, state === 'declined' ? 'extension.declined' : 'extension.expired', who, { requestId: id, newDate: decided.after.newDate, ...(note ? { note } : {}) })]);
    await deps.notices.notify(state, id);
    return decided.after;
  }

  async function decline(id: string, actor: Actor, note?: string): Promise<ExtensionRequest> {
    const r = await mustGet(id);
    if (r.state !== 'pending') throw new AppError('conflict', `This request is already ${r.state}.`, [{ path: 'state', message: r.state }]);
    const after = await close(id, 'declined', actor.name, note);
    if (!after) throw new AppError('conflict', 'This request was decided a moment ago.', [{ path: 'state', message: 'no longer pending' }]);
    return after;
  }

  /** Expire one request if it is still pending and past its decision deadline (the delayed job). */
  async function expire(id: string): Promise<boolean> {
    const r = await store.get(id);
    if (!r || r.state !== 'pending' || Date.parse(r.decideBy) > clock.now().getTime()) return false;
    return (await close(id, 'expired', 'follow-up')) !== null;
  }

  /** Expire every pending request past its deadline (the periodic sweep, a backstop to the delayed jobs). */
  async function expireDue(): Promise<number> {
    const cutoff = clock.now().getTime() - deps.decisionDays * DAY;
    let n = 0;
    for (const r of await store.pendingAskedBefore(cutoff)) if (await expire(r.id)) n++;
    return n;
  }

  /** Send one notice of a request to its recipients, each at most once (the notice worker). */
  async function deliverNotice(kind: NoticeKind, id: string, opts: { lastAttempt: boolean }): Promise<{ sent: number; retry: Error | null }> {
    const r = await mustGet(id);
    const c = await commitments.get(r.commitmentId);
    if (!c) return { sent: 0, retry: null };
    const parties = await deps.parties.list();
    const byId = new Map(parties.map((p) => [p.id, p] as const));
    const targets: Array<{ address: string; party: Party }> = [];
    const seen = new Set<string>();
    const add = (p: Party | undefined) => {
      for (const k of p?.contacts ?? []) {
        const a = k.email.toLowerCase();
        if (!seen.has(a)) {
          seen.add(a);
          targets.push({ address: a, party: p! });
        }
      }
    };
    if (kind === 'asked') parties.filter((p) => p.roles.includes('co-chair')).forEach(add);
    else c.leads.forEach((l) => add(byId.get(l)));
    const sendId = `notice--${r.id}--${kind}`;
    const [entries = {}] = await deps.ledger.getMany([sendId]);
    let sent = 0;
    for (const t of targets) {
      if (entries[t.address]?.state === 'sent') continue;
      const links = kind === 'asked' ? await deps.links.issue(c, t.address, t.party.id, ['view', 'approve', 'decline'], { extensionId: r.id }) : await deps.links.issue(c, t.address, t.party.id, ['view']);
      const mail = renderNotice({
        kind,
        commitment: c,
        request: r,
        currentDeadline: deadlineWords(c.due, t.party.timeZone),
        recipient: t.address,
        links,
        domain,
      });
      const outcome = await deps.delivery.deliver(deps.ledger, { sendId, recipient: t.address, mail: { ...mail, to: [t.address] }, meta: { commitmentId: c.id, requestId: r.id, kind } }, opts);
      if (outcome.state === 'retry') return { sent, retry: outcome.error };
      if (outcome.state === 'sent') sent++;
    }
    return { sent, retry: null };
  }

  return {
    request,
    approve,
    decline,
    expire,
    expireDue,
    deliverNotice,
    get: mustGet,
    pendingOf: (commitmentId: string) => store.pendingOf(commitmentId),
    list: (state: ExtensionState) => store.list(state),
    of: (commitmentId: string) => store.of(commitmentId),
  };
}
export type ExtensionService = ReturnType<typeof createExtensionService>;
