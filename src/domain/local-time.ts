/**
 * Wall-clock arithmetic in an IANA zone. Pure.
 *
 * Reminders are planned on local calendar days ("09:00 on the 24th in
 * Sydney"), not as UTC offsets, so that a DST change neither duplicates nor
 * skips a day: we step the calendar day and then ask the zone which instant
 * that wall-clock time is.
 */
import { TZDate } from '@date-fns/tz';

/** A calendar day; `m` is 0-based like `Date#getMonth`. */
export interface LocalDay {
  y: number;
  m: number;
  d: number;
}

/** A wall-clock time of day. */
export interface TimeOfDay {
  h: number;
  mi: number;
  s: number;
  ms: number;
}

/** Parse "HH:MM" into a time of day. */
export function parseSendAt(hhmm: string): TimeOfDay {
  const [h, mi] = hhmm.split(':').map(Number) as [number, number];
  return { h, mi, s: 0, ms: 0 };
}

/** The local calendar day and time of day of `at` in `zone`. */
export function toLocal(at: Date, zone: string): { day: LocalDay; time: TimeOfDay; weekday: number } {
  const t = new TZDate(at.getTime(), zone);
  return {
    day: { y: t.getFullYear(), m: t.getMonth(), d: t.getDate() },
    time: { h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds(), ms: t.getMilliseconds() },
    weekday: t.getDay(),
  };
}

/**
 * The instant at which `zone` shows `time` on `day`. A wall time inside a
 * spring-forward gap moves forward by the gap (02:30 → 03:30); one inside a
 * fall-back overlap resolves to a single instant, so a day never yields two.
 */
export function atLocal(day: LocalDay, time: TimeOfDay, zone: string): Date {
  return new Date(new TZDate(day.y, day.m, day.d, time.h, time.mi, time.s, time.ms, zone).getTime());
}

/** `day` moved by `n` calendar days (zone-free: calendar days are the same everywhere). */
export function shiftDay(day: LocalDay, n: number): LocalDay {
  const t = new Date(Date.UTC(day.y, day.m, day.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() };
}

/** Day of the week (0 = Sunday) of `at` as seen in `zone`. */
export function localWeekday(at: Date, zone: string): number {
  return new TZDate(at.getTime(), zone).getDay();
}

/** `at` seen in `zone`, for date-fns calendar arithmetic in that zone. */
export function inZone(at: Date, zone: string): TZDate {
  return new TZDate(at.getTime(), zone);
}
