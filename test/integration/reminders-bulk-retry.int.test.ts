/**
 * The bulk retry: POST /v1/reminders/retry { state: "failed", commitmentId?, since? } → 202 { count },
 * and `followup reminders retry [--commitment id] [--since ISO]`. Every failed send that matches
 * is queued again (sends of a closed commitment are left); bad filters are 400s naming the field.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { redisUrl, snapshotPrefix } from '../support/redis.js';
import { createSendLedger } from '../../src/store/ledger-store.js';

const ctx = createTestContext('bulk-retry');
const admin = bearer(TOKENS.admin);
const WORKSHOP = 'workshop-information-campaigns';
const EXPERT = 'expert-meetings-prosecuting-smuggling-syndicates';
const PAPER = 'information-paper-protection-registration';
const BIN = fileURLToPath(new URL('../../bin/followup.js', import.meta.url));

let reminders: Queue;
const queued = async () => (await reminders.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.data.m === 1).map((j) => `${j.data.c}`).sort();

async function fail(commitmentId: string, step: string, at: string) {
  const ledger = createSendLedger(ctx.redis, ctx.keys, 'reminder');
  const sendId = `${commitmentId}--d1--${step}--IDN`;
  await ledger.markFailed(sendId, 'focal-point.idn@example.org', new Date(at), 'mailbox unavailable', 550, { commitmentId, partyId: 'IDN', step, dueVersion: 1, plannedAt: at });
  return sendId;
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), REDIS_PREFIX: ctx.prefix, NODE_ENV: 'test' }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  await ctx.seed();
  reminders = ctx.services.queues.find((q) => q.name === 'reminders')!;
  await fail(WORKSHOP, 'before-P7D', '2009-11-01T02:00:00Z');
  await fail(WORKSHOP, 'before-P1D', '2009-11-07T02:00:00Z');
  await fail(EXPERT, 'due', '2009-11-08T02:00:00Z');
  await fail(PAPER, 'due', '2009-11-09T02:00:00Z');
  await ctx.services.commitments.cancel(PAPER, 'dropped', { name: 'seed' });
});
afterAll(() => ctx.cleanup());

describe('POST /v1/reminders/retry', () => {
  it('refuses a bad filter with a 400 naming the field, and changes nothing', async () => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    for (const [body, path] of [
      [{ state: 'sent' }, 'state'],
      [{}, 'state'],
      [{ state: 'failed', since: '2009-11-01' }, 'since'],
      [{ state: 'failed', commitmentId: 'Not A Slug' }, 'commitmentId'],
      [{ state: 'failed', extra: 1 }, 'extra'],
    ] as const) {
      const res = await request(ctx.app).post('/v1/reminders/retry').set(admin).send(body).expect(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    await request(ctx.app).post('/v1/reminders/retry').set(bearer(TOKENS.idn)).send({ state: 'failed' }).expect(403);
    await request(ctx.app).post('/v1/reminders/retry').set(bearer(TOKENS.viewer)).send({ state: 'failed' }).expect(403);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('filters by commitment and by failure time, and queues each matching send once', async () => {
    const one = await request(ctx.app).post('/v1/reminders/retry').set(admin).send({ state: 'failed', commitmentId: EXPERT }).expect(202);
    expect(one.body).toEqual({ count: 1 });
    expect(await queued()).toEqual([EXPERT]);
    const since = await request(ctx.app).post('/v1/reminders/retry').set(admin).send({ state: 'failed', commitmentId: WORKSHOP, since: '2009-11-05T00:00:00Z' }).expect(202);
    expect(since.body).toEqual({ count: 1 });
    expect(await queued()).toEqual([EXPERT, WORKSHOP]);
  });

  it('without a filter queues every failed send of an open commitment; a cancelled one is left', async () => {
    const res = await request(ctx.app).post('/v1/reminders/retry').set(admin).send({ state: 'failed' }).expect(202);
    // Three open sends match (WORKSHOP ×2, EXPERT); the retry job of a send is deduplicated by its id.
    expect(res.body).toEqual({ count: 3 });
    expect(await queued()).toEqual([EXPERT, WORKSHOP, WORKSHOP]);
  });
});

describe('followup reminders retry', () => {
  it('queues the failed sends and says how many; a bad --since is a usage error', async () => {
    const r = await cli(['reminders', 'retry', '--commitment', WORKSHOP]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 failed sends queued again.');
    const bad = await cli(['reminders', 'retry', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
  }, 120_000);

  it('`reminders failed` points at the bulk retry that exists', async () => {
    const r = await cli(['reminders', 'failed']);
    expect(r.stdout).toContain('followup reminders retry');
  }, 120_000);
});
