/** One line of plain words per domain event, for the digest's "changes" list. Pure. */
import type { DomainEvent } from './events.js';

const STATUS_WORDS: Record<string, string> = { open: 'open', in_progress: 'in progress', done: 'done', cancelled: 'cancelled' };

const statusWord = (s: unknown) => STATUS_WORDS[String(s)] ?? String(s);
const list = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(', ') : 'none') : String(v));

function dueWords(v: unknown, dateLabel: (iso: string) => string, instantLabel: (ms: number) => string): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'object' && 'date' in v && typeof v.date === 'string') return dateLabel(v.date);
  if (typeof v === 'object' && 'at' in v && typeof v.at === 'string') return instantLabel(Date.parse(v.at));
  return 'unknown';
}

const clip = (s: string, n = 140) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Say what an event changed, e.g. `deadline none → 31 December 2009` or
 * `recorded 1 unit (1 of 2); note: "first meeting held in Bali"`.
 */
export function summariseEvent(e: DomainEvent, dateLabel: (iso: string) => string, instantLabel: (ms: number) => string): string {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const note = typeof data.note === 'string' && data.note ? `; note: "${clip(data.note)}"` : '';
  const reason = typeof data.reason === 'string' && data.reason ? `: "${clip(data.reason)}"` : '';
  switch (e.type) {
    case 'commitment.created':
      return 'created';
    case 'commitment.updated':
      return Object.entries(e.changes)
        .map(([field, { from, to }]) => {
          if (field === 'title') return `title "${clip(String(from), 60)}" → "${clip(String(to), 60)}"`;
          if (field === 'leads' || field === 'members') return `${field} ${list(from)} → ${list(to)}`;
          if (field === 'target') {
            const units = (x: unknown) => (x && typeof x === 'object' && 'units' in x ? String(x.units) : 'none');
            return `target ${units(from)} → ${units(to)} units`;
          }
          if (field === 'sourceText') return 'source text edited';
          return `${field} ${clip(String(from ?? 'none'), 40)} → ${clip(String(to ?? 'none'), 40)}`;
        })
        .join('; ');
    case 'commitment.status_changed': {
      const s = e.changes.status;
      return s ? `status ${statusWord(s.from)} → ${statusWord(s.to)}` : 'status changed';
    }
    case 'commitment.due_changed': {
      const d = e.changes.due;
      return d ? `deadline ${dueWords(d.from, dateLabel, instantLabel)} → ${dueWords(d.to, dateLabel, instantLabel)}` : 'deadline changed';
    }
    case 'commitment.policy_changed':
      return 'reminder policy changed';
    case 'commitment.unit_recorded': {
      const t = e.changes['target.done'];
      const units = typeof data.units === 'number' ? data.units : 1;
      return `recorded ${units} unit${units === 1 ? '' : 's'}${t ? ` (now ${String(t.to)} done)` : ''}${note}`;
    }
    case 'commitment.completed':
      return `completed${note}`;
    case 'commitment.reopened':
      return `reopened${reason}`;
    case 'commitment.cancelled':
      return `cancelled${reason}`;
    case 'commitment.overdue':
      return 'became overdue';
    case 'commitment.escalated':
      return 'escalated to the co-chairs';
    case 'commitment.action_link_used':
      return 'used a one-click link in a reminder';
    case 'commitment.progress_noted':
      return `progress noted${note}`;
    case 'extension.requested':
      return `more time requested, to ${typeof data.newDate === 'string' ? dateLabel(data.newDate) : 'a later date'}${reason}`;
    case 'extension.approved':
      return `more time approved, to ${typeof data.newDate === 'string' ? dateLabel(data.newDate) : 'a later date'}`;
    case 'extension.declined':
      return `more time declined${typeof data.newDate === 'string' ? ` (asked: ${dateLabel(data.newDate)})` : ''}`;
    case 'extension.expired':
      return 'a request for more time expired undecided';
    default:
      return e.type;
  }
}
