/** The digest model, pinned field by field, and its edges. */
import { describe, expect, it } from 'vitest';
import type { Commitment } from '../../src/domain/commitment.js';
import { buildDigest, meetingStartInstant, progressLabel, type DigestSnapshot } from '../../src/domain/digest.js';
import type { DomainEvent } from '../../src/domain/events.js';
import type { Meeting } from '../../src/domain/meeting.js';
import { AS_OF, MEETING, PARTIES, PERIOD, TZ, fixture } from './digest-fixture.js';

// Built inside each test, never at collection, so a mutation tester's mutant is active while it runs.
const full = () => buildDigest(fixture(), PERIOD, { asOf: AS_OF, timeZone: TZ });

describe('the fixture digest, field by field', () => {
  it('the period, its labels in the digest\'s zone, asOf, zone, scope, names, meetings and headline', () => {
    const d = full();
    expect(d.headline).toEqual({ total: 9, open: 5, inProgress: 1, done: 2, cancelled: 1, overdue: 1, withoutDeadline: 3, dueSoon: 1 });
    expect(d.period).toEqual({ from: '2010-01-11T02:00:00.000Z', to: '2010-01-18T02:00:00.000Z', first: false, fromLabel: 'Monday 11 January 2010, 09:00', toLabel: 'Monday 18 January 2010, 09:00' });
    expect([d.asOf, d.timeZone, d.scope]).toEqual(['2010-01-18T02:00:00.000Z', 'Asia/Jakarta', null]);
    expect(d.partyNames).toEqual({ IDN: 'Indonesia', AUS: 'Australia', LKA: 'Sri Lanka', THA: 'Thailand' });
    expect(d.meetings).toEqual([{ id: 'fixture-2009', title: 'Fixture meeting', place: 'Bali, Indonesia', startDate: '2009-07-27', endDate: '2009-07-29' }]);
  });

  it('every change item: instant, label, who, id, title, type and summary', () => {
    const d = full();
    expect(d.changes).toEqual({
      total: 4,
      items: [
        { at: '2010-01-12T03:00:00.000Z', atLabel: 'Tuesday 12 January 2010, 10:00', who: 'lka-focal', commitmentId: 'done-campaign', title: 'Campaign on irregular movement', type: 'commitment.completed', summary: 'completed; note: "campaign launched in Colombo"' },
        { at: '2010-01-13T04:00:00.000Z', atLabel: 'Wednesday 13 January 2010, 11:00', who: 'idn-focal', commitmentId: 'expert-meetings', title: 'Technical expert meetings on prosecution', type: 'commitment.unit_recorded', summary: 'recorded 1 unit (now 1 done); note: "first meeting held in Bali"' },
        { at: '2010-01-13T04:00:00.000Z', atLabel: 'Wednesday 13 January 2010, 11:00', who: 'idn-focal', commitmentId: 'expert-meetings', title: 'Technical expert meetings on prosecution', type: 'commitment.status_changed', summary: 'status open → in progress' },
        { at: '2010-01-14T05:00:00.000Z', atLabel: 'Thursday 14 January 2010, 12:00', who: 'secretariat', commitmentId: 'due-soon-paper', title: 'Information paper on protection', type: 'commitment.due_changed', summary: 'deadline none → 1 February 2010' },
      ],
    });
  });

  it('the completion, the overdue item, the item due soon and the failed delivery in full', () => {
    const d = full();
    expect(d.completed).toEqual({ total: 1, items: [{ id: 'done-campaign', title: 'Campaign on irregular movement', leads: ['LKA'], status: 'done', completedAt: '2010-01-12T03:00:00.000Z', completedOn: '2010-01-12', completedOnLabel: '12 January 2010', by: 'lka-focal', note: 'campaign launched in Colombo', evidenceUrl: 'https://example.org/report.pdf', stillDone: true }] });
    expect(d.overdue).toEqual({ total: 1, items: [{ id: 'overdue-workshop', title: 'Workshop on information campaigns', leads: ['IDN', 'AUS'], status: 'open', dueAt: '2009-12-31T16:59:59.999Z', dueLabel: '31 December 2009', daysOverdue: 18 }] });
    expect(d.dueSoon).toEqual({ total: 1, items: [{ id: 'due-soon-paper', title: 'Information paper on protection', leads: ['AUS'], status: 'open', dueAt: '2010-02-01T16:59:59.999Z', dueLabel: '1 February 2010', daysLeft: 14 }] });
    expect(d.failedDeliveries).toEqual({ total: 1, items: [{ at: '2010-01-15T02:00:00.000Z', atLabel: 'Friday 15 January 2010, 09:00', recipient: 'idn@example.org', error: '550 mailbox unavailable', commitmentId: 'overdue-workshop', title: 'Workshop on information campaigns', step: 'overdue:1' }] });
    expect(d.needsDeadline.total).toBe(3);
    expect(d.progress).toEqual({ total: 1, items: [{ id: 'expert-meetings', title: 'Technical expert meetings on prosecution', leads: ['IDN'], status: 'in_progress', done: 1, units: 2, label: '1 of 2 meetings held' }] });
    expect(d.parties.find((p) => p.id === 'LKA')).toEqual({ id: 'LKA', name: 'Sri Lanka', open: { items: [], total: 0 }, overdue: { items: [], total: 0 }, done: { items: [{ id: 'done-campaign', title: 'Campaign on irregular movement', leads: ['LKA'], status: 'done' }], total: 1 } });
  });
});

