/**
 * The processors as plain functions: each is built from its dependencies and
 * called with a fake job, against real Redis and a real SMTP server. No
 * worker, no timers: every outcome is read from what the processor returns
 * and what it recorded.
 */
import { DelayedError, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMember, reminderGroupJobId, slotJobId, slotMember, statusCheckJobId } from '../../jobs/reminder-jobs.js';
import type { Notifier } from '../../src/app/ports.js';
import type { Services, Wired } from '../../src/app/services.js';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { createDigestProcessor } from '../../workers/digest.processor.js';
import { createPartyLookup } from '../../workers/party-cache.js';
import { createReconcileProcessor } from '../../workers/reconcile.processor.js';
import { createSendReminderProcessor } from '../../workers/send-reminder.processor.js';
import { createStatusCheckProcessor } from '../../workers/status-check.processor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const NOW = '2010-03-01T02:00:00.000Z'; // a Monday, 09:00 in Jakarta: the weekly digest's hour
const ON_DUE_ONLY: ReminderPolicy = { before: [], onDue: true, overdue: { every: 'P1D', max: 0 }, escalateAfter: null, sendAt: null, quietDays: [] };

interface FakeJob {
  job: Job;
  /** Instants the processor moved the job to (a retry, or a wait for a later send). */
  delayedTo: number[];
}

/** The part of a BullMQ job the processors use, recording what they ask of it. */
function fakeJob(fields: { id?: string; name?: string; data: unknown; opts?: Record<string, unknown>; attemptsStarted?: number }): FakeJob {
  const delayedTo: number[] = [];
  const job = {
    id: fields.id ?? 'fake-1',
    name: fields.name ?? 'send',
    data: fields.data,
    opts: fields.opts ?? {},
    timestamp: Date.parse(NOW),
    attemptsStarted: fields.attemptsStarted ?? 1,
    async moveToDelayed(at: number) {
      delayedTo.push(at);
    },
    async updateData(data: unknown) {
      job.data = data;
    },
  };
  return { job: job as unknown as Job, delayedTo };
}

let sink: SmtpSink;
let ctx: TestContext;
let mailer: Mailer;
let services: Services;
let wired: Wired;
/** Every message that went through the Notifier port, by kind. */
const seen: Array<'reminder' | 'digest'> = [];

beforeAll(async () => {
  sink = await startSmtpSink();
  ctx = createTestContext('processors', { SMTP_URL: sink.url, PUBLIC_BASE_URL: 'http://followup.test', DIGEST_STEERING_GROUP: 'sg@example.org' }, NOW);
  await ctx.seed();
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: 'outbox', from: ctx.config.MAIL_FROM });
  const counting: Notifier = {
    kind: mailer.kind,
    target: mailer.target,
    close: () => mailer.close(),
    send: (mail) => {
      seen.push(mail.headers?.['X-Followup-Digest'] ? 'digest' : 'reminder');
      return mailer.send(mail);
    },
  };
  services = ctx.servicesWith({ notifier: counting });
  wired = services.on(ctx.redis);
});

afterAll(async () => {
  await mailer?.close();
  await ctx?.cleanup();
  await sink?.close();
});

async function dueNow(id: string) {
  return services.commitments.create(
    { id, meetingId: 'ahg-som-2009', title: `Due now (${id})`, sourceText: '', theme: null, leads: ['LKA'], members: [], due: { at: NOW }, reminderPolicy: ON_DUE_ONLY },
    { name: 'test' },
  );
}

const reminderProcessor = () =>
  createSendReminderProcessor({
    commitments: wired.stores.commitments,
    parties: createPartyLookup(wired.stores.parties, 0),
    ledger: wired.stores.reminderLedger,
    planner: wired.planner,
    delivery: wired.delivery,
    clock: ctx.clock,
    logger: services.logger,
    baseUrl: 'http://followup.test',
    actionSecret: () => services.secret('action-link'),
    backoffMs: 10,
    slots: wired.stores.schedule,
    check: createStatusCheckProcessor({ commitments: wired.stores.commitments, clock: ctx.clock, logger: services.logger }).check,
  });

