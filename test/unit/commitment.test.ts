import { describe, expect, it } from 'vitest';
import {
  CommitmentInputSchema,
  CommitmentPatchSchema,
  CompleteInputSchema,
  cancelCommitment,
  completeCommitment,
  createCommitment,
  isOverdue,
  partiesOf,
  patchCommitment,
  reopenCommitment,
  slugify,
  toView,
  type Commitment,
} from '../../src/domain/commitment.js';
import { AppError } from '../../src/domain/errors.js';

const T0 = new Date('2009-08-01T00:00:00Z');
const T1 = new Date('2009-08-02T00:00:00Z');

function make(extra: Record<string, unknown> = {}): Commitment {
  const input = CommitmentInputSchema.parse({ meetingId: 'ahg-som-2009', title: 'Workshop on information campaigns', leads: ['IDN', 'AUS'], members: ['IOM'], ...extra });
  return createCommitment(input, 'secretariat', T0).commitment;
}
const twoUnits = () => make({ title: 'Technical expert meetings', target: { units: 2 } });
const evidence = (over: Record<string, unknown> = {}) => CompleteInputSchema.parse({ note: 'Held in Jakarta', completedOn: '2009-10-01', ...over });

/** Run `fn` and return the AppError it throws. */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('creating a commitment', () => {
  it('starts open at version 1 with a created event by the token name and a slug id from the title', () => {
    const input = CommitmentInputSchema.parse({ meetingId: 'ahg-som-2009', title: 'Workshop on information campaigns', leads: ['IDN'] });
    const { commitment, events } = createCommitment(input, 'secretariat', T0);
    expect(commitment).toMatchObject({ id: 'workshop-on-information-campaigns', status: 'open', version: 1, dueVersion: 1, evidence: [], due: null, createdAt: T0.toISOString() });
    expect(commitment.target).toBeUndefined();
    expect(events).toEqual([expect.objectContaining({ type: 'commitment.created', who: 'secretariat', version: 1, commitmentId: commitment.id })]);
  });

  it('keeps a given id, drops duplicate parties and members that also lead', () => {
    const c = make({ id: 'my-id', leads: ['IDN', 'IDN'], members: ['IDN', 'IOM', 'IOM'] });
    expect(c.id).toBe('my-id');
    expect(c.leads).toEqual(['IDN']);
    expect(c.members).toEqual(['IOM']);
    expect(partiesOf(c)).toEqual(['IDN', 'IOM']);
  });

  it('normalises an instant deadline to UTC so equal deadlines compare equal', () => {
    expect(make({ due: { at: '2026-11-27T07:30:00+13:00' } }).due).toEqual({ at: '2026-11-26T18:30:00.000Z' });
  });

  it('a multi-unit target starts at 0 done', () => {
    expect(twoUnits().target).toEqual({ units: 2, done: 0 });
  });

  it('rejects unknown fields, so status or version cannot be mass-assigned', () => {
    const r = CommitmentInputSchema.safeParse({ meetingId: 'ahg-som-2009', title: 'abc', status: 'done', version: 9 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['status', 'version'] });
  });

  it('rejects a target of one unit (that is a plain commitment)', () => {
    expect(CommitmentInputSchema.safeParse({ meetingId: 'ahg-som-2009', title: 'abc', target: { units: 1 } }).success).toBe(false);
  });
});

describe('slugify', () => {
  it.each([
    ['Workshop on information campaigns', 'workshop-on-information-campaigns'],
    ['  Café — Réunion (2009)!  ', 'cafe-reunion-2009'],
    ['A', 'commitment-a'],
    ['!!!', 'commitment-x'],
  ])('%s → %s', (title, slug) => expect(slugify(title)).toBe(slug));

  it('caps the slug at 60 characters without a trailing dash', () => {
    const s = slugify('word '.repeat(40));
    expect(s.length).toBeLessThanOrEqual(60);
    expect(s).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });
});

