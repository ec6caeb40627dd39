/**
 * A mail server outage loses nothing and burns no tries: while SMTP cannot be reached the
 * reminder queue pauses (BullMQ's rate limiter, MAIL_OUTAGE_PAUSE), no send is recorded failed,
 * and when the server answers again every due reminder is delivered once, by itself. A 4xx
 * reply is never final for a planned send while it is still useful; only 5xx is.
 * The outage is staged with a TCP gate between the workers and the SMTP sink.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer } from '../support/app.js';
import { DUE_ONLY, instant, sendIdOf, sleep, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';
import { startTcpGate, type TcpGate } from '../support/tcp-gate.js';

let h: ReminderHarness;
let gate: TcpGate;

beforeAll(async () => {
  gate = await startTcpGate();
  // A tiny backoff: without the outage pause, the old tries would all be spent within the outage.
  h = await startReminderHarness('smtp-outage', { env: { SMTP_URL: gate.url, MAIL_OUTAGE_PAUSE: 'PT1S' }, worker: { backoffMs: 20 } });
  gate.target = h.sink.port;
});
afterAll(async () => {
  await h.cleanup();
  await gate.dispose();
});

async function create(id: string, dueInMs: number) {
  await request(h.app)
    .post('/v1/commitments')
    .set(bearer(TOKENS.admin))
    .send({ id, meetingId: 'ahg-som-2009', title: `Outage ${id}`, leads: ['LKA'], members: ['IDN'], due: { at: instant(dueInMs) }, reminderPolicy: DUE_ONLY })
    .expect(201);
}
const key = (m: (typeof h.sink.messages)[number]) => `${sendIdOf(m)}|${m.envelopeTo.join()}`;
const failedRows = async () => (await request(h.app).get('/v1/reminders?state=failed').set(bearer(TOKENS.admin)).expect(200)).body.items as unknown[];

describe('an SMTP outage', () => {
  it('pauses delivery instead of spending tries, and every due reminder goes out once when SMTP is back, with no manual retry', async () => {
    await gate.close('reset');
    const ids = ['outage-a', 'outage-b', 'outage-c'];
    for (const id of ids) await create(id, 500);
    // Six seconds of outage: with a 20 ms backoff the old eight tries were spent in about 2.5 s.
    await sleep(6000);
    expect(h.sink.messages).toHaveLength(0);
    expect(await failedRows()).toEqual([]);
    expect(await h.queues.reminders.getJobCounts('failed')).toMatchObject({ failed: 0 });
    // The workers knocked once per pause per job (a try is up to two connection attempts of the
    // mailer's pool): at most 3 jobs × 2 × 7 pauses, not at the backoff's pace.
    const knocks = gate.knocks;
    expect(knocks).toBeGreaterThan(0);
    expect(knocks, `knocks during the outage: ${knocks}`).toBeLessThanOrEqual(ids.length * 2 * 7);
    console.info(`[smtp outage] ${knocks} connection attempts in 6 s of outage (3 jobs, 1 s pause)`);

    await gate.open();
    await until(() => new Set(h.sink.messages.map(key)).size >= ids.length * 2, 20_000, 'every reminder after the outage');
    for (const id of ids) await h.settled(id);
    await sleep(500);
    const counts = new Map<string, number>();
    for (const m of h.sink.messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
    expect(counts.size).toBe(ids.length * 2);
    expect(Math.max(...counts.values())).toBe(1);
    expect(await failedRows()).toEqual([]);
  });

  it('a refused connection pauses too, and delivery resumes by itself', async () => {
    await gate.close('refuse');
    await create('outage-refused', 300);
    await sleep(3000);
    expect(h.mailFor('outage-refused')).toHaveLength(0);
    await gate.open();
    await until(() => h.mailFor('outage-refused').length >= 2, 20_000, 'the reminders after the refusal');
    expect(await failedRows()).toEqual([]);
  });

  it('a 4xx reply is not final for a planned send: more 4xx than the old eight tries, then it is delivered', async () => {
    h.sink.failNext(451, 9);
    await create('outage-451', 300);
    await until(() => h.mailFor('outage-451').length >= 2, 30_000, 'the reminders after nine 451s');
    expect(await failedRows()).toEqual([]);
  }, 40_000);
});
