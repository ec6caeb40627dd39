/**
 * One job per group of sends: the sends of one step that fall on one instant.
 * Parties whose 09:00 is the same moment share a job; a party whose time zone
 * changes moves to the group of its new 09:00 (the PATCH reschedules), and
 * the jobs always match the plan's distinct (step, instant) pairs.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer } from '../support/app.js';
import { slotJobId } from '../../jobs/reminder-jobs.js';
import { createScheduleIndex } from '../../src/store/schedule-index.js';
import { sendIdOf, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
beforeAll(async () => {
  h = await startReminderHarness('rem-groups');
  const party = (id: string, timeZone: string) =>
    h.addParty({ id, name: `Party ${id}`, kind: 'state', timeZone, contacts: [{ name: id, email: `${id.toLowerCase()}@example.org` }], roles: [] });
  await party('QA-SYD', 'Australia/Sydney');
  await party('QA-MEL', 'Australia/Melbourne');
  await party('QA-KBL', 'Asia/Kabul');
  // 25 hours apart: their local weekdays always differ.
  await party('QA-KIR', 'Pacific/Kiritimati');
  await party('QA-PPG', 'Pacific/Pago_Pago');
});
afterAll(() => h.cleanup());

type Item = { stepKey: string; partyId: string; at: string; state: string };

/** Create a commitment of the 2009 meeting through the API. */
const create = (body: Record<string, unknown>) =>
  request(h.app).post('/v1/commitments').set(bearer(TOKENS.admin)).send({ meetingId: 'ahg-som-2009', members: [], ...body }).expect(201);

