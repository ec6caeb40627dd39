/**
 * Signed links that cannot be misused: single-purpose, bound to the state they were issued in,
 * used once, checked against the parties' contacts at use time, tamper-evident, and answered
 * with an HTML page (never JSON) when refused. GET changes nothing; every change is a form POST.
 */
import request from 'supertest';
import { createLinkToken, linkUrl, newLinkId } from '../../src/mail/action-link.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('signed-links', { PUBLIC_BASE_URL: 'http://followup.test' }, '2009-12-20T03:00:00Z');
const admin = bearer(TOKENS.admin);
const api = () => request(ctx.app);
const LEAD = 'focal-point.idn@example.org';
const MEMBER = 'focal-point.unhcr@example.org';

const pathOf = (url: string) => new URL(url).pathname;
const tokenOf = (url: string) => pathOf(url).split('/').pop()!;

async function make(id: string, extra: Record<string, unknown> = {}) {
  await api()
    .post('/v1/commitments')
    .set(admin)
    .send({ id, meetingId: 'ahg-som-2009', title: `Item ${id}`, leads: ['IDN'], members: ['UNHCR'], due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' }, ...extra })
    .expect(201);
  return (await ctx.services.commitmentStore.get(id))!;
}

async function links(id: string, recipient = LEAD, purposes = ['view', 'complete', 'progress', 'extend'] as const) {
  const c = (await ctx.services.commitmentStore.get(id))!;
  return ctx.services.links.issue(c, recipient, recipient === LEAD ? 'IDN' : 'UNHCR', [...purposes]);
}

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('the token', () => {
  it('reveals no address: an opaque id and a MAC', async () => {
    await make('links-token');
    const l = await links('links-token');
    for (const url of Object.values(l)) {
      const t = tokenOf(url!);
      expect(t).toMatch(/^[A-Za-z0-9_-]{22}[a-z]\.[A-Za-z0-9_-]{43}$/);
      const decoded = Buffer.from(t.split('.')[0]!, 'base64url').toString('latin1') + Buffer.from(t.split('.')[1]!, 'base64url').toString('latin1');
      expect(decoded).not.toContain('idn');
      expect(t).not.toContain('idn');
    }
  });

  it('changing any one character of a token is refused with an HTML page', async () => {
    await make('links-tamper');
    const l = await links('links-tamper');
    const t = tokenOf(l.view!);
    for (const i of [0, 10, 21, 23, 40, t.length - 1]) {
      const ch = t[i] === 'A' ? 'B' : 'A';
      const bad = t.slice(0, i) + ch + t.slice(i + 1);
      const res = await api().get(`/actions/l/${bad}`).expect(400);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('This link is not valid');
    }
    await api().get(pathOf(l.view!)).expect(200);
  });
});

describe('one document per mail', () => {
  const mailIdOf = (url: string) => tokenOf(url).split('.')[0]!.slice(0, 22);

  it("a mail's links share one stored document, each resolving to its own purpose, and the view page offers the others", async () => {
    await make('links-mail-doc');
    const linkKeys = () => ctx.redis.keys(ctx.keys.linkMail('').replace(/link-mail:$/, 'link*'));
    const before = await linkKeys();
    const l = await links('links-mail-doc');
    const after = (await linkKeys()).filter((k) => !before.includes(k));
    expect(after).toEqual([ctx.keys.linkMail(mailIdOf(l.view!))]);
    expect(new Set(Object.values(l).map((u) => mailIdOf(u!))).size).toBe(1);
    for (const p of ['view', 'complete', 'progress', 'extend'] as const) {
      const r = await ctx.services.links.resolve(tokenOf(l[p]!));
      expect(r.claims.purpose).toBe(p);
      expect(r.claims.recipient).toBe(LEAD);
    }
    const view = await ctx.services.links.resolve(tokenOf(l.view!));
    expect(Object.keys(view.claims.siblings ?? {}).sort()).toEqual(['complete', 'extend', 'progress']);
    expect(view.claims.siblings!.complete).toBe(tokenOf(l.complete!));
  });

  it("a signed link to a purpose the mail was not given is refused: a member's mail has no 'complete'", async () => {
    await make('links-mail-purpose');
    const l = await links('links-mail-purpose', MEMBER, ['view', 'progress'] as never);
    const forged = createLinkToken(await ctx.services.secret('action-link'), `${mailIdOf(l.view!)}c`);
    const res = await api().get(`/actions/l/${forged}`).expect(400);
    expect(res.text).toContain('This link is not valid');
    expect((await ctx.services.commitmentStore.get('links-mail-purpose'))!.status).toBe('open');
  });

  it('a link stored one document per link, as before mail documents, still resolves and acts', async () => {
    const c = await make('links-legacy');
    const id = newLinkId();
    const now = Date.parse('2009-12-20T03:00:00Z');
    const claims = { id, purpose: 'complete', commitmentId: c.id, recipient: LEAD, partyId: 'IDN', version: c.version, status: c.status, dueVersion: c.dueVersion, issuedAt: new Date(now).toISOString(), expiresAt: now + 86_400_000 };
    await ctx.redis.set(ctx.keys.link(id), JSON.stringify(claims));
    const url = linkUrl('http://followup.test', createLinkToken(await ctx.services.secret('action-link'), id));
    const r = await ctx.services.links.resolve(tokenOf(url));
    expect(r.claims.purpose).toBe('complete');
    expect(r.commitment.id).toBe('links-legacy');
    await api().get(pathOf(url)).expect(200);
  });
});

describe('view', () => {
  it('a view link answers 200 without a token, read-only, with the deadline as the date it was set and the actions open', async () => {
    await make('links-view');
    const l = await links('links-view');
    const res = await api().get(pathOf(l.view!)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('31 December 2009 (end of day, Jakarta time)');
    expect(res.text).toContain('Indonesia');
    expect(res.text).toContain('Office of the United Nations High Commissioner for Refugees');
    for (const p of ['complete', 'progress', 'extend'] as const) expect(res.text).toContain(pathOf(l[p]!));
    // GET changed nothing.
    expect((await ctx.services.commitmentStore.get('links-view'))!.version).toBe(1);
    await api().get(pathOf(l.complete!)).expect(200);
    expect((await ctx.services.commitmentStore.get('links-view'))!.status).toBe('open');
  });
});

describe('complete', () => {
  it('completes with a note, evidence URL and date, under the recipient; a replay is refused', async () => {
    await make('links-complete');
    const l = await links('links-complete');
    const form = await api().get(pathOf(l.complete!)).expect(200);
    expect(form.text).toContain('name="evidenceUrl"');
    expect(form.text).toContain('value="2009-12-20"'); // today in Jakarta
    const res = await api().post(pathOf(l.complete!)).type('form').send({ commitmentId: 'links-complete', note: 'Held in Bali', evidenceUrl: 'https://example.org/bali', completedOn: '2009-12-19' }).expect(200);
    expect(res.text).toContain('Marked as done');
    const c = (await ctx.services.commitmentStore.get('links-complete'))!;
    expect(c.status).toBe('done');
    expect(c.evidence[0]).toMatchObject({ note: 'Held in Bali', evidenceUrl: 'https://example.org/bali', completedOn: '2009-12-19', recordedBy: LEAD });
    const history = await ctx.services.commitmentStore.history('links-complete');
    expect(history.at(-1)).toMatchObject({ type: 'commitment.completed', who: LEAD });
    const again = await api().post(pathOf(l.complete!)).type('form').send({ commitmentId: 'links-complete' }).expect(409);
    expect(again.headers['content-type']).toMatch(/text\/html/);
    expect(again.text).toMatch(/already used|Nothing more to do/);
  });

  it('an admin reopen makes an old "mark as done" link stale', async () => {
    await make('links-stale');
    const old = await links('links-stale');
    const fresh = await links('links-stale');
    await api().post(pathOf(fresh.complete!)).type('form').send({}).expect(200);
    await api().post('/v1/commitments/links-stale/reopen').set(admin).send({ reason: 'not really' }).expect(200);
    const res = await api().post(pathOf(old.complete!)).type('form').send({}).expect(409);
    expect(res.text).toContain('This link is out of date');
    expect((await ctx.services.commitmentStore.get('links-stale'))!.status).toBe('open');
  });

  it('a link for one commitment cannot act on another', async () => {
    await make('links-one');
    await make('links-other');
    const l = await links('links-one');
    const res = await api().post(pathOf(l.complete!)).type('form').send({ commitmentId: 'links-other' }).expect(400);
    expect(res.text).toContain('another commitment');
    expect((await ctx.services.commitmentStore.get('links-other'))!.status).toBe('open');
    expect((await ctx.services.commitmentStore.get('links-one'))!.status).toBe('open');
  });

  it('a recipient removed from the party contacts is refused at use time', async () => {
    await make('links-removed', { leads: ['THA'], members: [] });
    const c = (await ctx.services.commitmentStore.get('links-removed'))!;
    const l = await ctx.services.links.issue(c, 'focal-point.tha@example.org', 'THA', ['view', 'complete']);
    await ctx.services.commitments.updateParty('THA', { contacts: [{ name: 'New focal point', email: 'new.tha@example.org' }] });
    const res = await api().get(pathOf(l.complete!)).expect(403);
    expect(res.text).toContain('no longer yours');
    await api().get(pathOf(l.view!)).expect(403);
  });

  it('a multi-unit item records one unit with its own evidence', async () => {
    await make('links-units', { target: { units: 2 } });
    const l = await links('links-units');
    const form = await api().get(pathOf(l.complete!)).expect(200);
    expect(form.text).toContain('the 1st of 2');
    await api().post(pathOf(l.complete!)).type('form').send({ evidenceUrl: 'https://example.org/first' }).expect(200);
    const c = (await ctx.services.commitmentStore.get('links-units'))!;
    expect(c).toMatchObject({ status: 'in_progress', target: { units: 2, done: 1 } });
    expect(c.evidence[0]!.evidenceUrl).toBe('https://example.org/first');
  });
});

describe('progress', () => {
  it('a member posts a progress note: in_progress, recorded under its address; an empty note is a form page', async () => {
    await make('links-progress');
    const l = await links('links-progress', MEMBER, ['view', 'progress'] as never);
    await api().get(pathOf(l.view!)).expect(200);
    const empty = await api().post(pathOf(l.progress!)).type('form').send({ note: '  ' }).expect(400);
    expect(empty.text).toContain('Please check the form');
    await api().post(pathOf(l.progress!)).type('form').send({ note: 'Draft circulated' }).expect(200);
    const c = (await ctx.services.commitmentStore.get('links-progress'))!;
    expect(c.status).toBe('in_progress');
    expect((await ctx.services.commitmentStore.history('links-progress')).map((e) => [e.type, e.who])).toContainEqual(['commitment.progress_noted', MEMBER]);
  });

  it('a member cannot complete (its complete link is refused)', async () => {
    await make('links-member');
    const c = (await ctx.services.commitmentStore.get('links-member'))!;
    const l = await ctx.services.links.issue(c, MEMBER, 'UNHCR', ['complete']);
    await api().post(pathOf(l.complete!)).type('form').send({}).expect(403);
  });
});
