/** The status lifecycle. Pure. */
import { z } from 'zod';
import { AppError } from './errors.js';

export const StatusSchema = z.enum(['open', 'in_progress', 'done', 'cancelled']);
export type Status = z.infer<typeof StatusSchema>;

const ALLOWED: Record<Status, readonly Status[]> = {
  open: ['in_progress', 'done', 'cancelled'],
  in_progress: ['done', 'cancelled'],
  done: ['in_progress', 'open'],
  cancelled: [],
};

export function canTransition(from: Status, to: Status): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws a 409 `illegal_transition` AppError when `from → to` is not allowed. */
export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to)) {
    throw new AppError('illegal_transition', `A commitment that is ${from} cannot become ${to}.`, [
      { path: 'status', message: `illegal transition ${from} → ${to}` },
    ]);
  }
}

export function isClosed(s: Status): boolean {
  return s === 'done' || s === 'cancelled';
}
