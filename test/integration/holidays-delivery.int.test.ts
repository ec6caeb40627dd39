/**
 * A public holiday in one party's country, through the real workers and SMTP
 * server: the other party gets its notice on the day; the holiday party's
 * send moves off the holiday (a due notice never after the deadline, so to
 * the day before, long past here and recorded skipped), and the plan says why.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holidayTable } from '../../src/domain/holidays.js';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';
import { bearer, TOKENS } from '../support/app.js';
import { instant, sendIdOf, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

const DUE_IN_MS = 4000;
const ON_DUE: ReminderPolicy = { before: [], onDue: true, overdue: { every: 'PT2S', max: 0 }, escalateAfter: null, sendAt: null, quietDays: [] };
/** The calendar day in Colombo of an instant, YYYY-MM-DD. */
const colomboDay = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Colombo' }).format(t);

let h: ReminderHarness;
const dueAt = Date.now() + DUE_IN_MS + 2000;

beforeAll(async () => {
  // The deadline's day is a public holiday in Sri Lanka (LKA's country, from its id), and only there.
  h = await startReminderHarness('holidays-delivery', { holidays: holidayTable({ LK: { [colomboDay(dueAt)]: 'Test Poya Day' } }) });
});
afterAll(() => h?.cleanup());

describe('a public holiday of one party', () => {
  it('when the deadline falls on it, then only that party\'s notice moves (and says why); the other party gets its own on time', async () => {
    const due = new Date(dueAt).toISOString();
    await request(h.app)
      .post('/v1/commitments')
      .set(bearer(TOKENS.admin))
      .send({ id: 'holiday-due', meetingId: 'ahg-som-2009', title: 'Technical meeting on irregular maritime ventures', leads: ['LKA'], members: ['IDN'], due: { at: due }, reminderPolicy: ON_DUE })
      .expect(201);
    expect(Date.parse(due)).toBeGreaterThan(Date.parse(instant(0)));

    await until(() => h.mailFor('holiday-due').length >= 1, 20_000, "IDN's due notice");
    await h.settled('holiday-due');
    const mail = h.mailFor('holiday-due');
    expect(mail.map((m) => [sendIdOf(m), m.envelopeTo.join()])).toEqual([['holiday-due--d1--due--IDN', 'focal-point.idn@example.org']]);
    expect(mail[0]!.receivedAt).toBeGreaterThanOrEqual(dueAt);

    const plan = (await request(h.app).get('/v1/commitments/holiday-due/reminders').set(bearer(TOKENS.admin)).expect(200)).body.items as Array<{
      partyId: string;
      state: string;
      moved?: { from: string; because: string };
    }>;
    const lka = plan.find((i) => i.partyId === 'LKA')!;
    const idn = plan.find((i) => i.partyId === 'IDN')!;
    expect(lka.moved?.because).toBe('Test Poya Day (LK)');
    expect(lka.state).toBe('skipped');
    expect(idn.moved).toBeUndefined();
    expect(idn.state).toBe('sent');
  });
});
