/**
 * The queue dashboard reads like the domain: a reminder slot's job is named by
 * its instant, a group's own job by its commitment and step, a status check
 * and a reconcile by their commitment,
 * as bull-board's own JSON API shows them. Processors dispatch on the payload,
 * so the named jobs still run (the worker below reconciles them).
 */
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, createQueue } from '../../jobs/queues.js';
import { enqueueReminderRetry } from '../../jobs/reminder-jobs.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { TOKENS, bearer } from '../support/app.js';
import { deletePrefix, newRedis, uniquePrefix } from '../support/redis.js';
import { startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
let workers: RunningWorkers | null = null;
const workerRedis = newRedis();
const ID = 'workshop-information-campaigns';

beforeAll(async () => {
  h = await startReminderHarness('job-names', { workers: false });
});
afterAll(async () => {
  await workers?.close();
  await workerRedis.quit();
  await h.cleanup();
});

type BoardJob = { id: string; name: string; data: Record<string, unknown> };

/** The jobs bull-board's API lists for one queue and state, as an admin sees them. */
async function boardJobs(queue: string, status: string): Promise<BoardJob[]> {
  const res = await request(h.app).get('/admin/queues/api/queues').query({ activeQueue: queue, status, page: '1', jobsPerPage: '50' }).set(bearer(TOKENS.admin)).expect(200);
  const q = (res.body.queues as Array<{ name: string; jobs: BoardJob[] }>).find((x) => x.name === queue);
  return q?.jobs ?? [];
}

describe('job names on the queue dashboard', () => {
  it('when a commitment is created, then its reconcile job is named by the commitment, its reminder slots by their instant, and they still run', async () => {
    const due = new Date(Date.now() + 40 * 24 * 3600_000).toISOString().slice(0, 10);
    await request(h.app)
      .post('/v1/commitments')
      .set(bearer(TOKENS.admin))
      .send({
        id: ID,
        meetingId: 'ahg-som-2009',
        title: 'Workshop on information campaigns',
        leads: ['IDN'],
        members: [],
        due: { date: due, timeZone: 'Asia/Jakarta' },
        reminderPolicy: { before: ['P7D'], onDue: true, overdue: { every: 'P7D', max: 1 }, escalateAfter: null, sendAt: '09:00', quietDays: [] },
      })
      .expect(201);

    // No worker yet: the reconcile waits, named by its commitment.
    const reconciles = await boardJobs(QUEUES.reconcile, 'waiting');
    expect(reconciles.map((j) => j.name)).toEqual([`reconcile ${ID}`]);
    expect(reconciles[0]!.data).toEqual({ commitmentId: ID });

    workers = await startWorkers({ services: h.services, redis: workerRedis, options: { noFullReconcile: true, partyCacheMs: 0 } });
    const reminders = await until(async () => {
      const jobs = await boardJobs(QUEUES.reminders, 'delayed');
      return jobs.length >= 4 ? jobs : null;
    }, 15_000, 'the reconcile to schedule reminders');
    // Reminders (and the status check, 1 ms after the deadline) go out in slots, one job per instant
    // for every commitment due then: named by the instant.
    const names = reminders.map((j) => j.name).sort();
    expect(names).toHaveLength(4);
    for (const n of names) expect(n).toMatch(/^reminders \d{4}-\d{2}-\d{2}T\d{2}:00:00\.00[01]Z$/);
    // The name says what the payload says.
    for (const j of reminders) expect(j.name).toBe(`reminders ${new Date(Number(j.data.s)).toISOString()}`);
    // And each slot's logs, on the dashboard, name the commitments and steps it carries.
    const readLogs = () =>
      Promise.all(
        reminders.map(async (j) => {
          const res = await request(h.app).get(`/admin/queues/api/queues/${QUEUES.reminders}/${j.id}/logs`).set(bearer(TOKENS.admin)).expect(200);
          return (res.body as string[]).join('\n');
        }),
      );
    const logs = await until(async () => {
      const l = await readLogs();
      return l.every((x) => x.length > 0) ? l : null;
    }, 5000, "the slots' logs");
    expect(logs.sort()).toEqual([`${ID}: before-P7D`, `${ID}: due`, `${ID}: overdue-1`, `${ID}: status check`].sort());

    // The status check is in the slot just after the deadline: no job of its own.
    expect(await boardJobs(QUEUES.statusCheck, 'delayed')).toEqual([]);
  });

  it('when an admin retries a failed send, then the retry job names the commitment, the step, the party and that it is a retry', async () => {
    // A queue of its own, with no worker, so the retry job stays to be looked at.
    const prefix = uniquePrefix('job-names-retry');
    const conn = newRedis();
    const queue = createQueue(QUEUES.reminders, conn, prefix, pino({ level: 'silent' }));
    try {
      await enqueueReminderRetry(queue, `${ID}--d1--before-P7D--IDN`, { c: ID, v: 1, p: 'IDN' });
      // A send id of another shape still gets a name with its commitment and party.
      await enqueueReminderRetry(queue, 'legacy-send-id', { c: ID, v: 1, p: 'LKA' });
      const names = (await queue.getJobs(['waiting'])).map((j) => j.name).sort();
      expect(names).toEqual([`reminder ${ID} LKA retry`, `reminder ${ID} before-P7D IDN retry`].sort());
    } finally {
      await queue.close();
      await deletePrefix(conn, prefix);
      await conn.quit();
    }
  });
});
