/**
 * `npm run demo`, run in-process at 20 virtual days per second against the
 * test Redis and a real SMTP server: the whole story must happen, through the
 * real workers, and the demo must leave nothing behind in Redis.
 *
 * Why 20 and not faster: BullMQ fires a delayed job up to ~0.1 s late (Redis
 * timers at the default hz 10). The story keeps four virtual days between a
 * send and the action that stops further sends (see story.ts); at 20 days
 * per second that is 0.2 s of real time, enough on a loaded machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { runDemo, type DemoResult } from '../../src/demo/replay.js';
import { IDS, STEERING_GROUP } from '../../src/demo/story.js';
import { newRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';

const AUS = 'focal-point.aus@example.org';
const IDN = 'focal-point.idn@example.org';
const IOM = 'focal-point.iom@example.org';

let sink: SmtpSink;
let redis: Redis;
let result: DemoResult;
const prefix = uniquePrefix('demo');
const log: string[] = [];

const subject = (m: ReceivedMail) => m.parsed.subject ?? '';
const header = (m: ReceivedMail, name: string) => String(m.parsed.headers.get(name) ?? '');
const sendIdOf = (m: ReceivedMail) => header(m, 'x-followup-send-id');
const to = (m: ReceivedMail) => m.envelopeTo.map((a) => a.toLowerCase());
const reminders = (commitmentId: string) => sink.messages.filter((m) => sendIdOf(m).startsWith(`${commitmentId}--`));

beforeAll(async () => {
  sink = await startSmtpSink();
  redis = newRedis();
  result = await runDemo({
    daysPerSecond: 20,
    redisUrl: redisUrl(),
    smtpUrl: sink.url,
    prefix,
    publicBaseUrl: 'http://followup.test',
    write: (line) => log.push(line),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'error',
  });
}, 120_000);

afterAll(async () => {
  await sink?.close();
  await redis?.quit();
});

describe('npm run demo, replayed at 20 virtual days per second', () => {
  it('when the workshop nears its deadline, then every party gets its reminders, at 09:00 its own time, dated in 2009', () => {
    const workshop = reminders(IDS.workshop);
    const due30 = workshop.filter((m) => subject(m) === 'Due in 30 days: Workshop on information campaigns');
    expect(due30.flatMap(to).sort()).toEqual([AUS, IDN, IOM]);
    for (const step of ['Due in 14 days', 'Due in 7 days', 'Due in 1 day', 'Due today']) {
      expect(workshop.filter((m) => subject(m).startsWith(`${step}:`)).flatMap(to).sort(), step).toEqual([AUS, IDN, IOM]);
    }
    // Sydney's 09:00 on 1 December 2009 (AEDT) is 22:00 UTC the day before.
    expect(header(due30.find((m) => to(m)[0] === AUS)!, 'x-followup-planned-at')).toBe('2009-11-30T22:00:00.000Z');
    expect(due30[0]!.parsed.date?.getUTCFullYear()).toBe(2009);
    expect(log.some((l) => /^2009-12-01 {2}reminder {4}"Due in 30 days: Workshop on information campaigns"/.test(l))).toBe(true);
  });

  it('when one of two expert meetings is recorded with evidence, then the later reminder reports 1 of 2, and the evidence is kept', () => {
    const expert = result.commitments.find((c) => c.id === IDS.expertMeetings)!;
    expect(expert.evidence[0]).toMatchObject({ units: 1, completedOn: '2009-11-26', evidenceUrl: 'https://example.org/ahg/2009-11-expert-meeting-1-summary.pdf', recordedBy: 'secretariat' });
    const march = reminders(IDS.expertMeetings).filter((m) => subject(m).startsWith('Due in 30 days:'));
    expect(march.flatMap(to).sort()).toEqual([AUS, IDN, 'focal-point.unodc@example.org']);
    for (const m of march) expect(m.parsed.text).toContain('Progress: 1 of 2 meetings held');
    expect(log.some((l) => l.includes('records 1 of 2 done: Technical expert meetings'))).toBe(true);
  });

  it('when the workshop passes its deadline, then the leads get an overdue notice and the co-chairs and steering group an escalation', () => {
    const workshop = reminders(IDS.workshop);
    // Every overdue notice is titled "Overdue" (its body says since when); the first goes to each lead once.
    const overdue = workshop.filter((m) => sendIdOf(m).includes('--overdue-'));
    expect(overdue.every((m) => subject(m) === 'Overdue: Workshop on information campaigns')).toBe(true);
    expect(overdue.filter((m) => sendIdOf(m).includes('--overdue-1--')).flatMap(to).sort()).toEqual([AUS, IDN]);
    const escalations = workshop.filter((m) => subject(m) === 'Escalation: overdue: Workshop on information campaigns');
    // One escalation per lead (both co-chairs lead the workshop), and one copy to the steering
    // group, riding on the first lead's (IDN's): nobody gets the escalation twice.
    expect(escalations.flatMap(to).sort()).toEqual([AUS, IDN, STEERING_GROUP].sort());
    expect(escalations.filter((m) => sendIdOf(m).endsWith('--escalation--IDN')).flatMap(to).sort()).toEqual([IDN, STEERING_GROUP].sort());
    const copy = escalations.find((m) => to(m).includes(STEERING_GROUP))!;
    expect(copy.parsed.text).toContain('You are copied on this escalation as a co-chair or member of the steering group.');
    expect(log.some((l) => /^2010-01-01 {2}overdue {5}Workshop on information campaigns is overdue/.test(l))).toBe(true);
  });

  it('when the workshop is completed late in January 2010, then it is done, told as late, and no reminder follows', () => {
    const workshop = result.commitments.find((c) => c.id === IDS.workshop)!;
    expect(workshop.status).toBe('done');
    expect(workshop.evidence.at(-1)!.completedOn).toBe('2010-01-15');
    expect(log.some((l) => l.includes('records completion, 15 days late (deadline 31 Dec 2009): Workshop on information campaigns'))).toBe(true);
    const planned = reminders(IDS.workshop).map((m) => header(m, 'x-followup-planned-at'));
    expect(planned.every((at) => at < '2010-01-19T07:00:00.000Z')).toBe(true);
  });

  it('when the weekly digest runs, then at least two digests reach the co-chairs and the steering group', () => {
    const digests = sink.messages.filter((m) => header(m, 'x-followup-digest') !== '');
    const runs = new Set(digests.map((m) => header(m, 'x-followup-digest')));
    expect(runs.size).toBeGreaterThanOrEqual(2);
    expect(digests.flatMap(to)).toEqual(expect.arrayContaining([AUS, IDN, STEERING_GROUP]));
    expect(digests.some((m) => /1 completed/.test(subject(m)))).toBe(true);
    expect(result.tally.digestRuns).toBeGreaterThanOrEqual(2);
  });

  it('when the replay ends, then every commitment with a deadline is done, nothing is queued, the tally matches the mail, and the prefix is gone', async () => {
    expect(result.commitments.filter((c) => c.due !== null).map((c) => c.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(result.leftoverJobs).toBe(0);
    const t = result.tally;
    expect(t.before + t.due + t.overdue + t.escalation + t.digest).toBe(sink.messages.length);
    expect(t.skipped + t.failed).toBe(0);
    const [, keys] = await redis.scan('0', 'MATCH', `\\{${prefix}\\}:*`, 'COUNT', 10_000);
    expect(keys).toEqual([]);
    expect(result.kept).toBe(false);
  });
});
