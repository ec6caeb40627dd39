/**
 * Reminders at run time: they arrive at their planned instants
 * (never before), completion stops the rest (both guards), and a moved
 * deadline's old plan never sends. Real Redis, real BullMQ, real SMTP, real
 * clock; the tests assert what arrives and "not before the planned instant", never
 * durations.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeCommitment } from '../../src/domain/commitment.js';
import { patchCommitment } from '../../src/domain/commitment.js';
import { TOKENS, bearer } from '../support/app.js';
import { FAST_POLICY, instant, plannedAtOf, sendIdOf, sleep, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
beforeAll(async () => {
  h = await startReminderHarness('rem-delivery');
});
afterAll(() => h.cleanup());

async function create(id: string, dueInMs: number, extra: Record<string, unknown> = {}) {
  const res = await request(h.app)
    .post('/v1/commitments')
    .set(bearer(TOKENS.admin))
    .send({
      id,
      meetingId: 'ahg-som-2009',
      title: `Technical meeting on irregular maritime ventures (${id})`,
      sourceText: 'Participants agreed to convene a technical meeting on irregular maritime ventures.',
      leads: ['LKA'],
      members: ['IDN'],
      due: { at: instant(dueInMs) },
      reminderPolicy: FAST_POLICY,
      ...extra,
    })
    .expect(201);
  return res.body as { id: string; dueAt: string };
}

/**
 * Seven sends, four groups: LKA and IDN get each step at the exact instant (sendAt null), so
 * before-PT4S, before-PT2S and due each go out as one group for both; overdue-1 is LKA's alone.
 */
const JOBS = 4;
const pendingJobs = (id: string) => h.scheduledGroups(id);

