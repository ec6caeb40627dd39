/** Append-only domain events: who did what, when, and the version it produced. Pure. */
export type EventType =
  | 'commitment.created'
  | 'commitment.updated'
  | 'commitment.status_changed'
  | 'commitment.due_changed'
  | 'commitment.policy_changed'
  | 'commitment.unit_recorded'
  | 'commitment.completed'
  | 'commitment.reopened'
  | 'commitment.cancelled'
  | 'commitment.overdue'
  | 'commitment.escalated'
  | 'commitment.action_link_used'
  | 'commitment.progress_noted'
  | 'extension.requested'
  | 'extension.approved'
  | 'extension.declined'
  | 'extension.expired'
  | 'reminder.sent'
  | 'reminder.failed'
  | 'reminder.skipped'
  | 'digest.sent';

export interface DomainEvent {
  type: EventType;
  commitmentId: string;
  meetingId: string;
  /** UTC ISO instant. */
  at: string;
  /** Token name, recipient address or worker name. */
  who: string;
  /** The commitment's version after this event. */
  version: number;
  changes: Record<string, { from: unknown; to: unknown }>;
  data?: Record<string, unknown>;
}

/** Events that change what should be scheduled for a commitment. */
export const SCHEDULING_EVENTS: ReadonlySet<EventType> = new Set([
  'commitment.created',
  'commitment.due_changed',
  'commitment.policy_changed',
  'commitment.completed',
  'commitment.reopened',
  'commitment.cancelled',
  'commitment.updated',
]);
