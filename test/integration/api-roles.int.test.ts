/**
 * The role policy through the API, on real Redis: every role × action × relation (the editor's
 * party leads the commitment, is only a member of it, or has nothing to do with it), each on a
 * fresh commitment in the state the action starts from. A refused action changes nothing.
 * The table is the one documented in docs/roles.md and src/domain/auth.ts.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotPrefix } from '../support/redis.js';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('api-roles');
const api = () => request(ctx.app);
const admin = { name: 'secretariat' };

type Who = 'admin' | 'editor-lead' | 'editor-member' | 'editor-none' | 'viewer';
type Act = 'read' | 'edit' | 'complete' | 'reopen' | 'change_leads' | 'cancel' | 'reinstate';

/** The parties of the commitment each case acts on; the editor token is LKA's. */
const PARTIES: Record<Who, { leads: string[]; members: string[] }> = {
  admin: { leads: ['IDN', 'AUS'], members: ['LKA'] },
  viewer: { leads: ['IDN', 'AUS'], members: ['LKA'] },
  'editor-lead': { leads: ['LKA', 'AUS'], members: ['UNHCR'] },
  'editor-member': { leads: ['IDN', 'AUS'], members: ['LKA', 'UNHCR'] },
  'editor-none': { leads: ['IDN', 'AUS'], members: ['UNHCR'] },
};
const TOKEN: Record<Who, string> = {
  admin: TOKENS.admin,
  viewer: TOKENS.viewer,
  'editor-lead': TOKENS.lka,
  'editor-member': TOKENS.lka,
  'editor-none': TOKENS.lka,
};

/** Expected status per role and action. */
const EXPECTED: Record<Who, Record<Act, number>> = {
  admin: { read: 200, edit: 200, complete: 200, reopen: 200, change_leads: 200, cancel: 200, reinstate: 200 },
  'editor-lead': { read: 200, edit: 200, complete: 200, reopen: 200, change_leads: 403, cancel: 403, reinstate: 403 },
  'editor-member': { read: 200, edit: 403, complete: 403, reopen: 403, change_leads: 403, cancel: 403, reinstate: 403 },
  'editor-none': { read: 404, edit: 404, complete: 404, reopen: 404, change_leads: 404, cancel: 404, reinstate: 404 },
  viewer: { read: 200, edit: 403, complete: 403, reopen: 403, change_leads: 403, cancel: 403, reinstate: 403 },
};

const evidence = { note: 'Held in Colombo', completedOn: '2009-09-01' };

/** The request of each action, and the state it starts from and leads to. */
const ACTS: Record<Act, { start: 'open' | 'done' | 'cancelled'; send: (id: string, leads: string[]) => request.Test; after?: (body: Record<string, unknown>) => void }> = {
  read: { start: 'open', send: (id) => api().get(`/v1/commitments/${id}`) },
  edit: { start: 'open', send: (id) => api().patch(`/v1/commitments/${id}`).send({ title: 'Retitled by the caller' }), after: (b) => expect(b.title).toBe('Retitled by the caller') },
  complete: { start: 'open', send: (id) => api().post(`/v1/commitments/${id}/complete`).send(evidence), after: (b) => expect(b.status).toBe('done') },
  reopen: { start: 'done', send: (id) => api().post(`/v1/commitments/${id}/reopen`).send({ reason: 'report not published' }), after: (b) => expect(b.status).toBe('open') },
  change_leads: { start: 'open', send: (id, leads) => api().patch(`/v1/commitments/${id}`).send({ leads: [...leads, 'UNODC'] }), after: (b) => expect(b.leads).toContain('UNODC') },
  cancel: { start: 'open', send: (id) => api().post(`/v1/commitments/${id}/cancel`).send({ reason: 'merged' }), after: (b) => expect(b.status).toBe('cancelled') },
  reinstate: { start: 'cancelled', send: (id) => api().post(`/v1/commitments/${id}/reopen`).send({ reason: 'back on the agenda' }), after: (b) => expect(b).toMatchObject({ status: 'open', cancellation: null }) },
};

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

let n = 0;
async function fresh(who: Who, start: 'open' | 'done' | 'cancelled'): Promise<string> {
  const c = await ctx.services.commitments.create({ meetingId: 'ahg-som-2009', id: `roles-${++n}`, title: `Roles case ${n}`, sourceText: '', theme: null, due: null, reminderPolicy: null, ...PARTIES[who] }, admin);
  if (start === 'done') await ctx.services.commitments.complete(c.id, evidence, admin);
  if (start === 'cancelled') await ctx.services.commitments.cancel(c.id, 'dropped', admin);
  return c.id;
}

