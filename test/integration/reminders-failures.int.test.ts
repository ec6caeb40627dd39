/**
 * Delivery when things go wrong: SMTP 4xx is retried and delivers
 * once; 5xx and rejected recipients fail permanently, are recorded and
 * visible, and an admin can retry; poisoned jobs fail without a retry storm;
 * a late start records missed steps as skipped and sends one overdue notice.
 *
 * The SMTP sink's failure switch is shared, so these tests run one at a time.
 */
import request from 'supertest';
import { slotJobId } from '../../jobs/reminder-jobs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommitment } from '../../src/domain/commitment.js';
import { TOKENS, bearer } from '../support/app.js';
import { DUE_ONLY, instant, sendIdOf, startReminderHarness, until, type ReminderHarness } from '../support/reminder-harness.js';

let h: ReminderHarness;
beforeAll(async () => {
  h = await startReminderHarness('rem-failures', { env: { DIGEST_STEERING_GROUP: 'steering@example.org' } });
  await h.addParty({
    id: 'QA-TWO',
    name: 'A party with two focal points',
    kind: 'organisation',
    timeZone: 'Asia/Kabul',
    contacts: [
      { name: 'Accepted', email: 'accepted@example.org' },
      { name: 'Rejected', email: 'rejected@example.org' },
    ],
    roles: [],
  });
});
afterAll(() => h.cleanup());

async function create(id: string, dueInMs: number, leads = ['LKA'], members = ['IDN']) {
  await request(h.app)
    .post('/v1/commitments')
    .set(bearer(TOKENS.admin))
    .send({ id, meetingId: 'ahg-som-2009', title: `Expert working group (${id})`, leads, members, due: { at: instant(dueInMs) }, reminderPolicy: DUE_ONLY })
    .expect(201);
}

const failedRows = async (id: string) =>
  (await request(h.app).get(`/v1/reminders?state=failed&commitment=${id}`).set(bearer(TOKENS.admin)).expect(200)).body.items as Array<{ sendId: string; recipient: string; responseCode?: number }>;

/** Once `n` of a commitment's deliveries are recorded failed and nothing more is scheduled or running for it. */
async function waitForFailures(commitmentId: string, n: number) {
  await until(async () => ((await failedRows(commitmentId)).length >= n ? true : null), 15_000, `${n} failed deliveries of ${commitmentId}`);
  await h.settled(commitmentId);
}

