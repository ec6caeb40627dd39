/**
 * The digest API on the real app, Redis, BullMQ and SMTP: the preview of the
 * seeded meeting (the "done when"), input errors, scoping, the
 * idempotent out-of-schedule send, and the archive.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/domain/digest.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { startDigestWorker, type RunningDigestWorker } from '../../workers/digest.js';
import { TOKENS, bearer, createTestContext, type TestContext } from '../support/app.js';
import { snapshotPrefix } from '../support/redis.js';
import { completedJob } from '../support/jobs.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

let sink: SmtpSink;
let ctx: TestContext;
let mailer: Mailer;
let worker: RunningDigestWorker;

beforeAll(async () => {
  sink = await startSmtpSink();
  ctx = createTestContext('digest-api', { SMTP_URL: sink.url, DIGEST_STEERING_GROUP: 'sg@example.org' }, '2010-01-18T00:00:00Z');
  await ctx.seed();
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: ctx.config.MAIL_FROM });
  worker = await startDigestWorker({ services: ctx.servicesWith({ notifier: mailer }), redis: ctx.redis, noScheduler: true, backoffMs: 50 });
});

afterAll(async () => {
  await worker?.close();
  await mailer?.close();
  await ctx?.cleanup();
  await sink?.close();
});

const admin = bearer(TOKENS.admin);

describe('GET /v1/digest/preview of the seeded meeting, clock pinned at 18 January 2010', () => {
  it('reads well to a co-chair: the workshop is overdue since 31 December 2009, five items need a deadline, the expert meetings stand at 0 of 2', async () => {
    const res = await request(ctx.app).get('/v1/digest/preview?format=json&asOf=2010-01-18').set(admin).expect(200);
    const d = res.body as Digest;
    expect(d.overdue.items).toEqual([expect.objectContaining({ id: 'workshop-information-campaigns', dueLabel: '31 December 2009', daysOverdue: 18, leads: ['IDN', 'AUS'] })]);
    expect(d.needsDeadline.total).toBe(5);
    expect(d.progress.items).toEqual([expect.objectContaining({ id: 'expert-meetings-prosecuting-smuggling-syndicates', label: '0 of 2 meetings held' })]);
    expect(d.period.first).toBe(true);
    expect(d.headline).toMatchObject({ open: 6, overdue: 1, withoutDeadline: 5, done: 0 });
  });

  it('renders HTML a browser shows, with inline style that the Content-Security-Policy allows', async () => {
    const res = await request(ctx.app).get('/v1/digest/preview').set(admin).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers['content-security-policy']).toMatch(/style-src [^;]*'unsafe-inline'/);
    expect(res.text).toMatch(/^<!doctype html>/);
    expect(res.text).toContain('<strong>Workshop on information campaigns</strong>: overdue since 31 December 2009');
    expect(res.text).toContain('0 of 2 meetings held');
  });

  it('renders plain text', async () => {
    const res = await request(ctx.app).get('/v1/digest/preview?format=text').set(admin).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('Needs a deadline (5)');
  });

  it('when the format or asOf is not valid, then it answers 400 naming the field', async () => {
    const a = await request(ctx.app).get('/v1/digest/preview?format=pdf').set(admin).expect(400);
    expect(a.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(a.body.errors).toEqual([expect.objectContaining({ path: 'query.format' })]);
    const b = await request(ctx.app).get('/v1/digest/preview?asOf=yesterday').set(admin).expect(400);
    expect(b.body.errors).toEqual([expect.objectContaining({ path: 'query.asOf' })]);
  });

  it('when an editor previews, then it sees only its own party\'s digest, and another party is forbidden', async () => {
    const res = await request(ctx.app).get('/v1/digest/preview?format=json').set(bearer(TOKENS.lka)).expect(200);
    expect(res.body.scope).toEqual({ party: 'LKA', name: 'Sri Lanka' });
    expect(res.body.headline.total).toBe(1);
    expect(JSON.stringify(res.body)).not.toContain('Workshop on information campaigns');
    await request(ctx.app).get('/v1/digest/preview?party=IDN').set(bearer(TOKENS.lka)).expect(403);
  });

  it('when there is no token, then 401', async () => {
    await request(ctx.app).get('/v1/digest/preview').expect(401);
  });
});

describe('POST /v1/digest/send', () => {
  let first: request.Response;

  it('when a non-admin asks, then 403 and nothing changes', async () => {
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    await request(ctx.app).post('/v1/digest/send').set(bearer(TOKENS.viewer)).set('Idempotency-Key', 'k1').expect(403);
    await request(ctx.app).post('/v1/digest/send').set(bearer(TOKENS.idn)).set('Idempotency-Key', 'k1').expect(403);
    expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('when no idempotency key is given, then 400 naming Idempotency-Key', async () => {
    const res = await request(ctx.app).post('/v1/digest/send').set(admin).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
  });

  it('when an admin sends, then each recipient gets the digest once', async () => {
    first = await request(ctx.app).post('/v1/digest/send').set(admin).set('Idempotency-Key', 'monday-extra-1').expect(202);
    expect(first.body.replayed).toBe(false);
    expect(first.body.digests).toHaveLength(1);
    await completedJob(worker.queue, `digest-send-${first.body.sendId}`);
    const msgs = await sink.waitFor(3);
    expect(msgs.map((m) => m.envelopeTo[0]).sort()).toEqual(['focal-point.aus@example.org', 'focal-point.idn@example.org', 'sg@example.org']);
  });

  it('when the same key is sent again (header or body), then the same digest comes back and nothing is sent twice', async () => {
    const again = await request(ctx.app).post('/v1/digest/send').set(admin).send({ idempotencyKey: 'monday-extra-1' }).expect(200);
    expect(again.body.replayed).toBe(true);
    expect(again.body.sendId).toBe(first.body.sendId);
    expect(again.body.digests.map((d: { id: string }) => d.id)).toEqual(first.body.digests.map((d: { id: string }) => d.id));
    expect(again.body.digests[0].recipients.every((r: { state: string }) => r.state === 'sent')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages).toHaveLength(3);
  });

  it('when the key is reused for a different request, then 409', async () => {
    await request(ctx.app).post('/v1/digest/send').set(admin).set('Idempotency-Key', 'monday-extra-1').send({ to: ['other@example.org'] }).expect(409);
  });

  it('when sent to given addresses for one party, then only that party\'s digest goes only there', async () => {
    sink.clear();
    ctx.clock.advance(60_000);
    const res = await request(ctx.app).post('/v1/digest/send').set(admin).set('Idempotency-Key', 'lka-check').send({ to: ['desk@example.org'], party: 'LKA' }).expect(202);
    await completedJob(worker.queue, `digest-send-${res.body.sendId}`);
    const [m] = await sink.waitFor(1);
    expect(m!.envelopeTo).toEqual(['desk@example.org']);
    expect(m!.parsed.subject).toContain('for Sri Lanka');
    expect(m!.parsed.text).not.toContain('Workshop on information campaigns');
  });
});

describe('the archive', () => {
  it('lists sent digests newest first, and returns one with the exact text and HTML that went out', async () => {
    const list = await request(ctx.app).get('/v1/digests').set(admin).expect(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0].scope).toBe('LKA');
    expect(list.body.items[0]).not.toHaveProperty('html');
    const id = list.body.items[1].id as string;
    const one = await request(ctx.app).get(`/v1/digests/${id}`).set(admin).expect(200);
    expect(one.body.recipients.map((r: { messageId: string }) => r.messageId)).toHaveLength(3);
    const html = await request(ctx.app).get(`/v1/digests/${id}?format=html`).set(admin).expect(200);
    expect(html.text).toBe(one.body.html);
    // Recipients got their own signed links; the archive shows each item's API address instead of a placeholder.
    const raw = (await ctx.services.digests.archived(one.body.sendId)).find((d) => d.id === id)!;
    expect(raw.html).toContain('%%VIEW');
    expect(`${one.body.text}${one.body.html}`).not.toContain('%%VIEW');
    expect(one.body.html).toMatch(/\/v1\/commitments\/[a-z0-9-]+/);
  });

  it('when an editor looks, then it sees only its own party\'s digests, and another\'s is not found', async () => {
    const list = await request(ctx.app).get('/v1/digests').set(bearer(TOKENS.lka)).expect(200);
    expect(list.body.items.map((d: { scope: string }) => d.scope)).toEqual(['LKA']);
    const all = await request(ctx.app).get('/v1/digests').set(admin).expect(200);
    await request(ctx.app).get(`/v1/digests/${all.body.items[1].id}`).set(bearer(TOKENS.lka)).expect(404);
  });

  it('when the id is malformed or unknown, then 400 or 404', async () => {
    await request(ctx.app).get('/v1/digests/NOT_AN_ID').set(admin).expect(400);
    await request(ctx.app).get('/v1/digests/manual-unknown-all').set(admin).expect(404);
  });
});
