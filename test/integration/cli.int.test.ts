import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QUEUES, createQueue } from '../../jobs/queues.js';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { createRedisCommitmentStore } from '../../src/store/commitment-store.js';
import { createKeys } from '../../src/store/keys.js';
import { SEED_FILE, seedFile } from '../support/app.js';
import { deletePrefix, newRedis, redisUrl, snapshotPrefix, uniquePrefix } from '../support/redis.js';

const BIN = fileURLToPath(new URL('../../bin/followup.js', import.meta.url));
const prefix = uniquePrefix('cli');
const redis = newRedis();
const keys = createKeys(prefix);
const store = createRedisCommitmentStore(redis, keys);
const dir = mkdtempSync(join(tmpdir(), 'followup-cli-'));
const reconcileQueue = createQueue(QUEUES.reconcile, redis, prefix, pino({ level: 'silent' }));

/** Spawn the real `followup` bin against this file's prefix. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, NODE_ENV: 'test', ...env }, timeout: 25_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

// Each spawn compiles the CLI with tsx afresh; on a busy two-core machine that takes seconds.
vi.setConfig({ testTimeout: 120_000 });

const WORKSHOP = 'workshop-information-campaigns';
const EXPERT = 'expert-meetings-prosecuting-smuggling-syndicates';

beforeAll(async () => {
  await deletePrefix(redis, prefix);
  await reconcileQueue.waitUntilReady();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await reconcileQueue.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('followup import', () => {
  it('when a meeting file has a bad field, then it exits 1 naming the field and loads nothing', async () => {
    const bad = seedFile() as { commitments: Array<{ due: unknown }> };
    bad.commitments[4]!.due = { date: '2009-12-32', timeZone: 'Asia/Jakarta' };
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const before = await snapshotPrefix(redis, prefix);
    const r = await cli(['import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was loaded');
    expect(r.stderr).toContain('commitments.4.due.date: expected a real calendar date');
    expect(await snapshotPrefix(redis, prefix)).toEqual(before);
  });

  it('when the seed is imported, then six commitments are created and reconciles are enqueued; a second import changes nothing', async () => {
    const first = await cli(['import', fileURLToPath(SEED_FILE)]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Meeting ahg-som-2009: created');
    expect(first.stdout).toContain('Commitments: 6 created, 0 already present');
    expect(await store.allIds()).toHaveLength(6);
    const counts = await reconcileQueue.getJobCounts('waiting', 'delayed');
    expect(counts.waiting! + counts.delayed!).toBe(6);

    const again = await cli(['import', fileURLToPath(SEED_FILE)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Commitments: 0 created, 6 already present');
  });

  it('when a file is large, then progress is reported on stderr while it loads', async () => {
    const big = {
      meeting: { id: 'big-meeting', title: 'A large meeting', startDate: '2010-03-01', endDate: '2010-03-02', source: { title: 'generated' } },
      commitments: Array.from({ length: 1200 }, (_, i) => ({ id: `bulk-item-${i}`, title: `Bulk item ${i}`, leads: ['IDN'] })),
    };
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify(big));
    const r = await cli(['import', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('imported 600 of 1200 commitments (50 %)');
    expect(r.stdout).toContain('Commitments: 1200 created');
  });

  it('when the file is missing or not JSON, then it exits 1 with a plain message', async () => {
    const missing = await cli(['import', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No file at');
    writeFileSync(join(dir, 'broken.json'), '{"meeting":');
    const broken = await cli(['import', join(dir, 'broken.json')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not valid JSON');
  });
});

describe('followup list and complete', () => {
  it('when listing by party, status or overdue at a pinned time, then only matching commitments are printed', async () => {
    const [lka, overdue, bad] = await Promise.all([
      cli(['list', '--party', 'LKA']),
      cli(['list', '--overdue', '--meeting', 'ahg-som-2009', '--now', '2010-01-15T00:00:00Z', '--json']),
      cli(['list', '--status', 'finished']),
    ]);
    expect(lka.code).toBe(0);
    expect(lka.stdout).toContain('sub-group-sri-lankan-caseload');
    expect(lka.stdout).toContain('1 commitment.');
    expect(JSON.parse(overdue.stdout).map((c: { id: string; overdue: boolean }) => [c.id, c.overdue])).toEqual([[WORKSHOP, true]]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status: unknown status finished');
  });

  it('when a unit is recorded with evidence, then the store shows it, recorded by the CLI', async () => {
    const r = await cli(['complete', EXPERT, '--note', 'First expert meeting held', '--url', 'https://example.org/r1', '--on', '2009-11-20', '--units', '1', '--as', 'secretariat-cli']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${EXPERT} is now in progress (1 of 2), version 2.\n`);
    const c = await store.mustGet(EXPERT);
    expect(c.target).toEqual({ units: 2, done: 1 });
    expect(c.evidence[0]).toMatchObject({ note: 'First expert meeting held', evidenceUrl: 'https://example.org/r1', completedOn: '2009-11-20', recordedBy: 'secretariat-cli' });
  });

  it('when the completion is invalid or the id unknown, then it exits 1 naming the option, and 2 for a usage error', async () => {
    const [badDate, noNote, unknown, usage] = await Promise.all([
      cli(['complete', WORKSHOP, '--note', 'held', '--on', '2009-02-30']),
      cli(['complete', WORKSHOP, '--note', '   ']),
      cli(['complete', 'no-such-thing', '--note', 'x']),
      cli(['frobnicate']),
    ]);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('--on: expected a real calendar date');
    expect(noNote.code).toBe(1);
    expect(noNote.stderr).toContain('--note:');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No commitment has the id no-such-thing.');
    expect((await store.mustGet(WORKSHOP)).version).toBe(1);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Unknown command frobnicate');
  });
});

describe('followup reminders, reconcile, digest', () => {
  it('when deliveries failed, then `reminders failed` lists them newest first', async () => {
    const ledger = createSendLedger(redis, keys, 'reminder');
    await ledger.markFailed(`r-${WORKSHOP}-1-p7d`, 'focal-point.idn@example.org', new Date('2009-12-24T02:00:00Z'), 'mailbox unavailable', 550, { commitmentId: WORKSHOP, step: 'before:P7D' });
    const r = await cli(['reminders', 'failed']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`2009-12-24T02:00:00.000Z  focal-point.idn@example.org ${WORKSHOP}  r-${WORKSHOP}-1-p7d  550 mailbox unavailable`);
    const json = JSON.parse((await cli(['reminders', 'failed', '--json'])).stdout) as unknown[];
    expect(json).toHaveLength(1);
  });

  it('when `reconcile` runs, then every commitment gets a reconcile job', async () => {
    await reconcileQueue.obliterate({ force: true });
    const r = await cli(['reconcile']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Enqueued a reconcile of 1206 commitments');
    const counts = await reconcileQueue.getJobCounts('waiting');
    expect(counts.waiting).toBe(1206);
  });

  it('when `digest preview` runs, then the digest is printed and nothing is sent or archived', async () => {
    const before = await redis.keys(`${keys.bullPrefix}:digest*`);
    const r = await cli(['digest', 'preview', '--now', '2010-01-15T00:00:00Z']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Subject: /);
    expect(r.stdout).toContain('Workshop on information campaigns: overdue since');
    expect(await redis.keys(`${keys.bullPrefix}:digest*`)).toEqual(before);
  });

  it('when Redis cannot be reached, then it exits 3 and says how to start Redis', async () => {
    const r = await cli(['list'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot reach Redis');
  });
});
