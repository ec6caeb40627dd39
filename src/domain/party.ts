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
  email: z.email(),
});
export type Contact = z.infer<typeof ContactSchema>;

export const PartyRoleSchema = z.enum(['co-chair', 'steering-group']);

export const PartySchema = z.strictObject({
  id: PartyIdSchema,
  name: z.string().min(1).max(200),
  kind: z.enum(['state', 'organisation', 'observer']),
  timeZone: timeZoneSchema,
  contacts: z.array(ContactSchema).max(50).default([]),
  roles: z.array(PartyRoleSchema).default([]),
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
    roles: z.array(PartyRoleSchema),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'expected at least one field to change' });
export type PartyPatch = z.infer<typeof PartyPatchSchema>;

export function isCoChair(p: Party): boolean {
  return p.roles.includes('co-chair');
}
