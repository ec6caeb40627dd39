/**
 * Every link in every kind of mail works for its recipient without a token: reminder steps
 * (before, due, overdue, escalation and its copies), the notices of a request for more time
 * (asked, approved, declined, expired) and the digest. Each link of our service in each mail
 * answers 2xx to an anonymous GET; none answers 401 or 404. Mails come from the in-process SMTP server.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer } from '../support/app.js';
import { instant, sendIdOf, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';
import type { ReceivedMail } from '../support/smtp-sink.js';

let h: ReminderHarness;
const admin = bearer(TOKENS.admin);
const ORIGIN = 'http://followup.test';

beforeAll(async () => {
  h = await startReminderHarness('mail-links', { env: { DIGEST_STEERING_GROUP: 'steering@example.org' } });
  await h.addParty({ id: 'UTCORG', name: 'UTC Organisation', kind: 'organisation', timeZone: 'UTC', contacts: [{ name: 'Lead', email: 'lead@utc-org.example.org' }], roles: [] });
}, 30_000);
afterAll(() => h.cleanup());

/** Every URL of our service in a mail's text and HTML parts; the HTML part has every link of the text part. */
function serviceLinks(m: ReceivedMail): string[] {
  const text = [...String(m.parsed.text).matchAll(/http:\/\/followup\.test[^\s<>"]*/g)].map((x) => x[0]);
  const html = [...String(m.parsed.html).matchAll(/href="(http:\/\/followup\.test[^"]*)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&'));
  for (const t of text) expect(html).toContain(t);
  return [...new Set([...text, ...html])];
}

async function create(id: string, body: Record<string, unknown>) {
  await request(h.app).post('/v1/commitments').set(admin).send({ id, meetingId: 'ahg-som-2009', title: `Item ${id}`, leads: ['UTCORG'], ...body }).expect(201);
}

const checked: Record<string, number> = {};
/** Every service link of these mails answers 200 to an anonymous GET (and the mails are automatic, on one Message-ID domain). */
async function checkAll(kind: string, mails: ReceivedMail[]): Promise<void> {
  for (const m of mails) {
    expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(String(m.parsed.messageId)).toMatch(/@followup\.test>$/);
    const links = serviceLinks(m);
    expect(links.length).toBeGreaterThan(0);
    for (const url of links) {
      const res = await request(h.app).get(url.slice(ORIGIN.length));
      expect([res.status, url, kind]).toEqual([200, url, kind]);
      checked[kind] = (checked[kind] ?? 0) + 1;
    }
  }
}

describe('every link in every kind of mail', () => {
  it('answers 2xx to an anonymous GET, never 401 or 404', async () => {
    // Reminder steps, the escalation and its copies to the co-chairs and the steering group.
    await create('links-steps', { due: { at: instant(2500) }, reminderPolicy: { before: ['PT1S'], onDue: true, overdue: { every: 'PT1S', max: 1 }, escalateAfter: 'PT2S', sendAt: null, quietDays: [] } });
    // Requests for more time: the co-chairs' mails are checked while the requests are pending,
    // then one is approved, one declined, and one's expiry notice goes out.
    const future = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const later = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    const ids: Record<string, string> = {};
    for (const id of ['links-approved', 'links-declined', 'links-expired']) {
      await create(id, { due: { date: future, timeZone: 'UTC' } });
      ids[id] = (await request(h.app).post(`/v1/commitments/${id}/extension-requests`).set(admin).send({ newDate: later, reason: 'Venue' }).expect(201)).body.id;
    }
    const asked = await until(() => {
      const a = h.sink.messages.filter((m) => String(m.parsed.subject).startsWith('More time requested'));
      return a.length >= 6 ? a : null;
    }, 20_000, 'the co-chairs\' mails');
    await checkAll('notice (asked)', asked);
    await request(h.app).post(`/v1/extension-requests/${ids['links-approved']}/approve`).set(admin).send({}).expect(200);
    await request(h.app).post(`/v1/extension-requests/${ids['links-declined']}/decline`).set(admin).send({ note: 'Not this time' }).expect(200);
    await h.services.extensions.deliverNotice('expired', ids['links-expired']!, { lastAttempt: true });

    const steps = await until(() => {
      const keys = new Set(h.mailFor('links-steps').map((m) => sendIdOf(m).split('--')[2]));
      const copied = h.mailFor('links-steps').some((m) => sendIdOf(m).includes('--escalation') && m.envelopeTo.includes('steering@example.org'));
      return copied && ['before-PT1S', 'due', 'overdue-1', 'escalation'].every((k) => keys.has(k)) ? h.mailFor('links-steps') : null;
    }, 30_000, 'every reminder step');
    const notices = await until(() => {
      const subjects = h.sink.messages.map((m) => String(m.parsed.subject));
      return ['More time requested', 'More time approved', 'More time declined', 'Request for more time expired'].every((s) => subjects.some((x) => x.startsWith(s)))
        ? h.sink.messages.filter((m) => /^(More time (approved|declined)|Request for more time)/.test(String(m.parsed.subject)))
        : null;
    }, 30_000, 'every notice');

    // The digest, delivered to the co-chairs and the steering group.
    const sent = await h.services.digests.sendNow({ key: 'mail-links-digest' });
    await h.services.digests.deliver(sent.digests, { lastAttempt: true });
    const digests = await until(() => {
      const d = h.sink.messages.filter((m) => m.parsed.headers.get('x-followup-digest'));
      return d.length >= 3 ? d : null;
    }, 20_000, 'the digests');

    await checkAll('reminder', steps);
    await checkAll('notice', notices);
    await checkAll('digest', digests);
    // The digest links each item to the reader's own view of it.
    expect(digests.some((m) => /\/actions\/l\//.test(String(m.parsed.text)))).toBe(true);
    // Copies of the escalation reach co-chairs; they too get a working View link.
    expect(steps.filter((m) => sendIdOf(m).includes('--escalation')).flatMap((m) => m.envelopeTo)).toEqual(expect.arrayContaining(['focal-point.aus@example.org', 'steering@example.org']));
    expect(checked.reminder).toBeGreaterThanOrEqual(4 * 4);
    expect(checked['notice (asked)']).toBe(6 * 3);
    expect(checked.notice).toBeGreaterThanOrEqual(3);
    expect(checked.digest).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
