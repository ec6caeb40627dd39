/** IANA time zone checks. Pure. */
const cache = new Map<string, boolean>();

/** True when `tz` names an IANA zone that this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  const known = cache.get(tz);
  if (known !== undefined) return known;
  let ok = false;
  try {
    ok = tz.length > 0 && new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone !== undefined;
  } catch {
    ok = false;
  }
  cache.set(tz, ok);
  return ok;
}
