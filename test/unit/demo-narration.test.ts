import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.js';
import { eventEntry } from '../../src/demo/narration.js';

const workshop = { title: 'Workshop on information campaigns', due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' } };
// 23:59:59.999 on 31 December 2009 in Jakarta (UTC+7).
const dueAt = '2009-12-31T16:59:59.999Z';

const overdue = (at: string, data: Record<string, unknown> = { dueVersion: 1, dueAt, status: 'open' }): DomainEvent => ({
  type: 'commitment.overdue',
  commitmentId: 'workshop',
  meetingId: 'ahg-som-2009',
  at,
  who: 'status-check',
  version: 3,
  changes: {},
  data,
});

describe('demo narration of the overdue check', () => {
  it('when the check runs late, then the entry is still dated the day the commitment became overdue', () => {
    // Two virtual days late, as BullMQ's 0.1 s timer lag is in a 20-days-per-second replay.
    const [line] = eventEntry(overdue('2010-01-02T20:00:00.000Z'), workshop)!;
    expect(line).toMatch(/^2010-01-01 {2}overdue {5}Workshop on information campaigns is overdue \(deadline 31 Dec 2009 Asia\/Jakarta\)/);
  });

  it('when the event carries no deadline instant, then the entry is dated by when it was recorded', () => {
    const [line] = eventEntry(overdue('2010-01-02T20:00:00.000Z', {}), workshop)!;
    expect(line!.startsWith('2010-01-03  overdue')).toBe(true);
  });
});