// ---- A small hand-made snapshot for the edges ----

const at = (s: string) => new Date(s).toISOString();
function c(id: string, over: Partial<Commitment> = {}): Commitment {
  return { id, meetingId: 'm', title: `Title ${id}`, sourceText: '', theme: null, leads: ['AAA'], members: [], due: null, status: 'open', evidence: [], cancellation: null, reminderPolicy: null, dueVersion: 1, version: 1, createdAt: at('2009-01-01T00:00:00Z'), updatedAt: at('2009-01-01T00:00:00Z'), ...over };
}
function ev(type: DomainEvent['type'], commitmentId: string, when: string, who = 'someone', data?: Record<string, unknown>, changes: DomainEvent['changes'] = {}): DomainEvent {
  return { type, commitmentId, meetingId: 'm', at: at(when), who, version: 2, changes, ...(data ? { data } : {}) };
}
const P = { from: new Date('2010-01-11T00:00:00Z'), to: new Date('2010-01-18T00:00:00Z'), first: false };
const NOW = P.to;
const snap = (over: Partial<DigestSnapshot>): DigestSnapshot => ({ meetings: [], parties: [], commitments: [], events: [], failedReminders: [], ...over });
const build = (s: Partial<DigestSnapshot>, opts: Partial<Parameters<typeof buildDigest>[2]> = {}) => buildDigest(snap(s), P, { asOf: NOW, timeZone: 'UTC', ...opts });

