/**
 * A meeting file's errors are reported in one pass: the schema's errors, the
 * unknown parties and the clashing ids together, in file order, and nothing loads.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateMeetingFile } from '../../src/store/meeting-import.js';
import { AppError } from '../../src/domain/errors.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { snapshotPrefix } from '../support/redis.js';

const ctx = createTestContext('import-one-pass');
beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

const meeting = { id: 'ahg-som-2010', title: 'Second Meeting', startDate: '2010-03-02', endDate: '2010-03-03', source: { title: 'Outcomes' } };
const importFile = (body: unknown) => request(ctx.app).post('/v1/meetings/import').set(bearer(TOKENS.admin)).send(body as object);
type Problem = { title: string; errors: Array<{ path: string; message: string }> };

describe('a meeting file with several kinds of error', () => {
  it('when the schema, a party reference and an id are all wrong, then one 400 names every one of them in file order and nothing loads', async () => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const res = await importFile({
      meeting: { ...meeting, endDate: '2010-02-30' },
      parties: [{ id: 'NZL', name: 'New Zealand', kind: 'state', timeZone: 'Pacific/Auckland', contacts: [] }],
      commitments: [
        { title: 'Regional seminar on visa integrity', leads: ['NZL', 'ATLANTIS'] },
        { id: 'workshop-information-campaigns', title: 'Workshop again', leads: ['AUS'] },
        { title: 'Study on return', leads: ['IDN'], due: { date: '2010-13-01', timeZone: 'Asia/Jakarta' }, members: ['NARNIA'] },
        { title: 'Regional Seminar on Visa Integrity', leads: ['lowercase'] },
      ],
    }).expect(400);
    const body = res.body as Problem;
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(body.title ?? '').not.toBe('');
    expect(body.errors.map((e) => e.path)).toEqual([
      'meeting.endDate',
      'commitments.0.leads.1',
      'commitments.1.id',
      'commitments.2.due.date',
      'commitments.2.members.0',
      'commitments.3.leads.0',
      'commitments.3.title',
    ]);
    const at = (path: string) => body.errors.find((e) => e.path === path)!.message;
    expect(at('commitments.0.leads.1')).toBe('unknown party ATLANTIS');
    expect(at('commitments.2.members.0')).toBe('unknown party NARNIA');
    expect(at('commitments.1.id')).toBe('the id workshop-information-campaigns is taken by meeting ahg-som-2009');
    expect(at('commitments.3.title')).toContain('already used by commitments.0');
    // A lead the schema rejected is named once, by the schema, not again as an unknown party.
    expect(at('commitments.3.leads.0')).not.toContain('unknown party');
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('when only party references are wrong, then the problem says so', async () => {
    const res = await importFile({ meeting, commitments: [{ title: 'Seminar on fraud', leads: ['ATLANTIS'] }] }).expect(400);
    const body = res.body as Problem;
    expect(body.errors).toEqual([{ path: 'commitments.0.leads.0', message: 'unknown party ATLANTIS' }]);
    expect(JSON.stringify(body)).toContain('unknown parties');
  });

  it('when the commitments are not even a list, then the schema error stands alone and nothing else is guessed', async () => {
    const err = await validateMeetingFile({ meeting, commitments: 'none' }, { parties: ctx.services.parties, commitments: ctx.services.commitmentStore }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).errors.map((e) => e.path)).toEqual(['commitments']);
  });

  it('when the meeting id itself is wrong, then stored ids of other meetings are not reported as clashes', async () => {
    const err = await validateMeetingFile(
      { meeting: { ...meeting, id: 'Not A Slug' }, commitments: [{ id: 'workshop-information-campaigns', title: 'Workshop', leads: ['AUS'] }] },
      { parties: ctx.services.parties, commitments: ctx.services.commitmentStore },
    ).catch((e: unknown) => e);
    expect((err as AppError).errors.map((e) => e.path)).toEqual(['meeting.id']);
  });
});
