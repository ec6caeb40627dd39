/**
 * Drafting a meeting file from an outcome statement, through the API and the CLI on real Redis:
 * the draft matches the reviewed fixture, changes nothing, imports as returned (its tied
 * deadline then waits for the planned meeting's date), and bad bodies get clear 4xx answers.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOKENS, bearer, createTestContext, seedFile } from '../support/app.js';
import { redisUrl } from '../support/redis.js';

const fixture = (name: string) => new URL(`../fixtures/draft/${name}`, import.meta.url);
const STATEMENT = fileURLToPath(fixture('wellington-som-2010.txt'));
const expected = JSON.parse(readFileSync(fixture('wellington-som-2010.expected.json'), 'utf8')) as {
  options: { now: string };
  meeting: { id: string };
  commitments: Array<{ id: string; due: unknown }>;
  warnings: unknown[];
  parties: Array<{ id: string }>;
};
const ctx = createTestContext('draft', {}, expected.options.now);
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const BIN = fileURLToPath(new URL('../../bin/followup.js', import.meta.url));

// The CLI is spawned through tsx; on a busy two-core machine that takes seconds.
vi.setConfig({ testTimeout: 120_000 });

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), REDIS_PREFIX: ctx.prefix, NODE_ENV: 'test' }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const draftOf = (body: string | Buffer, type = 'text/plain') => api().post('/v1/meetings/draft').set(admin).set('Content-Type', type).send(body);

beforeAll(async () => {
  await ctx.seed();
  // The planned meeting "at the Fourth Meeting" links to, not dated yet.
  await api().post('/v1/meetings').set(admin).send({ id: 'ahg-som-2011', title: 'Fourth Meeting of the Ad Hoc Group Senior Officials', status: 'planned' }).expect(201);
});
afterAll(() => ctx.cleanup());

describe('POST /v1/meetings/draft', () => {
  let draft: { meeting: { id: string }; parties: Array<{ id: string }>; commitments: Array<{ id: string; due: unknown }>; warnings: unknown[]; provenance: Record<string, unknown> };

  it('when an admin posts a statement as text/plain, then the draft is the reviewed one, with provenance, and nothing is stored', async () => {
    const before = await ctx.services.commitmentStore.changeMark();
    const res = await draftOf(readFileSync(STATEMENT, 'utf8')).expect(200);
    draft = res.body;
    expect(draft.meeting).toEqual(expected.meeting);
    expect(draft.commitments).toEqual(expected.commitments);
    expect(draft.warnings).toEqual(expected.warnings);
    expect(draft.parties.map((p) => p.id)).toEqual(expected.parties.map((p) => p.id));
    expect(Object.keys(draft.provenance)).toContain('commitments.0.title');
    expect(draft.commitments.find((c) => c.id === 'hold-a-ministerial-roundtable')?.due).toEqual({ meetingId: 'ahg-som-2011', offset: 'P0D' });
    expect(await ctx.services.commitmentStore.changeMark()).toBe(before);
    await api().get(`/v1/meetings/${expected.meeting.id}`).set(admin).expect(404);
  });

  it('when the draft is imported as returned, then its commitments are created, and the tied one needs a deadline until the planned meeting is dated', async () => {
    const imported = await api().post('/v1/meetings/import').set(admin).send(draft).expect(201);
    expect(imported.body.commitments.created.sort()).toEqual(expected.commitments.map((c) => c.id).sort());
    const tied = (await api().get('/v1/commitments/hold-a-ministerial-roundtable').set(admin).expect(200)).body;
    expect(tied).toMatchObject({ due: null, needsDeadline: true, dueLink: { meetingId: 'ahg-som-2011', offset: 'P0D' } });
    const moved = await api().patch('/v1/meetings/ahg-som-2011').set(admin).send({ startsOn: '2011-03-21', endsOn: '2011-03-23', timeZone: 'Asia/Jakarta', status: 'planned' }).expect(200);
    expect(moved.body.deadlines.moved).toEqual(['hold-a-ministerial-roundtable']);
    const dated = (await api().get('/v1/commitments/hold-a-ministerial-roundtable').set(admin).expect(200)).body;
    expect(dated).toMatchObject({ due: { date: '2011-03-21', timeZone: 'Asia/Jakarta' }, needsDeadline: false, dueVersion: 2 });
  });

  it('when the seed statement (the seed file’s source.document) is drafted, then it finds the seed’s participants, commitments and the June/July warning', async () => {
    const seed = seedFile() as { meeting: { source: { document: string } }; parties: Array<{ id: string }>; commitments: Array<{ id: string; sourceText: string }> };
    const text = readFileSync(fileURLToPath(new URL(`../../${seed.meeting.source.document}`, import.meta.url)), 'utf8');
    const res = await draftOf(text).expect(200);
    expect(res.body.parties.map((p: { id: string }) => p.id).sort()).toEqual(seed.parties.map((p) => p.id).sort());
    expect(res.body.commitments.map((c: { sourceText: string }) => c.sourceText)).toEqual(seed.commitments.map((c) => c.sourceText));
    expect(JSON.stringify(res.body.warnings)).toMatch(/June/);
  });

  it('when the body is empty, binary, not text/plain or over 1 MiB, or the caller is not an admin, then a 4xx problem names it', async () => {
    const empty = await draftOf('').expect(400);
    expect(empty.body.errors[0].path).toBe('body');
    const binary = await draftOf(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0xfe])).expect(400);
    expect(binary.body.errors[0].path).toBe('body');
    const json = await draftOf(JSON.stringify({ text: 'participants agreed to meet' }), 'application/json').expect(415);
    expect(json.body.errors[0].path).toBe('Content-Type');
    const big = await draftOf('Participants agreed to meet again. '.repeat(31_000)).expect(413);
    expect(big.headers['content-type']).toMatch(/problem\+json/);
    await api().post('/v1/meetings/draft').set(bearer(TOKENS.lka)).set('Content-Type', 'text/plain').send('Participants agreed to meet again.').expect(403);
  });
});

describe('followup draft <file>', () => {
  it('when run on a statement, then it prints the same draft as the API; a missing file exits 1', async () => {
    const api200 = (await draftOf(readFileSync(STATEMENT, 'utf8')).expect(200)).body;
    const out = await cli(['--now', expected.options.now, 'draft', STATEMENT]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(api200);
    const missing = await cli(['draft', '/nonexistent/statement.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No file at /nonexistent/statement.txt');
  });
});
