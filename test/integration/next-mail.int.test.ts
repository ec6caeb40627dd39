/**
 * An honest quickstart: the start says when the next reminder mail goes out,
 * from the planner over the stored commitments and the ledger, as the API's
 * reminder plans show it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNextMail, findNextMail, stepLabel, type NextMail } from '../../src/app/next-mail.js';
import { fixedClock } from '../../src/domain/clock.js';
import { start } from '../../src/main.js';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { API_TOKENS, TOKENS, bearer, createTestContext } from '../support/app.js';
import { deletePrefix, newRedis, redisUrl, uniquePrefix } from '../support/redis.js';

// A Saturday: the weekend is a quiet day for every seeded party.
const NOW = '2009-12-26T03:00:00Z';
const ctx = createTestContext('next-mail', {}, NOW);
const depsOf = (c: ReturnType<typeof createTestContext>) => {
  const w = c.services.on(c.redis);
  return { commitments: w.stores.commitments, parties: w.stores.parties, planner: w.planner, ledger: w.stores.reminderLedger, clock: c.clock };
};
const deps = () => depsOf(ctx);

type Item = { id: string; at: string; state: string; partyId: string; stepKey: string; timeZone: string; recipients: Array<{ address: string }> };

/** Every planned send of every commitment, as the API shows them, earliest first. */
async function plannedFromApi(): Promise<Array<Item & { commitmentId: string }>> {
  const list = await request(ctx.app).get('/v1/commitments').set(bearer(TOKENS.admin)).expect(200);
  const all: Array<Item & { commitmentId: string }> = [];
  for (const c of list.body.items as Array<{ id: string }>) {
    const plan = await request(ctx.app).get(`/v1/commitments/${c.id}/reminders`).set(bearer(TOKENS.admin)).expect(200);
    for (const i of plan.body.items as Item[]) if (i.state === 'planned') all.push({ ...i, commitmentId: c.id });
  }
  return all.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('the next reminder mail', () => {
  it('when the store is empty, then there is none, and the line says no commitment is stored', async () => {
    const empty = createTestContext('next-mail-empty', {}, NOW);
    try {
      const answer = await findNextMail(depsOf(empty));
      expect(answer).toEqual({ kind: 'none', commitments: 0 });
      expect(describeNextMail(answer)).toBe('next reminder: none, no commitment is stored');
    } finally {
      await empty.cleanup();
    }
  });

  it('when the seed is stored on a Saturday, then the next mail is the earliest planned send of the API plans, on a working day at the send hour', async () => {
    const answer = await findNextMail(deps());
    if (answer.kind !== 'next') throw new Error(`expected a next mail, got ${answer.kind}`);
    const first = (await plannedFromApi())[0]!;
    expect(answer.next).toMatchObject({ at: first.at, commitmentId: first.commitmentId, stepKey: first.stepKey, timeZone: first.timeZone });
    expect(answer.commitments).toBe(6);
    // Not the weekend it was asked on: quiet days and the 09:00 send hour put it later.
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: answer.next.timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(answer.next.at));
    expect(local).toMatch(/^(Monday|Tuesday|Wednesday|Thursday|Friday) 09:00$/);
    expect(Date.parse(answer.next.at)).toBeGreaterThan(Date.parse(NOW));
    const line = describeNextMail(answer);
    expect(line).toContain(`${local.split(' ')[0]} `);
    expect(line).toContain(`09:00 ${answer.next.timeZone}, ${stepLabel(answer.next.stepKey)} for '`);
    expect(line).toContain(`GET /v1/commitments/${answer.next.commitmentId}/reminders`);
  });

  it('when the service starts with workers, then it logs the next reminder line', async () => {
    const prefix = uniquePrefix('next-mail-start');
    const outbox = mkdtempSync(join(tmpdir(), 'followup-next-mail-'));
    const lines: Array<{ msg: string; nextReminder?: NextMail }> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string }) });
    const redis = newRedis();
    const running = await start({
      env: { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', OUTBOX_DIR: outbox, API_TOKENS },
      role: 'workers',
      clock: fixedClock(NOW),
      logger,
    });
    try {
      const line = lines.find((l) => l.msg.startsWith('next reminder: '));
      expect(line, lines.map((l) => l.msg).join('\n')).toBeDefined();
      // The same answer as the use case gives over the same seed at the same instant.
      const expected = await findNextMail(deps());
      expect(line!.msg).toBe(describeNextMail(expected));
      expect(line!.nextReminder?.commitmentId).toBe(expected.kind === 'next' ? expected.next.commitmentId : undefined);
    } finally {
      await running.stop();
      await deletePrefix(redis, prefix);
      await redis.quit();
      rmSync(outbox, { recursive: true, force: true });
    }
  });
  it('when the earliest send has been delivered, then the next mail is the one after it', async () => {
    const before = await findNextMail(deps());
    if (before.kind !== 'next') throw new Error('expected a next mail');
    const planned = await plannedFromApi();
    const first = planned[0]!;
    const ledger = createSendLedger(ctx.redis, ctx.keys, 'reminder');
    // Every send at that instant, so the answer must move past it.
    for (const s of planned.filter((p) => p.at === first.at)) {
      for (const r of s.recipients) await ledger.markSent(s.id, r.address, new Date(NOW), `<${s.id}@test>`, { commitmentId: s.commitmentId });
    }
    const after = await findNextMail(deps());
    if (after.kind !== 'next') throw new Error('expected a later mail');
    const rest = planned.filter((p) => p.at !== first.at);
    expect(after.next).toMatchObject({ at: rest[0]!.at, commitmentId: rest[0]!.commitmentId });
    expect(Date.parse(after.next.at)).toBeGreaterThan(Date.parse(before.next.at));
  });

  it('when the next send’s commitment is cancelled, then the next mail is another commitment’s', async () => {
    // A second commitment with a later deadline, so there is a next mail after the cancelled one.
    await request(ctx.app)
      .post('/v1/commitments')
      .set(bearer(TOKENS.admin))
      .send({ meetingId: 'ahg-som-2009', title: 'Regional seminar on document fraud', leads: ['IDN'], members: [], due: { date: '2010-03-31', timeZone: 'Asia/Jakarta' } })
      .expect(201);
    const before = await findNextMail(deps());
    if (before.kind !== 'next') throw new Error('expected a next mail');
    await ctx.services.commitments.cancel(before.next.commitmentId, 'superseded by the 2010 meeting', { name: 'test' });
    const after = await findNextMail(deps());
    if (after.kind !== 'next') throw new Error('expected a later mail');
    expect(after.next.commitmentId).not.toBe(before.next.commitmentId);
    const rest = (await plannedFromApi()).filter((p) => p.commitmentId !== before.next.commitmentId);
    expect(after.next.at).toBe(rest[0]!.at);
  });

  it('when there are more commitments than the start-up limit, then it is not computed and the line says where each plan is', async () => {
    const stored = (await ctx.services.commitmentStore.allIds()).length;
    const answer = await findNextMail(deps(), { maxCommitments: stored - 1 });
    expect(answer).toEqual({ kind: 'too-many', commitments: stored });
    expect((await findNextMail(deps(), { maxCommitments: stored })).kind).not.toBe('too-many');
    expect(describeNextMail(answer)).toContain('GET /v1/commitments/{id}/reminders');
  });

});

describe('the README', () => {
  it('when it shows the start-up line, then the line has the shape the service logs', async () => {
    const shape = /^next reminder: (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d [A-Za-z_]+\/[A-Za-z_/]+, .+ for '.+' \(to [A-Z][A-Z0-9-]+; plan at GET \/v1\/commitments\/[a-z0-9-]+\/reminders\)$/;
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = readme.split('\n').filter((l) => l.startsWith('next reminder: '));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(shape);
    const live = await findNextMail(deps());
    expect(describeNextMail(live)).toMatch(shape);
  });
});

describe('stepLabel', () => {
  it('names each step as people say it', () => {
    expect(stepLabel('before-P7D')).toBe('reminder 7 days before the deadline');
    expect(stepLabel('before-P1D')).toBe('reminder 1 day before the deadline');
    expect(stepLabel('before-PT12H')).toBe('reminder 12 hours before the deadline');
    expect(stepLabel('due')).toBe('reminder on the day of the deadline');
    expect(stepLabel('overdue-2')).toBe('overdue notice');
    expect(stepLabel('escalation')).toBe('escalation');
  });
});
