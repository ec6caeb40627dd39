/**
 * The commitment use cases: every change a person makes to a commitment.
 *
 * Each one reads like its story: check the input against the registry, apply
 * the pure rule inside the store's atomic read-modify-write (version check,
 * document, indexes and events in one script), then reschedule its reminders.
 * The write is the fact; rescheduling is a consequence. When the scheduler
 * cannot be reached, the write stands, the caller is told it succeeded, and
 * the periodic full reconcile repairs the schedule (logged and counted in
 * `followup_reschedule_deferred_total`).
 */
import type { Logger } from 'pino';
import { assertAuthorized, inScope, type Action } from '../domain/auth.js';
import type { Clock } from '../domain/clock.js';
import {
  cancelCommitment,
  completeCommitment,
  createCommitment,
  partiesOf,
  patchCommitment,
  reopenCommitment,
  type Change,
  type Commitment,
  type CommitmentInputSchema,
  type CommitmentPatch,
  type CompleteInput,
} from '../domain/commitment.js';
import { AppError, coerceError, type FieldError } from '../domain/errors.js';
import type { Party } from '../domain/party.js';
import type { Metrics } from '../metrics.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import { importMeetingFile, type ImportResult } from '../store/meeting-import.js';
import type { MeetingStore, PartyStore } from '../store/party-store.js';
import type { ScheduleIndex } from '../store/schedule-index.js';
import type { z } from 'zod';
import type { Actor, Scheduler } from './ports.js';

export interface CommitmentServiceDeps {
  commitments: CommitmentStore;
  parties: PartyStore;
  meetings: MeetingStore;
  /** What the reconcile scheduled (to find jobs of commitments that are gone). */
  schedule: Pick<ScheduleIndex, 'commitmentIds'>;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
}

export interface WriteOptions {
  /** The version the caller last read (If-Match); another current version is a 412. */
  ifMatch?: number;
}

/** 403 when a change would leave the commitment outside the actor's parties (an editor patching its own party out). */
function assertStaysInScope(actor: Actor, c: Pick<Commitment, 'leads' | 'members'>): void {
  if (actor.principal && !inScope(actor.principal, partiesOf(c))) throw new AppError('forbidden', `The token ${actor.name} may not take its own parties out of this commitment.`);
}

/** Which actions of the role policy a patch is: changing the leads and cancelling are their own. */
function patchActions(current: Commitment, patch: CommitmentPatch): Action[] {
  // The admin action first, so a refusal names it.
  const leadsChange = patch.leads !== undefined && JSON.stringify(patch.leads) !== JSON.stringify(current.leads);
  return leadsChange ? ['change_leads', 'edit'] : ['edit'];
}

