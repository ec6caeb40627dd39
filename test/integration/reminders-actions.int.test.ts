/**
 * The links of a real reminder: each recipient's own signed links (View, and for a lead Mark as done,
 * Record progress, Request more time) open pages without a token; GET only shows, the form's POST
 * acts under the recipient's address; the retired single-purpose link gets a page saying so.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** The labelled links of a mail's text part. */
function linksOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^(View the commitment|Mark as done|Record progress|Request more time): http:\/\/followup\.test(\/actions\/l\/[A-Za-z0-9_.-]+)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

describe('the links of a reminder', () => {
  it('a lead\'s reminder carries its four links; GET only shows, and the POST completes it under the recipient\'s address', async () => {
    await create('link-from-mail', 1000);
    const [mail] = await until(() => (h.mailFor('link-from-mail').length ? h.mailFor('link-from-mail') : null), 10_000, 'the reminder');
    const links = linksOf(String(mail!.parsed.text));
    expect(Object.keys(links).sort()).toEqual(['Mark as done', 'Record progress', 'Request more time', 'View the commitment']);
    for (const path of Object.values(links)) expect(String(mail!.parsed.html)).toContain(`http://followup.test${path}`);
    expect(String(mail!.parsed.text)).not.toContain('@example.org/');

    for (let i = 0; i < 2; i++) {
      const page = await request(h.app).get(links['Mark as done']!).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('focal-point.lka@example.org');
      expect(page.text).toMatch(/<form method="post">/);
      expect(page.text).not.toMatch(/<script/i);
    }
    expect(await status('link-from-mail')).toBe('open');

    const done = await request(h.app).post(links['Mark as done']!).type('form').send({ note: 'Held in Jakarta, report attached' }).expect(200);
    expect(done.text).toContain('Marked as done');
    expect(await status('link-from-mail')).toBe('done');
    const completed = (await history('link-from-mail')).find((e) => e.type === 'commitment.completed');
    expect(completed).toMatchObject({ who: 'focal-point.lka@example.org', data: { via: 'signed-link', note: 'Held in Jakarta, report attached' } });

    const again = await request(h.app).post(links['Mark as done']!).type('form').send({}).expect(409);
    expect(again.headers['content-type']).toMatch(/text\/html/);
    // The view link still shows it, done, with its evidence.
    const view = await request(h.app).get(links['View the commitment']!).expect(200);
    expect(view.text).toContain('Held in Jakarta, report attached');
  });

  it('the retired /actions/done link answers a page that says to use the newest mail', async () => {
    const res = await request(h.app).get('/actions/done?token=abc.def').expect(410);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('newest mail');
  });
});
