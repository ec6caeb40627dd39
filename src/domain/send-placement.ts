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
}

/** True when `day` is one of the policy's quiet days (weekdays are the same in every zone). */
export function isQuietDay(p: Placer, day: LocalDay): boolean {
  return p.quiet.size > 0 && p.quiet.has(weekdayOf(day));
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
export function placeBefore(p: Placer, n: Nominal): Date {
  const at = sendTime(p, n);
  let day = n.day;
  let t = at(day);
  while (t > p.deadline) t = at((day = shiftDay(day, -1)));
  if (!isQuietDay(p, day)) return t;
  let fwd = day;
  while (isQuietDay(p, fwd)) fwd = shiftDay(fwd, 1);
  const f = at(fwd);
  if (f <= p.deadline) return f;
  let back = day;
  while (isQuietDay(p, back)) back = shiftDay(back, -1);
  return at(back);
}

/** Place an overdue/escalation step: strictly after the deadline, off quiet days (forward). */
export function placeAfter(p: Placer, n: Nominal): Date {
  const at = sendTime(p, n);
  let day = n.day;
  let t = at(day);
  while (t <= p.deadline) t = at((day = shiftDay(day, 1)));
  if (!isQuietDay(p, day)) return t;
  while (isQuietDay(p, day)) day = shiftDay(day, 1);
  return at(day);
}

/** When a missed notice goes out: now, unless today is quiet locally, then the next working day's send time. */
export function catchUpAt(p: Placer, now: Date): Date {
  const local = toLocal(now, p.zone);
  if (!isQuietDay(p, local.day)) return now;
  let day = shiftDay(local.day, 1);
  while (isQuietDay(p, day)) day = shiftDay(day, 1);
  return atLocal(day, p.sendAt ?? local.time, p.zone);
}

/** `d` × `k`, unit by unit, so overdue-k counts k months from the deadline rather than adding one month k times. */
export function times(d: Duration, k: number): Duration {
  const out: Duration = {};
  for (const [key, v] of Object.entries(d) as [keyof Duration, number][]) out[key] = v * k;
  return out;
}
