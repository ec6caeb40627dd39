/** IANA time zone checks. Pure. */

/** Longer than any IANA zone name (the longest is about 30 characters). */
export const MAX_TIME_ZONE_LENGTH = 64;
/** The characters of IANA zone names (Asia/Jakarta, Etc/GMT+5, America/Port-au-Prince). */
const ZONE_NAME = /^[A-Za-z0-9_+\-/]+$/;
/**
 * Answers are cached, least recently used out first: the runtime accepts any
 * spelling of a zone's letter case (asia/JAKARTA), so even the valid inputs
 * are not a finite set, and a public `?tz=` may ask about anything.
 */
const CACHE_MAX = 1000;
const cache = new Map<string, boolean>();

/** True when `tz` names an IANA zone that this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  // Never cached: the shape check is cheaper than the lookup.
  if (typeof tz !== 'string' || tz.length > MAX_TIME_ZONE_LENGTH || !ZONE_NAME.test(tz)) return false;
  const known = cache.get(tz);
  if (known !== undefined) {
    cache.delete(tz);
    cache.set(tz, known);
    return known;
  }
  let ok: boolean;
  try {
    ok = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone !== undefined;
  } catch {
    ok = false;
  }
  cache.set(tz, ok);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return ok;
}

/** How many answers the cache holds now (at most 1,000). For tests and metrics. */
export function timeZoneCacheSize(): number {
  return cache.size;
}
