/**
 * The CLI and the API speak the same shapes: `followup reminders failed --json`
 * prints the items of GET /v1/reminders?state=failed, and its hint names a
 * route that answers. An empty store under the prefix is said so, with the
 * prefix, by every listing command (driven in-process through main()).
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createSendLedger } from '../../src/store/ledger-store.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';
import { redisUrl } from '../support/redis.js';

const ctx = createTestContext('cli-listings');
afterAll(() => ctx.cleanup());

/** Run one CLI command against this file's prefix; stdout and stderr as lines. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { REDIS_URL: redisUrl(), REDIS_PREFIX: ctx.prefix, NODE_ENV: 'test' }, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const WORKSHOP = 'workshop-information-campaigns';

describe('CLI listings', () => {
  it('when nothing is stored under the prefix, then `list` and `reminders failed` say so and name the prefix and how to import', async () => {
    const expected = `No commitments under the Redis prefix '${ctx.prefix}' (REDIS_PREFIX). Import a meeting with: followup import <file>`;
    for (const argv of [['list'], ['list', '--party', 'IDN'], ['reminders', 'failed']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.out, argv.join(' ')).toBe(expected);
    }
  });

  it('when commitments exist and a filter matches none, then `list` says no commitment matches', async () => {
    await ctx.seed();
    const r = await cli('list', '--party', 'NOBODY');
    expect(r.code).toBe(0);
    expect(r.out).toBe('No commitment matches.');
    expect((await cli('reminders', 'failed')).out).toBe('No failed reminder deliveries.');
  });

  it("when a delivery failed, then `reminders failed --json` prints the API's items, the text names it, and the hint's route retries it", async () => {
    const c = (await ctx.services.commitmentStore.get(WORKSHOP))!;
    const sendId = `${WORKSHOP}--d${c.dueVersion}--before-P7D--IDN`;
    const ledger = createSendLedger(ctx.redis, ctx.keys, 'reminder');
    await ledger.markFailed(sendId, 'focal-point.idn@example.org', new Date('2009-12-24T02:00:00Z'), 'mailbox unavailable', 550, {
      commitmentId: WORKSHOP,
      partyId: 'IDN',
      step: 'before-P7D',
      dueVersion: c.dueVersion,
      plannedAt: '2009-12-24T02:00:00.000Z',
    });

    const api = await request(ctx.app).get('/v1/reminders').query({ state: 'failed' }).set(bearer(TOKENS.admin)).expect(200);
    const json = await cli('reminders', 'failed', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(api.body.items);
    expect(api.body.items).toEqual([
      expect.objectContaining({ sendId, recipient: 'focal-point.idn@example.org', state: 'failed', commitmentId: WORKSHOP, step: 'before-P7D', dueVersion: c.dueVersion, responseCode: 550 }),
    ]);

    const text = await cli('reminders', 'failed');
    expect(text.out).toContain(`2009-12-24T02:00:00.000Z  focal-point.idn@example.org ${WORKSHOP}  ${sendId}  550 mailbox unavailable`);
    // Every route the hint names exists (the API documents it), and the one for a single send retries this one.
    const named = [...text.out.matchAll(/POST (\/v1\/[\w/:-]+)/g)].map((m) => m[1]!);
    expect(named.length, text.out).toBeGreaterThan(0);
    const paths = (await request(ctx.app).get('/openapi.json').expect(200)).body.paths as Record<string, Record<string, unknown>>;
    for (const route of named) expect(paths[route.replace(/:(\w+)/g, '{$1}')]?.post, route).toBeDefined();
    const one = named.find((r) => r.includes(':sendId'));
    expect(one, text.out).toBeDefined();
    const res = await request(ctx.app).post(one!.replace(':sendId', encodeURIComponent(sendId))).set(bearer(TOKENS.admin)).send({}).expect(202);
    expect(res.body).toMatchObject({ sendId, commitmentId: WORKSHOP, state: 'queued' });
  });
});
