/** Meetings as records (create, patch, consistency, view) and deadlines tied to them in the commitment rules. Pure. */
import { describe, expect, it } from 'vitest';
import { CommitmentInputSchema, createCommitment, needsDeadline, patchCommitment, toView } from '../../src/domain/commitment.js';
import { MeetingCreateSchema, MeetingPatchSchema, meetingFromCreate, meetingProblems, meetingView, patchMeeting, type MeetingRecord } from '../../src/domain/meeting.js';

const NOW = new Date('2009-08-01T00:00:00Z');
const planned: MeetingRecord = { id: 'som-2010', title: 'SOM 2010', place: '', source: { title: 'SOM 2010' }, notes: [], status: 'planned' };
const dated: MeetingRecord = { ...planned, startDate: '2010-03-15', endDate: '2010-03-17', timeZone: 'Asia/Jakarta' };
const tiedInput = (offset: string) => CommitmentInputSchema.parse({ meetingId: 'ahg-som-2009', title: 'Report to the next meeting', due: { meetingId: 'som-2010', offset } });

describe('meeting records', () => {
  it('a create without dates is planned with null dates in the view; with a first day only, it ends that day', () => {
    const bare = meetingFromCreate(MeetingCreateSchema.parse({ title: 'Planned one' }), 'planned-one');
    expect(meetingView(bare)).toMatchObject({ status: 'planned', startsOn: null, endsOn: null, location: '' });
    const oneDay = meetingFromCreate(MeetingCreateSchema.parse({ title: 'One day', startsOn: '2010-05-03', timeZone: 'UTC', status: 'held' }), 'one-day');
    expect([oneDay.startDate, oneDay.endDate]).toEqual(['2010-05-03', '2010-05-03']);
    expect(meetingProblems(oneDay)).toEqual([]);
  });

  it('names each inconsistency by the API field', () => {
    expect(meetingProblems({ ...planned, status: 'held' })).toEqual([{ path: 'startsOn', message: 'a held meeting has dates' }]);
    expect(meetingProblems({ ...dated, endDate: '2010-03-14' }).map((p) => p.path)).toEqual(['endsOn']);
    const { timeZone: _zone, ...noZone } = dated;
    expect(meetingProblems(noZone).map((p) => p.path)).toEqual(['timeZone']);
  });

  it('a patch moves the end with a later start, keeps a later end, and null clears both dates', () => {
    expect(patchMeeting(dated, { startsOn: '2010-04-01' })).toMatchObject({ startDate: '2010-04-01', endDate: '2010-04-01' });
    expect(patchMeeting(dated, { startsOn: '2010-03-10' })).toMatchObject({ startDate: '2010-03-10', endDate: '2010-03-17' });
    const cleared = patchMeeting(dated, { startsOn: null });
    expect([cleared.startDate, cleared.endDate]).toEqual([undefined, undefined]);
    expect(MeetingPatchSchema.safeParse({}).success).toBe(false);
  });
});

describe('deadlines tied to a meeting', () => {
  it('without a dated meeting the commitment needs a deadline; with one, the offset resolves in the meeting’s zone', () => {
    const waiting = createCommitment(tiedInput('-P30D'), 'test', NOW, planned).commitment;
    expect(waiting.due).toBeNull();
    expect(needsDeadline(waiting)).toBe(true);
    const resolved = createCommitment(tiedInput('-P1M'), 'test', NOW, dated).commitment;
    expect(resolved.due).toEqual({ date: '2010-02-15', timeZone: 'Asia/Jakarta' });
    expect(toView(resolved, NOW)).toMatchObject({ needsDeadline: false, dueAt: '2010-02-15T16:59:59.999Z' });
  });

  it('re-resolving against a moved meeting bumps dueVersion and records the change; against the same date it changes nothing', () => {
    const c = createCommitment(tiedInput('P0D'), 'test', NOW, dated).commitment;
    const same = patchCommitment(c, { due: c.dueLink! }, 'test', NOW, dated);
    expect(same.events).toEqual([]);
    const moved = patchCommitment(c, { due: c.dueLink! }, 'test', NOW, { ...dated, startDate: '2010-03-22' });
    expect(moved.commitment).toMatchObject({ due: { date: '2010-03-22', timeZone: 'Asia/Jakarta' }, dueVersion: 2 });
    expect(moved.events.map((e) => e.type)).toEqual(['commitment.due_changed']);
  });

  it('a date deadline unties it; tying again records the link as a change even when the date is the same', () => {
    const c = createCommitment(tiedInput('P0D'), 'test', NOW, dated).commitment;
    const untied = patchCommitment(c, { due: { date: '2010-03-15', timeZone: 'Asia/Jakarta' } }, 'test', NOW).commitment;
    expect(untied.dueLink).toBeUndefined();
    expect(untied.dueVersion).toBe(2);
    const tied = patchCommitment(untied, { due: { meetingId: 'som-2010', offset: 'P0D' } }, 'test', NOW, dated);
    expect(tied.commitment.dueLink).toEqual({ meetingId: 'som-2010', offset: 'P0D' });
    expect(tied.events[0]!.changes.dueLink).toEqual({ from: null, to: { meetingId: 'som-2010', offset: 'P0D' } });
  });
});