describe('delivery failures', () => {
  it('when SMTP answers 4xx and then recovers, then each reminder is delivered exactly once', async () => {
    const runs: string[] = [];
    h.workers!.workers.find((w) => w.name === 'reminders')!.on('active', (job) => runs.push(String(job.id)));
    h.sink.failNext(451, 2);
    await create('smtp-4xx', 1500);
    const dueAt = (await request(h.app).get('/v1/commitments/smtp-4xx').set(bearer(TOKENS.admin)).expect(200)).body.dueAt as string;
    await until(() => h.mailFor('smtp-4xx').length >= 2, 20_000, 'both reminders');
    await h.settled('smtp-4xx');
    const ids = h.mailFor('smtp-4xx').map((m) => `${sendIdOf(m)}|${m.envelopeTo.join()}`);
    expect(ids.sort()).toEqual(['smtp-4xx--d1--due--IDN|focal-point.idn@example.org', 'smtp-4xx--d1--due--LKA|focal-point.lka@example.org']);
    expect((await h.ledger.get('smtp-4xx--d1--due--LKA', 'focal-point.lka@example.org'))?.state).toBe('sent');
    expect(await failedRows('smtp-4xx')).toEqual([]);
    // Both sends fall on the deadline instant, so one group in that instant's slot carries them.
    // The two 451s really happened: two extra runs of the slot's job, each after a backoff.
    expect(runs.filter((id) => id === slotJobId(Date.parse(dueAt)))).toHaveLength(3);
  });

  it('when SMTP answers 5xx, then the delivery fails at once, is recorded and visible, and an admin retry delivers it', async () => {
    h.sink.failNext(550, 2);
    await create('smtp-5xx', 1500);
    // One 550 does not stop the group: both recipients are tried once, and it fails for good (no retry is scheduled).
    await waitForFailures('smtp-5xx', 2);
    expect(await h.scheduledGroups('smtp-5xx')).toEqual([]);
    expect(h.mailFor('smtp-5xx')).toHaveLength(0);

    const rows = await failedRows('smtp-5xx');
    expect(rows.map((r) => r.sendId).sort()).toEqual(['smtp-5xx--d1--due--IDN', 'smtp-5xx--d1--due--LKA']);
    expect(rows.every((r) => r.responseCode === 550)).toBe(true);
    const view = await request(h.app).get('/v1/commitments/smtp-5xx/reminders').set(bearer(TOKENS.admin)).expect(200);
    expect(view.body.items.map((i: { state: string }) => i.state)).toEqual(['failed', 'failed']);
    const history = await request(h.app).get('/v1/commitments/smtp-5xx/history').set(bearer(TOKENS.admin)).expect(200);
    expect(history.body.items.filter((e: { type: string }) => e.type === 'reminder.failed')).toHaveLength(2);

    await request(h.app).post('/v1/reminders/smtp-5xx--d1--due--LKA/retry').set(bearer(TOKENS.admin)).expect(202);
    await until(() => h.mailFor('smtp-5xx').length >= 1, 10_000, 'the retried reminder');
    expect((await failedRows('smtp-5xx')).map((r) => r.sendId)).toEqual(['smtp-5xx--d1--due--IDN']);
    const sent = await request(h.app).get('/v1/reminders?state=sent&commitment=smtp-5xx').set(bearer(TOKENS.admin)).expect(200);
    expect(sent.body.items.map((r: { recipient: string }) => r.recipient)).toEqual(['focal-point.lka@example.org']);
    await request(h.app).post('/v1/reminders/smtp-5xx--d1--due--LKA/retry').set(bearer(TOKENS.admin)).expect(409);
  });

  it('when one of a party\'s recipients is rejected, then the accepted one is recorded sent and the rejected one failed', async () => {
    h.sink.rejectRecipients(['rejected@example.org']);
    try {
      await create('partial-reject', 1000, ['QA-TWO'], []);
      await waitForFailures('partial-reject', 1);
    } finally {
      h.sink.rejectRecipients([]);
    }
    expect(h.mailFor('partial-reject').map((m) => m.envelopeTo)).toEqual([['accepted@example.org']]);
    const entries = await h.ledger.getAll('partial-reject--d1--due--QA-TWO');
    expect(entries['accepted@example.org']?.state).toBe('sent');
    expect(entries['rejected@example.org']).toMatchObject({ state: 'failed', responseCode: 550 });
    // The one-command read of several sends (what the worker and the reconcile use) agrees.
    expect(await h.ledger.getMany(['partial-reject--d1--due--QA-TWO', 'partial-reject--d1--due--NOBODY'])).toEqual([entries, {}]);
    expect((await failedRows('partial-reject')).map((r) => r.recipient)).toEqual(['rejected@example.org']);
  });
});

describe('an escalation with two leads', () => {
  it('when the second lead\'s escalation fails and an admin retries it, then only that lead gets it: the co-chairs and the steering group were copied once, with the first lead\'s', async () => {
    const id = 'escalation-two-leads';
    const policy = { before: [], onDue: false, overdue: { every: 'PT1S', max: 0 }, escalateAfter: 'PT1S', sendAt: null, quietDays: [] };
    h.sink.rejectRecipients(['focal-point.afg@example.org']);
    try {
      await request(h.app)
        .post('/v1/commitments')
        .set(bearer(TOKENS.admin))
        .send({ id, meetingId: 'ahg-som-2009', title: 'Expert working group on irregular movement by air', leads: ['LKA', 'AFG'], members: ['IND'], due: { at: instant(1000) }, reminderPolicy: policy })
        .expect(201);
      await waitForFailures(id, 1);
    } finally {
      h.sink.rejectRecipients([]);
    }
    const copies = ['focal-point.aus@example.org', 'focal-point.idn@example.org', 'steering@example.org'];
    const received = () => h.mailFor(id).map((m) => `${sendIdOf(m).replace(`${id}--d1--`, '')} ${m.envelopeTo.join()}`).sort();
    expect(received()).toEqual(['escalation--LKA focal-point.lka@example.org', ...copies.map((a) => `escalation--LKA ${a}`)].sort());

    await request(h.app).post(`/v1/reminders/${id}--d1--escalation--AFG/retry`).set(bearer(TOKENS.admin)).expect(202);
    await until(() => h.mailFor(id).length >= 5, 10_000, 'the retried escalation');
    await h.settled(id);
    expect(received()).toEqual(['escalation--AFG focal-point.afg@example.org', 'escalation--LKA focal-point.lka@example.org', ...copies.map((a) => `escalation--LKA ${a}`)].sort());
    // One escalation of the commitment in its history (the digest tells it once), from the send that carried the copies.
    const history = (await request(h.app).get(`/v1/commitments/${id}/history`).set(bearer(TOKENS.admin)).expect(200)).body.items as Array<{ type: string; data: { sendId?: string } }>;
    expect(history.filter((e) => e.type === 'commitment.escalated').map((e) => e.data.sendId)).toEqual([`${id}--d1--escalation--LKA`]);
    expect(history.filter((e) => e.type === 'reminder.sent')).toHaveLength(2);
  });
});

