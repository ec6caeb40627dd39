/**
 * Digest periods and schedules. Pure.
 *
 * A digest covers the half-open interval [previous scheduled run, this
 * scheduled run), with the runs given by a cron pattern in an IANA zone. The
 * periods of consecutive runs tile time: an instant on a boundary belongs to
 * the later period only, so an item completed exactly at a run appears in
 * exactly one digest.
 */
import { CronExpressionParser } from 'cron-parser';
import { isValidTimeZone } from './time-zone.js';
import { singleLine } from './text.js';

export interface DigestPeriod {
  /** Inclusive start. */
  from: Date;
  /** Exclusive end: the scheduled run that sends this digest. */
  to: Date;
  /** True when this is the first digest, which covers everything since the meeting. */
  first: boolean;
}

export interface ScheduleProblems {
  cron?: string;
  timeZone?: string;
}

const parse = (cron: string, timeZone: string, at: Date) =>
  CronExpressionParser.parse(cron, { tz: timeZone, currentDate: at });

/**
 * Check a cron pattern and a time zone. Returns the problems, empty when both are
 * usable. The zone is checked first because cron-parser reports a bad zone as
 * "CronDate: unhandled timestamp", which names neither.
 */
export function checkSchedule(cron: string, timeZone: string, now: Date = new Date()): ScheduleProblems {
  const problems: ScheduleProblems = {};
  if (!isValidTimeZone(timeZone)) problems.timeZone = `"${quote(timeZone)}" is not an IANA time zone such as Asia/Jakarta`;
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) {
    problems.cron = 'expected a cron pattern such as "0 9 * * 1" (Mondays at 09:00)';
  } else if (cron.length > MAX_CRON_LENGTH) {
    problems.cron = `expected a cron pattern of at most ${MAX_CRON_LENGTH} characters`;
  } else if (!cron.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    problems.cron = `"${quote(cron)}" has ${fields.length} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)`;
  } else {
    try {
      const it = parse(cron, problems.timeZone ? 'UTC' : timeZone, now);
      it.next();
      it.prev();
    } catch (err) {
      problems.cron = `"${quote(cron)}" is not a usable cron pattern: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return problems;
}

/** Longer than any cron pattern needs ("0,15,30,45 8-18 1-7,15-21 1-12 1-5" is 35). */
export const MAX_CRON_LENGTH = 200;

/** A value as a problem quotes it: one line, at most 80 characters. */
function quote(v: string): string {
  const s = singleLine(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** The first scheduled run strictly after `at`. */
export function nextRun(cron: string, timeZone: string, at: Date): Date {
  return parse(cron, timeZone, at).next().toDate();
}

/**
 * The smallest scheduled run at or after `at`, as BullMQ fires them: each run
 * is next() of the run before it.
 *
 * Asking next() of `at` itself is wrong on a spring-forward day: with
 * `30 2 * * *` in America/New_York on 8 March 2020, 02:30 does not exist and
 * the chain of runs fires at 03:30 EDT (07:30Z) instead, but next() asked from
 * 03:00 EDT (07:00Z) skips that run and answers the next day. So step back two
 * runs (a fall-back night makes prev() yield both occurrences of a repeated
 * hour) and walk the chain forward with next() to the first run at or after `at`.
 */
export function runAtOrAfter(cron: string, timeZone: string, at: Date): Date {
  const back = parse(cron, timeZone, at);
  back.prev();
  let cur = back.prev().toDate();
  for (let i = 0; i < 16; i++) {
    cur = nextRun(cron, timeZone, cur);
    if (cur.getTime() >= at.getTime()) return cur;
  }
  return nextRun(cron, timeZone, new Date(at.getTime() - 1));
}

/**
 * The scheduled run before the run `to`, as BullMQ would have fired it.
 *
 * cron-parser's prev() and next() disagree around a DST fall-back: stepping
 * back yields both occurrences of a repeated hour, stepping forward (what
 * BullMQ does) only the first. So step back twice, then walk forward with
 * next() to the last run before `to`; otherwise a fall-back night would leave
 * an hour that belongs to no period.
 */
export function previousRun(cron: string, timeZone: string, to: Date): Date {
  const back = parse(cron, timeZone, to);
  back.prev();
  let cur = back.prev().toDate();
  for (let i = 0; i < 16; i++) {
    const n = nextRun(cron, timeZone, cur);
    if (n.getTime() >= to.getTime()) return cur;
    cur = n;
  }
  return cur;
}

/**
 * The period of the digest sent at the first scheduled run at or after
 * `asOf`: [previous run, that run). For a scheduled fire, pass the fire's
 * scheduled time (not the wall clock at processing), so a late or retried job
 * covers the same period.
 *
 * The first digest (`first: true`, when no scheduled digest was sent before)
 * starts at the meeting instead, so it covers everything since the meeting.
 */
export function digestPeriod(cron: string, timeZone: string, asOf: Date, meetingStart: Date | null, opts: { first?: boolean } = {}): DigestPeriod {
  const to = runAtOrAfter(cron, timeZone, asOf);
  let from = previousRun(cron, timeZone, to);
  const first = opts.first === true;
  if (first && meetingStart && meetingStart.getTime() < from.getTime()) from = meetingStart;
  return { from, to, first };
}

/** True when `at` (an ISO instant) lies in [from, to). */
export function inPeriod(at: string | Date, period: Pick<DigestPeriod, 'from' | 'to'>): boolean {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return t >= period.from.getTime() && t < period.to.getTime();
}

/**
 * A fast membership test for [from, to), for scanning many events. Instants
 * stored by the service are `toISOString()` strings (24 characters, UTC), which
 * order like the instants they name, so they are compared as strings; any
 * other spelling falls back to parsing.
 */
export function periodFilter(period: Pick<DigestPeriod, 'from' | 'to'>): (at: string) => boolean {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  return (at) => (at.length === 24 && at.charCodeAt(23) === 90 /* Z */ ? at >= from && at < to : inPeriod(at, period));
}

/** A stable, URL-safe key of a period, e.g. `20100111t020000000z-20100118t020000000z`. */
export function periodKey(period: Pick<DigestPeriod, 'from' | 'to'>): string {
  const compact = (d: Date) => d.toISOString().replace(/[-:.]/g, '').toLowerCase();
  return `${compact(period.from)}-${compact(period.to)}`;
}
