/**
 * The service on a 3-master Redis Cluster (REDIS_CLUSTER_NODES, set by
 * test/cluster/start-cluster.sh): the real entry point (API and workers in one
 * process), writes through the API, reminders delivered by the real workers to
 * a real SMTP server, a digest, and every key of the deployment in one slot of
 * one master. A script or pipeline that crossed slots would fail here with
 * CROSSSLOT; on one server it cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { start, type Running } from '../../src/main.js';
import { connectRedis, createRedis, eachMaster, isCluster } from '../../src/redis.js';
import { deletePrefixKeys, scanPrefix } from '../../src/store/prefix-keys.js';
import { API_TOKENS, TOKENS } from '../support/app.js';
import { uniquePrefix } from '../support/redis.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';

const nodes = process.env.REDIS_CLUSTER_NODES;
if (!nodes) throw new Error('REDIS_CLUSTER_NODES is not set: run these tests with test/cluster/start-cluster.sh (npm run test:cluster)');

const prefix = uniquePrefix('cluster');
const env = { REDIS_CLUSTER_NODES: nodes, REDIS_PREFIX: prefix };
let sink: SmtpSink;
let running: Running;
let redis: Redis;

const sendIdOf = (m: ReceivedMail) => String(m.parsed.headers.get('x-followup-send-id') ?? '');
const mailFor = (id: string) => sink.messages.filter((m) => sendIdOf(m).startsWith(`${id}--`));
const today = () => new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Seconds-scale steps at the exact instant, no quiet days: one notice 2 s before, one at the deadline. */
const POLICY = { before: ['PT2S'], onDue: true, overdue: { every: 'PT2S', max: 0 }, escalateAfter: null, sendAt: null, quietDays: [] };

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const commitment = (id: string, dueInMs: number) => ({
  id,
  meetingId: 'ahg-som-2009',
  title: `Regional workshop on cluster readiness (${id})`,
  sourceText: 'Participants agreed to hold a regional workshop.',
  leads: ['LKA'],
  members: ['IDN'],
  due: { at: new Date(Date.now() + dueInMs).toISOString() },
  reminderPolicy: POLICY,
});

beforeAll(async () => {
  sink = await startSmtpSink();
  redis = createRedis({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: nodes.split(',') }, 'worker');
  await connectRedis(redis, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: nodes.split(',') });
  running = await start({
    role: 'all',
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    env: {
      ...env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      API_TOKENS,
      SMTP_URL: sink.url,
      PUBLIC_BASE_URL: 'http://followup.test',
      SEED: '2009',
      DIGEST_STEERING_GROUP: 'steering@example.org',
    },
  });
});

afterAll(async () => {
  await running?.stop();
  if (redis) {
    await deletePrefixKeys(redis, prefix);
    await redis.quit();
  }
  await sink?.close();
});

describe('on a Redis Cluster', () => {
  it('the client is a Cluster client that sees three masters', () => {
    expect(isCluster(redis)).toBe(true);
    expect(eachMaster(redis)).toHaveLength(3);
  });

  it('writes through the API are read back, with their history and If-Match', async () => {
    const created = await api('POST', '/v1/commitments', commitment('cl-write', 3_600_000));
    expect(created.status).toBe(201);
    const patched = await api('PATCH', '/v1/commitments/cl-write', { title: 'Regional workshop, second draft' }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, title: 'Regional workshop, second draft' });
    expect((await api('PATCH', '/v1/commitments/cl-write', { title: 'stale' }, { 'if-match': '"1"' })).status).toBe(412);
    const completed = await api('POST', '/v1/commitments/cl-write/complete', { note: 'held in Colombo', completedOn: today() });
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe('done');
    const list = await api('GET', '/v1/commitments?status=done&limit=50');
    expect((list.body.items as Array<{ id: string }>).map((c) => c.id)).toContain('cl-write');
    const history = await api('GET', '/v1/commitments/cl-write/history');
    expect((history.body.items as Array<{ type: string }>).map((e) => e.type)).toEqual(['commitment.created', 'commitment.updated', 'commitment.completed']);
  });

  it('reminders due in seconds reach the mail server through the real workers, each once, and a completed commitment sends none', async () => {
    expect((await api('POST', '/v1/commitments', commitment('cl-remind', 5000))).status).toBe(201);
    expect((await api('POST', '/v1/commitments', commitment('cl-closed', 6000))).status).toBe(201);
    expect((await api('POST', '/v1/commitments/cl-closed/complete', { note: 'done early', completedOn: today() })).status).toBe(200);
    const plan = await api('GET', '/v1/commitments/cl-remind/reminders');
    const planned = (plan.body.items as Array<{ id: string }>).map((i) => i.id);
    // LKA and IDN: 2 s before, and at the deadline.
    expect(planned).toHaveLength(4);

    await until(() => mailFor('cl-remind').length >= 4, 30_000, 'four reminders');
    await sleep(3000);
    const mail = mailFor('cl-remind');
    const delivered = mail.map((m) => `${sendIdOf(m)} → ${m.envelopeTo.join(',')}`);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(mail.map((m) => sendIdOf(m)).sort()).toEqual([...planned].sort());
    expect(mailFor('cl-closed')).toEqual([]);
    const after = await api('GET', '/v1/commitments/cl-remind/reminders');
    expect((after.body.items as Array<{ state: string }>).map((i) => i.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('an out-of-schedule digest is built from the Cluster and mailed once', async () => {
    const sent = await api('POST', '/v1/digest/send', { to: ['desk@example.org'] }, { 'idempotency-key': 'cluster-digest-1' });
    expect(sent.status).toBe(202);
    const [digest] = await until(() => {
      const d = sink.messages.filter((m) => m.envelopeTo.includes('desk@example.org'));
      return d.length ? d : null;
    }, 30_000, 'the digest');
    expect(digest!.parsed.subject).toMatch(/digest/i);
    expect(digest!.parsed.text).toContain('cl-remind');
    const again = await api('POST', '/v1/digest/send', { to: ['desk@example.org'] }, { 'idempotency-key': 'cluster-digest-1' });
    expect(again.status).toBe(200);
    await sleep(500);
    expect(sink.messages.filter((m) => m.envelopeTo.includes('desk@example.org'))).toHaveLength(1);
  });

  it('every key of the deployment, ours and BullMQ\'s, lives in one slot of one master', async () => {
    const perMaster: number[] = [];
    for (const node of eachMaster(redis)) {
      let n = 0;
      const pattern = `{${prefix}}:*`.replace(/[{}]/g, '\\$&');
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        n += batch.length;
      } while (cursor !== '0');
      perMaster.push(n);
    }
    expect(perMaster.filter((n) => n > 0)).toHaveLength(1);
    const slots = new Set<number>();
    const keys: string[] = [];
    await scanPrefix(redis, prefix, (batch) => {
      keys.push(...batch);
    });
    for (const key of keys) slots.add(Number(await redis.call('CLUSTER', 'KEYSLOT', key)));
    expect(keys.some((k) => k.includes(':reminders:'))).toBe(true);
    expect(slots.size).toBe(1);
  });
});
