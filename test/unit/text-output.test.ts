/**
 * Text parts cannot be forged: whatever control characters a title, a note, a
 * reason or a party name holds (stored before input was cleaned, or typed on
 * the one-click page, which records its note without the API's schema), every
 * text line of a digest or a reminder is one line of ours.
 */
import { describe, expect, it } from 'vitest';
import { completeCommitment, patchCommitment, type Commitment } from '../../src/domain/commitment.js';
import { buildDigest } from '../../src/domain/digest.js';
import { renderDigest } from '../../src/mail/digest-template.js';
import { renderReminder } from '../../src/mail/reminder-template.js';
import { AS_OF, PARTIES, PERIOD, TZ, fixture } from './digest-fixture.js';

const FORGED = 'FORGED LINE';
const hostile = (s: string) => `${s}\r\n${FORGED}\n${FORGED}\r${FORGED}\u0000\u2028${FORGED}`;

/** No line of `text` starts with the forged words, and no CR or NUL is left. */
function expectNoForgedLines(text: string) {
  for (const line of text.split('\n')) expect(line.startsWith(FORGED)).toBe(false);
  expect(text).not.toMatch(/[\r\u0000\u2028]/);
}

describe('the digest text part', () => {
  const snap = fixture([{ id: 'hostile', title: hostile('Hostile title'), leads: ['THA'] }]);
  const h = snap.byId['hostile']!;
  const done = completeCommitment(h, { note: hostile('a note typed on the one-click page'), completedOn: '2010-01-15' }, 'someone@example.org', new Date('2010-01-15T03:00:00Z'));
  const renamed = patchCommitment(snap.byId['tha-only']!, { title: hostile('Renamed') }, `token${'\n'}${FORGED}`, new Date('2010-01-16T03:00:00Z'));
  const parties = PARTIES.map((p) => (p.id === 'THA' ? { ...p, name: hostile('Thailand') } : p));
  const commitments = snap.commitments.map((c) => (c.id === 'hostile' ? done.commitment : c.id === 'tha-only' ? renamed.commitment : c));
  const events = [...snap.events, ...done.events, ...renamed.events];
  const failedReminders = [...snap.failedReminders, { sendId: 'x', recipient: 'tha@example.org', at: '2010-01-16T00:00:00.000Z', error: hostile('421 try later'), commitmentId: 'hostile', step: 'due' }];
  const d = buildDigest({ ...snap, parties, commitments, events, failedReminders }, PERIOD, { asOf: AS_OF, timeZone: TZ });

  it('when a title, a note, a party name, an actor and an error carry CR, LF, NUL and U+2028, then no line is forged', () => {
    const { text, subject } = renderDigest(d);
    expectNoForgedLines(text);
    expect(text).toContain(`Hostile title ${FORGED} ${FORGED} ${FORGED} ${FORGED}: completed on 15 January 2010`);
    expect(text).toContain(`Evidence: a note typed on the one-click page ${FORGED} ${FORGED} ${FORGED} ${FORGED}`);
    expect(subject).not.toMatch(/[\r\n\u0000]/);
  });

  it('the short digest and the scoped subject are one line each too', () => {
    const scoped = buildDigest({ ...snap, parties, commitments, events: [], failedReminders: [] }, PERIOD, { asOf: AS_OF, timeZone: TZ, party: 'THA' });
    const { text, subject } = renderDigest(scoped, { short: true });
    expectNoForgedLines(text);
    expect(subject).toBe(`Follow-up digest for Thailand ${FORGED} ${FORGED} ${FORGED} ${FORGED} to 18 January 2010: no changes`);
  });

  it('the HTML part keeps no control character either', () => {
    expect(renderDigest(d).html).not.toMatch(/[\r\u0000\u2028]/);
  });
});

describe('the reminder text part', () => {
  const commitment: Commitment = {
    id: 'hostile',
    meetingId: 'ahg-som-2009',
    title: hostile('Hostile title'),
    sourceText: hostile('Participants agreed'),
    theme: null,
    leads: ['LKA'],
    members: [],
    due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' },
    status: 'open',
    evidence: [],
    cancellation: null,
    reminderPolicy: null,
    dueVersion: 1,
    version: 1,
    createdAt: '2009-08-01T00:00:00.000Z',
    updatedAt: '2009-08-01T00:00:00.000Z',
  };
  const send = { id: 'hostile--d1--due--LKA', step: 'due' as const, stepKey: 'due', at: '2009-12-31T02:00:00.000Z', timeZone: 'Asia/Jakarta', partyId: 'LKA' };

  it('when the title, the source text and a lead\'s name carry CR, LF and NUL, then no line is forged', () => {
    const m = renderReminder({ commitment, send, recipient: 'lka@example.org', copied: false, leadNames: [hostile('Sri Lanka')], baseUrl: 'https://f.example.org', actionUrl: 'https://f.example.org/actions/done?token=a.b' });
    expectNoForgedLines(m.text);
    expect(m.text).toContain(`Leads: Sri Lanka ${FORGED} ${FORGED} ${FORGED} ${FORGED}`);
    expect(m.subject).toBe(`Due today: Hostile title ${FORGED} ${FORGED} ${FORGED} ${FORGED}`);
    expect(m.html).not.toMatch(/[\r\u0000\u2028]/);
  });
});
