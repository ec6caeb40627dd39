/**
 * Deadlines in words, as a person reads them. Pure.
 *
 * A deadline set as a date reads as that date: "31 December 2009 (end of
 * day, Jakarta time)", plus the reader's local equivalent only when the end
 * of that day falls on another day where the reader is. An instant reads in
 * the reader's zone.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { dueInstant, type Due } from '../domain/deadline.js';

/** "31 December 2009" from YYYY-MM-DD. */
export function dateLabel(iso: string): string {
  return format(new Date(`${iso}T12:00:00Z`), 'd MMMM yyyy');
}

/** "Jakarta" from Asia/Jakarta; "UTC" stays. */
export function zoneLabel(zone: string): string {
  return zone.split('/').pop()!.replace(/_/g, ' ');
}

/** The deadline for a reader in `readerZone` (see the module comment). */
export function deadlineWords(due: Due, readerZone: string): string {
  const at = dueInstant(due);
  if (!at || !due) return 'no deadline';
  if ('date' in due) {
    const own = `${dateLabel(due.date)} (end of day, ${zoneLabel(due.timeZone)} time)`;
    const local = new TZDate(at.getTime(), readerZone);
    const localDay = format(local, 'yyyy-MM-dd');
    if (localDay === due.date) return own;
    return `${own}, which is ${format(local, 'EEEE d MMMM yyyy, HH:mm')} ${zoneLabel(readerZone)} time`;
  }
  const withSeconds = at.getUTCSeconds() !== 0;
  return `${format(new TZDate(at.getTime(), readerZone), withSeconds ? 'EEEE d MMMM yyyy, HH:mm:ss' : 'EEEE d MMMM yyyy, HH:mm')} ${zoneLabel(readerZone)} time`;
}

/** Whole days from the deadline to `now` (0 on the day it passed). */
export function daysOverdue(due: Due, now: Date): number {
  const at = dueInstant(due);
  if (!at) return 0;
  return Math.max(0, Math.floor((now.getTime() - at.getTime()) / 86_400_000));
}

/** "overdue since 31 December 2009, 15 days" */
export function overdueWords(due: Due, now: Date, readerZone: string): string {
  const at = dueInstant(due);
  if (!at || !due) return 'overdue';
  const since = 'date' in due ? dateLabel(due.date) : format(new TZDate(at.getTime(), readerZone), 'd MMMM yyyy');
  const n = daysOverdue(due, now);
  return `overdue since ${since}, ${n === 0 ? 'less than a day' : `${n} day${n === 1 ? '' : 's'}`}`;
}
