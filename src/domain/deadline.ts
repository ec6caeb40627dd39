/**
 * Deadlines: none, a calendar date in an IANA zone, or an exact instant. Pure.
 *
 * A date deadline ends at 23:59:59.999 local time on that date, so "by 31
 * December 2009 in Jakarta" is 2009-12-31T16:59:59.999Z.
 */
import { z } from 'zod';
import { TZDate } from '@date-fns/tz';
import { endOfDay } from 'date-fns';
import { timeZoneSchema } from './party.js';

/**
 * True when YYYY-MM-DD names a real calendar day. Checked in UTC on purpose:
 * parseISO reads a bare date as local midnight, which in any zone east of UTC
 * is the previous day in toISOString, so valid dates were rejected there.
 */
export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const isoDate = z
  .string()
  // abort: a malformed date gets one error, not a second "not a real date" too.
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date as YYYY-MM-DD', abort: true })
  .refine(isRealDate, { message: 'expected a real calendar date' });

export const DateDueSchema = z.strictObject({ date: isoDate, timeZone: timeZoneSchema });
export const InstantDueSchema = z.strictObject({
  at: z.string().max(40, 'expected an ISO 8601 instant such as 2026-11-26T18:30:00Z').pipe(z.iso.datetime({ offset: true, error: 'expected an ISO 8601 instant such as 2026-11-26T18:30:00Z' })),
});
export const DueSchema = z.union([DateDueSchema, InstantDueSchema]).nullable();
export type Due = z.infer<typeof DueSchema>;

export const isoDateSchema = isoDate;

/** The instant a deadline ends, or null when there is none. */
export function dueInstant(due: Due): Date | null {
  if (due === null) return null;
  if ('at' in due) return new Date(due.at);
  // The zone arithmetic is the costly part of every API answer (dueAt, overdue) and depends
  // only on the date and the zone: remember it, in a map bounded to DUE_MEMO_MAX entries.
  const memoKey = `${due.date} ${due.timeZone}`;
  let ms = dueMemo.get(memoKey);
  if (ms === undefined) {
    const [y, m, d] = due.date.split('-').map(Number) as [number, number, number];
    ms = endOfDay(new TZDate(y, m - 1, d, due.timeZone)).getTime();
    if (dueMemo.size >= DUE_MEMO_MAX) dueMemo.delete(dueMemo.keys().next().value as string);
    dueMemo.set(memoKey, ms);
  }
  return new Date(ms);
}

const DUE_MEMO_MAX = 4096;
const dueMemo = new Map<string, number>();

/** Normalise an instant deadline to a UTC ISO string, so equal deadlines compare equal. */
export function normaliseDue(due: Due): Due {
  if (due !== null && 'at' in due) return { at: new Date(due.at).toISOString() };
  return due;
}

export function sameDue(a: Due, b: Due): boolean {
  return JSON.stringify(normaliseDue(a)) === JSON.stringify(normaliseDue(b));
}
