/**
 * The meeting use cases: create a meeting (planned, perhaps without dates yet), change it,
 * delete it, and draft a meeting file from its outcome statement.
 *
 * The story of a date change: the meeting is written first (compare-and-set), then every
 * commitment whose deadline is tied to it moves through the commitment service's PATCH path
 * (a new dueVersion each, so reminders planned for the old date never send). If that second
 * step is interrupted, the meeting stands and `followMeeting` can be run again: it moves
 * only deadlines that still differ.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { slugify } from '../domain/commitment.js';
import { draftFromStatement, type StatementDraft } from '../domain/draft/draft.js';
import { AppError } from '../domain/errors.js';
import {
  meetingFromCreate,
  meetingProblems,
  meetingView,
  patchMeeting,
  type MeetingCreate,
  type MeetingPatch,
  type MeetingRecord,
  type MeetingView,
} from '../domain/meeting.js';
import type { CommitmentStore } from '../store/commitment-store.js';
import type { MeetingStore, PartyStore } from '../store/party-store.js';
import type { CommitmentService } from './commitments.js';
import type { Actor } from './ports.js';

export interface MeetingServiceDeps {
  meetings: MeetingStore;
  parties: PartyStore;
  commitments: Pick<CommitmentStore, 'findIds'>;
  commitmentService: Pick<CommitmentService, 'followMeeting' | 'linkedTo'>;
  clock: Clock;
  logger: Logger;
}

/** What a change of a meeting answers: the meeting, and the deadlines that moved with it. */
export interface MeetingChange {
  meeting: MeetingView;
  deadlines: { moved: string[]; failed: string[] };
}

/** The meeting's first day and zone: what a tied deadline resolves against. */
const anchorOf = (m: MeetingRecord) => `${m.startDate ?? ''} ${m.timeZone ?? ''}`;

function assertConsistent(m: MeetingRecord): void {
  const problems = meetingProblems(m);
  if (problems.length > 0) throw new AppError('validation', `The meeting is not consistent: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`, problems);
}

export function createMeetingService(deps: MeetingServiceDeps) {
  const { meetings, commitmentService } = deps;

  return {
    async get(id: string): Promise<MeetingView> {
      return meetingView(await meetings.mustGet(id));
    },

    async list(): Promise<MeetingView[]> {
      return (await meetings.listAll()).map(meetingView);
    },

    /**
     * A new meeting; its id is given or derived from the title (and the year of its first day).
     * Deadlines already tied to that id (a draft imported before the meeting existed) move to it.
     */
    async create(input: MeetingCreate, actor: Actor): Promise<MeetingChange> {
      const year = input.startsOn?.slice(0, 4);
      const id = input.id ?? slugify(year && !input.title.includes(year) ? `${input.title} ${year}` : input.title);
      const meeting = meetingFromCreate(input, id);
      assertConsistent(meeting);
      if (!(await meetings.create(meeting))) {
        throw new AppError('conflict', `A meeting with the id ${id} already exists.`, [{ path: input.id === undefined ? 'title' : 'id', message: `the id ${id} is taken` }]);
      }
      const deadlines = meeting.startDate ? await commitmentService.followMeeting(id, actor) : { moved: [], failed: [] };
      return { meeting: meetingView(meeting), deadlines };
    },

    /** Change a meeting; a new first day or zone moves every deadline tied to it. */
    async update(id: string, patch: MeetingPatch, actor: Actor): Promise<MeetingChange> {
      const { before, after } = await meetings.update(id, (current) => {
        const next = patchMeeting(current, patch);
        assertConsistent(next);
        return next;
      });
      const moves = anchorOf(before) !== anchorOf(after);
      const deadlines = moves ? await commitmentService.followMeeting(id, actor) : { moved: [], failed: [] };
      if (deadlines.failed.length > 0) deps.logger.warn({ meetingId: id, failed: deadlines.failed.slice(0, 20), count: deadlines.failed.length }, 'some deadlines tied to the meeting did not move');
      return { meeting: meetingView(after), deadlines };
    },

    /**
     * Delete a meeting that nothing points to: 409 naming the commitments whose deadlines are
     * tied to it, or that belong to it.
     */
    async remove(id: string): Promise<void> {
      const outcome = await meetings.removeIfUnused(id);
      if (outcome === 'ok') return;
      if (outcome === 'missing') throw new AppError('not_found', `No meeting has the id ${id}.`);
      const linked = outcome === 'tied' ? await commitmentService.linkedTo(id) : [];
      if (linked.length > 0) {
        throw new AppError(
          'conflict',
          `The meeting ${id} cannot be deleted: the deadlines of ${linked.length} commitment${linked.length === 1 ? '' : 's'} are tied to it (${linked.slice(0, 20).join(', ')}${linked.length > 20 ? ', …' : ''}). Give them another deadline first.`,
          linked.slice(0, 100).map((c) => ({ path: 'id', message: `deadline of ${c} is tied to this meeting` })),
        );
      }
      const own = await deps.commitments.findIds({ meetingId: id }, deps.clock.now());
      if (own.length > 0) {
        throw new AppError(
          'conflict',
          `The meeting ${id} cannot be deleted: ${own.length} commitment${own.length === 1 ? '' : 's'} belong to it (${own.slice(0, 20).join(', ')}${own.length > 20 ? ', …' : ''}).`,
          own.slice(0, 100).map((c) => ({ path: 'id', message: `commitment ${c} belongs to this meeting` })),
        );
      }
      throw new AppError('conflict', `The meeting ${id} is in use; try again.`, [{ path: 'id', message: 'in use' }]);
    },

    /**
     * Draft a meeting file from an outcome statement (text or bytes), against the party registry
     * and the stored meetings (so "at the next meeting" links to a planned one). Writes nothing.
     */
    async draft(statement: unknown): Promise<StatementDraft> {
      const [parties, known] = await Promise.all([deps.parties.list(), meetings.listAll()]);
      return draftFromStatement(statement, {
        parties,
        meetings: known.map((m) => ({ id: m.id, title: m.title, startDate: m.startDate ?? null, ...(m.status ? { status: m.status } : {}) })),
        now: deps.clock.now(),
      });
    },
  };
}
export type MeetingService = ReturnType<typeof createMeetingService>;

/** The meeting use cases of a process's services (wired in createServices). */
export function meetingServiceOf(services: { meetingUseCases: MeetingService }): MeetingService {
  return services.meetingUseCases;
}
