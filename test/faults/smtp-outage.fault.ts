/**
 * SMTP down for 3 minutes, with the outage pause shortened by config (MAIL_OUTAGE_PAUSE=PT5S).
 * Reminders fall due all through the outage; the mail server refuses every connection (a TCP
 * gate in front of the SMTP sink is closed). Checked: nothing is recorded failed, and when the
 * server is back every due reminder is delivered once, with no manual retry.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer } from '../support/app.js';
import { DUE_ONLY, instant, sendIdOf, sleep, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';
import { startTcpGate, type TcpGate } from '../support/tcp-gate.js';

const OUTAGE_MS = 180_000;
const COMMITMENTS = 30;
let h: ReminderHarness;
let gate: TcpGate;

beforeAll(async () => {
  gate = await startTcpGate();
  h = await startReminderHarness('fault-smtp', { env: { SMTP_URL: gate.url, MAIL_OUTAGE_PAUSE: 'PT5S' } });
  gate.target = h.sink.port;
});
afterAll(async () => {
  await h?.cleanup();
  await gate?.dispose();
});

describe('SMTP down for 3 minutes', () => {
  it('delivers every due reminder once after recovery, with no manual retry, and records nothing failed', async () => {
    await gate.close('refuse');
    const started = Date.now();
    // Due all through the outage: one every 5 s over the first 150 s.
    for (let i = 0; i < COMMITMENTS; i++) {
      await request(h.app)
        .post('/v1/commitments')
        .set(bearer(TOKENS.admin))
        .send({ id: `smtp-down-${i}`, meetingId: 'ahg-som-2009', title: `Due during the outage ${i}`, leads: ['LKA'], members: ['IDN'], due: { at: instant(2_000 + i * 5_000) }, reminderPolicy: DUE_ONLY })
        .expect(201);
    }
    await sleep(OUTAGE_MS - (Date.now() - started));
    expect(h.sink.messages).toHaveLength(0);
    const failedDuring = (await request(h.app).get('/v1/reminders?state=failed').set(bearer(TOKENS.admin)).expect(200)).body.items;
    expect(failedDuring).toEqual([]);

    const reopened = Date.now();
    await gate.open();
    const key = (m: (typeof h.sink.messages)[number]) => `${sendIdOf(m)}|${m.envelopeTo.join()}`;
    await until(() => (new Set(h.sink.messages.map(key)).size >= COMMITMENTS * 2 ? true : null), 60_000, 'every reminder after SMTP is back');
    const drainedMs = Date.now() - reopened;
    await sleep(2_000);
    const counts = new Map<string, number>();
    for (const m of h.sink.messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
    const report = `${counts.size}/${COMMITMENTS * 2} delivered ${(drainedMs / 1000).toFixed(1)} s after SMTP came back, ${[...counts.values()].filter((n) => n > 1).length} duplicated`;
    console.info(`[fault: SMTP down 3 min] ${report}`);
    expect(counts.size, report).toBe(COMMITMENTS * 2);
    expect(Math.max(...counts.values()), report).toBe(1);
    expect((await request(h.app).get('/v1/reminders?state=failed').set(bearer(TOKENS.admin)).expect(200)).body.items).toEqual([]);
  });
});
