/**
 * Where a reminder step lands on a party's calendar: the local send hour, quiet
 * days, and which side of the deadline it must stay on. Pure; used by the
 * planner (see planner.ts for the rules these implement).
 */
import type { Duration } from 'date-fns';
import { atLocal, clockMs, sameDay, shiftCalendar, shiftDay, toLocal, weekdayOf, type LocalDay, type TimeOfDay } from './local-time.js';

/** Where and when a party's sends happen: its zone, send hour, quiet days and the deadline. */
export interface Placer {
  zone: string;
  deadline: Date;
  sendAt: TimeOfDay | null;
  quiet: ReadonlySet<number>;
  /** Why a day is closed for the party besides the weekly quiet days (a public holiday, its own closed day), or null. */
  closed?: (day: LocalDay) => string | null;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Why `day` is a quiet day for the party, or null on a working day: "weekend", "Friday (quiet day)", a holiday's name. */
export function quietReason(p: Placer, day: LocalDay): string | null {
  if (p.quiet.size > 0) {
    const w = weekdayOf(day);
    if (p.quiet.has(w)) return w === 0 || w === 6 ? 'weekend' : `${WEEKDAYS[w]} (quiet day)`;
  }
  return p.closed ? p.closed(day) : null;
}

/** True when `day` is one of the policy's quiet days (weekdays are the same in every zone), a holiday or a closed day of the party. */
export function isQuietDay(p: Placer, day: LocalDay): boolean {
  return quietReason(p, day) !== null;
}

/**
 * How far a search for a working day goes. The weekly quiet days leave at
 * least one weekday open, and closed days are bounded in number, so a working
 * day always comes well within this; it only guards against a pathological calendar.
 */
const MAX_SEARCH_DAYS = 3 * 366;

/** The first working day from `day` in direction `step`, or null past the search bound. */
function nextOpen(p: Placer, day: LocalDay, step: 1 | -1): LocalDay | null {
  let d = day;
  for (let i = 0; i <= MAX_SEARCH_DAYS; i++, d = shiftDay(d, step)) if (!isQuietDay(p, d)) return d;
  return null;
}

/** Where a send goes, and when it was moved off a quiet day, from where and why. */
export interface Placement {
  at: Date;
  moved?: { from: Date; because: string };
}

/**
 * A step's nominal moment: the local day and wall time it was counted on, and
 * (in exact mode only, where it is needed) the instant.
 */
export interface Nominal {
  instant: Date | null;
  day: LocalDay;
  time: TimeOfDay;
}

/**
 * `anchor` moved by `sign` × `dur` in the party's zone, with date-fns
 * semantics: the calendar part on the local calendar (so P1D keeps the local
 * time of day across DST), then the clock part as elapsed time.
 */
export function shift(p: Placer, anchor: Nominal, dur: Duration, sign: 1 | -1): Nominal {
  const day = shiftCalendar(anchor.day, dur, sign);
  const ms = clockMs(dur);
  if (ms === 0 && sameDay(day, anchor.day)) return anchor;
  // With a send hour and no clock part only the day matters: skip the zone lookup.
  if (ms === 0 && p.sendAt !== null) return { instant: null, day, time: anchor.time };
  // On the anchor's own day reuse its instant: re-deriving it from the wall time
  // could pick the other occurrence of an hour that repeats when DST ends.
  const base = sameDay(day, anchor.day) && anchor.instant ? anchor.instant : atLocal(day, anchor.time, p.zone);
  if (ms === 0) return { instant: base, day, time: anchor.time };
  const instant = new Date(base.getTime() + sign * ms);
  const local = toLocal(instant, p.zone);
  return { instant, day: local.day, time: local.time };
}

/** The instant a step placed on `day` goes out: the send hour, or in exact mode the nominal's local time. */
function sendTime(p: Placer, n: Nominal): (day: LocalDay) => Date {
  const sendAt = p.sendAt;
  if (sendAt !== null) return (day) => atLocal(day, sendAt, p.zone);
  return (day) => (n.instant && sameDay(day, n.day) ? n.instant : atLocal(day, n.time, p.zone));
}

/**
 * Place a before/due step: on or before the deadline (earlier days if need
 * be), off quiet days: forward first, else back when forward would pass the deadline.
 */
export function placeBefore(p: Placer, n: Nominal): Placement {
  const at = sendTime(p, n);
  let day = n.day;
  let t = at(day);
  while (t > p.deadline) t = at((day = shiftDay(day, -1)));
  const because = quietReason(p, day);
  if (because === null) return { at: t };
  const fwd = nextOpen(p, day, 1);
  if (fwd !== null) {
    const f = at(fwd);
    if (f <= p.deadline) return { at: f, moved: { from: t, because } };
  }
  const back = nextOpen(p, day, -1);
  return back === null ? { at: t } : { at: at(back), moved: { from: t, because } };
}

/** Place an overdue/escalation step: strictly after the deadline, off quiet days (forward). */
export function placeAfter(p: Placer, n: Nominal): Placement {
  const at = sendTime(p, n);
  let day = n.day;
  let t = at(day);
  while (t <= p.deadline) t = at((day = shiftDay(day, 1)));
  const because = quietReason(p, day);
  if (because === null) return { at: t };
  const fwd = nextOpen(p, day, 1);
  return fwd === null ? { at: t } : { at: at(fwd), moved: { from: t, because } };
}

/** When a missed notice goes out: now, unless today is quiet locally, then the next working day's send time. */
export function catchUpAt(p: Placer, now: Date): Placement {
  const local = toLocal(now, p.zone);
  const because = quietReason(p, local.day);
  if (because === null) return { at: now };
  const day = nextOpen(p, shiftDay(local.day, 1), 1);
  return day === null ? { at: now } : { at: atLocal(day, p.sendAt ?? local.time, p.zone), moved: { from: now, because } };
}

/**
 * `at` as the party reads it: local wall time with its UTC offset, minutes
 * precision unless seconds are set ("2010-01-01T09:00+11:00").
 */
export function localIso(at: Date, zone: string): string {
  const { day, time } = toLocal(at, zone);
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  const wall = Date.UTC(day.y, day.m, day.d, time.h, time.mi, time.s, time.ms);
  const off = Math.round((wall - at.getTime()) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const secs = time.s !== 0 || time.ms !== 0 ? `:${pad(time.s)}${time.ms !== 0 ? `.${pad(time.ms, 3)}` : ''}` : '';
  return `${pad(day.y, 4)}-${pad(day.m + 1)}-${pad(day.d)}T${pad(time.h)}:${pad(time.mi)}${secs}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `d` × `k`, unit by unit, so overdue-k counts k months from the deadline rather than adding one month k times. */
export function times(d: Duration, k: number): Duration {
  const out: Duration = {};
  for (const [key, v] of Object.entries(d) as [keyof Duration, number][]) out[key] = v * k;
  return out;
}