export function createCommitmentService(deps: CommitmentServiceDeps) {
  const { commitments, parties, meetings, scheduler, clock } = deps;

  /** The one error policy of "write, then reschedule": never undo or fail a stored write. */
  async function reschedule(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await scheduler.commitmentsChanged(ids);
    } catch (err) {
      deps.metrics?.rescheduleDeferred.inc(ids.length);
      deps.logger.warn({ err: coerceError(err), commitmentIds: ids.slice(0, 20), count: ids.length }, 'reschedule deferred to the full reconcile');
    }
  }

  async function assertPartiesExist(lists: Partial<Record<'leads' | 'members', readonly string[]>>): Promise<void> {
    const known = new Set(await parties.ids());
    const errors: FieldError[] = [];
    for (const [field, ids] of Object.entries(lists)) ids?.forEach((id, i) => known.has(id) || errors.push({ path: `${field}.${i}`, message: `unknown party ${id}` }));
    if (errors.length) throw new AppError('validation', 'Unknown parties.', errors);
  }

  /**
   * The shared path of every state change: the role policy (src/domain/auth.ts) for each action
   * the change is, on what was read; If-Match; pure rule; atomic write; reschedule.
   */
  async function change(id: string, actor: Actor, rule: (c: Commitment, now: Date) => Change, opts: WriteOptions = {}, actions: (c: Commitment) => Action[] = () => ['edit']): Promise<Commitment> {
    const result = await commitments.mutate(
      id,
      (current) => {
        const next = rule(current, clock.now());
        assertStaysInScope(actor, next.commitment);
        return next;
      },
      { visible: (current) => actions(current).forEach((a) => assertAuthorized(actor.principal, a, current)), ...(opts.ifMatch === undefined ? {} : { ifMatch: opts.ifMatch }) },
    );
    if (result.events.length > 0) await reschedule([id]);
    return result.commitment;
  }

  return {
    reschedule,

    /**
     * Plan every commitment's reminders again (the periodic full reconcile, and the operator's
     * `followup reconcile`), including commitments that still have jobs but no document any more.
     * Unlike a change's reschedule, a failure here is the caller's to see. Returns how many.
     */
    async rescheduleAll(): Promise<number> {
      const ids = [...new Set([...(await commitments.allIds()), ...(await deps.schedule.commitmentIds())])];
      await scheduler.commitmentsChanged(ids);
      return ids.length;
    },

    /** A new commitment of a known meeting, led by and including known parties. */
    async create(input: z.output<typeof CommitmentInputSchema>, actor: Actor): Promise<Commitment> {
      if (!(await meetings.get(input.meetingId))) {
        throw new AppError('validation', `No meeting has the id ${input.meetingId}.`, [{ path: 'meetingId', message: 'unknown meeting' }]);
      }
      await assertPartiesExist({ leads: input.leads, members: input.members });
      const created = createCommitment(input, actor.name, clock.now());
      if (!(await commitments.create(created))) {
        throw new AppError('conflict', `A commitment with the id ${created.commitment.id} already exists.`, [{ path: 'id', message: 'already taken' }]);
      }
      await reschedule([created.commitment.id]);
      return created.commitment;
    },

    async patch(id: string, patch: CommitmentPatch, actor: Actor, opts?: WriteOptions): Promise<Commitment> {
      await assertPartiesExist({ ...(patch.leads ? { leads: patch.leads } : {}), ...(patch.members ? { members: patch.members } : {}) });
      return change(id, actor, (c, now) => patchCommitment(c, patch, actor.name, now), opts, (c) => patchActions(c, patch));
    },

    complete(id: string, input: CompleteInput, actor: Actor, opts?: WriteOptions): Promise<Commitment> {
      return change(id, actor, (c, now) => completeCommitment(c, input, actor.name, now), opts, () => ['complete']);
    },

    reopen(id: string, reason: string | undefined, actor: Actor, opts?: WriteOptions): Promise<Commitment> {
      return change(id, actor, (c, now) => reopenCommitment(c, reason, actor.name, now), opts, (c) => [c.status === 'cancelled' ? 'reinstate' : 'reopen']);
    },

    cancel(id: string, reason: string, actor: Actor, opts?: WriteOptions): Promise<Commitment> {
      return change(id, actor, (c, now) => cancelCommitment(c, reason, actor.name, now), opts, () => ['cancel']);
    },

    /**
     * Any other pure rule over one commitment (a signed link's completion, which re-checks its
     * claims against what it reads), through the same write and reschedule.
     */
    apply(id: string, actor: Actor, rule: (c: Commitment, now: Date) => Change, opts?: WriteOptions, actions?: (c: Commitment) => Action[]): Promise<Commitment> {
      return change(id, actor, rule, opts, actions);
    },

    /** Load a meeting file (validated whole before anything is written), then schedule what it created. */
    async importMeeting(raw: unknown, actor: Actor, onProgress?: (done: number, total: number) => void): Promise<ImportResult> {
      const result = await importMeetingFile(raw, { commitments, parties, meetings }, actor.name, clock.now(), onProgress);
      await reschedule(result.commitments.created);
      return result;
    },

    /**
     * Change a party. A new time zone moves its local send hour, so its commitments' reminders
     * are planned again (contacts are read when each reminder fires).
     */
    async updateParty(id: string, patch: Partial<Omit<Party, 'id'>>): Promise<Party> {
      const { before, after } = await parties.update(id, (current) => ({ ...current, ...patch }));
      if (after.timeZone !== before.timeZone) await reschedule(await commitments.findIds({ parties: [id] }, clock.now()));
      return after;
    },
  };
}
export type CommitmentService = ReturnType<typeof createCommitmentService>;
