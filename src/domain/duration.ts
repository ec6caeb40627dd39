/** ISO 8601 durations (P30D, PT5S, P1W, P1Y2M3DT4H5M6S). Pure. */
import { z } from 'zod';
import type { Duration } from 'date-fns';

const PATTERN =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Longer than any duration within the bound needs (P3650DT87600H… is far less). */
export const MAX_DURATION_LENGTH = 40;

/** Fixed-length approximation in milliseconds (months as 30 days), for ordering and windows. */
export function durationToMs(d: Duration): number {
  return (
    ((((d.years ?? 0) * 365 + (d.months ?? 0) * 30 + (d.weeks ?? 0) * 7 + (d.days ?? 0)) * 24 + (d.hours ?? 0)) * 60 +
      (d.minutes ?? 0)) *
      60_000 +
    (d.seconds ?? 0) * 1000
  );
}

/**
 * The longest duration accepted anywhere: 10 years (3,650 days by
 * `durationToMs`). Beyond it a deadline plus a step leaves the dates that
 * date-fns can format, and no reminder that far off is meant.
 */
export const MAX_DURATION_MS = durationToMs({ years: 10 });

function parseUnbounded(text: string): Duration | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const [, y, mo, w, d, h, mi, s] = m.map((v) => (v === undefined ? undefined : Number(v)));
  const out: Duration = {};
  if (y) out.years = y;
  if (mo) out.months = mo;
  if (w) out.weeks = w;
  if (d) out.days = d;
  if (h) out.hours = h;
  if (mi) out.minutes = mi;
  if (s) out.seconds = s;
  return out;
}

/**
 * Parse an ISO 8601 duration into a date-fns Duration, or return null when it
 * is not one, or is longer than MAX_DURATION_MS (so one stored before the
 * bound existed is ignored rather than planned into an invalid date).
 */
export function parseIsoDuration(text: string): Duration | null {
  if (text.length > MAX_DURATION_LENGTH) return null;
  const d = parseUnbounded(text);
  return d !== null && durationToMs(d) <= MAX_DURATION_MS ? d : null;
}

export const isoDurationSchema = z
  .string()
  .max(MAX_DURATION_LENGTH, { message: `expected an ISO 8601 duration of at most ${MAX_DURATION_LENGTH} characters`, abort: true })
  .superRefine((s, ctx) => {
    const d = parseUnbounded(s);
    if (d === null) ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 duration such as P7D or PT5S' });
    else if (!(durationToMs(d) <= MAX_DURATION_MS)) ctx.addIssue({ code: 'custom', message: 'expected a duration of at most 10 years (P10Y)' });
  });
