/**
 * The demo's script: what the secretariat does, and when, between the 2009
 * meeting and the end of 2010. Everything else (reminders, the overdue
 * notice, the escalation, the digests' content) is the service reacting.
 *
 * Each admin action goes through the same use case as the API: the request
 * body is parsed with the route's zod schema, then the commitment use case
 * writes it (atomic, versioned, with its events) and reschedules.
 */
import { TZDate } from '@date-fns/tz';
import type { CommitmentService } from '../app/commitments.js';
import { CommitmentPatchSchema, CompleteInputSchema } from '../domain/commitment.js';

/** The zone the script's times are written in (the secretariat in Jakarta; also DIGEST_TZ). */
export const STORY_TZ = 'Asia/Jakarta';

/** `2009-08-10 10:00` in Jakarta as a Date. */
export function jakarta(local: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new Error(`expected YYYY-MM-DD HH:MM, got ${local}`);
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return new Date(new TZDate(y, mo - 1, d, h, mi, 0, 0, STORY_TZ).getTime());
}

/** The replay starts as the meeting opens in Bali (27 July 2009, 09:00 Asia/Makassar = 08:00 Jakarta)… */
export const STORY_START = jakarta('2009-07-27 08:00');
/** …and ends at the end of 2010. */
export const STORY_END = jakarta('2010-12-31 23:59');

/** Who the admin actions are recorded as (an admin token's name in the API). */
export const ADMIN = 'secretariat';

/** The steering-group address: copied on escalations and sent the full digest, with the co-chairs. */
export const STEERING_GROUP = 'steering-group@example.org';

export const IDS = {
  expertMeetings: 'expert-meetings-prosecuting-smuggling-syndicates',
  maritime: 'technical-meeting-irregular-maritime-ventures',
  workshop: 'workshop-information-campaigns',
  paper: 'information-paper-protection-registration',
} as const;

export interface StoryDeps {
  commitments: CommitmentService;
}

export interface StoryAction {
  at: Date;
  run(deps: StoryDeps): Promise<void>;
}

const admin = { name: ADMIN };

const setDeadline = (id: string, date: string) => async (deps: StoryDeps) => {
  await deps.commitments.patch(id, CommitmentPatchSchema.parse({ due: { date, timeZone: STORY_TZ } }), admin);
};

const complete = (id: string, body: { note: string; evidenceUrl?: string; completedOn: string; units?: number }) => async (deps: StoryDeps) => {
  await deps.commitments.complete(id, CompleteInputSchema.parse(body), admin);
};

/**
 * The secretariat's actions, in order. The workshop's deadline (end of 2009)
 * comes from the meeting text itself.
 *
 * Each action that stops reminders lies at least four virtual days after the
 * last send before it. BullMQ fires a delayed job up to ~0.1 s late (Redis's
 * timer granularity at its default hz 10), which at 40 days per second is
 * four days: a send that late would meet a commitment already done, and
 * rightly send nothing. The margin keeps the story the same at test speeds.
 */
export const STORY: readonly StoryAction[] = [
  { at: jakarta('2009-08-10 10:00'), run: setDeadline(IDS.expertMeetings, '2010-03-31') },
  { at: jakarta('2009-08-10 10:05'), run: setDeadline(IDS.maritime, '2010-06-30') },
  {
    at: jakarta('2009-11-27 15:00'),
    run: complete(IDS.expertMeetings, {
      note: 'First technical expert meeting on prosecuting people-smuggling syndicates held in Bali, 25–26 November 2009.',
      evidenceUrl: 'https://example.org/ahg/2009-11-expert-meeting-1-summary.pdf',
      completedOn: '2009-11-26',
      units: 1,
    }),
  },
  {
    at: jakarta('2010-01-19 14:00'),
    run: complete(IDS.workshop, {
      note: 'Workshop on information campaigns held in Jakarta, 14–15 January 2010, with source, transit and destination countries.',
      evidenceUrl: 'https://example.org/ahg/2010-01-information-campaigns-workshop-report.pdf',
      completedOn: '2010-01-15',
    }),
  },
  {
    at: jakarta('2010-03-09 11:00'),
    run: complete(IDS.expertMeetings, {
      note: 'Second technical expert meeting held in Canberra, 4–5 March 2010.',
      evidenceUrl: 'https://example.org/ahg/2010-03-expert-meeting-2-summary.pdf',
      completedOn: '2010-03-05',
      units: 1,
    }),
  },
  {
    at: jakarta('2010-06-08 11:00'),
    run: complete(IDS.maritime, {
      note: 'Technical meeting on irregular maritime ventures held in Bangkok, 7 June 2010.',
      completedOn: '2010-06-07',
    }),
  },
  { at: jakarta('2010-07-12 10:00'), run: setDeadline(IDS.paper, '2010-10-29') },
  {
    at: jakarta('2010-10-07 10:00'),
    run: complete(IDS.paper, {
      note: 'UNHCR circulated the information paper on protection and registration to all members.',
      evidenceUrl: 'https://example.org/ahg/2010-10-protection-registration-paper.pdf',
      completedOn: '2010-10-06',
    }),
  },
];

/**
 * The weekly digest runs the demo sends (Mondays 09:00 Jakarta, DIGEST_CRON's
 * default): only three of the 74 Mondays, to keep the output readable. Each
 * covers the week before it, the first one everything since the meeting.
 */
export const DIGEST_RUNS: readonly Date[] = [jakarta('2009-11-30 09:00'), jakarta('2010-01-18 09:00'), jakarta('2010-01-25 09:00')];