const cases = (Object.keys(EXPECTED) as Who[]).flatMap((who) => (Object.keys(ACTS) as Act[]).map((act) => [who, act, EXPECTED[who][act]] as const));

describe('role × action × relation', () => {
  it.each(cases)('%s: %s → %i', async (who, act, status) => {
    const id = await fresh(who, ACTS[act].start);
    const before = await snapshotPrefix(ctx.redis, ctx.prefix);
    const res = await ACTS[act].send(id, PARTIES[who].leads).set(bearer(TOKEN[who]));
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status === 200) {
      ACTS[act].after?.(res.body);
    } else {
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(await snapshotPrefix(ctx.redis, ctx.prefix)).toEqual(before);
    }
  });
});

describe('the holes that were found', () => {
  it('an editor whose party is only a member can neither take the commitment over nor cancel it', async () => {
    const id = await fresh('editor-member', 'open');
    const lka = bearer(TOKENS.lka);
    const takeover = await api().patch(`/v1/commitments/${id}`).set(lka).send({ leads: ['LKA'], members: [] }).expect(403);
    expect(takeover.body.detail).toMatch(/admin/);
    await api().patch(`/v1/commitments/${id}`).set(lka).send({ members: ['LKA', 'UNHCR', 'MYS'] }).expect(403);
    await api().post(`/v1/commitments/${id}/cancel`).set(lka).send({ reason: 'mine now' }).expect(403);
    const after = await api().get(`/v1/commitments/${id}`).set(lka).expect(200);
    expect(after.body).toMatchObject({ leads: ['IDN', 'AUS'], members: ['LKA', 'UNHCR'], status: 'open', version: 1 });
  });

  it('a lead editor may edit the members but not the leads', async () => {
    const id = await fresh('editor-lead', 'open');
    const lka = bearer(TOKENS.lka);
    await api().patch(`/v1/commitments/${id}`).set(lka).send({ members: ['UNHCR', 'IOM'] }).expect(200);
    // Sending the leads unchanged is not a change of leads.
    await api().patch(`/v1/commitments/${id}`).set(lka).send({ leads: ['LKA', 'AUS'], title: 'Same leads, new title' }).expect(200);
    await api().patch(`/v1/commitments/${id}`).set(lka).send({ leads: ['LKA'] }).expect(403);
  });

  it('an admin reinstates a cancelled commitment: the reason is recorded and its reminders are planned again from that moment', async () => {
    const c = await ctx.services.commitments.create(
      { meetingId: 'ahg-som-2009', id: 'roles-reinstated', title: 'Reinstated workshop', sourceText: '', theme: null, reminderPolicy: null, leads: ['LKA'], members: [], due: { date: '2009-12-01', timeZone: 'Asia/Colombo' } },
      admin,
    );
    const adminH = bearer(TOKENS.admin);
    await api().post(`/v1/commitments/${c.id}/cancel`).set(adminH).send({ reason: 'merged' }).expect(200);
    const whileCancelled = await api().get(`/v1/commitments/${c.id}/reminders`).set(adminH).expect(200);
    expect(whileCancelled.body.items.every((s: { state: string }) => s.state === 'skipped')).toBe(true);
    // Reopening without a reason is refused and changes nothing.
    const noReason = await api().post(`/v1/commitments/${c.id}/reopen`).set(adminH).send({}).expect(400);
    expect(noReason.body.errors[0].path).toBe('reason');
    ctx.clock.set('2009-11-20T00:00:00Z');
    try {
      const res = await api().post(`/v1/commitments/${c.id}/reopen`).set(adminH).send({ reason: 'back on the agenda' }).expect(200);
      expect(res.body).toMatchObject({ status: 'open', cancellation: null });
      const history = await api().get(`/v1/commitments/${c.id}/history`).set(adminH).expect(200);
      expect(history.body.items.at(-1)).toMatchObject({ type: 'commitment.reopened', who: 'secretariat', data: { reason: 'back on the agenda' }, changes: { status: { from: 'cancelled', to: 'open' } } });
      const plan = await api().get(`/v1/commitments/${c.id}/reminders`).set(adminH).expect(200);
      const planned = plan.body.items.filter((s: { state: string }) => s.state === 'planned');
      // Steps still ahead of the reinstatement are planned; every planned one is at or after it.
      expect(planned.length).toBeGreaterThan(0);
      for (const s of planned) expect(Date.parse(s.at)).toBeGreaterThanOrEqual(Date.parse('2009-11-20T00:00:00Z'));
    } finally {
      ctx.clock.set('2009-08-01T00:00:00Z');
    }
  });
});
