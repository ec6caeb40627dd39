/**
 * Public holidays from the date-holidays package: a country's nationwide
 * public holidays (no regional ones, no bank or school holidays, no
 * observances), named in English. Apart from holidays.ts so that only the
 * process that plans with real holidays loads their data (about 130 ms and
 * 30 MB on first import).
 */
import Holidays from 'date-holidays';
import { dayNumber, type HolidayLookup } from './holidays.js';

export interface PublicHolidaysOptions {
  /** Most (country, year) entries kept; the first computed is dropped beyond it. Default 512. */
  maxEntries?: number;
}

/**
 * A lookup backed by date-holidays: the country's nationwide public holidays
 * (no regional ones, no bank or school holidays, no observances), by the local
 * date on which each begins, every day of a multi-day holiday included.
 * An unknown country has no holidays. Each (country, year) is computed once;
 * the memo is bounded (country codes come from user input).
 */
export function publicHolidays(options: PublicHolidaysOptions = {}): HolidayLookup {
  const maxEntries = Math.max(1, options.maxEntries ?? 512);
  // country → year → day number → name. Integer keys: a plan asks this for every send of every party.
  const memo = new Map<string, Map<number, ReadonlyMap<number, string>>>();
  const order: Array<[string, number]> = [];

  function yearOf(country: string, year: number): ReadonlyMap<number, string> {
    let years = memo.get(country);
    const hit = years?.get(year);
    if (hit) return hit;
    const days = new Map<number, string>();
    if (/^[A-Z]{2}$/.test(country)) {
      // An unknown country yields an empty list.
      const hd = new Holidays(country, { languages: ['en'], types: ['public'] });
      for (const h of hd.getHolidays(year, 'en') ?? []) {
        if (h.type !== 'public') continue;
        const start = /^(\d{4})-(\d{2})-(\d{2})/.exec(h.date);
        if (!start) continue;
        const first = Date.UTC(Number(start[1]), Number(start[2]) - 1, Number(start[3]));
        // Most holidays last one day; a few (some Eid holidays) are one entry over several.
        const span = Math.min(14, Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000)));
        for (let i = 0; i < span; i++) {
          const t = new Date(first + i * 86_400_000);
          const k = dayNumber({ y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() });
          if (!days.has(k)) days.set(k, h.name);
        }
      }
    }
    if (order.length >= maxEntries) {
      const [c, y] = order.shift()!;
      memo.get(c)?.delete(y);
      if (memo.get(c)?.size === 0) memo.delete(c);
    }
    if (!years) memo.set(country, (years = new Map()));
    years.set(year, days);
    order.push([country, year]);
    return days;
  }

  return {
    holidayOn(country, day) {
      const k = dayNumber(day);
      const own = yearOf(country, day.y).get(k);
      if (own !== undefined) return own;
      // A holiday of several days that starts in late December is listed under that year.
      if (day.m === 0 && day.d <= 14) return yearOf(country, day.y - 1).get(k) ?? null;
      return null;
    },
  };
}

