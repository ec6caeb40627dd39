/**
 * Two Redis scripts under the reminder path, on real Redis:
 * - the send ledger's writes made in one turn of the event loop leave as one
 *   pipeline, and each caller still learns its own write's outcome;
 * - the status check's "record overdue once, and only for the version I read"
 *   (appendEventsOnce), which keeps a completion that lands between the
 *   check's read and its write from getting an overdue event after it.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeCommitment, createCommitment } from '../../src/domain/commitment.js';
import type { DomainEvent } from '../../src/domain/events.js';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { createRedisCommitmentStore } from '../../src/store/commitment-store.js';
import { createKeys } from '../../src/store/keys.js';
import { deletePrefix, newRedis, uniquePrefix } from '../support/redis.js';

const prefix = uniquePrefix('ledger-overdue');
const keys = createKeys(prefix);
let redis: Redis;
beforeAll(() => {
  redis = newRedis();
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('send ledger writes', () => {
  it('when many writes are made in one turn, then every one is stored and indexed before its promise resolves', async () => {
    const ledger = createSendLedger(redis, keys, 'reminder');
    const at = new Date('2009-10-01T01:00:00Z');
    const writes = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 3
        ? ledger.markFailed(`c-${i}--d1--due--LKA`, `Fp${i}@Example.org`, at, '550 no such user', 550)
        : ledger.markSent(`c-${i}--d1--due--LKA`, `Fp${i}@Example.org`, at, `<m${i}@followup>`),
    );
    await Promise.all(writes);
    const entries = await ledger.getMany(Array.from({ length: 40 }, (_, i) => `c-${i}--d1--due--LKA`));
    expect(entries.map((e, i) => e[`fp${i}@example.org`]?.state)).toEqual(Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? 'failed' : 'sent')));
    expect((await ledger.failed()).map((r) => r.sendId).sort()).toEqual(Array.from({ length: 10 }, (_, k) => `c-${k * 4 + 3}--d1--due--LKA`).sort());
    expect(await ledger.sent({ limit: 100 })).toHaveLength(30);
  });

  it('when one write of a batch fails in Redis, then only its caller sees the error and the others are stored', async () => {
    const ledger = createSendLedger(redis, keys, 'reminder');
    const at = new Date('2009-10-02T01:00:00Z');
    // A string where the entry hash should be: HSET answers WRONGTYPE for that one write.
    await redis.set(keys.ledgerEntry('reminder', 'broken--d1--due--LKA'), 'not a hash');
    const results = await Promise.allSettled([
      ledger.markSent('ok-1--d1--due--LKA', 'a@example.org', at, '<a@followup>'),
      ledger.markSent('broken--d1--due--LKA', 'b@example.org', at, '<b@followup>'),
      ledger.markSent('ok-2--d1--due--LKA', 'c@example.org', at, '<c@followup>'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect((await ledger.get('ok-1--d1--due--LKA', 'a@example.org'))?.state).toBe('sent');
    expect((await ledger.get('ok-2--d1--due--LKA', 'c@example.org'))?.state).toBe('sent');
  });
});

describe('recording the overdue event once, for the version read (recordOverdueOnce)', () => {
  const store = () => createRedisCommitmentStore(redis, keys);
  const input = (id: string) => ({
    id,
    meetingId: 'ahg-som-2009',
    title: `Workshop on information campaigns (${id})`,
    sourceText: 'An information campaign workshop before the end of 2009.',
    theme: null,
    leads: ['IDN'],
    members: [],
    due: { at: '2009-12-31T16:59:59Z' },
    reminderPolicy: null,
  });
  const overdue = (id: string, version: number): DomainEvent => ({
    type: 'commitment.overdue',
    commitmentId: id,
    meetingId: 'ahg-som-2009',
    at: '2010-01-01T00:00:00.000Z',
    who: 'status-check',
    version,
    changes: {},
    data: { dueVersion: 1 },
  });
  const marker = (id: string) => ({ key: keys.overdueMarker(id, 1), value: '2010-01-01T00:00:00.000Z' });
  const overdueEvents = async (id: string) => (await store().history(id)).filter((e) => e.type === 'commitment.overdue');

  it('when the commitment is still at the version read, then the event is recorded once and a repeat records nothing', async () => {
    const s = store();
    const { commitment: c } = createCommitment(input('once'), 'admin', new Date('2009-07-27T00:00:00Z'));
    await s.create({ commitment: c, events: [] });
    expect(await s.recordOverdueOnce(c.id, c.version, 1, marker(c.id).value, [overdue(c.id, c.version)])).toBe('ok');
    expect(await s.recordOverdueOnce(c.id, c.version, 1, marker(c.id).value, [overdue(c.id, c.version)])).toBe('already');
    expect(await overdueEvents(c.id)).toHaveLength(1);
    expect(await redis.get(marker(c.id).key)).toBe('2010-01-01T00:00:00.000Z');
  });

  it('when the commitment was completed after the read, then nothing is written and the caller is told to read again', async () => {
    const s = store();
    const { commitment: read } = createCommitment(input('raced'), 'admin', new Date('2009-07-27T00:00:00Z'));
    await s.create({ commitment: read, events: [] });
    // The completion lands between the status check's read (version 1) and its write.
    await s.mutate(read.id, (cur) => completeCommitment(cur, { note: 'Held in Jakarta', completedOn: '2009-12-30' }, 'admin', new Date('2009-12-31T20:00:00Z')));
    expect(await s.recordOverdueOnce(read.id, read.version, 1, marker(read.id).value, [overdue(read.id, read.version)])).toBe('changed');
    expect(await overdueEvents(read.id)).toEqual([]);
    expect(await redis.exists(marker(read.id).key)).toBe(0);
  });

  it('when the commitment does not exist, then nothing is written', async () => {
    expect(await store().recordOverdueOnce('gone', 1, 1, marker('gone').value, [overdue('gone', 1)])).toBe('missing');
    expect(await redis.exists(marker('gone').key)).toBe(0);
    expect(await redis.llen(keys.history('gone'))).toBe(0);
  });

  it('when a slot records several in one pipeline, then each gets its own answer and only the first of a pair is recorded', async () => {
    const s = store();
    const { commitment: a } = createCommitment(input('many-a'), 'admin', new Date('2009-07-27T00:00:00Z'));
    const { commitment: b } = createCommitment(input('many-b'), 'admin', new Date('2009-07-27T00:00:00Z'));
    await s.create({ commitment: a, events: [] });
    await s.create({ commitment: b, events: [] });
    await s.mutate(b.id, (cur) => completeCommitment(cur, { note: 'Held', completedOn: '2009-12-30' }, 'admin', new Date('2009-12-31T20:00:00Z')));
    const record = (c: { id: string; version: number }) => ({ commitmentId: c.id, version: c.version, dueVersion: 1, at: marker(c.id).value, events: [overdue(c.id, c.version)] });
    expect(await s.recordOverdueOnceMany([record(a), record(b), record(a), record({ id: 'many-gone', version: 1 })])).toEqual(['ok', 'changed', 'already', 'missing']);
    expect(await overdueEvents(a.id)).toHaveLength(1);
    expect(await overdueEvents(b.id)).toEqual([]);
  });
});
