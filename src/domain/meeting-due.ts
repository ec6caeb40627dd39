/**
 * A deadline tied to a meeting: `{ meetingId, offset }`, where `offset` is a
 * signed ISO 8601 calendar duration from the meeting's first day in the
 * meeting's zone ("-P30D" is 30 days before it, "P0D" the day itself). Pure.
 *
 * It resolves to an ordinary date deadline once the meeting has a date; until
 * then the commitment has no deadline yet.
 */
import { z } from 'zod';
import { shiftCalendar } from './local-time.js';

/** A meeting id (the slug rule of commitment.ts, repeated here: commitment.ts imports this module). */
const MeetingIdSchema = z
  .string()
  .min(2)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a meeting id, a lower-case slug such as ahg-som-2010');

const OFFSET = /^(-)?P(?:(\d{1,2})Y)?(?:(\d{1,3})M)?(?:(\d{1,3})W)?(?:(\d{1,4})D)?$/;

export const MeetingOffsetSchema = z
  .string()
  .max(20)
  .refine((s) => OFFSET.test(s) && s.replace(/^-/, '') !== 'P', { message: 'expected a signed ISO 8601 duration in years, months, weeks or days, such as -P30D or P0D' });

export const MeetingDueSchema = z.strictObject({ meetingId: MeetingIdSchema, offset: MeetingOffsetSchema });
export type MeetingDue = z.infer<typeof MeetingDueSchema>;

export function isMeetingDue(due: unknown): due is MeetingDue {
  return typeof due === 'object' && due !== null && 'meetingId' in due && 'offset' in due;
}

/**
 * The date deadline a meeting-linked one stands for: the meeting's first day
 * moved by the offset, on the meeting's calendar, in its zone. Null while the
 * meeting has no date or no zone.
 */
export function resolveMeetingDue(due: MeetingDue, meeting: { startDate?: string | null | undefined; timeZone?: string | null | undefined }): { date: string; timeZone: string } | null {
  if (!meeting.startDate || !meeting.timeZone) return null;
  const m = OFFSET.exec(due.offset);
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(meeting.startDate);
  if (!m || !d) return null;
  const sign = m[1] ? -1 : 1;
  const day = shiftCalendar(
    { y: Number(d[1]), m: Number(d[2]) - 1, d: Number(d[3]) },
    { years: Number(m[2] ?? 0), months: Number(m[3] ?? 0), weeks: Number(m[4] ?? 0), days: Number(m[5] ?? 0) },
    sign,
  );
  const iso = `${String(day.y).padStart(4, '0')}-${String(day.m + 1).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
  return { date: iso, timeZone: meeting.timeZone };
}
