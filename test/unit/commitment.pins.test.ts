/** Commitment rules pinned in full: every event's shape, every refusal's words and field. */
import { describe, expect, it } from 'vitest';
import { CommitmentInputSchema, CompleteInputSchema, cancelCommitment, completeCommitment, createCommitment, patchCommitment, reopenCommitment, slugify, type Commitment } from '../../src/domain/commitment.js';
import { AppError } from '../../src/domain/errors.js';

const T0 = new Date('2009-08-01T00:00:00Z');
const T1 = new Date('2009-08-02T00:00:00Z');
const make = (extra: Record<string, unknown> = {}): Commitment =>
  createCommitment(CommitmentInputSchema.parse({ id: 'ws', meetingId: 'ahg', title: 'Workshop', leads: ['IDN'], members: ['IOM'], ...extra }), 'sec', T0).commitment;
const units = (n: number) => make({ title: 'Expert meetings', target: { units: n } });
const ev = (over: Record<string, unknown> = {}) => CompleteInputSchema.parse({ note: 'Held', completedOn: '2009-10-01', ...over });

function refusal(fn: () => unknown): { code: string; status: number; detail: string; errors: unknown } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, status: err.httpStatus, detail: err.message, errors: err.errors };
    throw err;
  }
  throw new Error('expected an AppError');
}

const base = { commitmentId: 'ws', meetingId: 'ahg' };