describe('overdue and due soon at their edges', () => {
  it('a deadline exactly at asOf is not overdue but due soon (in 0 days); a millisecond earlier is overdue (0 days)', () => {
    const x = build({ commitments: [c('at-now', { due: { at: NOW.toISOString() } }), c('just-before', { due: { at: at('2010-01-17T23:59:59.999Z') } })] });
    expect(x.overdue.items.map((o) => [o.id, o.daysOverdue])).toEqual([['just-before', 1]]);
    expect(x.dueSoon.items.map((o) => [o.id, o.daysLeft])).toEqual([['at-now', 0]]);
    expect(x.headline).toMatchObject({ overdue: 1, dueSoon: 1, open: 2, total: 2 });
  });

  it('due soon reaches exactly dueSoonDays ahead, not a millisecond more', () => {
    const edge = new Date(NOW.getTime() + 10 * 86_400_000);
    const x = build({ commitments: [c('edge', { due: { at: edge.toISOString() } }), c('past-edge', { due: { at: new Date(edge.getTime() + 1).toISOString() } })] }, { dueSoonDays: 10 });
    expect(x.dueSoon.items.map((o) => o.id)).toEqual(['edge']);
    expect(x.headline.dueSoon).toBe(1);
    expect(build({ commitments: [c('d31', { due: { at: new Date(NOW.getTime() + 31 * 86_400_000).toISOString() } })] }).dueSoon.total).toBe(0);
    expect(build({ commitments: [c('d30', { due: { at: new Date(NOW.getTime() + 30 * 86_400_000).toISOString() } })] }).dueSoon.total).toBe(1);
  });

  it('overdue items: longest overdue first, then by title; due soon: soonest first, then by title', () => {
    const x = build({
      commitments: [
        c('b', { title: 'Beta', due: { at: at('2010-01-05T00:00:00Z') } }),
        c('a', { title: 'Alpha', due: { at: at('2010-01-05T00:00:00Z') } }),
        c('z', { title: 'Zulu', due: { at: at('2010-01-01T00:00:00Z') } }),
        c('s2', { title: 'Meeting 10', due: { at: at('2010-01-20T00:00:00Z') } }),
        c('s1', { title: 'Meeting 9', due: { at: at('2010-01-20T00:00:00Z') } }),
        c('s0', { title: 'Zeta', due: { at: at('2010-01-19T00:00:00Z') } }),
      ],
    });
    expect(x.overdue.items.map((o) => o.title)).toEqual(['Zulu', 'Alpha', 'Beta']);
    expect(x.dueSoon.items.map((o) => o.title)).toEqual(['Zeta', 'Meeting 9', 'Meeting 10']);
  });

  it('done and cancelled items are neither overdue nor due soon nor in need of a deadline', () => {
    const x = build({ commitments: [c('d', { status: 'done', due: { at: at('2010-01-01T00:00:00Z') } }), c('x', { status: 'cancelled' }), c('p', { status: 'in_progress' })] });
    expect(x.headline).toEqual({ total: 3, open: 0, inProgress: 1, done: 1, cancelled: 1, overdue: 0, withoutDeadline: 1, dueSoon: 0 });
    expect(x.needsDeadline.items.map((i) => i.id)).toEqual(['p']);
  });

  it('an instant deadline is labelled with weekday, date and time in the digest\'s zone; days are calendar days there', () => {
    const x = build({ commitments: [c('i', { due: { at: at('2010-01-16T23:30:00Z') } })] }, { timeZone: 'Asia/Jakarta' });
    // 06:30 on Sunday 17th in Jakarta; asOf is 07:00 on Monday 18th there: one calendar day.
    expect(x.overdue.items[0]).toMatchObject({ dueLabel: 'Sunday 17 January 2010, 06:30', daysOverdue: 1 });
  });

  it('a date deadline counts days in its own zone', () => {
    const x = build({ commitments: [c('d', { due: { date: '2010-01-20', timeZone: 'Pacific/Auckland' } })] }, { timeZone: 'America/New_York' });
    expect(x.dueSoon.items[0]).toMatchObject({ dueLabel: '20 January 2010', daysLeft: 2 });
  });
});

