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
  assertAuthorized(p, 'read', c);
}

/** True when the principal may see and change a commitment with these parties. */
export function inScope(p: Principal, commitmentParties: readonly string[]): boolean {
  if (p.role !== 'editor') return true;
  const mine = new Set(p.parties ?? []);
  return commitmentParties.some((id) => mine.has(id));
}

/**
 * What a principal may do to one commitment. The policy, in one table:
 *
 * | action        | admin | editor, its party leads | editor, its party is a member | editor, not involved | viewer |
 * |---------------|-------|-------------------------|-------------------------------|----------------------|--------|
 * | read          | yes   | yes                     | yes                           | 404                  | yes    |
 * | note          | yes   | yes                     | yes                           | 404                  | 403    |
 * | edit          | yes   | yes                     | 403                           | 404                  | 403    |
 * | complete      | yes   | yes                     | 403                           | 404                  | 403    |
 * | reopen        | yes   | yes                     | 403                           | 404                  | 403    |
 * | change_leads  | yes   | 403                     | 403                           | 404                  | 403    |
 * | cancel        | yes   | 403                     | 403                           | 404                  | 403    |
 * | reinstate     | yes   | 403                     | 403                           | 404                  | 403    |
 *
 * `edit` is a patch that leaves the leads and the status' closedness alone (title, due date,
 * members, policy, in progress); `change_leads` is a patch of the leads; `reinstate` is the
 * reopening of a cancelled commitment. An editor never learns that a commitment its parties
 * have nothing to do with exists: every action on it is the 404 of an unknown id.
 */
export const ACTIONS = ['read', 'note', 'edit', 'complete', 'reopen', 'change_leads', 'cancel', 'reinstate'] as const;
export type Action = (typeof ACTIONS)[number];
export type Relation = 'lead' | 'member' | 'none';

const EDITOR_AS: Record<Exclude<Relation, 'none'>, ReadonlySet<Action>> = {
  lead: new Set<Action>(['read', 'note', 'edit', 'complete', 'reopen']),
  member: new Set<Action>(['read', 'note']),
};
const ADMIN_ONLY: ReadonlySet<Action> = new Set<Action>(['change_leads', 'cancel', 'reinstate']);

/** How the principal's parties stand to a commitment: the strongest of lead, member, none. */
export function relationOf(p: Principal, c: { leads: readonly string[]; members: readonly string[] }): Relation {
  const mine = new Set(p.parties ?? []);
  if (c.leads.some((id) => mine.has(id))) return 'lead';
  if (c.members.some((id) => mine.has(id))) return 'member';
  return 'none';
}

export type Decision = { allowed: true } | { allowed: false; error: 'not_found' | 'forbidden'; reason: string };

/** The decision of the table above. Pure; `c` needs only its id and parties. */
export function authorize(p: Principal, action: Action, c: { id: string; leads: readonly string[]; members: readonly string[] }): Decision {
  if (p.role === 'admin') return { allowed: true };
  if (p.role === 'viewer') {
    return action === 'read' ? { allowed: true } : { allowed: false, error: 'forbidden', reason: 'The viewer role may only read.' };
  }
  const relation = relationOf(p, c);
  if (relation === 'none') return { allowed: false, error: 'not_found', reason: `No commitment has the id ${c.id}.` };
  if (EDITOR_AS[relation].has(action)) return { allowed: true };
  if (ADMIN_ONLY.has(action)) return { allowed: false, error: 'forbidden', reason: `${ACTION_WORDS[action]} is an admin action.` };
  return { allowed: false, error: 'forbidden', reason: `An editor may ${ACTION_WORDS[action].toLowerCase()} only what its party leads; ${p.name} is only a member of ${c.id}.` };
}

const ACTION_WORDS: Record<Action, string> = {
  read: 'Read',
  note: 'Record a progress note on',
  edit: 'Edit',
  complete: 'Complete',
  reopen: 'Reopen',
  change_leads: 'Changing the leads',
  cancel: 'Cancelling',
  reinstate: 'Reinstating a cancelled commitment',
};

/** Throws the decision's AppError (404 or 403) unless allowed. No principal means a trusted caller. */
export function assertAuthorized(p: Principal | undefined, action: Action, c: { id: string; leads: readonly string[]; members: readonly string[] }): void {
  if (!p) return;
  const d = authorize(p, action, c);
  if (!d.allowed) throw new AppError(d.error, d.reason);
}
