import type { Server } from 'node:http';
import type { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, createQueue, createWorker } from '../../jobs/queues.js';
import { createApp } from '../../src/api/app.js';
import { createMetricsApp } from '../../src/api/metrics.js';
import { countDigest, countReminder, createMetrics, instrumentWorker, timeJob } from '../../src/metrics.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { newRedis } from '../support/redis.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
const logger = pino({ level: 'silent' });

/** The value of one sample line, e.g. sample(text, 'followup_queue_jobs{queue="reminders",state="delayed"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics on the main app, without METRICS_TOKEN', () => {
  const ctx = createTestContext('metrics');
  const queueConn = newRedis();
  const workerConn = newRedis();
  const metrics = createMetrics();
  let reminders: Queue;
  let reconcile: Queue;
  let worker: Worker | undefined;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    await ctx.seed();
    reminders = createQueue(QUEUES.reminders, queueConn, ctx.prefix, logger);
    reconcile = createQueue(QUEUES.reconcile, queueConn, ctx.prefix, logger);
    // The seed enqueued a reconcile per commitment; no worker runs here, so start from empty queues.
    await reconcile.drain();
    app = ctx.withApp({}, {}, { metrics });
  });
  afterAll(async () => {
    await worker?.close();
    await reminders.close();
    await reconcile.close();
    await queueConn.quit();
    await workerConn.quit();
    await ctx.cleanup();
  });

  it('when no token or a non-admin token is sent, then it answers 401 or 403 and shows nothing', async () => {
    const anon = await request(app).get('/metrics').expect(401);
    expect(anon.headers['content-type']).toContain('application/problem+json');
    expect(anon.text).not.toContain('followup_');
    await request(app).get('/metrics').set(bearer(TOKENS.viewer)).expect(403);
    await request(app).get('/metrics').set(bearer(TOKENS.lka)).expect(403);
  });

  it('when requests were served, then their durations are counted by route pattern and status, not by id', async () => {
    await request(app).get('/v1/commitments/workshop-information-campaigns').set(bearer(TOKENS.admin)).expect(200);
    await request(app).get('/v1/commitments/no-such-commitment').set(bearer(TOKENS.admin)).expect(404);
    const res = await request(app).get('/metrics').set(bearer(TOKENS.admin)).expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(sample(res.text, 'followup_http_request_duration_seconds_count{method="GET",route="/v1/commitments/:id",status="200"}')).toBe(1);
    expect(sample(res.text, 'followup_http_request_duration_seconds_count{method="GET",route="/v1/commitments/:id",status="404"}')).toBe(1);
    expect(res.text).not.toContain('route="/v1/commitments/workshop-information-campaigns"');
  });

  it('when jobs wait in the queues, then each scrape reports the depth per queue and state', async () => {
    await reminders.add('send', { id: 'a' }, { jobId: 'depth-delayed', delay: 60 * 60 * 1000 });
    await reminders.add('send', { id: 'b' }, { jobId: 'depth-waiting' });
    const first = await request(app).get('/metrics').set(bearer(TOKENS.admin)).expect(200);
    expect(sample(first.text, 'followup_queue_jobs{queue="reminders",state="delayed"}')).toBe(1);
    expect(sample(first.text, 'followup_queue_jobs{queue="reminders",state="waiting"}')).toBe(1);
    expect(sample(first.text, 'followup_queue_jobs{queue="reconcile",state="waiting"}')).toBe(0);
    await reminders.remove('depth-waiting');
    const second = await request(app).get('/metrics').set(bearer(TOKENS.admin)).expect(200);
    expect(sample(second.text, 'followup_queue_jobs{queue="reminders",state="waiting"}')).toBe(0);
  });

  it('when workers count reminders and digests and jobs finish, then the counters and the job histogram show them', async () => {
    countReminder(metrics, 'sent', 'before:P7D', 2);
    countReminder(metrics, 'skipped', 'on-due');
    countReminder(metrics, 'failed', 'overdue:1');
    countDigest(metrics, 'steering-group');
    await timeJob(metrics, 'digest', 'weekly', async () => 'ok');
    worker = createWorker(QUEUES.reconcile, async () => 'done', workerConn, ctx.prefix, logger);
    instrumentWorker(worker, metrics);
    const finished = new Promise<void>((resolve) => worker!.once('completed', () => resolve()));
    await reconcile.add('reconcile', { id: 'workshop-information-campaigns' }, { jobId: 'instrumented-1' });
    await finished;

    const res = await request(app).get('/metrics').set(bearer(TOKENS.admin)).expect(200);
    expect(sample(res.text, 'followup_reminders_sent_total{step="before:P7D"}')).toBe(2);
    expect(sample(res.text, 'followup_reminders_skipped_total{step="on-due"}')).toBe(1);
    expect(sample(res.text, 'followup_reminders_failed_total{step="overdue:1"}')).toBe(1);
    expect(sample(res.text, 'followup_digests_sent_total{audience="steering-group"}')).toBe(1);
    expect(sample(res.text, 'followup_job_duration_seconds_count{queue="digest",name="weekly",outcome="completed"}')).toBe(1);
    expect(sample(res.text, 'followup_job_duration_seconds_count{queue="reconcile",name="reconcile",outcome="completed"}')).toBe(1);
  });

  it('when /readyz has checked Redis, then the round-trip gauge holds a positive time', async () => {
    await request(app).get('/readyz').expect(200);
    const res = await request(app).get('/metrics').set(bearer(TOKENS.admin)).expect(200);
    expect(sample(res.text, 'followup_redis_round_trip_seconds')).toBeGreaterThan(0);
  });

  it('when two apps are built in one process, then each has its own registry and neither throws', async () => {
    const other = ctx.withApp();
    const res = await request(other).get('/metrics').set(bearer(TOKENS.admin)).expect(200);
    expect(sample(res.text, 'followup_reminders_sent_total{step="before:P7D"}')).toBeUndefined();
  });
});

describe('/metrics with METRICS_TOKEN or METRICS_PORT', () => {
  const withToken = createTestContext('metrics-token', { METRICS_TOKEN });
  const withPort = createTestContext('metrics-port', { METRICS_PORT: '9464', METRICS_TOKEN });
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    const metricsApp = createMetricsApp({ metrics: createMetrics(), config: withPort.config, logger });
    server = await new Promise<Server>((resolve) => {
      const s = metricsApp.listen(0, '127.0.0.1', () => resolve(s));
    });
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await withToken.cleanup();
    await withPort.cleanup();
  });

  it('when METRICS_TOKEN is set, then only that token may scrape, not even an admin token', async () => {
    await request(withToken.app).get('/metrics').set(bearer(TOKENS.admin)).expect(401);
    await request(withToken.app).get('/metrics').set(bearer('wrong-token-0123456789abcdef')).expect(401);
    const res = await request(withToken.app).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    expect(res.text).toContain('followup_http_request_duration_seconds');
  });

  it('when METRICS_PORT is set, then the main app has no /metrics and the separate port serves it', async () => {
    await request(withPort.app).get('/metrics').set(bearer(METRICS_TOKEN)).expect(404);
    const base = `http://127.0.0.1:${port}`;
    await request(base).get('/metrics').expect(401);
    const res = await request(base).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    expect(res.text).toContain('# TYPE followup_queue_jobs gauge');
    await request(base).get('/healthz').expect(200);
  });
});