describe('events in full', () => {
  it('created: title and due in data', () => {
    const { events } = createCommitment(CommitmentInputSchema.parse({ id: 'ws', meetingId: 'ahg', title: 'Workshop', due: { at: '2010-01-01T00:00:00Z' } }), 'sec', T0);
    expect(events).toEqual([{ ...base, type: 'commitment.created', at: T0.toISOString(), who: 'sec', version: 1, changes: {}, data: { title: 'Workshop', due: { at: '2010-01-01T00:00:00.000Z' } } }]);
  });

  it('a patch of deadline, policy and status: one event each, with from and to', () => {
    const policy = { before: ['P7D'], onDue: true, overdue: { every: 'P7D', max: 2 }, escalateAfter: null, sendAt: null, quietDays: [] };
    const due = { date: '2009-12-31', timeZone: 'Asia/Jakarta' };
    const { commitment, events } = patchCommitment(make(), { due, reminderPolicy: policy, status: 'in_progress' }, 'w', T1);
    const common = { ...base, at: T1.toISOString(), who: 'w', version: 2 };
    expect(events).toEqual([
      { ...common, type: 'commitment.status_changed', changes: { status: { from: 'open', to: 'in_progress' } } },
      { ...common, type: 'commitment.due_changed', changes: { due: { from: null, to: due } }, data: { dueVersion: 2 } },
      { ...common, type: 'commitment.policy_changed', changes: { reminderPolicy: { from: null, to: policy } } },
    ]);
    expect([commitment.version, commitment.dueVersion, commitment.reminderPolicy, commitment.status]).toEqual([2, 2, policy, 'in_progress']);
  });

  it('a patch that repeats the current policy, target or status changes nothing', () => {
    const policy = { before: ['P7D'], onDue: true, overdue: { every: 'P7D', max: 2 }, escalateAfter: null, sendAt: null, quietDays: [] };
    const c = patchCommitment(units(3), { reminderPolicy: policy }, 'w', T1).commitment;
    for (const patch of [{ reminderPolicy: { ...policy } }, { target: { units: 3 } }, { status: 'open' as const }]) {
      const r = patchCommitment(c, patch, 'w', T1);
      expect(r.events).toEqual([]);
      expect(r.commitment).toBe(c);
    }
  });

  it('a patch of members only is normalised against the current leads', () => {
    const { commitment, events } = patchCommitment(make(), { members: ['IDN', 'THA', 'THA'] }, 'w', T1);
    expect([commitment.leads, commitment.members]).toEqual([['IDN'], ['THA']]);
    expect(events).toEqual([{ ...base, type: 'commitment.updated', at: T1.toISOString(), who: 'w', version: 2, changes: { members: { from: ['IOM'], to: ['THA'] } } }]);
  });

  it('a target changed or added is one updated event with the whole target before and after', () => {
    const done1 = completeCommitment(units(3), ev(), 'w', T0).commitment;
    expect(patchCommitment(done1, { target: { units: 5 } }, 'w', T1).events).toEqual([
      { ...base, type: 'commitment.updated', at: T1.toISOString(), who: 'w', version: 3, changes: { target: { from: { units: 3, done: 1 }, to: { units: 5, done: 1 } } } },
    ]);
    expect(patchCommitment(make(), { target: { units: 2 } }, 'w', T1).events[0]!.changes).toEqual({ target: { from: null, to: { units: 2, done: 0 } } });
    expect(patchCommitment(units(2), { target: null }, 'w', T1).events[0]!.changes).toEqual({ target: { from: { units: 2, done: 0 }, to: null } });
  });

  it('recording units: unit_recorded with the count and evidence, then status_changed or completed', () => {
    const first = completeCommitment(units(3), ev({ note: 'one', evidenceUrl: 'https://e.org/1' }), 'w', T1);
    const common = { ...base, at: T1.toISOString(), who: 'w', version: 2 };
    expect(first.events).toEqual([
      { ...common, type: 'commitment.unit_recorded', changes: { 'target.done': { from: 0, to: 1 } }, data: { note: 'one', evidenceUrl: 'https://e.org/1', completedOn: '2009-10-01', units: 1 } },
      { ...common, type: 'commitment.status_changed', changes: { status: { from: 'open', to: 'in_progress' } } },
    ]);
    const second = completeCommitment(first.commitment, ev({ note: 'two' }), 'w', T1);
    expect(second.events.map((e) => e.type)).toEqual(['commitment.unit_recorded']);
    expect(second.events[0]!.data).toEqual({ note: 'two', evidenceUrl: null, completedOn: '2009-10-01', units: 1 });
    const last = completeCommitment(second.commitment, ev({ note: 'three' }), 'w', T1);
    expect(last.events[1]).toEqual({ ...base, at: T1.toISOString(), who: 'w', version: 4, type: 'commitment.completed', changes: { status: { from: 'in_progress', to: 'done' } }, data: { note: 'three', evidenceUrl: null, completedOn: '2009-10-01' } });
  });

  it('completing a plain commitment: completed with its evidence, no URL as null', () => {
    expect(completeCommitment(make(), ev(), 'w', T1).events).toEqual([
      { ...base, type: 'commitment.completed', at: T1.toISOString(), who: 'w', version: 2, changes: { status: { from: 'open', to: 'done' } }, data: { note: 'Held', evidenceUrl: null, completedOn: '2009-10-01' } },
    ]);
  });

  it('cancelling: version + 1 and a cancelled event with the reason', () => {
    const { commitment, events } = cancelCommitment(make(), 'merged', 'sec', T1);
    expect(commitment.version).toBe(2);
    expect(commitment.updatedAt).toBe(T1.toISOString());
    expect(events).toEqual([{ ...base, type: 'commitment.cancelled', at: T1.toISOString(), who: 'sec', version: 2, changes: { status: { from: 'open', to: 'cancelled' } }, data: { reason: 'merged' } }]);
  });

  it('reopening without a reason records no data', () => {
    const done = completeCommitment(make(), ev(), 'w', T0).commitment;
    expect(reopenCommitment(done, undefined, 'sec', T1).events).toEqual([{ ...base, type: 'commitment.reopened', at: T1.toISOString(), who: 'sec', version: 3, changes: { status: { from: 'done', to: 'open' } } }]);
  });

  it('reopening a multi-unit item withdraws only the last unit not yet withdrawn; with none left it is open', () => {
    let c = completeCommitment(units(2), ev({ note: 'one' }), 'w', T0).commitment;
    c = completeCommitment(c, ev({ note: 'two' }), 'w', T0).commitment;
    const once = reopenCommitment(c, 'r', 'w', T1).commitment;
    expect(once.status).toBe('in_progress');
    const again = completeCommitment(once, ev({ note: 'two again' }), 'w', T1).commitment;
    const twice = reopenCommitment(again, 'r', 'w', T1).commitment;
    expect(twice.evidence.map((e) => [e.note, e.withdrawn ?? false])).toEqual([['one', false], ['two', true], ['two again', true]]);
    expect(twice.target).toEqual({ units: 2, done: 1 });
    const bothAtOnce = completeCommitment(units(2), ev({ units: 2 }), 'w', T0).commitment;
    const reopened = reopenCommitment(bothAtOnce, 'r', 'w', T1);
    expect([reopened.commitment.status, reopened.commitment.target]).toEqual(['open', { units: 2, done: 0 }]);
    expect(reopened.events[0]!.changes).toEqual({ status: { from: 'done', to: 'open' } });
  });
});

