/**
 * Countries and places named in a statement: ISO codes from country names
 * (i18n-iso-countries) and a time zone for a place or a country
 * (city-timezones). Pure lookups over data shipped with those packages.
 */
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import cityTimezones from 'city-timezones';

countries.registerLocale(en);

/** A name folded for comparison: lower case, no accents, spaces, dots, hyphens or apostrophes ("Viet Nam" = "Vietnam"). */
const fold = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/^the\s+/, '').replace(/[\s.'’-]+/g, '');

let byFoldedName: Map<string, string> | null = null;

/** The ISO alpha-3 code of an English country name ("Sri Lanka" → LKA, "Viet Nam" → VNM, "the Maldives" → MDV), or null. */
export function countryCode3(name: string): string | null {
  const clean = name.trim().replace(/^the\s+/i, '');
  if (clean.length < 3 || clean.length > 60) return null;
  const exact = countries.getAlpha3Code(clean, 'en');
  if (exact) return exact;
  if (!byFoldedName) {
    byFoldedName = new Map();
    for (const [code2, names] of Object.entries(countries.getNames('en', { select: 'all' }))) {
      const code3 = countries.alpha2ToAlpha3(code2);
      if (code3) for (const n of names) byFoldedName.set(fold(n), code3);
    }
  }
  return byFoldedName.get(fold(clean)) ?? null;
}

/** Every English name of the country with this alpha-3 code ("VNM" → ["Vietnam", "Viet Nam"]), or []. */
export function countryNames(code3: string): string[] {
  if (!/^[A-Z]{3}$/.test(code3)) return [];
  const names = countries.getName(code3, 'en', { select: 'all' });
  return Array.isArray(names) ? names : [];
}

/** The zone of the country's most populous city (Indonesia → Asia/Jakarta), or null. */
export function countryZone(code3: string): string | null {
  let best: { pop: number; timezone: string } | null = null;
  for (const c of cityTimezones.cityMapping) if (c.iso3 === code3 && (!best || c.pop > best.pop)) best = c;
  return best?.timezone ?? null;
}

/**
 * The zone of a place written "City, Country" or "Province, Country" ("Bali,
 * Indonesia" → Asia/Makassar): the most populous city of that name, else of
 * that province, in that country when one is named; else the country's zone.
 */
export function placeZone(place: string): { zone: string; via: string } | null {
  const parts = place.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return null;
  const country = parts.length > 1 ? countryCode3(parts.at(-1)!) : countryCode3(parts[0]!);
  const names = (parts.length > 1 ? parts.slice(0, -1) : parts).map((s) => s.toLowerCase());
  const inCountry = (c: { iso3: string }) => country === null || c.iso3 === country;
  for (const name of names) {
    const pick = (match: (c: (typeof cityTimezones.cityMapping)[number]) => boolean) =>
      cityTimezones.cityMapping.filter((c) => match(c) && inCountry(c)).sort((a, b) => b.pop - a.pop)[0];
    const city = pick((c) => c.city.toLowerCase() === name || c.city_ascii.toLowerCase() === name);
    if (city) return { zone: city.timezone, via: `city ${city.city}, ${city.country}` };
    const province = pick((c) => (c.province ?? '').toLowerCase() === name);
    if (province) return { zone: province.timezone, via: `province ${province.province}, ${province.country}` };
  }
  if (country) {
    const zone = countryZone(country);
    if (zone) return { zone, via: `country ${country}` };
  }
  return null;
}
