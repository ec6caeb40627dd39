/**
 * The loop from the inbox, in real Chromium, from mails parsed off the in-process SMTP server:
 * a lead gets the 7-day reminder and opens View (the deadline shown as the date it was set);
 * asks for 30 more days; a co-chair approves from its own mail; the old plan's reminders never
 * send and new ones are planned for the new date; the lead records completion with an evidence
 * URL from the next reminder; the history and the next digest show all of it.
 *
 * Times: the real clock (BullMQ delays run on it). The reminders are placed with a send hour one
 * minute ago (UTC), so the step of today is a missed send inside the catch-up window and goes at once.
 */
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer } from '../support/app.js';
import { launchChromium, listen } from '../support/browser.js';
import { sendIdOf, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';
import type { ReceivedMail } from '../support/smtp-sink.js';

const ID = 'inbox-loop-workshop';
const LEAD = 'lead@utc-org.example.org';
const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

let h: ReminderHarness;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (iso: string, n: number) => day(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000);
const label = (iso: string) => new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** One minute ago in UTC: the send hour, and the day the 7-day step falls on. */
const sendMoment = Date.now() - 60_000;
const sendAt = new Date(sendMoment).toISOString().slice(11, 16);
const dueDate = addDays(day(sendMoment), 7);
const newDate = addDays(dueDate, 30);

/** The labelled links of a mail's text part, with the origin replaced by the test server's. */
function linksOf(mail: ReceivedMail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of String(mail.parsed.text).matchAll(/^([A-Z][A-Za-z ]+): http:\/\/followup\.test(\/actions\/l\/[A-Za-z0-9_.-]+)$/gm)) out[m[1]!] = `${server.url}${m[2]!}`;
  return out;
}
const to = (m: ReceivedMail) => m.envelopeTo.map((a) => a.toLowerCase());
const subject = (m: ReceivedMail) => String(m.parsed.subject);

