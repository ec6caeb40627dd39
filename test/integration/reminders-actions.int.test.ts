/**
 * The one-click "mark as done" link, taken from a real reminder: its GET only
 * asks (mail scanners prefetch links), its POST completes under the
 * recipient's address, and tampered, expired or stale links get a 4xx page.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionToken } from '../../src/mail/action-link.js';
import { TOKENS, bearer } from '../support/app.js';
import { DUE_ONLY, instant, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
beforeAll(async () => {
  h = await startReminderHarness('rem-actions');
});
afterAll(() => h.cleanup());

async function create(id: string, dueInMs: number) {
  await request(h.app)
    .post('/v1/commitments')
    .set(bearer(TOKENS.admin))
    .send({ id, meetingId: 'ahg-som-2009', title: `Workshop on information campaigns (${id})`, leads: ['LKA'], due: { at: instant(dueInMs) }, reminderPolicy: DUE_ONLY })
    .expect(201);
}

const status = async (id: string) => (await request(h.app).get(`/v1/commitments/${id}`).set(bearer(TOKENS.admin)).expect(200)).body.status as string;
const history = async (id: string) => (await request(h.app).get(`/v1/commitments/${id}/history`).set(bearer(TOKENS.admin)).expect(200)).body.items as Array<{ type: string; who: string; data?: Record<string, unknown> }>;
const secret = () => h.services.secret('action-link');

describe('the mark-as-done link', () => {
  it('when the link from a reminder is opened, then GET only asks, and the POST completes it under the recipient\'s address', async () => {
    await create('link-from-mail', 1000);
    const [mail] = await until(() => (h.mailFor('link-from-mail').length ? h.mailFor('link-from-mail') : null), 10_000, 'the reminder');
    const link = /http:\/\/followup\.test(\/actions\/done\?token=[A-Za-z0-9_.-]+)/.exec(String(mail!.parsed.text))?.[1];
    expect(link).toBeDefined();
    expect(String(mail!.parsed.html)).toContain(`http://followup.test${link}`);

    for (let i = 0; i < 2; i++) {
      const page = await request(h.app).get(link!).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('Mark as done?');
      expect(page.text).toContain('focal-point.lka@example.org');
      expect(page.text).toMatch(/<form method="post" action="done">/);
      expect(page.text).not.toMatch(/<script/i);
    }
    expect(await status('link-from-mail')).toBe('open');

    const token = new URL(`http://x${link}`).searchParams.get('token')!;
    const done = await request(h.app).post('/actions/done').type('form').send({ token, note: 'Held in Jakarta, report attached' }).expect(200);
    expect(done.text).toContain('Marked as done');
    expect(await status('link-from-mail')).toBe('done');
    const completed = (await history('link-from-mail')).find((e) => e.type === 'commitment.completed');
    expect(completed).toMatchObject({ who: 'focal-point.lka@example.org', data: { via: 'action-link', note: 'Held in Jakarta, report attached' } });

    const again = await request(h.app).post('/actions/done').type('form').send({ token }).expect(409);
    expect(again.text).toContain('Already done');
  });

  it('when the token is tampered with, then GET and POST get a 400 page and nothing changes', async () => {
    await create('link-tampered', 3_600_000);
    const token = createActionToken(await secret(), { commitmentId: 'link-tampered', recipient: 'focal-point.lka@example.org', dueVersion: 1, expiresAt: Date.now() + 3600_000 });
    const forged = createActionToken('not-the-secret-but-just-as-long-0123456789', { commitmentId: 'link-tampered', recipient: 'focal-point.lka@example.org', dueVersion: 1, expiresAt: Date.now() + 3600_000 });
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const t of [forged, flipped, 'garbage', '']) {
      const get = await request(h.app).get('/actions/done').query({ token: t }).expect(400);
      expect(get.headers['content-type']).toMatch(/text\/html/);
      expect(get.text).toContain('This link is not valid');
      await request(h.app).post('/actions/done').type('form').send({ token: t }).expect(400);
    }
    await request(h.app).post('/actions/done').expect(400);
    expect(await status('link-tampered')).toBe('open');
  });

  it('when the link has expired, then it is refused with a 410 page', async () => {
    await create('link-expired', 3_600_000);
    const token = createActionToken(await secret(), { commitmentId: 'link-expired', recipient: 'focal-point.lka@example.org', dueVersion: 1, expiresAt: Date.now() - 1 });
    const res = await request(h.app).post('/actions/done').type('form').send({ token }).expect(410);
    expect(res.text).toContain('This link has expired');
    expect(await status('link-expired')).toBe('open');
  });

  it('when the deadline has moved since the reminder, then the old link is stale and refused with a 409 page', async () => {
    await create('link-stale', 3_600_000);
    const token = createActionToken(await secret(), { commitmentId: 'link-stale', recipient: 'focal-point.lka@example.org', dueVersion: 1, expiresAt: Date.now() + 3600_000 });
    await request(h.app).patch('/v1/commitments/link-stale').set(bearer(TOKENS.admin)).send({ due: { at: instant(7_200_000) } }).expect(200);
    await request(h.app).get('/actions/done').query({ token }).expect(409);
    const res = await request(h.app).post('/actions/done').type('form').send({ token }).expect(409);
    expect(res.text).toContain('This link is out of date');
    expect(await status('link-stale')).toBe('open');
    expect((await history('link-stale')).some((e) => e.type === 'commitment.completed')).toBe(false);
  });
});
