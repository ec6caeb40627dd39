/** Roles and scopes of API tokens. Pure. */
import { z } from 'zod';
import { AppError } from './errors.js';

export const RoleSchema = z.enum(['admin', 'editor', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

export const TokenSpecSchema = z.strictObject({
  name: z.string().min(1).max(100),
  token: z.string().min(16, 'expected at least 16 characters'),
  role: RoleSchema,
  parties: z.array(z.string().min(1)).optional(),
});
export type TokenSpec = z.infer<typeof TokenSpecSchema>;

/** Who is acting: the token's name, role and (for editors) party scope. */
export interface Principal {
  name: string;
  role: Role;
  /** Parties an editor may act for; undefined means unscoped (admin, viewer). */
  parties?: readonly string[];
}

export function canWrite(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'editor';
}

/**
 * 404, worded as for an unknown id, unless the principal's parties lead or belong to the
 * commitment: an editor cannot tell another party's commitment from one that does not exist,
 * as its list does not show it either.
 */
export function assertVisible(p: Principal | undefined, c: { id: string; leads: readonly string[]; members: readonly string[] }): void {
  if (p && !inScope(p, [...c.leads, ...c.members])) throw new AppError('not_found', `No commitment has the id ${c.id}.`);
}

/** True when the principal may see and change a commitment with these parties. */
export function inScope(p: Principal, commitmentParties: readonly string[]): boolean {
  if (p.role !== 'editor') return true;
  const mine = new Set(p.parties ?? []);
  return commitmentParties.some((id) => mine.has(id));
}
