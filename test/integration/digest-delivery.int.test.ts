/**
 * Digest delivery against real Redis, real BullMQ and a real SMTP server:
 * exactly once per (period, recipient) across reruns, retries and restarts;
 * escaping; party digests; the period boundary; the empty week.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueDigestRun } from '../../jobs/digest.js';
import { periodKey } from '../../src/domain/digest-period.js';
import { digestMessageId } from '../../src/mail/digest-compose.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { createDigestArchive } from '../../src/store/digest-store.js';
import { startDigestWorker, type RunningDigestWorker } from '../../workers/digest.js';
import { TOKENS, bearer, createTestContext, type TestContext } from '../support/app.js';
import { completedJob } from '../support/jobs.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';

const RECIPIENTS = ['focal-point.aus@example.org', 'focal-point.idn@example.org', 'sg@example.org', 'focal-point.lka@example.org'];
const EVIL = '<script>alert(1)</script> border talks';
const T1 = new Date('2010-01-18T02:00:00Z'); // Monday 09:00 Jakarta
const T2 = new Date('2010-01-25T02:00:00Z');
const T3 = new Date('2010-02-01T02:00:00Z');
const T4 = new Date('2010-02-08T02:00:00Z');
const T5 = new Date('2010-02-15T02:00:00Z');

let sink: SmtpSink;
let ctx: TestContext;
let mailer: Mailer;
let running: RunningDigestWorker | undefined;

async function startWorker(): Promise<RunningDigestWorker> {
  running = await startDigestWorker({ services: ctx.servicesWith({ notifier: mailer }), redis: ctx.redis, noScheduler: true, backoffMs: 50 });
  return running;
}

/** Run the digest of the scheduled run `at` to completion. */
async function runDigest(at: Date, opts: { backoffMs?: number } = {}) {
  await enqueueDigestRun(running!.queue, at, opts);
  return completedJob(running!.queue, `digest-run-${at.getTime()}`);
}

const forPeriod = (msgs: ReceivedMail[], digestIdPrefix: string) => msgs.filter((m) => String(m.parsed.headers.get('x-followup-digest') ?? '').startsWith(digestIdPrefix));
const to = (m: ReceivedMail) => m.envelopeTo[0]!;

beforeAll(async () => {
  sink = await startSmtpSink();
  ctx = createTestContext('digest-delivery', { SMTP_URL: sink.url, DIGEST_STEERING_GROUP: 'sg@example.org', DIGEST_PARTY_OPT_IN: 'LKA', PUBLIC_BASE_URL: 'http://followup.test' });
  await ctx.seed();
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: ctx.config.MAIL_FROM });
  const admin = bearer(TOKENS.admin);
  await request(ctx.app).post('/v1/commitments').set(admin).send({ meetingId: 'ahg-som-2009', id: 'tha-border-talks', title: EVIL, leads: ['THA'] }).expect(201);
  await request(ctx.app).post('/v1/commitments').set(admin).send({ meetingId: 'ahg-som-2009', id: 'lka-returns', title: 'Sri Lankan returns programme', leads: ['LKA'] }).expect(201);
  await startWorker();
});

afterAll(async () => {
  await running?.close();
  await mailer?.close();
  await ctx?.cleanup();
  await sink?.close();
});