describe('progress', () => {
  it('names the unit from the title', () => {
    expect(progressLabel('Two expert meetings', 1, 2)).toBe('1 of 2 meetings held');
    expect(progressLabel('One Meeting a year', 0, 3)).toBe('0 of 3 meetings held');
    expect(progressLabel('Regional workshops', 2, 4)).toBe('2 of 4 workshops held');
    expect(progressLabel('A workshop', 0, 2)).toBe('0 of 2 workshops held');
    expect(progressLabel('Information papers', 1, 3)).toBe('1 of 3 papers shared');
    expect(progressLabel('A paper', 1, 3)).toBe('1 of 3 papers shared');
    expect(progressLabel('Campaigns', 1, 3)).toBe('1 of 3 units done');
    expect(progressLabel('Newspapers and meetingrooms', 1, 3)).toBe('1 of 3 units done');
  });

  it('lists multi-unit items by title, leaving out cancelled ones', () => {
    const x = build({ commitments: [c('b', { title: 'B papers', target: { units: 3, done: 1 } }), c('a', { title: 'A meetings', target: { units: 2, done: 2 }, status: 'done' }), c('x', { title: 'X', target: { units: 2, done: 0 }, status: 'cancelled' })] });
    expect(x.progress.items.map((p) => [p.id, p.label])).toEqual([['a', '2 of 2 meetings held'], ['b', '1 of 3 papers shared']]);
  });
});

