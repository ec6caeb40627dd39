/**
 * A poisoned commitment fails alone: one document that cannot be viewed or planned (here a
 * deadline instant that is not a date, written past the schema as a corrupt or older document
 * would be) is left out of the list and the status page, and its reconcile fails once, each
 * logged with its id and counted in followup_commitment_errors_total; every other commitment is
 * listed, shown and scheduled.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { createScheduleIndex } from '../../src/store/schedule-index.js';
import { startWorkers, type RunningWorkers } from '../../workers/index.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { newRedis } from '../support/redis.js';
import { reconcilesIdle, until } from '../support/reminder-harness.js';

const ctx = createTestContext('poisoned', {}, '2009-08-01T00:00:00Z');
const POISONED = 'workshop-information-campaigns';
const metrics = createMetrics();
const workerRedis = newRedis({ maxRetriesPerRequest: null });
let workers: RunningWorkers | undefined;

const errorsAt = async (where: string) => Number((await metrics.registry.getSingleMetricAsString('followup_commitment_errors_total')).match(new RegExp(`where="${where}"\\} (\\d+)`))?.[1] ?? NaN);

beforeAll(async () => {
  await ctx.seed();
  // Two more with deadlines, so they have reminders to schedule.
  for (const id of ['expert-meetings-prosecuting-smuggling-syndicates', 'information-paper-protection-registration']) {
    await ctx.services.commitments.patch(id, { due: { date: '2009-12-01', timeZone: 'Asia/Jakarta' } }, { name: 'seed' });
  }
  const key = ctx.keys.commitment(POISONED);
  const doc = JSON.parse((await ctx.redis.hget(key, 'json'))!);
  await ctx.redis.hset(key, 'json', JSON.stringify({ ...doc, due: { at: 'not-a-date' } }));
});
afterAll(async () => {
  await workers?.close();
  workerRedis.disconnect();
  await ctx.cleanup();
});

describe('one poisoned commitment', () => {
  it('is left out of the list, reported and counted; the other five are listed', async () => {
    const app = ctx.withApp({}, {}, { metrics });
    const res = await request(app).get('/v1/commitments').set(bearer(TOKENS.admin)).expect(200);
    const ids = res.body.items.map((c: { id: string }) => c.id);
    expect(ids).toHaveLength(5);
    expect(ids).not.toContain(POISONED);
    expect(await errorsAt('view')).toBe(1);
  });

  it('is left out of the status page, which still renders the others', async () => {
    const app = ctx.withApp({}, {}, { metrics });
    const page = await request(app).get('/').expect(200);
    expect(page.text).toContain('Technical expert meetings on prosecuting people');
    expect(await errorsAt('status-page')).toBeGreaterThanOrEqual(1);
  });

  it('fails its own reconcile once, reported, without retries; every other commitment is scheduled', async () => {
    const services = ctx.servicesWith({}, { metrics });
    workers = await startWorkers({ services, redis: workerRedis, options: { noFullReconcile: true } });
    await services.commitments.rescheduleAll();
    const reconcile = workers.queues.reconcile;
    await until(() => reconcilesIdle(reconcile), 20_000, 'every reconcile to finish');
    const failed = await reconcile.getJobs(['failed']);
    // Once per reconcile asked for (the sweep at start may ask before the full one), never retried.
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(failed.map((j) => j.data.commitmentId))).toEqual(new Set([POISONED]));
    expect(failed.map((j) => j.attemptsMade)).toEqual(failed.map(() => 1));
    expect(await errorsAt('reconcile')).toBe(failed.length);
    // The others with a deadline have their reminders scheduled (in the slots of their instants).
    const schedule = createScheduleIndex(ctx.redis, ctx.keys);
    const slots = (await workers.queues.reminders.getJobs(['delayed', 'waiting'])).map((j) => Number(j.data.s));
    const members = (await Promise.all(slots.map((at) => schedule.slotMembers(at)))).flat();
    const scheduled = [...new Set(members.map((m) => m.split('|')[0]))].sort();
    expect(scheduled).toEqual(['expert-meetings-prosecuting-smuggling-syndicates', 'information-paper-protection-registration']);
  });
});