describe('a scheduled digest run', () => {
  let first: ReceivedMail[];

  it('when the Monday run fires, then each recipient gets exactly one digest with a Message-ID from the period and the address', async () => {
    const job = await runDigest(T1);
    first = await sink.waitFor(4);
    expect(first.map(to).sort()).toEqual([...RECIPIENTS].sort());
    const sendId = (job.returnvalue as { sendId: string }).sendId;
    expect(sendId).toMatch(/^20090726t170000000z-20100118t020000000z$/); // the first digest starts at the meeting
    for (const m of first) expect(m.parsed.messageId).toBe(digestMessageId(sendId, to(m), 'followup.test'));
  });

  it('when the same run is processed again, then the ledger sends nothing twice', async () => {
    await (await running!.queue.getJob(`digest-run-${T1.getTime()}`))!.remove();
    const job = await runDigest(T1);
    expect(job.returnvalue).toMatchObject({ sent: [], already: expect.arrayContaining(RECIPIENTS) });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages).toHaveLength(4);
  });

  it('then a title carrying a script arrives escaped in the HTML part', () => {
    const full = first.find((m) => to(m) === 'sg@example.org')!;
    expect(full.parsed.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; border talks');
    expect(full.parsed.html).not.toContain('<script>');
    expect(full.parsed.text).toContain(EVIL);
    expect(full.parsed.text).toContain('overdue since 31 December 2009');
  });

  it('then the Sri Lankan focal point gets a party digest with no other party\'s items', () => {
    const lka = first.find((m) => to(m) === 'focal-point.lka@example.org')!;
    expect(lka.parsed.subject).toContain('for Sri Lanka');
    expect(lka.parsed.text).toContain('Sri Lankan returns programme');
    expect(lka.parsed.text).toContain('Sub-group of affected countries on the Sri Lankan caseload');
    for (const other of ['border talks', 'Workshop on information campaigns', 'Technical expert meetings', 'Information paper on protection']) {
      expect(lka.parsed.text).not.toContain(other);
      expect(String(lka.parsed.html)).not.toContain(other);
    }
  });

  it('then the archive holds the exact text and HTML sent, with every recipient sent', async () => {
    const archive = createDigestArchive(ctx.redis, ctx.keys);
    const sg = first.find((m) => to(m) === 'sg@example.org')!;
    const d = (await archive.get(String(sg.parsed.headers.get('x-followup-digest'))))!;
    // The archive holds the text as composed; each recipient's copy has its own signed view link in place of each placeholder.
    const asSent = new RegExp(`^${d.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%%VIEW:[a-z0-9-]+%%/g, 'http://followup\\.test/actions/l/[A-Za-z0-9_-]{22}[a-z]\\.[A-Za-z0-9_-]{43}')}$`);
    expect(String(sg.parsed.text)).toMatch(asSent);
    expect(d.recipients.map((r) => [r.email, r.state, r.messageId])).toEqual(
      ['focal-point.aus@example.org', 'focal-point.idn@example.org', 'sg@example.org'].map((e) => [e, 'sent', digestMessageId(d.sendId, e, 'followup.test')]),
    );
    expect((await archive.readLog()).filter((l) => l.sendId === d.sendId)).toHaveLength(4);
  });
});

describe('retries and restarts', () => {
  it('when the SMTP server answers 451 once and the worker restarts before the retry, then each recipient still gets exactly one digest', async () => {
    sink.clear();
    sink.failNext(451, 1);
    await enqueueDigestRun(running!.queue, T2, { backoffMs: 300 });
    // The first attempt serves three recipients, then fails for one; stop the worker as a crash would.
    await sink.waitFor(3);
    await running!.close();
    await startWorker();
    const job = await completedJob(running!.queue, `digest-run-${T2.getTime()}`);
    expect(job.attemptsStarted).toBeGreaterThanOrEqual(2); // it really was retried
    const msgs = forPeriod(sink.messages, periodKey({ from: T1, to: T2 }));
    expect(msgs.map(to).sort()).toEqual([...RECIPIENTS].sort());
    const failures = await createSendLedger(ctx.redis, ctx.keys, 'digest').failed();
    expect(failures).toEqual([]);
  });
});

describe('a poisoned job', () => {
  it('when a send job names no archived digest, then it fails at once without retries and sends nothing', async () => {
    sink.clear();
    await running!.queue.add('send', { sendId: 'manual-doesnotexist' }, { jobId: 'digest-send-poison', attempts: 5 });
    const started = Date.now();
    let state = 'waiting';
    while (state !== 'failed' && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
      state = await (await running!.queue.getJob('digest-send-poison'))!.getState();
    }
    const job = (await running!.queue.getJob('digest-send-poison'))!;
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/no archived digest/);
    expect(sink.messages).toHaveLength(0);
  });
});

describe('the period boundary', () => {
  it('when an item is completed exactly at a scheduled run, then it appears in exactly one digest: the one that starts there', async () => {
    ctx.clock.set(T3);
    await request(ctx.app)
      .post('/v1/commitments/information-paper-protection-registration/complete')
      .set(bearer(TOKENS.admin))
      .send({ note: 'paper shared with the group', completedOn: '2010-02-01' })
      .expect(200);
    sink.clear();
    await runDigest(T3);
    await runDigest(T4);
    const archive = createDigestArchive(ctx.redis, ctx.keys);
    const before = (await archive.get(`${periodKey({ from: T2, to: T3 })}-all`))!;
    const after = (await archive.get(`${periodKey({ from: T3, to: T4 })}-all`))!;
    expect(before.text).not.toContain('Information paper on protection and registration: completed');
    expect(before.empty).toBe(true);
    expect(after.text).toContain('Completed this period (1)');
    expect(after.text).toContain('Information paper on protection and registration: completed on 1 February 2010');
  });
});

describe('an empty week', () => {
  it('when nothing changed (DIGEST_EMPTY=short), then a short "no changes" digest goes out once per recipient', async () => {
    sink.clear();
    await runDigest(T5);
    const msgs = await sink.waitFor(4);
    expect(msgs.map(to).sort()).toEqual([...RECIPIENTS].sort());
    for (const m of msgs) {
      expect(m.parsed.subject).toMatch(/no changes$/);
      expect(m.parsed.text).toContain('No changes this period');
    }
  });
});