const groupJob = (id: string) => {
  const t = Date.parse(NOW);
  return fakeJob({ id: reminderGroupJobId({ commitmentId: id, dueVersion: 1, stepKey: 'due', at: t }), data: { c: id, v: 1, k: 'due', t } });
};

const reconcileProcessor = () => {
  const [reconcile, reminders, statusCheck] = services.queues;
  return createReconcileProcessor({
    schedule: wired.stores.schedule,
    rescheduleAll: () => wired.commitments.rescheduleAll(),
    rescheduleUnreconciled: (limit) => wired.commitments.rescheduleUnreconciled(limit),
    commitments: wired.stores.commitments,
    parties: createPartyLookup(wired.stores.parties, 0),
    ledger: wired.stores.reminderLedger,
    planner: wired.planner,
    clock: ctx.clock,
    logger: services.logger,
    queues: { reconcile: reconcile!, reminders: reminders!, statusCheck: statusCheck! },
  });
};

describe('the reconcile processor', () => {
  it('when a commitment is due, then it puts its reminder group in the slot of its instant and its status check in the slot just after, schedules both slots, and records them in the schedule index', async () => {
    await dueNow('proc-reconcile');
    const [, reminders, statusCheck] = services.queues;
    const process = reconcileProcessor();
    const result = await process(fakeJob({ name: 'reconcile', data: { commitmentId: 'proc-reconcile' } }).job);
    expect(result).toMatchObject({ planned: 1, ensured: 2, removed: 0 });
    const t = Date.parse(NOW);
    const member = slotMember({ c: 'proc-reconcile', v: 1, k: 'due', t });
    const check = checkMember('proc-reconcile', 1);
    const scheduled = await wired.stores.schedule.get('proc-reconcile');
    expect([...scheduled.groups].sort()).toEqual([[member, t], [check, t + 1]].sort());
    expect(scheduled.reminders.size).toBe(0);
    expect(scheduled.checks).toEqual([]);
    expect(await wired.stores.schedule.slotMembers(t)).toContain(member);
    expect(await wired.stores.schedule.slotMembers(t + 1)).toContain(check);
    expect((await reminders!.getJob(slotJobId(t)))?.data).toEqual({ s: t });
    expect((await reminders!.getJob(slotJobId(t + 1)))?.data).toEqual({ s: t + 1 });
    expect(await statusCheck!.getJobCounts('delayed', 'waiting')).toEqual({ delayed: 0, waiting: 0 });

    // Run again: nothing new is added or removed.
    expect(await process(fakeJob({ name: 'reconcile', data: { commitmentId: 'proc-reconcile' } }).job)).toMatchObject({ removed: 0 });
    expect(await wired.stores.schedule.get('proc-reconcile')).toEqual(scheduled);

    // Cancelled: its group and its check leave their slots, and its entry leaves the index.
    await services.commitments.cancel('proc-reconcile', 'no longer needed', { name: 'test' });
    expect(await process(fakeJob({ name: 'reconcile', data: { commitmentId: 'proc-reconcile' } }).job)).toMatchObject({ planned: 0, removed: 2 });
    expect(await wired.stores.schedule.slotMembers(t)).not.toContain(member);
    expect(await wired.stores.schedule.slotMembers(t + 1)).not.toContain(check);
    expect(await wired.stores.schedule.get('proc-reconcile')).toEqual({ groups: new Map(), reminders: new Map(), checks: [] });
    expect(statusCheckJobId('x')).toMatch(/^s/);
  });

  it('when a slot has already been served, then a group for its instant gets a job of its own', async () => {
    await dueNow('proc-served-slot');
    const [, reminders] = services.queues;
    const t = Date.parse(NOW);
    // The slot of NOW is served and closed (its job ran and found it empty).
    await wired.stores.schedule.removeFromSlots((await wired.stores.schedule.slotMembers(t)).map((m) => [m, t] as const));
    expect(await wired.stores.schedule.closeSlot(t, 60)).toBe(true);
    const process = reconcileProcessor();
    await process(fakeJob({ name: 'reconcile', data: { commitmentId: 'proc-served-slot' } }).job);
    const { job } = groupJob('proc-served-slot');
    const scheduled = await wired.stores.schedule.get('proc-served-slot');
    // Its status check, 1 ms later, is in a slot not yet served.
    expect([...scheduled.groups]).toEqual([[checkMember('proc-served-slot', 1), t + 1]]);
    expect([...scheduled.reminders]).toEqual([[job.id, t]]);
    expect((await reminders!.getJob(job.id!))?.data).toEqual({ c: 'proc-served-slot', v: 1, k: 'due', t });
    expect(await wired.stores.schedule.slotMembers(t)).toEqual([]);
  });
});

