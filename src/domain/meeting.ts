/** Meetings and the meeting file that imports one with its parties and commitments. Pure. */
import { z } from 'zod';
import { CommitmentInputSchema, SlugSchema } from './commitment.js';
import { isRealDate, isoDateSchema } from './deadline.js';
import { PartySchema, timeZoneSchema } from './party.js';

export const MeetingSchema = z.strictObject({
  id: SlugSchema,
  title: z.string().min(3).max(300),
  place: z.string().max(200).default(''),
  /** IANA zone of the meeting place: the status page shows deadlines in it by default. */
  timeZone: timeZoneSchema.optional(),
  startDate: isoDateSchema,
  endDate: isoDateSchema,
  source: z.strictObject({ title: z.string().max(300), document: z.string().max(500).optional(), url: z.string().max(2000).pipe(z.url()).optional() }),
  notes: z.array(z.string().max(2000)).default([]),
});
export type Meeting = z.infer<typeof MeetingSchema>;

export const MeetingStatusSchema = z.enum(['planned', 'held']);
export type MeetingStatus = z.infer<typeof MeetingStatusSchema>;

/**
 * A meeting as stored: a meeting file's meeting, or one made with POST /v1/meetings, which may be
 * planned with no dates yet. `place`, `startDate` and `endDate` keep the meeting file's names.
 */
export type MeetingRecord = Omit<Meeting, 'startDate' | 'endDate'> & { startDate?: string; endDate?: string; status?: MeetingStatus };

/** A stored meeting with its dates: the meetings the digest and the status page show. */
export function isDated(m: MeetingRecord): m is Meeting & { status?: MeetingStatus } {
  return typeof m.startDate === 'string' && typeof m.endDate === 'string';
}

/** planned or held: as stored, else held when it has dates and planned when it has none. */
export function meetingStatus(m: MeetingRecord): MeetingStatus {
  return m.status ?? (m.startDate ? 'held' : 'planned');
}

/** The meetings API's names for a stored meeting: `location`, `startsOn`, `endsOn` (null while undated) and `status`. */
export function meetingView(m: MeetingRecord) {
  return { ...m, location: m.place, startsOn: m.startDate ?? null, endsOn: m.endDate ?? null, status: meetingStatus(m) };
}
export type MeetingView = ReturnType<typeof meetingView>;

const meetingFields = {
  title: z.string().trim().min(3).max(300),
  location: z.string().trim().max(200),
  startsOn: isoDateSchema.nullable(),
  endsOn: isoDateSchema.nullable(),
  timeZone: timeZoneSchema,
  status: MeetingStatusSchema,
};

/** POST /v1/meetings. A planned meeting may have no dates yet; a held one has them. */
export const MeetingCreateSchema = z.strictObject({
  id: SlugSchema.optional(),
  ...meetingFields,
  location: meetingFields.location.default(''),
  startsOn: meetingFields.startsOn.default(null),
  endsOn: meetingFields.endsOn.default(null),
  timeZone: meetingFields.timeZone.optional(),
  status: meetingFields.status.default('planned'),
  notes: z.array(z.string().max(2000)).max(50).default([]),
});
export type MeetingCreate = z.infer<typeof MeetingCreateSchema>;

/** PATCH /v1/meetings/:id: any of the fields; null clears a date. */
export const MeetingPatchSchema = z
  .strictObject(meetingFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'expected at least one field to change' });
export type MeetingPatch = z.infer<typeof MeetingPatchSchema>;

/** The rules a meeting's fields keep together, as field errors (empty when it is consistent). */
export function meetingProblems(m: MeetingRecord): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (m.endDate && !m.startDate) out.push({ path: 'startsOn', message: 'expected startsOn with endsOn' });
  if (m.startDate && m.endDate && m.endDate < m.startDate) out.push({ path: 'endsOn', message: 'expected endsOn on or after startsOn' });
  if (m.startDate && !m.timeZone) out.push({ path: 'timeZone', message: 'expected the meeting’s IANA time zone with its dates' });
  if (meetingStatus(m) === 'held' && !m.startDate) out.push({ path: 'startsOn', message: 'a held meeting has dates' });
  return out;
}

/** The stored meeting a create request describes (ends on its first day when only that is given). */
export function meetingFromCreate(input: MeetingCreate, id: string): MeetingRecord {
  const m: MeetingRecord = { id, title: input.title, place: input.location, source: { title: input.title }, notes: input.notes, status: input.status };
  if (input.timeZone) m.timeZone = input.timeZone;
  if (input.startsOn) {
    m.startDate = input.startsOn;
    m.endDate = input.endsOn ?? input.startsOn;
  } else if (input.endsOn) m.endDate = input.endsOn;
  return m;
}

/** A meeting with a patch applied (a start without an end ends the same day; null clears both dates). */
export function patchMeeting(current: MeetingRecord, patch: MeetingPatch): MeetingRecord {
  const next: MeetingRecord = { ...current };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.location !== undefined) next.place = patch.location;
  if (patch.timeZone !== undefined) next.timeZone = patch.timeZone;
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.startsOn !== undefined) {
    if (patch.startsOn === null) {
      delete next.startDate;
      if (patch.endsOn === undefined) delete next.endDate;
    } else {
      next.startDate = patch.startsOn;
      if (patch.endsOn === undefined && (!next.endDate || next.endDate < patch.startsOn)) next.endDate = patch.startsOn;
    }
  }
  if (patch.endsOn !== undefined) {
    if (patch.endsOn === null) {
      if (next.startDate) next.endDate = next.startDate;
      else delete next.endDate;
    } else next.endDate = patch.endsOn;
  }
  return next;
}

/** The keys a draft carries beside the meeting file, which an import of the draft as returned ignores. */
const DraftExtras = {
  warnings: z.array(z.unknown()).max(10_000).optional(),
  participants: z.array(z.unknown()).max(10_000).optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
};

/**
 * A meeting file: the meeting, the parties it names, and what it agreed. A draft from
 * POST /v1/meetings/draft is one as returned: its warnings, participants and provenance are ignored.
 */
export const MeetingFileSchema = z
  .strictObject({
    meeting: MeetingSchema,
    parties: z.array(PartySchema).max(500).default([]),
    commitments: z.array(CommitmentInputSchema.omit({ meetingId: true })).max(50_000),
    ...DraftExtras,
  })
  .superRefine((file, ctx) => {
    // zod 4 runs this even when a date failed its own check; compare only real dates, or one typo gets two errors.
    if (isRealDate(file.meeting.startDate) && isRealDate(file.meeting.endDate) && file.meeting.endDate < file.meeting.startDate) {
      ctx.addIssue({ code: 'custom', path: ['meeting', 'endDate'], message: 'expected endDate on or after startDate' });
    }
    const ids = new Set<string>();
    file.commitments.forEach((c, i) => {
      if (c.id === undefined) return;
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['commitments', i, 'id'], message: `duplicate id ${c.id}` });
      ids.add(c.id);
    });
  });
export type MeetingFile = z.infer<typeof MeetingFileSchema>;
