/**
 * The commitment use cases: every change a person makes to a commitment.
 *
 * Each one reads like its story: check the input against the registry, apply
 * the pure rule inside the store's atomic read-modify-write (version check,
 * document, indexes and events in one script), then reschedule its reminders.
 * The write is the fact; rescheduling is a consequence. When the scheduler
 * cannot be reached, the write stands, the caller is told it succeeded, and
 * the reconcile sweep repairs the schedule within one interval: the write marked
 * the commitment unreconciled in the same script (logged and counted in
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
  type DueInput,
  type CompleteInput,
} from '../domain/commitment.js';
import { AppError, coerceError, type FieldError } from '../domain/errors.js';
import type { Party } from '../domain/party.js';
import type { MeetingRecord } from '../domain/meeting.js';
import { isMeetingDue } from '../domain/meeting-due.js';
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
  schedule: Pick<ScheduleIndex, 'commitmentIds' | 'unreconciled'>;
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
      deps.logger.warn({ err: coerceError(err), commitmentIds: ids.slice(0, 20), count: ids.length }, 'reschedule deferred to the reconcile sweep');
    }
  }

  /**
   * 400 naming each commitment of a meeting file whose deadline is tied to a meeting that is
   * neither the file's nor a stored one (read loosely: the import's own validation reports the rest).
   */
  async function assertLinkedMeetingsExist(raw: unknown): Promise<void> {
    const file = (typeof raw === 'object' && raw !== null ? raw : {}) as { meeting?: { id?: unknown }; commitments?: unknown };
    if (!Array.isArray(file.commitments)) return;
    const own = file.meeting?.id;
    const wanted = new Map<string, number[]>();
    file.commitments.forEach((c: unknown, i) => {
      const due = (c as { due?: unknown } | null)?.due;
      if (!isMeetingDue(due) || typeof due.meetingId !== 'string' || due.meetingId === own) return;
      wanted.set(due.meetingId, [...(wanted.get(due.meetingId) ?? []), i]);
    });
    const errors: FieldError[] = [];
    for (const [meetingId, at] of [...wanted].slice(0, 100)) {
      if (await meetings.get(meetingId)) continue;
      for (const i of at.slice(0, 100)) errors.push({ path: `commitments.${i}.due.meetingId`, message: `unknown meeting ${meetingId}; create it (POST /v1/meetings) before the import` });
    }
    if (errors.length) throw new AppError('validation', 'The meeting file ties deadlines to unknown meetings; nothing was loaded.', errors);
  }

  /** The meeting a meeting-linked deadline names (400 at due.meetingId when there is none); null for any other deadline. */
  async function linkedMeeting(due: DueInput | undefined): Promise<MeetingRecord | null> {
    if (due === undefined || due === null || !isMeetingDue(due)) return null;
    const m = await meetings.get(due.meetingId);
    if (!m) throw new AppError('validation', `No meeting has the id ${due.meetingId}.`, [{ path: 'due.meetingId', message: 'unknown meeting' }]);
    return m;
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
    /**
     * Reconcile the commitments written but not reconciled since (at most `limit`): the
     * safety net of "write, then reschedule" when the enqueue after a write was lost.
     * Unlike a change's reschedule, a failure here is the caller's to see. Returns how many.
     */
    async rescheduleUnreconciled(limit: number): Promise<number> {
      const ids = await deps.schedule.unreconciled(limit);
      if (ids.length) await scheduler.commitmentsChanged(ids);
      return ids.length;
    },

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
      const created = createCommitment(input, actor.name, clock.now(), await linkedMeeting(input.due));
      if (!(await commitments.create(created))) {
        throw new AppError('conflict', `A commitment with the id ${created.commitment.id} already exists.`, [{ path: 'id', message: 'already taken' }]);
      }
      await reschedule([created.commitment.id]);
      return created.commitment;
    },

    async patch(id: string, patch: CommitmentPatch, actor: Actor, opts?: WriteOptions): Promise<Commitment> {
      await assertPartiesExist({ ...(patch.leads ? { leads: patch.leads } : {}), ...(patch.members ? { members: patch.members } : {}) });
      const linked = patch.due === undefined ? null : await linkedMeeting(patch.due);
      return change(id, actor, (c, now) => patchCommitment(c, patch, actor.name, now, linked), opts, (c) => patchActions(c, patch));
    },

    /** Ids of the commitments whose deadline follows the meeting. */
    linkedTo(meetingId: string): Promise<string[]> {
      return commitments.linkedTo(meetingId);
    },

    /**
     * A meeting's date or zone changed: every deadline tied to it moves, each through the same
     * use case as a PATCH of \`due\` (a new dueVersion, so plans for the old date never send).
     * Commitments are moved a few at a time; one that fails is logged and left to the caller's
     * count, the others still move. Returns the ids moved and those that failed.
     */
    async followMeeting(meetingId: string, actor: Actor): Promise<{ moved: string[]; failed: string[] }> {
      const ids = await commitments.linkedTo(meetingId);
      const meeting = await meetings.get(meetingId);
      const moved: string[] = [];
      const failed: string[] = [];
      const BATCH = 20;
      for (let i = 0; i < ids.length; i += BATCH) {
        await Promise.all(
          ids.slice(i, i + BATCH).map(async (id) => {
            try {
              let before = 0;
              const after = await change(
                id,
                actor,
                (c, now) => {
                  before = c.dueVersion;
                  // Read inside the write: a deadline unlinked meanwhile is left alone.
                  return c.dueLink?.meetingId === meetingId ? patchCommitment(c, { due: c.dueLink }, actor.name, now, meeting) : { commitment: c, events: [] };
                },
                {},
                (c) => patchActions(c, { due: c.dueLink ?? null }),
              );
              if (after.dueVersion !== before) moved.push(id);
            } catch (err) {
              failed.push(id);
              deps.logger.warn({ err: coerceError(err), commitmentId: id, meetingId }, 'a deadline tied to a moved meeting did not move');
            }
          }),
        );
      }
      return { moved: moved.sort(), failed: failed.sort() };
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
      await assertLinkedMeetingsExist(raw);
      const result = await importMeetingFile(raw, { commitments, parties, meetings }, actor.name, clock.now(), onProgress);
      await reschedule(result.commitments.created);
      return result;
    },

    /**
     * Change a party. A new time zone moves its local send hour, so its commitments' reminders
     * are planned again (contacts are read when each reminder fires).
     */
    async updateParty(id: string, patch: Partial<Omit<Party, 'id' | 'country'>> & { country?: string | null }): Promise<Party> {
      const { before, after } = await parties.update(id, (current) => {
        const { country, ...rest } = patch;
        const next: Party = { ...current, ...rest };
        // null clears the country: the party then has the one its alpha-3 id implies, or none.
        if (country === null) delete next.country;
        else if (country !== undefined) next.country = country;
        return next;
      });
      // Holidays and closed days are quiet days: a change of either moves sends as a new zone does.
      const calendarChanged =
        after.timeZone !== before.timeZone || after.country !== before.country || JSON.stringify(after.closedDays ?? []) !== JSON.stringify(before.closedDays ?? []);
      if (calendarChanged) await reschedule(await commitments.findIds({ parties: [id] }, clock.now()));
      return after;
    },
  };
}
export type CommitmentService = ReturnType<typeof createCommitmentService>;
