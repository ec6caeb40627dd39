/**
 * Public holidays and a party's own closed days: the days, besides the
 * policy's weekly quiet days, on which no reminder goes to that party.
 *
 * The planner stays pure: it takes a `HolidayLookup` (country, local day) →
 * holiday name. `publicHolidays()` builds one from the date-holidays package
 * (type "public" only, English names), memoised per country and year in a
 * bounded cache; tests inject a fixed table with `holidayTable()`.
 */
import Holidays from 'date-holidays';
import countries from 'i18n-iso-countries';
import type { LocalDay } from './local-time.js';
import type { Party } from './party.js';

export interface HolidayLookup {
  /** The name of a public holiday of `country` (ISO 3166-1 alpha-2) on the local calendar day `day`, or null. */
  holidayOn(country: string, day: LocalDay): string | null;
}

/** A day as YYYY-MM-DD (`m` is 0-based, like LocalDay). */
export function dayKey(day: LocalDay): string {
  return `${String(day.y).padStart(4, '0')}-${String(day.m + 1).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
}

/**
 * The ISO alpha-2 country whose holidays a party keeps: its own `country`,
 * else, for a state whose id is an ISO alpha-3 code (AUS, IDN, LKA), that
 * country. Organisations and observers have none unless one is set.
 */
export function partyCountry(p: Pick<Party, 'id' | 'kind'> & { country?: string | undefined }): string | null {
  if (p.country) return p.country;
  if (p.kind !== 'state' || !/^[A-Z]{3}$/.test(p.id)) return null;
  return countries.alpha3ToAlpha2(p.id) ?? null;
}

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

/** A day as one integer, for cheap set and map keys. */
function dayNumber(day: LocalDay): number {
  return (day.y * 16 + day.m) * 32 + day.d;
}

/** A fixed lookup for tests and demos: `{ AU: { "2010-01-26": "Australia Day" } }`. */
export function holidayTable(table: Readonly<Record<string, Readonly<Record<string, string>>>>): HolidayLookup {
  return {
    holidayOn(country, day) {
      return table[country]?.[dayKey(day)] ?? null;
    },
  };
}

/** No holidays anywhere: only weekly quiet days and closed days apply. */
export const NO_HOLIDAYS: HolidayLookup = { holidayOn: () => null };

/**
 * Why `day` is closed for `party` besides the weekly quiet days, or null:
 * its own closed day first, then its country's public holiday, named with
 * the country ("New Year's Day (AU)").
 */
export function closedReason(
  party: Pick<Party, 'id' | 'kind'> & { country?: string | undefined; closedDays?: readonly string[] | undefined },
  holidays: HolidayLookup,
): (day: LocalDay) => string | null {
  const closed = new Set(
    (party.closedDays ?? []).map((s) => {
      const [y, m, d] = s.split('-').map(Number) as [number, number, number];
      return dayNumber({ y, m: m - 1, d });
    }),
  );
  const country = partyCountry(party);
  if (closed.size === 0 && country === null) return () => null;
  return (day) => {
    if (closed.size > 0 && closed.has(dayNumber(day))) return `closed day of ${party.id}`;
    if (country === null) return null;
    const name = holidays.holidayOn(country, day);
    return name === null ? null : `${name} (${country})`;
  };
}