describe('the reminder processor', () => {
  it('when its send is due, then it mails the lead once and records it; run again, it sends nothing more', async () => {
    await dueNow('proc-send');
    const process = reminderProcessor();
    const before = sink.messages.length;
    const first = await process(groupJob('proc-send').job);
    expect(first).toEqual({ outcome: 'sent', sent: ['focal-point.lka@example.org'], already: [] });
    await sink.waitFor(before + 1);
    const entries = await wired.stores.reminderLedger.getAll('proc-send--d1--due--LKA');
    expect(entries['focal-point.lka@example.org']?.state).toBe('sent');

    const again = await process(groupJob('proc-send').job);
    expect(again).toEqual({ outcome: 'sent', sent: [], already: ['focal-point.lka@example.org'] });
    expect(sink.messages.length).toBe(before + 1);
  });

  it('when a slot fires, then every group it holds is sent through the same guard, a closed commitment gets nothing, and the served slot takes no new group', async () => {
    await dueNow('proc-slot-a');
    await dueNow('proc-slot-b');
    await dueNow('proc-slot-done');
    await services.commitments.complete('proc-slot-done', { note: 'Done', completedOn: '2010-02-28' }, { name: 'test' });
    const t = Date.parse(NOW);
    const at = t + 7;
    const members = ['proc-slot-a', 'proc-slot-b', 'proc-slot-done'].map((c) => slotMember({ c, v: 1, k: 'due', t }));
    expect(await wired.stores.schedule.addToSlots(new Map([[at, members]]))).toEqual(new Set());
    const before = sink.messages.length;

    const result = await reminderProcessor()(fakeJob({ id: slotJobId(at), data: { s: at } }).job);
    expect(result).toEqual({ outcome: 'sent', sent: ['focal-point.lka@example.org', 'focal-point.lka@example.org'], already: [] });
    await sink.waitFor(before + 2);
    const sendIds = sink.messages.slice(before).map((m) => String(m.parsed.headers.get('x-followup-send-id'))).sort();
    expect(sendIds).toEqual(['proc-slot-a--d1--due--LKA', 'proc-slot-b--d1--due--LKA']);
    expect(await wired.stores.schedule.slotMembers(at)).toEqual([]);
    // Served and closed: a group for this instant now needs a job of its own.
    expect(await wired.stores.schedule.addToSlots(new Map([[at, [members[0]!]]]))).toEqual(new Set([at]));
    expect(await wired.stores.schedule.slotMembers(at)).toEqual([]);
  });

  it('when the commitment was completed, then the job sends nothing (the fire-time guard)', async () => {
    await dueNow('proc-closed');
    await services.commitments.complete('proc-closed', { note: 'Done', completedOn: '2010-02-28' }, { name: 'test' });
    const before = sink.messages.length;
    expect(await reminderProcessor()(groupJob('proc-closed').job)).toEqual({ outcome: 'closed' });
    expect(sink.messages.length).toBe(before);
  });

  it('when the mail server answers 451, then the job is moved to a later try and nothing is recorded', async () => {
    await dueNow('proc-451');
    sink.failNext(451, 1);
    const { job, delayedTo } = groupJob('proc-451');
    await expect(reminderProcessor()(job)).rejects.toBeInstanceOf(DelayedError);
    expect(delayedTo).toHaveLength(1);
    expect(await wired.stores.reminderLedger.getAll('proc-451--d1--due--LKA')).toEqual({});
  });
});

