/**
 * A meeting moves and a deadline tied to it delivers for the new date only: real Redis, the
 * real workers and an SMTP server in the process. The policy is built so that the plan for
 * the old date would also mail within seconds; after the move only the new plan's send
 * arrives, bound to the new dueVersion.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer } from '../support/app.js';
import { sendIdOf, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
const admin = bearer(TOKENS.admin);
const DAY = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startReminderHarness('meetings-delivery');
});
afterAll(() => h.cleanup());

describe('a deadline tied to a meeting, delivered', () => {
  it('when the meeting moves a day earlier, then the reminder for the new date is delivered and the one the old date planned for the same moment never is', async () => {
    const api = () => request(h.app);
    const now = Date.now();
    // The new first day is two days ahead; its deadline ends at 23:59:59.999 UTC that day.
    const newDay = utcDay(now + 2 * DAY);
    const oldDay = utcDay(now + 3 * DAY);
    const newDue = Date.parse(`${newDay}T23:59:59.999Z`);
    // "before" by X lands 12 s from now for the new date; by X + 1 day lands at the same moment for the old one.
    const x = Math.floor((newDue - (now + 12_000)) / 1000);
    const policy = { before: [`PT${x}S`, `PT${x + 86_400}S`], onDue: false, overdue: { every: 'P1D', max: 0 }, escalateAfter: null, sendAt: null, quietDays: [] };

    await api().post('/v1/meetings').set(admin).send({ id: 'moving-meeting', title: 'A meeting that moves', startsOn: oldDay, timeZone: 'UTC' }).expect(201);
    // UNHCR is an organisation: no country, so no public holiday can move its send.
    const created = await api()
      .post('/v1/commitments')
      .set(admin)
      .send({ id: 'tied-and-delivered', meetingId: 'ahg-som-2009', title: 'Tied to the moving meeting', leads: ['UNHCR'], due: { meetingId: 'moving-meeting', offset: 'P0D' }, reminderPolicy: policy })
      .expect(201);
    expect(created.body.due).toEqual({ date: oldDay, timeZone: 'UTC' });
    const oldPlan = (await api().get('/v1/commitments/tied-and-delivered/reminders').set(admin).expect(200)).body.items as Array<{ id: string; at: string; stepKey: string }>;
    const oldSoon = oldPlan.find((s) => s.stepKey === `before-PT${x + 86_400}S`)!;
    expect(Date.parse(oldSoon.at) - now).toBeLessThan(60_000);

    const moved = await api().patch('/v1/meetings/moving-meeting').set(admin).send({ startsOn: newDay }).expect(200);
    expect(moved.body.deadlines.moved).toEqual(['tied-and-delivered']);
    const newPlan = (await api().get('/v1/commitments/tied-and-delivered/reminders').set(admin).expect(200)).body;
    expect(newPlan.dueVersion).toBe(2);
    const newSoon = (newPlan.items as Array<{ id: string; stepKey: string; state: string }>).find((s) => s.stepKey === `before-PT${x}S`)!;
    expect(newSoon.id).toMatch(/^tied-and-delivered--d2--/);

    await until(() => h.mailFor('tied-and-delivered').length > 0, 40_000, 'the reminder for the new date');
    await h.settled('tied-and-delivered', { delayedToo: false, timeoutMs: 30_000 });
    // The old plan's moment has passed too: give its job, were it alive, the time to fire.
    await until(() => Date.now() > Date.parse(oldSoon.at) + 3_000, 30_000, 'the old send’s moment to pass');
    await h.settled('tied-and-delivered', { delayedToo: false, timeoutMs: 30_000 });
    const mails = h.mailFor('tied-and-delivered');
    expect(mails.map(sendIdOf)).toEqual([newSoon.id]);
    expect(mails.some((m) => sendIdOf(m).includes('--d1--'))).toBe(false);
  });
});
