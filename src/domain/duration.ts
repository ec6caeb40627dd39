/** ISO 8601 durations (P30D, PT5S, P1W, P1Y2M3DT4H5M6S). Pure. */
import { z } from 'zod';
import type { Duration } from 'date-fns';

const PATTERN =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Parse an ISO 8601 duration into a date-fns Duration, or return null when it is not one. */
export function parseIsoDuration(text: string): Duration | null {
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

/** Fixed-length approximation in milliseconds (months as 30 days), for ordering and windows. */
export function durationToMs(d: Duration): number {
  return (
    ((((d.years ?? 0) * 365 + (d.months ?? 0) * 30 + (d.weeks ?? 0) * 7 + (d.days ?? 0)) * 24 + (d.hours ?? 0)) * 60 +
      (d.minutes ?? 0)) *
      60_000 +
    (d.seconds ?? 0) * 1000
  );
}

export const isoDurationSchema = z
  .string()
  .refine((s) => parseIsoDuration(s) !== null, { message: 'expected an ISO 8601 duration such as P7D or PT5S' });