async function submit(url: string, fill: Record<string, string>, shot: string): Promise<string> {
  const res = await page.goto(url);
  expect(res!.status()).toBe(200);
  for (const [name, value] of Object.entries(fill)) await page.fill(`[name="${name}"]`, value);
  await page.screenshot({ path: `${SHOTS}/inbox-loop-${shot}-form.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  await page.screenshot({ path: `${SHOTS}/inbox-loop-${shot}-done.png`, fullPage: true });
  return await page.innerText('body');
}

beforeAll(async () => {
  h = await startReminderHarness('inbox-loop');
  await h.addParty({ id: 'UTCORG', name: 'UTC Organisation', kind: 'organisation', timeZone: 'UTC', contacts: [{ name: 'Lead focal point', email: LEAD }], roles: [] });
  server = await listen(h.app);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 900, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.cleanup();
});

describe('the loop from the inbox', () => {
  it('reminder → view → more time → co-chair approves → new plan → done from the next reminder → history and digest', async () => {
    const admin = bearer(TOKENS.admin);
    await request(h.app)
      .post('/v1/commitments')
      .set(admin)
      .send({
        id: ID,
        meetingId: 'ahg-som-2009',
        title: 'Regional workshop on information campaigns',
        leads: ['UTCORG'],
        due: { date: dueDate, timeZone: 'UTC' },
        reminderPolicy: { before: ['P37D', 'P7D'], onDue: true, overdue: { every: 'P1D', max: 1 }, escalateAfter: null, sendAt, quietDays: [] },
      })
      .expect(201);

    // 1. The 7-day reminder; View opens without a token, with the deadline as the date it was set.
    const first = await until(() => h.mailFor(ID).find((m) => sendIdOf(m).includes('--d1--before-P7D')), 20_000, 'the 7-day reminder');
    expect(to(first)).toEqual([LEAD]);
    expect(subject(first)).toBe('Due in 7 days: Regional workshop on information campaigns');
    expect(first.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const links1 = linksOf(first);
    expect(Object.keys(links1).sort()).toEqual(['Mark as done', 'Record progress', 'Request more time', 'View the commitment']);
    const view = await page.goto(links1['View the commitment']!);
    expect(view!.status()).toBe(200);
    expect(await page.innerText('body')).toContain(`${label(dueDate)} (end of day, UTC time)`);
    await page.screenshot({ path: `${SHOTS}/inbox-loop-view.png`, fullPage: true });

    // 2. Ask for 30 more days.
    expect(await submit(links1['Request more time']!, { newDate, reason: 'The venue is not available before then.' }, 'extend')).toContain('Request sent');

    // 3. Each co-chair contact gets one mail with Approve and Decline; one approves from its own mail.
    const asks = await until(() => {
      const a = h.sink.messages.filter((m) => subject(m).startsWith('More time requested'));
      return a.length >= 2 ? a : null;
    }, 20_000, 'the co-chairs\' mails');
    expect(asks.map((m) => to(m)[0]).sort()).toEqual(['focal-point.aus@example.org', 'focal-point.idn@example.org']);
    const aus = asks.find((m) => to(m)[0] === 'focal-point.aus@example.org')!;
    const coChairLinks = linksOf(aus);
    expect(Object.keys(coChairLinks).sort()).toEqual(['Approve', 'Decline', 'View the commitment']);
    expect(await submit(coChairLinks.Approve!, {}, 'approve')).toContain('Approved');
    // The other co-chair's Approve is now refused with a page saying it was decided.
    const idnLinks = linksOf(asks.find((m) => to(m)[0] === 'focal-point.idn@example.org')!);
    const late = await page.goto(idnLinks.Decline!);
    expect(late!.status()).toBe(409);
    expect(await page.innerText('body')).toContain('already approved');

    const c = (await request(h.app).get(`/v1/commitments/${ID}`).set(admin).expect(200)).body;
    expect(c).toMatchObject({ due: { date: newDate, timeZone: 'UTC' }, dueVersion: 2 });
    const approved = await until(() => h.sink.messages.find((m) => subject(m).startsWith('More time approved') && to(m)[0] === LEAD), 20_000, 'the approval mail');
    expect(String(approved.parsed.text)).toContain(label(newDate));

    // 4. The old plan never sends again; the new plan is for the new date.
    const plan = (await request(h.app).get(`/v1/commitments/${ID}/reminders`).set(admin).expect(200)).body as { items?: Array<{ id: string; at: string; stepKey: string }> } | Array<{ id: string; at: string; stepKey: string }>;
    const sends = (Array.isArray(plan) ? plan : plan.items ?? []) as Array<{ id: string; at: string; stepKey: string }>;
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.every((s) => s.id.includes('--d2--'))).toBe(true);
    expect(sends.find((s) => s.stepKey === 'due')!.at.slice(0, 10)).toBe(newDate);

    // 5. The next reminder (37 days before the new date: today, so it goes at once) carries fresh links.
    const next = await until(() => h.mailFor(ID).find((m) => sendIdOf(m).includes('--d2--before-P37D')), 20_000, 'the next reminder');
    expect(next.parsed.headers.get('in-reply-to')).toBe(first.parsed.headers.get('in-reply-to'));
    const links2 = linksOf(next);
    // The first mail's link is stale after the deadline moved.
    const stale = await page.goto(links1['Mark as done']!);
    expect(stale!.status()).toBe(409);
    expect(await page.innerText('body')).toContain('out of date');
    await page.screenshot({ path: `${SHOTS}/inbox-loop-stale.png`, fullPage: true });
    expect(await submit(links2['Mark as done']!, { note: 'Held in Bangkok', evidenceUrl: 'https://example.org/workshop-report' }, 'complete')).toContain('Marked as done');
    expect(h.mailFor(ID).filter((m) => sendIdOf(m).includes('--d1--'))).toHaveLength(1);

    // 6. History and the next digest show it all.
    const history = (await request(h.app).get(`/v1/commitments/${ID}/history`).set(admin).expect(200)).body.items as Array<{ type: string; who: string; data?: Record<string, unknown> }>;
    const types = history.map((e) => e.type);
    for (const t of ['extension.requested', 'commitment.due_changed', 'extension.approved', 'commitment.completed']) expect(types).toContain(t);
    expect(history.find((e) => e.type === 'extension.requested')!.who).toBe(LEAD);
    expect(history.find((e) => e.type === 'extension.approved')!.who).toBe('focal-point.aus@example.org');
    expect(history.find((e) => e.type === 'commitment.completed')).toMatchObject({ who: LEAD, data: { evidenceUrl: 'https://example.org/workshop-report' } });
    const digest = await h.services.digests.preview({ asOf: new Date(), party: null, format: 'text' });
    const text = String((digest.rendered as { text?: string } | null)?.text ?? '');
    expect(text).toContain('more time requested');
    expect(text).toContain('more time approved');
    expect(text).toContain('Regional workshop on information campaigns');
    expect(text).toContain('https://example.org/workshop-report');

    // The view page shows the evidence and the history.
    await page.goto(links1['View the commitment']!);
    const shown = await page.innerText('body');
    expect(shown).toContain('Held in Bangkok');
    expect(shown).toContain('more time approved');
    await page.screenshot({ path: `${SHOTS}/inbox-loop-view-done.png`, fullPage: true });
  }, 120_000);
});
