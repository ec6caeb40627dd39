/**
 * Public holidays and a party's own closed days: the days, besides the
 * policy's weekly quiet days, on which no reminder goes to that party.
 *
 * The planner stays pure: it takes a `HolidayLookup` (country, local day) →
 * holiday name. `publicHolidays()` (public-holidays.ts) builds one from the
 * date-holidays package; tests inject a fixed table with `holidayTable()`.
 * This module stays light, so loading the planner does not load holiday data.
 */
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

/** A day as one integer, for cheap set and map keys. */
export function dayNumber(day: LocalDay): number {
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