describe('patching a commitment', () => {
  it('bumps the version, records from/to and emits updated and due_changed with a new dueVersion', () => {
    const c = make();
    const { commitment, events } = patchCommitment(c, { title: 'Regional workshop', due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' } }, 'lka-focal', T1);
    expect(commitment).toMatchObject({ title: 'Regional workshop', version: 2, dueVersion: 2, updatedAt: T1.toISOString() });
    expect(events.map((e) => e.type)).toEqual(['commitment.updated', 'commitment.due_changed']);
    expect(events[0]!.changes.title).toEqual({ from: c.title, to: 'Regional workshop' });
    expect(events[1]).toMatchObject({ who: 'lka-focal', version: 2, data: { dueVersion: 2 } });
    expect(c.version).toBe(1); // pure: the input is untouched
  });

  it('a patch that changes nothing returns the same state and no events', () => {
    const c = make();
    const change = patchCommitment(c, { title: c.title, leads: c.leads }, 'x', T1);
    expect(change.commitment).toBe(c);
    expect(change.events).toEqual([]);
  });

  it('the same instant written differently is not a deadline change', () => {
    const c = make({ due: { at: '2026-11-26T18:30:00Z' } });
    expect(patchCommitment(c, { due: { at: '2026-11-27T07:30:00+13:00' } }, 'x', T1).events).toEqual([]);
  });

  it('a policy change emits policy_changed; open → in_progress emits status_changed', () => {
    const policy = { before: ['P7D'], onDue: true, overdue: { every: 'P7D', max: 2 }, escalateAfter: null, sendAt: null, quietDays: [] };
    const { commitment, events } = patchCommitment(make(), { reminderPolicy: policy, status: 'in_progress' }, 'x', T1);
    expect(commitment.status).toBe('in_progress');
    expect(events.map((e) => e.type).sort()).toEqual(['commitment.policy_changed', 'commitment.status_changed']);
  });

  it('in_progress back to open is an illegal transition (409)', () => {
    const c = patchCommitment(make(), { status: 'in_progress' }, 'x', T1).commitment;
    const err = appError(() => patchCommitment(c, { status: 'open' }, 'x', T1));
    expect(err.httpStatus).toBe(409);
    expect(err.code).toBe('illegal_transition');
  });

  it('a done commitment cannot be set open by patch; reopen is the way (409)', () => {
    const done = completeCommitment(make(), evidence(), 'x', T1).commitment;
    expect(appError(() => patchCommitment(done, { status: 'open' }, 'x', T1)).httpStatus).toBe(409);
  });

  it('the target cannot drop to or below the units already recorded (400 on target.units)', () => {
    const one = completeCommitment(make({ title: 'Three meetings', target: { units: 3 } }), evidence(), 'x', T1).commitment;
    const err = appError(() => patchCommitment(one, { target: { units: 1 } }, 'x', T1));
    expect(err.httpStatus).toBe(400);
    expect(err.errors[0]!.path).toBe('target.units');
    expect(patchCommitment(one, { target: { units: 4 } }, 'x', T1).commitment.target).toEqual({ units: 4, done: 1 });
  });

  it('the target cannot be removed once a unit is recorded (409)', () => {
    const one = completeCommitment(twoUnits(), evidence(), 'x', T1).commitment;
    expect(appError(() => patchCommitment(one, { target: null }, 'x', T1)).httpStatus).toBe(409);
    expect(patchCommitment(twoUnits(), { target: null }, 'x', T1).commitment.target).toBeUndefined();
  });

  it('the target of a done commitment cannot change until it is reopened (409)', () => {
    const done = completeCommitment(make(), evidence(), 'x', T1).commitment;
    expect(appError(() => patchCommitment(done, { target: { units: 2 } }, 'x', T1)).code).toBe('illegal_transition');
  });

  it('the patch schema rejects an empty patch and unknown fields, and allows only open/in_progress as status', () => {
    expect(CommitmentPatchSchema.safeParse({}).success).toBe(false);
    expect(CommitmentPatchSchema.safeParse({ version: 3 }).success).toBe(false);
    expect(CommitmentPatchSchema.safeParse({ status: 'done' }).success).toBe(false);
    expect(CommitmentPatchSchema.safeParse({ status: 'in_progress' }).success).toBe(true);
  });
});

describe('completing a commitment', () => {
  it('a single-unit commitment becomes done with its evidence, recorder and a completed event', () => {
    const { commitment, events } = completeCommitment(make(), evidence({ evidenceUrl: 'https://example.org/report' }), 'idn-focal', T1);
    expect(commitment.status).toBe('done');
    expect(commitment.version).toBe(2);
    expect(commitment.evidence).toEqual([{ note: 'Held in Jakarta', evidenceUrl: 'https://example.org/report', completedOn: '2009-10-01', units: 1, recordedBy: 'idn-focal', recordedAt: T1.toISOString() }]);
    expect(events.map((e) => e.type)).toEqual(['commitment.completed']);
    expect(events[0]!.changes.status).toEqual({ from: 'open', to: 'done' });
  });

  it('two expert meetings: 1 of 2 is in progress, 2 of 2 is done, each unit with its own evidence', () => {
    const first = completeCommitment(twoUnits(), evidence({ note: 'First meeting, Jakarta', completedOn: '2009-09-10' }), 'idn-focal', T0);
    expect(first.commitment.status).toBe('in_progress');
    expect(first.commitment.target).toEqual({ units: 2, done: 1 });
    expect(first.events.map((e) => e.type)).toEqual(['commitment.unit_recorded', 'commitment.status_changed']);

    const second = completeCommitment(first.commitment, evidence({ note: 'Second meeting, Canberra', completedOn: '2009-11-20' }), 'aus-focal', T1);
    expect(second.commitment.status).toBe('done');
    expect(second.commitment.target).toEqual({ units: 2, done: 2 });
    expect(second.commitment.evidence.map((e) => [e.note, e.completedOn, e.recordedBy])).toEqual([
      ['First meeting, Jakarta', '2009-09-10', 'idn-focal'],
      ['Second meeting, Canberra', '2009-11-20', 'aus-focal'],
    ]);
    expect(second.events.map((e) => e.type)).toEqual(['commitment.unit_recorded', 'commitment.completed']);
  });

  it('records several units at once, but never more than remain (400 on units)', () => {
    expect(completeCommitment(twoUnits(), evidence({ units: 2 }), 'x', T1).commitment.status).toBe('done');
    const err = appError(() => completeCommitment(twoUnits(), evidence({ units: 3 }), 'x', T1));
    expect(err.httpStatus).toBe(400);
    expect(err.errors[0]!.path).toBe('units');
  });

  it('units on a single-unit commitment is a 400 naming units', () => {
    expect(appError(() => completeCommitment(make(), evidence({ units: 1 }), 'x', T1)).errors[0]!.path).toBe('units');
  });

  it('completing a done or cancelled commitment is an illegal transition (409)', () => {
    const done = completeCommitment(make(), evidence(), 'x', T1).commitment;
    expect(appError(() => completeCommitment(done, evidence(), 'x', T1)).httpStatus).toBe(409);
    const cancelled = cancelCommitment(make(), 'dropped', 'x', T1).commitment;
    expect(appError(() => completeCommitment(cancelled, evidence(), 'x', T1)).code).toBe('illegal_transition');
  });

  it('the evidence schema takes {} (note and date optional), a real date, a non-empty note, and a URL only over http(s)', () => {
    expect(CompleteInputSchema.safeParse({}).success).toBe(true);
    expect(CompleteInputSchema.safeParse({ note: '   ' }).success).toBe(false);
    expect(CompleteInputSchema.safeParse({ note: 'x', completedOn: '2009-02-30' }).success).toBe(false);
    expect(CompleteInputSchema.safeParse({ note: 'x', completedOn: '2009-10-01', evidenceUrl: 'javascript:alert(1)' }).success).toBe(false);
  });
});

describe('reopening and cancelling', () => {
  it('reopening a done commitment makes it open again with a reopened event carrying the reason', () => {
    const done = completeCommitment(make(), evidence(), 'x', T0).commitment;
    const { commitment, events } = reopenCommitment(done, 'report not yet published', 'secretariat', T1);
    expect(commitment.status).toBe('open');
    expect(commitment.version).toBe(3);
    expect(events[0]).toMatchObject({ type: 'commitment.reopened', data: { reason: 'report not yet published' }, changes: { status: { from: 'done', to: 'open' } } });
  });

  it('reopening a 2-of-2 commitment withdraws the last unit, keeps its evidence marked, and goes back to in_progress', () => {
    let c = completeCommitment(twoUnits(), evidence({ note: 'one' }), 'x', T0).commitment;
    c = completeCommitment(c, evidence({ note: 'two' }), 'x', T0).commitment;
    const reopened = reopenCommitment(c, undefined, 'x', T1).commitment;
    expect(reopened.status).toBe('in_progress');
    expect(reopened.target).toEqual({ units: 2, done: 1 });
    expect(reopened.evidence.map((e) => [e.note, e.withdrawn ?? false])).toEqual([['one', false], ['two', true]]);
    expect(completeCommitment(reopened, evidence({ note: 'two again' }), 'x', T1).commitment.status).toBe('done');
  });

  it('only a done or cancelled commitment can be reopened (409 otherwise)', () => {
    expect(appError(() => reopenCommitment(make(), undefined, 'x', T1)).httpStatus).toBe(409);
  });

  it('reinstating a cancelled commitment needs a reason (400 naming reason), clears the cancellation and records the reason', () => {
    const cancelled = cancelCommitment(make(), 'dropped', 'x', T0).commitment;
    const missing = appError(() => reopenCommitment(cancelled, undefined, 'x', T1));
    expect(missing.httpStatus).toBe(400);
    expect(missing.errors?.[0]?.path).toBe('reason');
    const { commitment, events } = reopenCommitment(cancelled, 'the workshop is back on', 'secretariat', T1);
    expect(commitment).toMatchObject({ status: 'open', cancellation: null, version: cancelled.version + 1, updatedAt: T1.toISOString() });
    expect(events[0]).toMatchObject({ type: 'commitment.reopened', who: 'secretariat', data: { reason: 'the workshop is back on', reinstated: true }, changes: { status: { from: 'cancelled', to: 'open' } } });
  });

  it('cancelling records the reason, who and when; a cancelled or done commitment cannot be cancelled (409)', () => {
    const { commitment, events } = cancelCommitment(make(), 'merged into the regional workshop', 'secretariat', T1);
    expect(commitment.status).toBe('cancelled');
    expect(commitment.cancellation).toEqual({ reason: 'merged into the regional workshop', by: 'secretariat', at: T1.toISOString() });
    expect(events[0]).toMatchObject({ type: 'commitment.cancelled', data: { reason: 'merged into the regional workshop' } });
    expect(appError(() => cancelCommitment(commitment, 'again', 'x', T1)).httpStatus).toBe(409);
    const done = completeCommitment(make(), evidence(), 'x', T1).commitment;
    expect(appError(() => cancelCommitment(done, 'late', 'x', T1)).httpStatus).toBe(409);
  });
});

describe('overdue is derived from the deadline and the clock', () => {
  const dated = () => make({ due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' } });

  it('is false before the end of the local day and true after it', () => {
    expect(isOverdue(dated(), new Date('2009-12-31T16:59:59.999Z'))).toBe(false);
    expect(isOverdue(dated(), new Date('2009-12-31T17:00:00.000Z'))).toBe(true);
  });

  it('is never true without a deadline, or once done or cancelled', () => {
    const late = new Date('2011-01-01T00:00:00Z');
    expect(isOverdue(make(), late)).toBe(false);
    expect(isOverdue(completeCommitment(dated(), evidence(), 'x', T1).commitment, late)).toBe(false);
    expect(isOverdue(cancelCommitment(dated(), 'r', 'x', T1).commitment, late)).toBe(false);
  });

  it('the view adds dueAt and overdue', () => {
    expect(toView(dated(), new Date('2010-01-01T00:00:00Z'))).toMatchObject({ dueAt: '2009-12-31T16:59:59.999Z', overdue: true });
    expect(toView(make(), T1)).toMatchObject({ dueAt: null, overdue: false });
  });
});

describe('patching parties', () => {
  it('a patch that only repeats a party, or names a lead as member, changes nothing', () => {
    const c = make();
    expect(patchCommitment(c, { leads: ['IDN', 'AUS', 'IDN'], members: ['IOM', 'IDN'] }, 'x', T1).events).toEqual([]);
  });

  it('moving a member to the leads drops it from the members, recorded as one update', () => {
    const { commitment, events } = patchCommitment(make(), { leads: ['IDN', 'AUS', 'IOM'] }, 'x', T1);
    expect([commitment.leads, commitment.members]).toEqual([['IDN', 'AUS', 'IOM'], []]);
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0]!.changes).sort()).toEqual(['leads', 'members']);
  });
});