describe('events of the period', () => {
  it('keeps the period\'s commitment events only: none before `from`, none at `to`, no reminder or digest events', () => {
    const x = build({
      commitments: [c('a')],
      events: [
        ev('commitment.updated', 'a', '2010-01-10T23:59:59.999Z'),
        ev('commitment.updated', 'a', '2010-01-11T00:00:00.000Z', 'first'),
        ev('reminder.sent', 'a', '2010-01-12T00:00:00Z'),
        ev('reminder.failed', 'a', '2010-01-12T00:00:00Z'),
        ev('digest.sent', 'a', '2010-01-12T00:00:00Z'),
        ev('commitment.overdue', 'a', '2010-01-17T23:59:59.999Z', 'last'),
        ev('commitment.updated', 'a', '2010-01-18T00:00:00.000Z'),
      ],
    });
    expect(x.changes.items.map((i) => [i.who, i.type])).toEqual([['first', 'commitment.updated'], ['last', 'commitment.overdue']]);
    expect(x.changes.total).toBe(2);
  });

  it('sorts events given out of order, and with a limit shows the most recent in time order', () => {
    const events = [ev('commitment.updated', 'a', '2010-01-14T00:00:00Z', 'w3'), ev('commitment.updated', 'a', '2010-01-12T00:00:00Z', 'w1'), ev('commitment.updated', 'a', '2010-01-13T00:00:00Z', 'w2')];
    expect(build({ commitments: [c('a')], events }).changes.items.map((i) => i.who)).toEqual(['w1', 'w2', 'w3']);
    const limited = build({ commitments: [c('a')], events }, { listLimit: 2 });
    expect(limited.changes).toMatchObject({ total: 3 });
    expect(limited.changes.items.map((i) => i.who)).toEqual(['w2', 'w3']);
  });

  it('an event about an unknown commitment shows its id as title; who changed most comes first, ties by name', () => {
    const who = ['dan', 'Carl', 'amy', 'bob', 'bob', 'eve', 'eve', 'eve'];
    const events = who.map((w, i) => ev('commitment.updated', 'gone', `2010-01-12T0${i}:00:00Z`, w));
    const x = build({ events });
    expect(x.changes.items[0]!.title).toBe('gone');
    expect(x.changesByWho).toEqual([{ who: 'eve', count: 3 }, { who: 'bob', count: 2 }, { who: 'amy', count: 1 }, { who: 'Carl', count: 1 }, { who: 'dan', count: 1 }]);
    expect(x.isEmpty).toBe(false);
  });

  it('completions: the latest per commitment, reopened ones marked, unknown ones by id, a missing date from the event', () => {
    const x = build({
      commitments: [c('re', { status: 'open' }), c('ok', { status: 'done', leads: ['BBB'] })],
      events: [
        ev('commitment.completed', 'ok', '2010-01-12T00:00:00Z', 'w', { note: 'first', completedOn: '2010-01-10' }),
        ev('commitment.completed', 're', '2010-01-13T00:00:00Z', 'w', { note: '', evidenceUrl: null, completedOn: '2010-01-13' }),
        ev('commitment.completed', 'ok', '2010-01-14T00:00:00Z', 'v', { note: 'second', evidenceUrl: 'https://e.org/x' }),
        ev('commitment.completed', 'gone', '2010-01-15T00:00:00Z', 'u', { completedOn: 'last week' }),
      ],
    });
    expect(x.completed.items).toEqual([
      { id: 're', title: 'Title re', leads: ['AAA'], status: 'open', completedAt: '2010-01-13T00:00:00.000Z', completedOn: '2010-01-13', completedOnLabel: '13 January 2010', by: 'w', note: '', evidenceUrl: null, stillDone: false },
      { id: 'ok', title: 'Title ok', leads: ['BBB'], status: 'done', completedAt: '2010-01-14T00:00:00.000Z', completedOn: '2010-01-14', completedOnLabel: '14 January 2010', by: 'v', note: 'second', evidenceUrl: 'https://e.org/x', stillDone: true },
      { id: 'gone', title: 'gone', leads: [], status: 'done', completedAt: '2010-01-15T00:00:00.000Z', completedOn: 'last week', completedOnLabel: 'last week', by: 'u', note: '', evidenceUrl: null, stillDone: false },
    ]);
  });

  it('failed deliveries: the period\'s only, in time order; in a party digest only those about its commitments', () => {
    const f = (sendId: string, when: string, commitmentId: string | null) => ({ sendId, recipient: `${sendId}@e.org`, at: at(when), error: 'x', commitmentId, step: null });
    const failedReminders = [f('late', '2010-01-16T00:00:00Z', 'a'), f('early', '2010-01-12T00:00:00Z', null), f('out', '2010-01-18T00:00:00Z', 'a'), f('other', '2010-01-13T00:00:00Z', 'b'), f('before', '2010-01-10T00:00:00Z', 'a')];
    const commitments = [c('a', { leads: ['AAA'] }), c('b', { leads: ['BBB'] })];
    expect(build({ commitments, failedReminders }).failedDeliveries.items.map((i) => [i.recipient, i.title])).toEqual([['early@e.org', null], ['other@e.org', 'Title b'], ['late@e.org', 'Title a']]);
    expect(build({ commitments, failedReminders }, { party: 'AAA' }).failedDeliveries.items.map((i) => i.recipient)).toEqual(['late@e.org']);
    expect(build({ failedReminders: [f('gone', '2010-01-12T00:00:00Z', 'zzz')] }).failedDeliveries.items[0]!.title).toBeNull();
  });

  it('is empty only with no change, no completion and no failed delivery', () => {
    expect(build({ commitments: [c('a')] }).isEmpty).toBe(true);
    expect(build({ commitments: [c('a')], failedReminders: [{ sendId: 's', recipient: 'r@e.org', at: at('2010-01-12T00:00:00Z'), error: 'x', commitmentId: null, step: null }] }).isEmpty).toBe(false);
    expect(build({ commitments: [c('a')], events: [ev('commitment.updated', 'a', '2010-01-12T00:00:00Z')] }).isEmpty).toBe(false);
  });
});