describe('refusals in full', () => {
  it('changing the target of a done commitment', () => {
    const done = completeCommitment(units(2), ev({ units: 2 }), 'w', T0).commitment;
    expect(refusal(() => patchCommitment(done, { target: { units: 3 } }, 'w', T1))).toEqual({ code: 'illegal_transition', status: 409, detail: 'The target of a done commitment cannot change; reopen it first.', errors: [{ path: 'target', message: 'commitment is done' }] });
  });

  it('removing a target with units recorded', () => {
    const one = completeCommitment(units(3), ev(), 'w', T0).commitment;
    expect(refusal(() => patchCommitment(one, { target: null }, 'w', T1))).toEqual({ code: 'conflict', status: 409, detail: 'Units have been recorded; the target cannot be removed.', errors: [{ path: 'target', message: 'units already recorded' }] });
  });

  it('a target at or below the units recorded', () => {
    const two = completeCommitment(units(4), ev({ units: 2 }), 'w', T0).commitment;
    expect(refusal(() => patchCommitment(two, { target: { units: 2 } }, 'w', T1))).toEqual({ code: 'validation', status: 400, detail: 'The target must stay above the 2 units already recorded; record the last unit with /complete.', errors: [{ path: 'target.units', message: 'expected more than 2' }] });
    expect(patchCommitment(two, { target: { units: 3 } }, 'w', T1).commitment.target).toEqual({ units: 3, done: 2 });
  });

  it('setting a done commitment open by patch', () => {
    const done = completeCommitment(make(), ev(), 'w', T0).commitment;
    expect(refusal(() => patchCommitment(done, { status: 'in_progress' }, 'w', T1))).toEqual({ code: 'illegal_transition', status: 409, detail: 'Use /reopen to reopen a closed commitment.', errors: [{ path: 'status', message: 'use reopen' }] });
  });

  it('units on a plain commitment; more units than remain', () => {
    expect(refusal(() => completeCommitment(make(), ev({ units: 1 }), 'w', T1))).toEqual({ code: 'validation', status: 400, detail: 'units applies only to multi-unit commitments.', errors: [{ path: 'units', message: 'this commitment has no multi-unit target' }] });
    const one = completeCommitment(units(5), ev(), 'w', T0).commitment;
    expect(refusal(() => completeCommitment(one, ev({ units: 5 }), 'w', T1))).toEqual({ code: 'validation', status: 400, detail: 'Only 4 of 5 units remain.', errors: [{ path: 'units', message: 'expected at most 4' }] });
    expect(completeCommitment(one, ev({ units: 4 }), 'w', T1).commitment.status).toBe('done');
  });

  it('completing a done commitment names the transition', () => {
    const done = completeCommitment(make(), ev(), 'w', T0).commitment;
    expect(refusal(() => completeCommitment(done, ev(), 'w', T1))).toEqual({ code: 'illegal_transition', status: 409, detail: 'A commitment that is done cannot become done.', errors: [{ path: 'status', message: 'illegal transition done → done' }] });
  });

  it('reopening an open commitment', () => {
    expect(refusal(() => reopenCommitment(make(), undefined, 'w', T1))).toEqual({ code: 'illegal_transition', status: 409, detail: 'Only a done or cancelled commitment can be reopened; this one is open.', errors: [{ path: 'status', message: 'illegal transition open → open' }] });
  });

  it('completing an in-progress multi-unit item is not a transition check: it records the unit', () => {
    const one = completeCommitment(units(3), ev(), 'w', T0).commitment;
    expect(completeCommitment(one, ev(), 'w', T1).commitment.target).toEqual({ units: 3, done: 2 });
  });
});

describe('slugify edges', () => {
  it.each([
    ['--Hello--World--', 'hello-world'],
    ['!!Two  words!!', 'two-words'],
    ['ab', 'ab'],
    ['a!', 'commitment-a'],
    ['é', 'commitment-e'],
  ])('%j → %j', (title, slug) => expect(slugify(title)).toBe(slug));

  it('cuts at 60 and drops the dash the cut leaves at the end', () => {
    expect(slugify(`${'a'.repeat(59)} -- b`)).toBe('a'.repeat(59));
    expect(slugify(`${'a'.repeat(58)} -- b`)).toBe(`${'a'.repeat(58)}-b`);
  });
});