/** The plan's distinct (step, instant) pairs, from the API. */
async function plannedPairs(id: string): Promise<string[]> {
  const res = await request(h.app).get(`/v1/commitments/${id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
  const items = res.body.items as Item[];
  return [...new Set(items.filter((i) => i.state === 'planned').map((i) => `${i.stepKey}@${Date.parse(i.at)}`))].sort();
}

/** The scheduled groups' (step, instant) pairs: in a slot, or in a job of their own. */
async function jobPairs(id: string): Promise<string[]> {
  const own = (await h.queues.reminders.getJobs(['delayed', 'waiting'])).filter((j) => j.data.c === id).map((j) => `${String(j.data.k)}@${Number(j.data.t)}`);
  const inSlots = (await h.scheduledGroups(id)).filter((g) => g.includes('|')).map((g) => {
    const [, , k, t] = g.split('|');
    return `${k}@${t}`;
  });
  return [...own, ...inSlots].sort();
}

describe('reminder jobs by group', () => {
  it('when parties share a local 09:00, then one job sends to all of them; a time zone change moves the party to its new group', async () => {
    const id = 'groups-by-instant';
    const due = new Date(Date.now() + 40 * 24 * 3600_000).toISOString().slice(0, 10);
    await create({
      id,
      title: 'Expert working group on irregular movement by air',
      leads: ['QA-SYD'],
      members: ['QA-MEL', 'QA-KBL'],
      due: { date: due, timeZone: 'Australia/Sydney' },
      reminderPolicy: { before: ['P7D'], onDue: true, overdue: { every: 'P7D', max: 0 }, escalateAfter: null, sendAt: '09:00', quietDays: [] },
    });

    // Six sends (two steps × three parties) at two instants per step: Sydney and Melbourne share one.
    let pairs = await plannedPairs(id);
    expect(pairs).toHaveLength(4);
    await until(async () => (await jobPairs(id)).length === 4, 10_000, 'four jobs');
    expect(await jobPairs(id)).toEqual(pairs);

    // Kabul's focal point moves to Sydney time: every step now falls on one instant.
    await request(h.app).patch('/v1/parties/QA-KBL').set(bearer(TOKENS.admin)).send({ timeZone: 'Australia/Sydney' }).expect(200);
    pairs = await plannedPairs(id);
    expect(pairs).toHaveLength(2);
    await until(async () => (await jobPairs(id)).join() === pairs.join(), 10_000, 'the jobs to follow the new zone');

    // And Melbourne to Auckland: a separate group again, at Auckland's 09:00.
    await request(h.app).patch('/v1/parties/QA-MEL').set(bearer(TOKENS.admin)).send({ timeZone: 'Pacific/Auckland' }).expect(200);
    pairs = await plannedPairs(id);
    expect(pairs).toHaveLength(4);
    await until(async () => (await jobPairs(id)).join() === pairs.join(), 10_000, 'the jobs to follow Auckland');
    expect(h.mailFor(id)).toHaveLength(0);
  });

  it('when a missed notice waits out a quiet day for one party of its group, then the others get it now and the job waits for the rest', async () => {
    const id = 'groups-catch-up-quiet-day';
    // Today, locally, is quiet in Kiritimati and not in Pago Pago (a day behind).
    const runs: string[] = [];
    h.workers!.workers.find((w) => w.name === 'reminders')!.on('active', (job) => {
      runs.push(String(job.id));
    });
    const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(new Intl.DateTimeFormat('en-US', { timeZone: 'Pacific/Kiritimati', weekday: 'short' }).format(new Date()));
    await create({
      id,
      title: 'Sub-group of affected countries',
      leads: ['QA-KIR', 'QA-PPG'],
      // Two days ago: the one follow-up, an hour after the deadline, is long missed (catch-up window 12 h).
      due: { at: new Date(Date.now() - 2 * 24 * 3600_000).toISOString() },
      reminderPolicy: { before: [], onDue: false, overdue: { every: 'PT1H', max: 1 }, escalateAfter: null, sendAt: null, quietDays: [weekday] },
    });

    // Pago Pago's catch-up notice goes out now; Kiritimati's waits for its next working day.
    await until(() => h.mailFor(id).length >= 1, 10_000, "Pago Pago's overdue notice");
    // The job has moved itself to Kiritimati's instant: nothing of this commitment is waiting or running.
    await h.settled(id, { delayedToo: false });
    expect(h.mailFor(id).map((m) => [sendIdOf(m), m.envelopeTo.join()])).toEqual([[`${id}--d1--overdue-1--QA-PPG`, 'qa-ppg@example.org']]);

    const view = await request(h.app).get(`/v1/commitments/${id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
    const items = view.body.items as Item[];
    const kir = items.find((i) => i.partyId === 'QA-KIR')!;
    expect(items.map((i) => `${i.partyId}=${i.state}`).sort()).toEqual(['QA-KIR=planned', 'QA-PPG=sent']);
    expect(Date.parse(kir.at)).toBeGreaterThan(Date.now() + 3600_000);
    // One group for both, still in its slot, whose job is now delayed until Kiritimati's instant.
    const [[, slotAt]] = (await createScheduleIndex(h.redis, h.keys).pendingGroups(id)) as [[string, number]];
    const job = (await h.queues.reminders.getJob(slotJobId(slotAt)))!;
    expect(await job.getState()).toBe('delayed');
    expect(runs.filter((r) => r === job.id)).toHaveLength(1);
    // The wait is counted in the job's data, so it does not use up one of the mail tries.
    expect(job.data.w).toBe(1);
    // BullMQ scores a delayed job by its due time × 4096 (plus a counter). With sendAt null the
    // catch-up keeps the local wall time of "now", so the view (computed a moment later) is a little later.
    const score = Number(await h.redis.zscore(h.queues.reminders.keys.delayed!, job.id!));
    const lag = Date.parse(kir.at) - Math.floor(score / 4096);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(10_000);

    // A later reconcile (any change, or the periodic full one) does not pull the group back to the
    // instant of the send already delivered: it moves it to the slot of Kiritimati's instant.
    await h.services.scheduler.commitmentsChanged([id]);
    await h.settled(id, { delayedToo: false });
    expect(runs.filter((r) => r === job.id)).toHaveLength(1);
    expect(await jobPairs(id)).toHaveLength(1);
    const [[, movedTo]] = (await createScheduleIndex(h.redis, h.keys).pendingGroups(id)) as [[string, number]];
    expect(Math.abs(movedTo - Date.parse(kir.at))).toBeLessThan(10_000);
    expect(h.mailFor(id)).toHaveLength(1);
  });
});
