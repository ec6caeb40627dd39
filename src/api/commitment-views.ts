/**
 * The serialised API view of recently read commitments, so a read of an unchanged commitment
 * costs neither JSON.parse nor toView nor JSON.stringify.
 *
 * An entry is used only when the JSON just read from the store is exactly the string it was
 * made from: any write (a new version, or any other change to the document) misses and
 * replaces it. The view's one field that depends on the time, `overdue`, is worked out per
 * request (`isOverdue`), and each of its two values has its own string; `dueAt` and
 * `needsDeadline` depend only on the document. The map holds at most `max` commitments
 * (the least recently read goes first), each with its stored JSON, the parsed document and
 * up to two views: about three times the document's size per entry.
 */
import { isOverdue, toView, type Commitment } from '../domain/commitment.js';

/** Commitments whose views are kept, per process. */
export const VIEW_CACHE_MAX = 1000;

interface Entry {
  stored: string;
  commitment: Commitment;
  /** The view when not overdue, and when overdue. */
  views: [string | undefined, string | undefined];
}

export interface CommitmentViews {
  /** The commitment stored as `stored`, and its view at `now`, serialised. */
  view(id: string, stored: string, now: Date): { commitment: Commitment; body: string };
  has(id: string): boolean;
  size(): number;
}

export function createCommitmentViews(max = VIEW_CACHE_MAX): CommitmentViews {
  const entries = new Map<string, Entry>();
  return {
    view(id, stored, now) {
      let entry = entries.get(id);
      if (entry && entry.stored === stored) {
        // Least recently read first out: move it to the end.
        entries.delete(id);
      } else {
        entry = { stored, commitment: JSON.parse(stored) as Commitment, views: [undefined, undefined] };
      }
      entries.set(id, entry);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
      const c = entry.commitment;
      const overdue = isOverdue(c, now) ? 1 : 0;
      const body = (entry.views[overdue] ??= JSON.stringify(toView(c, now)));
      return { commitment: c, body };
    },
    has: (id) => entries.has(id),
    size: () => entries.size,
  };
}
