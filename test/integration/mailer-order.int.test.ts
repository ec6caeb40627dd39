/**
 * The SMTP mailer against a real SMTP server: the SMTP thread holds two messages per connection,
 * and the rest wait in the calling thread by their order (a reminder's planned instant), so a
 * message planned earlier overtakes the ones handed over after it but planned later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

let sink: SmtpSink;
let mailer: Mailer;

beforeAll(async () => {
  sink = await startSmtpSink();
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: 'Follow-up <followup@example.org>', maxConnections: 1 });
});

afterAll(async () => {
  await mailer.close();
  await sink.close();
});

const mail = (n: number, order?: number) => ({
  to: ['focal-point.idn@example.org'],
  subject: `message ${n}`,
  text: `Message ${n}.`,
  html: `<p>Message ${n}.</p>`,
  messageId: `<order-${n}@followup.test>`,
  ...(order === undefined ? {} : { order }),
});

describe('the SMTP mailer', () => {
  it('when more messages wait than the connections take, then the earliest planned go first, ties in the order given', async () => {
    // Planned latest first: 12, 11, …, 1, and two more planned like 5.
    const sends = [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((n) => mailer.send(mail(n, n * 1000)));
    sends.push(mailer.send(mail(51, 5000)), mailer.send(mail(52, 5000)));
    const results = await Promise.all(sends);
    expect(results.map((r) => r.accepted)).toEqual(results.map(() => ['focal-point.idn@example.org']));
    const arrived = sink.messages.map((m) => m.parsed.subject);
    // One connection, two in the thread: 12 and 11 were handed over before the rest arrived.
    expect(arrived).toEqual(['12', '11', '1', '2', '3', '4', '5', '51', '52', '6', '7', '8', '9', '10'].map((n) => `message ${n}`));
    expect(results.map((r) => r.messageId)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 51, 52].map((n) => `<order-${n}@followup.test>`));
  });

  it('a message without an order waits behind those planned before it was handed over', async () => {
    sink.clear();
    const now = Date.now();
    const sends = [mail(1, now + 60_000), mail(2, now + 60_000), mail(3, now + 60_000), mail(4), mail(5, now - 60_000)].map((m) => mailer.send(m));
    await Promise.all(sends);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual(['1', '2', '5', '4', '3'].map((n) => `message ${n}`));
  });
});
