import { describe, expect, it } from 'vitest';
import { createCommitmentViews } from '../../src/api/commitment-views.js';
import { toView, type Commitment } from '../../src/domain/commitment.js';

const doc = (id: string, title = 'A workshop'): Commitment =>
  ({
    id,
    meetingId: 'm',
    title,
    sourceText: 'text',
    leads: ['IDN'],
    members: [],
    due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' },
    status: 'open',
    reminderPolicy: null,
    version: 1,
    createdAt: '2009-08-01T00:00:00.000Z',
    updatedAt: '2009-08-01T00:00:00.000Z',
  }) as unknown as Commitment;

describe('the view cache of the one-commitment read', () => {
  it('when more commitments are read than it may hold, then it keeps only the most recently read', () => {
    const views = createCommitmentViews(3);
    const now = new Date('2009-08-01T00:00:00Z');
    for (let i = 0; i < 10; i++) views.view(`c-${i}`, JSON.stringify(doc(`c-${i}`)), now);
    expect(views.size()).toBe(3);
    // c-7 read again stays; c-8 is now the oldest and goes when c-10 comes.
    views.view('c-7', JSON.stringify(doc('c-7')), now);
    views.view('c-10', JSON.stringify(doc('c-10')), now);
    expect(views.size()).toBe(3);
    expect(['c-7', 'c-8', 'c-9', 'c-10'].filter((id) => views.has(id))).toEqual(['c-7', 'c-9', 'c-10']);
  });

  it('when the stored JSON differs from what was cached, then the view is made from the new JSON', () => {
    const views = createCommitmentViews();
    const now = new Date('2009-08-01T00:00:00Z');
    const a = views.view('c', JSON.stringify(doc('c', 'Old title')), now);
    const b = views.view('c', JSON.stringify(doc('c', 'New title')), now);
    expect(JSON.parse(a.body).title).toBe('Old title');
    expect(JSON.parse(b.body).title).toBe('New title');
    expect(b.commitment.title).toBe('New title');
  });

  it('when the clock passes the deadline, then the view says overdue, and before it, not; each as toView makes it', () => {
    const views = createCommitmentViews();
    const stored = JSON.stringify(doc('c'));
    for (const at of ['2009-08-01T00:00:00Z', '2010-01-02T00:00:00Z', '2009-09-01T00:00:00Z', '2010-02-01T00:00:00Z']) {
      const now = new Date(at);
      expect(views.view('c', stored, now).body).toBe(JSON.stringify(toView(JSON.parse(stored) as Commitment, now)));
    }
  });
});
