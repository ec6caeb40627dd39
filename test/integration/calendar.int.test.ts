import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

type Props = Record<string, { params: string; value: string }>;

/** A small RFC 5545 reader: unfold lines, split VEVENTs, unescape text values. */
function parseIcs(text: string): { calendar: Props; events: Props[] } {
  expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
  expect(text.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);
  for (const l of text.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
  const calendar: Props = {};
  const events: Props[] = [];
  let current: Props | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current!);
      current = null;
    } else {
      const colon = line.indexOf(':');
      const [name, ...params] = line.slice(0, colon).split(';');
      const value = line.slice(colon + 1).replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');
      (current ?? calendar)[name!] = { params: params.join(';'), value };
    }
  }
  return { calendar, events };
}

const ctx = createTestContext('calendar', { PUBLIC_BASE_URL: 'https://followup.example.org' });
const WORKSHOP = 'workshop-information-campaigns';
const SUBGROUP = 'sub-group-sri-lankan-caseload';

async function feed(token: string = TOKENS.viewer) {
  const res = await request(ctx.app).get('/v1/calendar.ics').set(bearer(token)).expect(200);
  expect(res.headers['content-type']).toContain('text/calendar');
  return parseIcs(res.text);
}
const byUid = (events: Props[], id: string) => events.filter((e) => e.UID?.value === `${id}@followup.example.org`);

async function partyFeedUrl(party: string): Promise<string> {
  const res = await request(ctx.app).get(`/v1/parties/${party}/calendar-url`).set(bearer(TOKENS.admin)).expect(200);
  expect(res.body.webcal).toMatch(/^webcal:\/\/followup\.example\.org\//);
  return new URL(res.body.url as string).pathname + new URL(res.body.url as string).search;
}

beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

describe('GET /v1/calendar.ics', () => {
  it('when no token is sent, then it answers 401', async () => {
    await request(ctx.app).get('/v1/calendar.ics').expect(401);
  });

  it('when the seed is loaded, then the one dated deadline is an all-day event with a stable UID and SEQUENCE 1', async () => {
    const { calendar, events } = await feed();
    expect(calendar.VERSION?.value).toBe('2.0');
    expect(events).toHaveLength(1);
    const [e] = byUid(events, WORKSHOP);
    expect(e!.DTSTART).toEqual({ params: 'VALUE=DATE', value: '20091231' });
    expect(e!.SEQUENCE?.value).toBe('1');
    expect(e!.STATUS?.value).toBe('CONFIRMED');
    expect(e!.SUMMARY?.value).toBe('Workshop on information campaigns');
    expect(e!.DESCRIPTION?.value).toContain('Due by the end of 2009-12-31 (Asia/Jakarta)');
    // The event links to the commitment's card on the status page.
    expect(e!.URL?.value).toBe(`https://followup.example.org/#${WORKSHOP}`);
  });

  it('when a deadline moves, then the same UID comes back once with a higher SEQUENCE and the new date', async () => {
    const before = byUid((await feed()).events, WORKSHOP)[0]!;
    await request(ctx.app).patch(`/v1/commitments/${WORKSHOP}`).set(bearer(TOKENS.admin)).send({ due: { date: '2010-03-31', timeZone: 'Asia/Jakarta' } }).expect(200);
    const after = byUid((await feed()).events, WORKSHOP);
    expect(after).toHaveLength(1);
    expect(Number(after[0]!.SEQUENCE!.value)).toBeGreaterThan(Number(before.SEQUENCE!.value));
    expect(after[0]!.DTSTART!.value).toBe('20100331');
    expect(after[0]!.UID!.value).toBe(before.UID!.value);
  });

  it('when a deadline is an exact instant, then it is a timed event in UTC', async () => {
    await request(ctx.app).patch(`/v1/commitments/${SUBGROUP}`).set(bearer(TOKENS.admin)).send({ due: { at: '2009-10-15T18:30:00+11:00' } }).expect(200);
    const [e] = byUid((await feed()).events, SUBGROUP);
    expect(e!.DTSTART).toEqual({ params: '', value: '20091015T073000Z' });
    expect(e!.DTEND!.value).toBe('20091015T080000Z');
  });

  it('when a commitment is cancelled, then its event stays in the feed as STATUS:CANCELLED with a higher SEQUENCE', async () => {
    const [before] = byUid((await feed()).events, WORKSHOP);
    await request(ctx.app).post(`/v1/commitments/${WORKSHOP}/cancel`).set(bearer(TOKENS.admin)).send({ reason: 'Merged into the regional workshop' }).expect(200);
    const [e] = byUid((await feed()).events, WORKSHOP);
    expect(e!.STATUS!.value).toBe('CANCELLED');
    expect(Number(e!.SEQUENCE!.value)).toBeGreaterThan(Number(before!.SEQUENCE!.value));
  });

  it('when an editor asks, then it sees only the deadlines of its own parties', async () => {
    const lka = (await feed(TOKENS.lka)).events.map((e) => e.UID!.value);
    expect(lka).toEqual([`${SUBGROUP}@followup.example.org`]);
  });
});

describe('the per-party feed /v1/calendar/:party.ics?token=…', () => {
  it('when a non-admin asks for a feed URL, then it is refused', async () => {
    await request(ctx.app).get('/v1/parties/LKA/calendar-url').set(bearer(TOKENS.lka)).expect(403);
    await request(ctx.app).get('/v1/parties/XXX/calendar-url').set(bearer(TOKENS.admin)).expect(404);
  });

  it('when the feed token is right, then a calendar client gets that party’s deadlines without any header', async () => {
    const lka = parseIcs((await request(ctx.app).get(await partyFeedUrl('LKA')).expect(200)).text);
    expect(lka.calendar['X-WR-CALNAME']?.value).toBe('Follow-up: Sri Lanka');
    expect(lka.events.map((e) => e.UID!.value)).toEqual([`${SUBGROUP}@followup.example.org`]);
    const iom = parseIcs((await request(ctx.app).get(await partyFeedUrl('IOM')).expect(200)).text);
    expect(iom.events.map((e) => e.UID!.value).sort()).toEqual([`${SUBGROUP}@followup.example.org`, `${WORKSHOP}@followup.example.org`]);
  });

  it('when the token is missing, wrong, or belongs to another party, then it answers 401', async () => {
    await request(ctx.app).get('/v1/calendar/LKA.ics').expect(401);
    await request(ctx.app).get('/v1/calendar/LKA.ics?token=forged').expect(401);
    const iomQuery = (await partyFeedUrl('IOM')).split('?')[1];
    await request(ctx.app).get(`/v1/calendar/LKA.ics?${iomQuery}`).expect(401);
  });

  it('when the feed token is used as a bearer token, then the API refuses it (it is read-only for one feed)', async () => {
    const token = new URLSearchParams((await partyFeedUrl('LKA')).split('?')[1]).get('token')!;
    await request(ctx.app).get('/v1/commitments').set(bearer(token)).expect(401);
  });
});
