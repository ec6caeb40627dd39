/**
 * Wall-clock arithmetic in an IANA zone. Pure.
 *
 * Reminders are planned on local calendar days ("09:00 on the 24th in
 * Sydney"), not as UTC offsets, so that a DST change neither duplicates nor
 * skips a day: we step the calendar day and then ask the zone which instant
 * that wall-clock time is.
 */
import { tzOffset } from '@date-fns/tz';

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

const MINUTE = 60_000;
const BUCKET = 15 * MINUTE;
/** At most this many zones keep cached offsets; the least recently added goes first. */
const ZONES_CACHED = 64;
/** At most this many 15-minute buckets per zone (about 2.9 years' worth); then the zone's cache starts afresh. */
const BUCKETS_CACHED = 100_000;
const offsetCache = new Map<string, Map<number, number>>();

/**
 * The zone's UTC offset in ms at `ms`. Intl lookups cost microseconds each and a
 * plan makes hundreds, so offsets are cached per 15-minute bucket, but only for
 * buckets whose two ends agree: a bucket holding a transition is always looked
 * up exactly, so odd historic transitions (LMT, :44:30 offsets) stay correct.
 */
function offsetAt(zone: string, ms: number): number {
  let cache = offsetCache.get(zone);
  if (!cache) {
    // Zones are validated, but any letter case of one passes (asia/jakarta), so bound them too.
    if (offsetCache.size >= ZONES_CACHED) offsetCache.delete(offsetCache.keys().next().value!);
    offsetCache.set(zone, (cache = new Map()));
  }
  const bucket = Math.floor(ms / BUCKET);
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  const exact = Math.round(tzOffset(zone, new Date(ms)) * MINUTE);
  const start = Math.round(tzOffset(zone, new Date(bucket * BUCKET)) * MINUTE);
  const end = Math.round(tzOffset(zone, new Date((bucket + 1) * BUCKET - 1)) * MINUTE);
  if (start === end && start === exact) {
    if (cache.size >= BUCKETS_CACHED) cache.clear(); // bound memory in a long-running process
    cache.set(bucket, exact);
  }
  return exact;
}

/** The local calendar day and time of day of `at` in `zone`. */
export function toLocal(at: Date, zone: string): { day: LocalDay; time: TimeOfDay; weekday: number } {
  const w = new Date(at.getTime() + offsetAt(zone, at.getTime()));
  return {
    day: { y: w.getUTCFullYear(), m: w.getUTCMonth(), d: w.getUTCDate() },
    time: { h: w.getUTCHours(), mi: w.getUTCMinutes(), s: w.getUTCSeconds(), ms: w.getUTCMilliseconds() },
    weekday: w.getUTCDay(),
  };
}

/**
 * The instant at which `zone` shows `time` on `day`, with the "compatible"
 * rule of ECMAScript Date and Temporal: a wall time inside a spring-forward gap
 * moves forward by the gap (02:30 → 03:30); one inside a fall-back overlap
 * takes the earlier of its two instants. Either way a day yields one instant.
 */
export function atLocal(day: LocalDay, time: TimeOfDay, zone: string): Date {
  const wall = Date.UTC(day.y, day.m, day.d, time.h, time.mi, time.s, time.ms);
  // At most one transition lies within a day of any wall time, so the offsets a
  // day either side are the only candidates.
  const before = offsetAt(zone, wall - 86_400_000);
  const after = offsetAt(zone, wall + 86_400_000);
  const t1 = wall - before;
  const t2 = wall - after;
  const ok1 = offsetAt(zone, t1) === before;
  const ok2 = offsetAt(zone, t2) === after;
  if (ok1 && ok2) return new Date(Math.min(t1, t2));
  if (ok1) return new Date(t1);
  if (ok2) return new Date(t2);
  return new Date(t1); // the gap: read with the offset from before it, which lands after it
}

/** `day` moved by `n` calendar days (zone-free: calendar days are the same everywhere). */
export function shiftDay(day: LocalDay, n: number): LocalDay {
  const t = new Date(Date.UTC(day.y, day.m, day.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() };
}

/** Day of the week (0 = Sunday) of a calendar day; the same in every zone. */
export function weekdayOf(day: LocalDay): number {
  return new Date(Date.UTC(day.y, day.m, day.d)).getUTCDay();
}

export function sameDay(a: LocalDay, b: LocalDay): boolean {
  return a.y === b.y && a.m === b.m && a.d === b.d;
}

/** The calendar part of a duration: whole years, months, weeks and days. */
export interface CalendarSpan {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
}

/**
 * `day` moved by `sign` × the calendar part of `span`, like date-fns `add`/`sub`:
 * months first (clamping the 31st to the month's last day), then days.
 */
export function shiftCalendar(day: LocalDay, span: CalendarSpan, sign: 1 | -1): LocalDay {
  let { y, m, d } = day;
  const months = sign * ((span.years ?? 0) * 12 + (span.months ?? 0));
  if (months !== 0) {
    const total = y * 12 + m + months;
    y = Math.floor(total / 12);
    m = total - y * 12;
    d = Math.min(d, new Date(Date.UTC(y, m + 1, 0)).getUTCDate());
  }
  return shiftDay({ y, m, d }, sign * ((span.weeks ?? 0) * 7 + (span.days ?? 0)));
}

/** The clock part of a duration (hours, minutes, seconds) in milliseconds: elapsed time, not wall time. */
export function clockMs(span: { hours?: number; minutes?: number; seconds?: number }): number {
  return (((span.hours ?? 0) * 60 + (span.minutes ?? 0)) * 60 + (span.seconds ?? 0)) * 1000;
}

/** How many zones and offsets the offset cache holds now. For tests. */
export function offsetCacheSize(): { zones: number; largest: number } {
  let largest = 0;
  for (const m of offsetCache.values()) largest = Math.max(largest, m.size);
  return { zones: offsetCache.size, largest };
}