describe.concurrent('reminders at run time', () => {
  it('when a deadline is 6 s away, then every step of the plan arrives once, none before its planned instant', async () => {
    const c = await create('arrive-on-time', 6000);
    const plan = await request(h.app).get(`/v1/commitments/${c.id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
    const planned = new Map<string, string>(plan.body.items.map((i: { id: string; at: string }) => [i.id, i.at]));
    // LKA (lead): before-PT4S, before-PT2S, due, overdue-1; IDN (member): the first three.
    expect(planned.size).toBe(7);

    await until(() => h.mailFor(c.id).length >= 7, 20_000, '7 reminders');
    await h.settled(c.id);
    const mail = h.mailFor(c.id);
    expect(mail).toHaveLength(7);
    for (const m of mail) {
      expect(planned.get(sendIdOf(m))).toBe(plannedAtOf(m));
      expect(m.receivedAt).toBeGreaterThanOrEqual(Date.parse(plannedAtOf(m)));
    }
    // Each recipient's steps, by planned instant. Arrival order is not compared: on a machine
    // loaded enough that a step runs past the next one's instant, the two go out together, on
    // two pooled connections, and either may land first. Never early (above) is what holds.
    const order = (to: string) =>
      mail
        .filter((m) => m.envelopeTo.includes(to))
        .sort((a, b) => Date.parse(plannedAtOf(a)) - Date.parse(plannedAtOf(b)))
        .map((m) => sendIdOf(m).split('--')[2]);
    expect(order('focal-point.lka@example.org')).toEqual(['before-PT4S', 'before-PT2S', 'due', 'overdue-1']);
    expect(order('focal-point.idn@example.org')).toEqual(['before-PT4S', 'before-PT2S', 'due']);
    expect(mail.find((m) => sendIdOf(m).includes('before-PT4S'))!.parsed.subject).toBe(`Due in 4 seconds: Technical meeting on irregular maritime ventures (${c.id})`);

    // The status check recorded the overdue event once, and the API shows it.
    const history = await request(h.app).get(`/v1/commitments/${c.id}/history`).set(bearer(TOKENS.admin)).expect(200);
    expect(history.body.items.filter((e: { type: string }) => e.type === 'commitment.overdue')).toHaveLength(1);
    expect(history.body.items.filter((e: { type: string }) => e.type === 'reminder.sent')).toHaveLength(7);
    const view = await request(h.app).get(`/v1/commitments/${c.id}`).set(bearer(TOKENS.admin)).expect(200);
    expect(view.body.overdue).toBe(true);
    const after = await request(h.app).get(`/v1/commitments/${c.id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
    expect(after.body.items.map((i: { state: string }) => i.state)).toEqual(Array(7).fill('sent'));
  });

  it('when a commitment is completed, then its pending jobs are removed and no further reminder is sent', async () => {
    const c = await create('complete-stops', 6000);
    await until(() => h.mailFor(c.id).length >= 2, 15_000, 'the first step');
    expect((await pendingJobs(c.id)).length).toBeGreaterThan(0);
    // The slots holding its groups now: the completion takes the groups out, but a slot already running may be sending one.
    const slots = await h.slotsOf(c.id);
    await request(h.app).post(`/v1/commitments/${c.id}/complete`).set(bearer(TOKENS.lka)).send({ note: 'Held in Colombo', completedOn: '2026-03-01' }).expect(200);
    await until(async () => (await pendingJobs(c.id)).length === 0, 5000, 'stale jobs removed');
    // A job already running when the completion landed may have passed its guard; count once it is done.
    await until(async () => (await h.queues.reminders.getJobs(['active'])).every((j) => (j.data as { c?: string }).c !== c.id), 5000, 'running jobs finished');
    await h.slotsIdle(slots);
    const sentBefore = h.mailFor(c.id).length;

    // Past the last planned instant (overdue-1 at deadline + 2 s), with margin.
    await sleep(Math.max(0, Date.parse(c.dueAt) + 3000 - Date.now()));
    expect(h.mailFor(c.id)).toHaveLength(sentBefore);
    const view = await request(h.app).get(`/v1/commitments/${c.id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
    const unsent = view.body.items.filter((i: { state: string }) => i.state !== 'sent');
    expect(unsent.length).toBeGreaterThan(0);
    expect(unsent.every((i: { state: string; skipReason: string }) => i.state === 'skipped' && i.skipReason === 'commitment done')).toBe(true);
  });

  it('when a commitment is completed behind the scheduler\'s back, then each job still checks at fire time and sends nothing', async () => {
    const c = await create('fire-time-guard', 6000);
    await until(async () => (await pendingJobs(c.id)).length === JOBS, 5000, 'jobs scheduled');
    // No onChange: the delayed jobs stay; only the fire-time guard stands between them and the mail server.
    await h.deps.commitments.mutate(c.id, (cur) => completeCommitment(cur, { note: 'done offline', completedOn: '2026-03-01' }, 'test', new Date()));
    expect((await pendingJobs(c.id)).length).toBe(JOBS);
    await until(async () => (await pendingJobs(c.id)).length === 0, 15_000, 'the jobs to fire');
    await h.settled(c.id);
    expect(h.mailFor(c.id)).toHaveLength(0);
  });

  it('when a deadline moves, then the old plan never sends and the new one does', async () => {
    const c = await create('deadline-moves', 6000);
    await request(h.app).patch(`/v1/commitments/${c.id}`).set(bearer(TOKENS.admin)).send({ due: { at: instant(9000) } }).expect(200);
    await until(() => h.mailFor(c.id).length >= 7, 25_000, 'the new plan');
    await h.settled(c.id);
    const ids = h.mailFor(c.id).map(sendIdOf);
    expect(ids).toHaveLength(7);
    expect(ids.every((id) => id.includes('--d2--'))).toBe(true);
  });

  it('when a deadline moves behind the scheduler\'s back, then the old version\'s jobs fire and send nothing', async () => {
    const c = await create('stale-version-guard', 6000);
    await until(async () => (await pendingJobs(c.id)).length === JOBS, 5000, 'jobs scheduled');
    await h.deps.commitments.mutate(c.id, (cur) => patchCommitment(cur, { due: { at: instant(3_600_000) } }, 'test', new Date()));
    await until(async () => (await pendingJobs(c.id)).length === 0, 15_000, 'the old jobs to fire');
    await h.settled(c.id);
    expect(h.mailFor(c.id)).toHaveLength(0);
  });
});

describe('the reminders API', () => {
  it('when an editor of another party asks for a commitment\'s reminders, then it is told there is no such commitment', async () => {
    const c = await create('scoped-view', 3_600_000);
    await request(h.app).get(`/v1/commitments/${c.id}/reminders`).set(bearer(TOKENS.lka)).expect(200);
    const other = await create('scoped-view-idn-only', 3_600_000, { leads: ['AUS'], members: ['IDN'] });
    const res = await request(h.app).get(`/v1/commitments/${other.id}/reminders`).set(bearer(TOKENS.lka)).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toBe(`No commitment has the id ${other.id}.`);
  });

  it('when the filters are bad, then the answer is a 400 naming the field', async () => {
    const res = await request(h.app).get('/v1/reminders?state=lost').set(bearer(TOKENS.admin)).expect(400);
    expect(res.body.errors[0].path).toBe('query.state');
    await request(h.app).post('/v1/reminders/not-a-send/retry').set(bearer(TOKENS.lka)).expect(403);
    await request(h.app).post('/v1/reminders/no-such-send--d1--due--LKA/retry').set(bearer(TOKENS.admin)).expect(404);
  });
});