describe('a party digest', () => {
  const commitments = [c('led', { leads: ['AAA', 'BBB'] }), c('member', { leads: ['BBB'], members: ['AAA'] }), c('other', { leads: ['BBB'] })];
  const scoped = () => build({ commitments, parties: [{ ...PARTIES[0]!, id: 'AAA', name: 'Aland' }], events: [ev('commitment.updated', 'other', '2010-01-12T00:00:00Z'), ev('commitment.updated', 'member', '2010-01-12T00:00:00Z')] }, { party: 'AAA' });

  it('holds the items the party leads or is a member of, their events only, and one row: its own', () => {
    const x = scoped();
    expect(x.completed.items).toEqual([]);
    expect(x.headline.total).toBe(2);
    expect(x.changes.items.map((i) => i.commitmentId)).toEqual(['member']);
    expect(x.parties.map((p) => [p.id, p.name, p.open.items.map((i) => i.id)])).toEqual([['AAA', 'Aland', ['led']]]);
    expect(x.scope).toEqual({ party: 'AAA', name: 'Aland' });
  });

  it('an unknown party is named by its id, in scope and in rows', () => {
    const y = build({ commitments }, { party: 'BBB' });
    expect(y.scope).toEqual({ party: 'BBB', name: 'BBB' });
    expect(y.parties.map((p) => [p.id, p.name])).toEqual([['BBB', 'BBB']]);
  });

  it('rows: every leading party in id order, each list by title and limited with an exact total', () => {
    const many = [c('z1', { title: 'Zed', leads: ['CCC'] }), c('a1', { title: 'Ant', leads: ['CCC'] }), c('m1', { title: 'Mid', leads: ['CCC'] }), c('b1', { leads: ['BBB'], status: 'done' }), c('o1', { leads: ['BBB'], due: { at: at('2010-01-01T00:00:00Z') } }), c('x1', { leads: ['BBB'], status: 'cancelled' }), c('d1', { leads: ['DDD'] }), c('a0', { leads: ['AAA'] })];
    const y = build({ commitments: many }, { listLimit: 2 });
    expect(y.parties.map((p) => p.id)).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(y.parties[2]!.open).toEqual({ total: 3, items: [expect.objectContaining({ title: 'Ant' }), expect.objectContaining({ title: 'Mid' })] });
    expect(y.parties[1]).toMatchObject({ open: { total: 0 }, overdue: { total: 1 }, done: { total: 1 } });
  });
});

describe('lists, meetings and the first digest', () => {
  it('every list is limited to listLimit with an exact total', () => {
    const many = Array.from({ length: 5 }, (_, i) => c(`n${i}`, { title: `Item ${i}`, due: { at: at(`2010-01-0${i + 1}T00:00:00Z`) }, target: { units: 2, done: 0 } }));
    const y = build({ commitments: many }, { listLimit: 2 });
    expect([y.overdue.total, y.overdue.items.length, y.progress.total, y.progress.items.length]).toEqual([5, 2, 5, 2]);
    const soon = build({ commitments: many.map((m, i) => ({ ...m, due: { at: at(`2010-01-2${i}T00:00:00Z`) } })) }, { listLimit: 3 });
    expect([soon.dueSoon.total, soon.dueSoon.items.length]).toEqual([5, 3]);
    const none = build({ commitments: many.map((m) => ({ ...m, due: null })) }, { listLimit: 4 });
    expect([none.needsDeadline.total, none.needsDeadline.items.length]).toEqual([5, 4]);
  });

  it('meetings are listed by start date; the first digest starts at midnight of the earliest one\'s first day', () => {
    const m = (id: string, startDate: string) => ({ ...MEETING, id, startDate, endDate: startDate }) as Meeting;
    expect(build({ meetings: [m('late', '2009-09-01'), m('early', '2009-07-27')] }).meetings.map((x) => x.id)).toEqual(['early', 'late']);
    expect(meetingStartInstant([m('late', '2009-09-01'), m('early', '2009-07-27')], 'Asia/Jakarta')!.toISOString()).toBe('2009-07-26T17:00:00.000Z');
    expect(meetingStartInstant([], 'UTC')).toBeNull();
  });

  it('a first period keeps its flag and labels its start', () => {
    const first = buildDigest(snap({}), { ...P, first: true }, { asOf: NOW, timeZone: 'UTC' });
    expect(first.period).toEqual({ from: '2010-01-11T00:00:00.000Z', to: '2010-01-18T00:00:00.000Z', first: true, fromLabel: 'Monday 11 January 2010, 00:00', toLabel: 'Monday 18 January 2010, 00:00' });
  });
});