describe('the status-check processor', () => {
  it('when the deadline has passed, then the overdue event is recorded once', async () => {
    await dueNow('proc-overdue');
    ctx.clock.advance(60_000);
    try {
      const process = createStatusCheckProcessor({ commitments: wired.stores.commitments, clock: ctx.clock, logger: services.logger });
      expect(await process(fakeJob({ name: 'status-check', data: { c: 'proc-overdue', v: 1 } }).job)).toEqual({ outcome: 'overdue' });
      expect(await process(fakeJob({ name: 'status-check', data: { c: 'proc-overdue', v: 1 } }).job)).toEqual({ outcome: 'already-recorded' });
      const history = await services.commitmentStore.history('proc-overdue');
      expect(history.filter((e) => e.type === 'commitment.overdue')).toHaveLength(1);
      // Recorded: a reconcile leaves no check in any slot, and a second one writes the same index.
      const reconcile = reconcileProcessor();
      await reconcile(fakeJob({ name: 'reconcile', data: { commitmentId: 'proc-overdue' } }).job);
      const once = await wired.stores.schedule.get('proc-overdue');
      expect([...once.groups.keys()].filter((m) => m.endsWith('|check'))).toEqual([]);
      expect(once.checks).toEqual([]);
      await reconcile(fakeJob({ name: 'reconcile', data: { commitmentId: 'proc-overdue' } }).job);
      expect(await wired.stores.schedule.get('proc-overdue')).toEqual(once);
    } finally {
      ctx.clock.set(NOW);
    }
  });
});

describe('the digest processor, and the one delivery path', () => {
  const scheduledRun = () =>
    fakeJob({ id: `repeat:weekly-digest:${Date.parse(NOW)}`, name: 'digest', data: { definition: 'weekly-digest' }, opts: { repeat: { pattern: '0 9 * * 1', tz: 'Asia/Jakarta' }, prevMillis: Date.parse(NOW) } });

  it('when the mail server answers 451, then the digest job is moved to a later try exactly as a reminder job is; the next try delivers once to each recipient', async () => {
    const process = createDigestProcessor({ digests: wired.digests, logger: services.logger, backoffMs: 10 });
    sink.failNext(451, 1);
    const first = scheduledRun();
    await expect(process(first.job)).rejects.toBeInstanceOf(DelayedError);
    expect(first.delayedTo).toHaveLength(1);

    const second = await process(scheduledRun().job);
    expect(second.sent.length + second.already.length).toBe(3);
    expect([...second.sent, ...second.already].sort()).toEqual(['focal-point.aus@example.org', 'focal-point.idn@example.org', 'sg@example.org']);
    const third = await process(scheduledRun().job);
    expect(third.sent).toEqual([]);
    expect(third.already.sort()).toEqual(['focal-point.aus@example.org', 'focal-point.idn@example.org', 'sg@example.org']);
  });

  it('reminders and digests both reached people through the same Notifier port and the ledger', async () => {
    expect(seen).toContain('reminder');
    expect(seen).toContain('digest');
    const digestRows = await wired.stores.digestLedger.sent({ limit: 10 });
    const reminderRows = await wired.stores.reminderLedger.sent({ limit: 10 });
    expect(digestRows.length).toBeGreaterThanOrEqual(3);
    expect(reminderRows.length).toBeGreaterThanOrEqual(1);
  });
});
