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
  source: z.strictObject({ title: z.string().max(300), document: z.string().max(500).optional(), url: z.url().optional() }),
  notes: z.array(z.string().max(2000)).default([]),
});
export type Meeting = z.infer<typeof MeetingSchema>;

/** A meeting file: the meeting, the parties it names, and what it agreed. */
export const MeetingFileSchema = z
  .strictObject({
    meeting: MeetingSchema,
    parties: z.array(PartySchema).max(500).default([]),
    commitments: z.array(CommitmentInputSchema.omit({ meetingId: true })).max(50_000),
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
