/** Parties: delegations and organisations. Pure. */
import { z } from 'zod';
import { isValidTimeZone } from './time-zone.js';

export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, { message: 'expected an IANA time zone such as Australia/Sydney' });

export const PartyIdSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'expected an upper-case id such as AUS or UNHCR');

export const ContactSchema = z.strictObject({
  name: z.string().min(1).max(200),
  email: z.string().max(254, 'expected an address of at most 254 characters').pipe(z.email()),
});
export type Contact = z.infer<typeof ContactSchema>;

export const PartyRoleSchema = z.enum(['co-chair', 'steering-group']);

/** ISO 3166-1 alpha-2, whose public holidays are the party's quiet days (see holidays.ts). */
export const CountrySchema = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as AU');

/**
 * Checked here rather than with deadline.ts's date schema: deadline.ts imports this module.
 * In UTC on purpose, so no zone shifts the day.
 */
function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return t.toISOString().slice(0, 10) === s;
}

/** Days the party is closed besides weekends and public holidays, as YYYY-MM-DD on its own calendar. */
export const ClosedDaysSchema = z
  .array(z.string().refine(isCalendarDate, { message: 'expected a real calendar date as YYYY-MM-DD' }))
  .max(366);

export const PartySchema = z.strictObject({
  id: PartyIdSchema,
  name: z.string().min(1).max(200),
  kind: z.enum(['state', 'organisation', 'observer']),
  timeZone: timeZoneSchema,
  contacts: z.array(ContactSchema).max(50).default([]),
  roles: z.array(PartyRoleSchema).max(10).default([]),
  /** Defaults, for a state whose id is an ISO alpha-3 code, to that country (see partyCountry). */
  country: CountrySchema.optional(),
  closedDays: ClosedDaysSchema.optional(),
});
export type Party = z.infer<typeof PartySchema>;

/**
 * Built by hand rather than with PartySchema.partial(): zod 4 applies the
 * defaults of optional fields, so a patch of only timeZone would also have
 * reset contacts and roles to [].
 */
export const PartyPatchSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    kind: z.enum(['state', 'organisation', 'observer']),
    timeZone: timeZoneSchema,
    contacts: z.array(ContactSchema).max(50),
    roles: z.array(PartyRoleSchema).max(10),
    /** null clears it: the party then has the country its alpha-3 id implies, or none. */
    country: CountrySchema.nullable(),
    closedDays: ClosedDaysSchema,
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'expected at least one field to change' });
export type PartyPatch = z.infer<typeof PartyPatchSchema>;

export function isCoChair(p: Party): boolean {
  return p.roles.includes('co-chair');
}