describe('poisoned jobs', () => {
  it('when a reminder job has a malformed payload or names an unknown commitment, then it fails once, without retries', async () => {
    const opts = { attempts: 8, backoff: { type: 'exponential', delay: 100 } };
    await h.queues.reminders.add('send', { nope: true }, { ...opts, jobId: 'poison-malformed' });
    await h.queues.reminders.add('send', { c: 'no-such-commitment', v: 1, p: 'LKA' }, { ...opts, jobId: 'poison-unknown' });
    await h.queues.statusCheck.add('status-check', { c: 'no-such-commitment', v: 'x' }, { ...opts, jobId: 'poison-check' });
    await h.queues.reconcile.add('reconcile', { commitmentId: 'Not A Slug!' }, { ...opts, jobId: 'poison-reconcile' });
    const queues = [h.queues.reminders, h.queues.reminders, h.queues.statusCheck, h.queues.reconcile];
    const ids = ['poison-malformed', 'poison-unknown', 'poison-check', 'poison-reconcile'];
    await Promise.all(
      ids.map((id, i) => until(async () => {
        const j = await queues[i]!.getJob(id);
        return j && (await j.getState()) === 'failed' ? j : null;
      }, 10_000, id)),
    );
    // A job that BullMQ would try again is delayed, not failed: 'failed' with one try is final.
    const reasons: string[] = [];
    for (const [i, id] of ids.entries()) {
      const j = (await queues[i]!.getJob(id))!;
      expect(await j.getState()).toBe('failed');
      expect(j.attemptsStarted).toBe(1);
      reasons.push(j.failedReason);
    }
    expect(reasons[0]).toMatch(/malformed/);
    expect(reasons[1]).toMatch(/unknown commitment/);
    expect(reasons[3]).toMatch(/malformed/);
  });
});

describe('a late start', () => {
  it('when a commitment\'s steps are long past, then they are recorded skipped and the lead gets one overdue notice', async () => {
    const id = 'late-start';
    const due = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
    const change = createCommitment(
      {
        id,
        meetingId: 'ahg-som-2009',
        title: 'Information paper on protection and registration',
        sourceText: '',
        theme: null,
        leads: ['LKA'],
        members: ['IDN'],
        due: { at: due },
        reminderPolicy: { before: ['P2D', 'P1D'], onDue: true, overdue: { every: 'PT12H', max: 4 }, escalateAfter: null, sendAt: null, quietDays: [] },
      },
      'seed',
      new Date(Date.now() - 10 * 24 * 3600_000),
    );
    // Written while no scheduler listened, as if the service had been down all along.
    expect(await h.deps.commitments.create(change)).toBe(true);
    await h.services.scheduler.commitmentsChanged([id]);
    await until(() => h.mailFor(id).length >= 1, 10_000, 'the overdue notice');
    // Starting again (or a full reconcile) must not send it again.
    await h.settled(id);
    await h.services.scheduler.commitmentsChanged([id]);
    await h.settled(id);
    await h.services.scheduler.commitmentsChanged([id]);
    await h.settled(id);

    const mail = h.mailFor(id);
    expect(mail.map((m) => [sendIdOf(m), m.envelopeTo.join()])).toEqual([[`${id}--d1--overdue-4--LKA`, 'focal-point.lka@example.org']]);
    expect(mail[0]!.parsed.subject).toBe('Overdue: Information paper on protection and registration');

    const view = await request(h.app).get(`/v1/commitments/${id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
    const states = view.body.items.map((i: { stepKey: string; partyId: string; state: string }) => `${i.stepKey}/${i.partyId}=${i.state}`).sort();
    expect(states).toEqual(
      [
        'before-P1D/IDN=skipped', 'before-P1D/LKA=skipped', 'before-P2D/IDN=skipped', 'before-P2D/LKA=skipped',
        'due/IDN=skipped', 'due/LKA=skipped',
        'overdue-1/LKA=skipped', 'overdue-2/LKA=skipped', 'overdue-3/LKA=skipped', 'overdue-4/LKA=sent',
      ].sort(),
    );
    const history = await request(h.app).get(`/v1/commitments/${id}/history`).set(bearer(TOKENS.admin)).expect(200);
    const types = history.body.items.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'commitment.overdue')).toHaveLength(1);
    expect(types.filter((t: string) => t === 'reminder.sent')).toHaveLength(1);
    expect(types.filter((t: string) => t === 'reminder.skipped')).toHaveLength(9);
  });
});
