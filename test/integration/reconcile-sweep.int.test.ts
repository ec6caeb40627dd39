/**
 * No acknowledged write goes unreconciled. The script that writes a commitment also marks it
 * unreconciled at its version; the reconcile that planned from that version clears the mark, and
 * a sweep enqueues a reconcile for any mark left behind: a write whose own reconcile was never
 * enqueued (the queue unreachable, the process killed in between) still gets its reminders.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/app/ports.js';
import { createServices } from '../../src/app/services.js';
import { systemClock } from '../../src/domain/clock.js';
import { CommitmentInputSchema, type CommitmentInput } from '../../src/domain/commitment.js';
import { NO_HOLIDAYS } from '../../src/domain/holidays.js';
import { createScheduleIndex } from '../../src/store/schedule-index.js';
import { DUE_ONLY, instant, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
beforeAll(async () => {
  h = await startReminderHarness('reconcile-sweep', { env: { RECONCILE_SWEEP_EVERY: 'PT1S' } });
});
afterAll(() => h.cleanup());

const admin = { name: 'admin' };
const input = (i: CommitmentInput) => CommitmentInputSchema.parse(i);
/** The version a commitment is marked unreconciled at, or null: each test reads only its own mark. */
const markOf = (id: string) => h.redis.zscore(h.keys.unreconciled, id);
/** Reconcile jobs queued for one commitment (the sweep's own scheduled run may be waiting too, and is not one). */
async function reconcilesQueuedFor(id: string): Promise<number> {
  const jobs = await h.queues.reconcile.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
  return jobs.filter((j) => (j?.data as { commitmentId?: string } | undefined)?.commitmentId === id).length;
}

/** The services of an API process whose queue is unreachable: every enqueue fails after the write. */
function servicesWithoutQueue() {
  const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  const scheduler: Scheduler = { commitmentsChanged: down, retryReminder: down, deliverDigest: down };
  return createServices(h.config, { redis: h.redis, notifier: h.mailer }, { clock: systemClock, logger: pino({ level: 'silent' }), holidays: NO_HOLIDAYS, scheduler });
}

describe('the reconcile sweep', () => {
  it('when a write is stored but its reconcile is never enqueued, then the sweep schedules it and the reminder arrives once', async () => {
    const lost = servicesWithoutQueue();
    // The sweep runs every second, in the reconcile queue: hold the queue while the write is
    // checked, or the sweep may already have queued its reconcile by the time we look.
    await h.queues.reconcile.pause();
    await until(async () => (await h.queues.reconcile.getActiveCount()) === 0, 10_000, 'the reconcile run in flight');
    try {
      const id = 'sweep-lost-enqueue';
      const c = await lost.commitments.create(
        input({ id, meetingId: 'ahg-som-2009', title: 'Information paper on protection and registration', leads: ['LKA'], members: [], due: { at: instant(3_000) }, reminderPolicy: DUE_ONLY }),
        admin,
      );
      // Stored and acknowledged, marked at its version, and nothing queued for it.
      expect(await markOf(id)).toBe(String(c.version));
      expect(await reconcilesQueuedFor(id)).toBe(0);
      await h.queues.reconcile.resume();

      await until(() => h.mailFor(id).length > 0, 20_000, 'the reminder of the write whose reconcile was lost');
      await h.settled(id);
      const lka = await h.services.parties.get('LKA');
      expect(h.mailFor(id).map((m) => m.envelopeTo.join())).toEqual([lka!.contacts.map((x) => x.email).join()]);
      expect(await markOf(id)).toBeNull();
    } finally {
      await h.queues.reconcile.resume();
      await lost.close();
    }
  });

  it('a reconcile of an older version leaves the mark of a later write', async () => {
    const id = 'sweep-later-write';
    const lost = servicesWithoutQueue();
    // The sweep runs every second: hold the reconcile queue (and let a run in flight finish) so
    // that only this test's calls clear the mark.
    await h.queues.reconcile.pause();
    await until(async () => (await h.queues.reconcile.getActiveCount()) === 0, 10_000, 'the reconcile run in flight');
    try {
      const c1 = await lost.commitments.create(
        input({ id, meetingId: 'ahg-som-2009', title: 'Technical meeting on irregular maritime ventures', leads: ['IDN'], members: [], due: { at: instant(3_600_000) }, reminderPolicy: DUE_ONLY }),
        admin,
      );
      const c2 = await lost.commitments.patch(id, { title: 'Technical meeting on irregular maritime ventures (Jakarta)' }, admin);
      expect(c2.version).toBeGreaterThan(c1.version);
      const schedule = createScheduleIndex(h.redis, h.keys);
      await schedule.reconciled(id, c1.version);
      expect(await markOf(id)).toBe(String(c2.version));
      await schedule.reconciled(id, c2.version);
      expect(await markOf(id)).toBeNull();
    } finally {
      await h.queues.reconcile.resume();
      await lost.close();
    }
  });
});