describe('orders that hold for equal keys too (stable sorts)', () => {
  it('events given in strictly falling order come out in time order', () => {
    const events = ['14', '13', '12'].map((d) => ev('commitment.updated', 'a', `2010-01-${d}T00:00:00Z`, `w${d}`));
    expect(build({ commitments: [c('a')], events }).changes.items.map((i) => i.who)).toEqual(['w12', 'w13', 'w14']);
  });

  it('events at one instant keep their given order when the list had to be sorted', () => {
    const events = [ev('commitment.updated', 'a', '2010-01-13T00:00:00Z', 'first at 13'), ev('commitment.updated', 'a', '2010-01-13T00:00:00Z', 'second at 13'), ev('commitment.updated', 'a', '2010-01-12T00:00:00Z', 'at 12')];
    expect(build({ commitments: [c('a')], events }).changes.items.map((i) => i.who)).toEqual(['at 12', 'first at 13', 'second at 13']);
  });

  it('completions at one instant keep the order of their events; a second completion of one item moves it to its new time', () => {
    const events = [ev('commitment.completed', 'b', '2010-01-12T00:00:00Z', 'w'), ev('commitment.completed', 'a', '2010-01-12T00:00:00Z', 'w'), ev('commitment.completed', 'c', '2010-01-12T00:00:00Z', 'w')];
    expect(build({ commitments: [c('a'), c('b'), c('c')], events }).completed.items.map((i) => i.id)).toEqual(['b', 'a', 'c']);
  });

  it('failed deliveries at one instant keep their given order', () => {
    const f = (sendId: string, when: string) => ({ sendId, recipient: `${sendId}@e.org`, at: at(when), error: 'x', commitmentId: null, step: null });
    const failedReminders = [f('s2', '2010-01-13T00:00:00Z'), f('s3', '2010-01-13T00:00:00Z'), f('s1', '2010-01-12T00:00:00Z'), f('s4', '2010-01-13T00:00:00Z')];
    expect(build({ failedReminders }).failedDeliveries.items.map((i) => i.recipient)).toEqual(['s1@e.org', 's2@e.org', 's3@e.org', 's4@e.org']);
  });

  it('meetings starting on one day keep their given order; lists without a deadline go by title', () => {
    const m = (id: string, startDate: string) => ({ ...MEETING, id, startDate, endDate: startDate }) as Meeting;
    expect(build({ meetings: [m('b', '2009-09-01'), m('c', '2009-08-01'), m('a', '2009-09-01'), m('d', '2009-08-01')] }).meetings.map((x) => x.id)).toEqual(['c', 'd', 'b', 'a']);
    const x = build({ commitments: [c('2', { title: 'Beta' }), c('3', { title: 'Gamma' }), c('1', { title: 'Alpha' })] });
    expect(x.needsDeadline.items.map((i) => i.title)).toEqual(['Alpha', 'Beta', 'Gamma']);
  });
});

describe('labels in changes and completions', () => {
  it('a deadline moved to an instant is said with the instant\'s label in the digest\'s zone', () => {
    const events = [ev('commitment.due_changed', 'a', '2010-01-12T00:00:00Z', 'w', undefined, { due: { from: null, to: { at: '2010-02-01T10:00:00.000Z' } } })];
    expect(build({ commitments: [c('a')], events }, { timeZone: 'Asia/Jakarta' }).changes.items[0]!.summary).toBe('deadline none → Monday 1 February 2010, 17:00');
  });

  it('a completion date that is not exactly YYYY-MM-DD is shown as given', () => {
    const events = ['x2010-01-13', '2010-01-13 (about)', '2010-01-13'].map((completedOn, i) => ev('commitment.completed', `c${i}`, `2010-01-1${i + 2}T00:00:00Z`, 'w', { completedOn }));
    expect(build({ events }).completed.items.map((i) => i.completedOnLabel)).toEqual(['x2010-01-13', '2010-01-13 (about)', '13 January 2010']);
  });
});
