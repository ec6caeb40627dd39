/**
 * The SMTP thread dying mid-burst. Its sends in flight, and those waiting to be handed over,
 * fail as an outage (no reply code, not permanent); the next send starts a new thread. In the
 * reminder pipeline that is an outage like any other: the ledger records nothing for them, the
 * queue pauses and tries again, and every reminder is delivered, at most the messages the dead
 * thread held twice. Real SMTP server, real Redis; the thread is the real one, made to exit on cue
 * (test/support/dying-smtp-thread.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { MailError, createMailer } from '../../src/mail/mailer.js';
import { TOKENS, bearer } from '../support/app.js';
import { DUE_ONLY, instant, sendIdOf, sleep, startReminderHarness, until } from '../support/reminder-harness.js';
import { startSmtpSink } from '../support/smtp-sink.js';

const dyingThread = new URL('../support/dying-smtp-thread.ts', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'smtp-thread-death-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The next thread the mailer starts dies as its `at`-th request arrives, once. */
function dieAt(at: number, name: string): string {
  const flag = join(dir, name);
  process.env.SMTP_THREAD_DIE_AT = String(at);
  process.env.SMTP_THREAD_DIE_FLAG = flag;
  return flag;
}

describe('the SMTP mailer, when its thread dies', () => {
  it('fails what the thread held and what waited as an outage, and the next send starts a new thread', async () => {
    const sink = await startSmtpSink();
    // One connection: the thread holds two messages, the other six wait in the calling thread.
    const mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: 'Follow-up <followup@example.org>', maxConnections: 1, threadModule: dyingThread });
    try {
      const flag = dieAt(3, 'mailer');
      const mail = (n: number) => ({ to: ['focal-point.idn@example.org'], subject: `message ${n}`, text: `Message ${n}.`, html: `<p>Message ${n}.</p>`, messageId: `<death-${n}@followup.test>`, order: n });
      const first = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7, 8].map((n) => mailer.send(mail(n))));
      expect(existsSync(flag)).toBe(true);

      // The third request reached the thread only once the first was answered: the first was sent.
      expect(first[0]!.status).toBe('fulfilled');
      // From the third on, nothing could have been sent; the second was on the wire when the thread died.
      for (const r of first.slice(2)) {
        expect(r.status).toBe('rejected');
        const err = (r as PromiseRejectedResult).reason as MailError;
        expect(err).toBeInstanceOf(MailError);
        expect(err.permanent).toBe(false);
        expect(err.responseCode).toBeUndefined();
        expect(err.message).toMatch(/SMTP thread stopped \(exit code 1\)/);
      }
      const sent = new Set(first.flatMap((r, i) => (r.status === 'fulfilled' ? [`message ${i + 1}`] : [])));
      await until(() => [...sent].every((s) => sink.messages.some((m) => m.parsed.subject === s)), 5000, 'the messages answered as sent');

      // What failed is sent again, through a new thread.
      const again = first.flatMap((r, i) => (r.status === 'rejected' ? [i + 1] : []));
      const second = await Promise.all(again.map((n) => mailer.send(mail(n))));
      expect(second.map((r) => r.accepted)).toEqual(again.map(() => ['focal-point.idn@example.org']));
      const count = (n: number) => sink.messages.filter((m) => m.parsed.subject === `message ${n}`).length;
      for (let n = 1; n <= 8; n++) expect(count(n), `message ${n}`).toBeGreaterThanOrEqual(1);
      // Only a message the dead thread held can have gone twice.
      for (let n = 3; n <= 8; n++) expect(count(n), `message ${n}`).toBe(1);
      expect(count(2)).toBeLessThanOrEqual(2);
    } finally {
      await mailer.close();
      await sink.close();
    }
  });
});

describe('the reminder pipeline, when the SMTP thread dies mid-burst', () => {
  it('pauses as for an outage and delivers every reminder, none recorded failed', async () => {
    const flag = dieAt(5, 'pipeline');
    const h = await startReminderHarness('smtp-thread-death', { env: { MAIL_OUTAGE_PAUSE: 'PT1S' }, smtpThreadModule: dyingThread });
    try {
      // Ten commitments due at about the same instant: twenty messages, one burst.
      const ids = Array.from({ length: 10 }, (_, i) => `thread-death-${i}`);
      const due = instant(1500);
      for (const id of ids) {
        await request(h.app)
          .post('/v1/commitments')
          .set(bearer(TOKENS.admin))
          .send({ id, meetingId: 'ahg-som-2009', title: `Thread death ${id}`, leads: ['LKA'], members: ['IDN'], due: { at: due }, reminderPolicy: DUE_ONLY })
          .expect(201);
      }
      const key = (m: (typeof h.sink.messages)[number]) => `${sendIdOf(m)}|${m.envelopeTo.join()}`;
      await until(() => new Set(h.sink.messages.map(key)).size >= ids.length * 2, 30_000, 'every reminder after the thread died');
      for (const id of ids) await h.settled(id);
      await sleep(300);
      expect(existsSync(flag)).toBe(true);

      const counts = new Map<string, number>();
      for (const m of h.sink.messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
      expect(counts.size).toBe(ids.length * 2);
      // A message can go twice only if the dead thread held it: at most two per pooled connection (five).
      const twice = [...counts.values()].filter((n) => n > 1).length;
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
      expect(twice).toBeLessThanOrEqual(10);

      for (const id of ids) {
        const plan = await request(h.app).get(`/v1/commitments/${id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
        expect(plan.body.items.map((i: { state: string }) => i.state)).toEqual(['sent', 'sent']);
      }
      const failed = await request(h.app).get('/v1/reminders?state=failed').set(bearer(TOKENS.admin)).expect(200);
      expect(failed.body.items).toEqual([]);
      expect(await h.queues.reminders.getJobCounts('failed')).toMatchObject({ failed: 0 });
    } finally {
      await h.cleanup();
    }
  }, 60_000);
});
