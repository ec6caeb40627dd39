import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCommitment, type CommitmentInputSchema } from '../../src/domain/commitment.js';
import { digestAudiences } from '../../src/domain/digest-audience.js';
import { buildDigest, meetingStartInstant } from '../../src/domain/digest.js';
import { digestPeriod } from '../../src/domain/digest-period.js';
import { MeetingFileSchema } from '../../src/domain/meeting.js';
import { renderDigest } from '../../src/mail/digest-template.js';
import { AS_OF, PARTIES, PERIOD, TZ, fixture } from './digest-fixture.js';
import type { z } from 'zod';

const titles = (xs: Array<{ title: string }>) => xs.map((x) => x.title);

describe('buildDigest on a fixture meeting with items in every state', () => {
  const snap = fixture();
  const d = buildDigest(snap, PERIOD, { asOf: AS_OF, timeZone: TZ });

  it('counts open, in progress, done, cancelled, overdue, without deadline and due soon', () => {
    expect(d.headline).toEqual({ total: 9, open: 5, inProgress: 1, done: 2, cancelled: 1, overdue: 1, withoutDeadline: 3, dueSoon: 1 });
  });

  it('lists the overdue workshop with its deadline, days overdue and leads', () => {
    expect(d.overdue.items).toEqual([
      expect.objectContaining({ id: 'overdue-workshop', dueLabel: '31 December 2009', daysOverdue: 18, leads: ['IDN', 'AUS'] }),
    ]);
  });

  it('lists what is due in the next 30 days, and not what is due later', () => {
    expect(d.dueSoon.items).toEqual([expect.objectContaining({ id: 'due-soon-paper', dueLabel: '1 February 2010', daysLeft: 14 })]);
    expect(JSON.stringify(d.dueSoon)).not.toContain('later-report');
  });

  it('lists the active items without a deadline, not the done or cancelled ones', () => {
    expect(titles(d.needsDeadline.items)).toEqual(['Sub-group on the caseload', 'Technical expert meetings on prosecution', 'Thai border workshop']);
  });

  it('shows multi-unit progress in words', () => {
    expect(d.progress.items).toEqual([expect.objectContaining({ id: 'expert-meetings', done: 1, units: 2, label: '1 of 2 meetings held' })]);
  });

  it('lists only the completions of the period, with their evidence', () => {
    expect(d.completed.items).toEqual([
      expect.objectContaining({ id: 'done-campaign', completedOnLabel: '12 January 2010', by: 'lka-focal', note: 'campaign launched in Colombo', evidenceUrl: 'https://example.org/report.pdf', stillDone: true }),
    ]);
  });

  it('lists the reminder deliveries that failed in the period only', () => {
    expect(d.failedDeliveries.items).toEqual([expect.objectContaining({ recipient: 'idn@example.org', title: 'Workshop on information campaigns', error: '550 mailbox unavailable' })]);
  });

  it('says who changed what in the period, in time order', () => {
    expect(d.changes.items.map((c) => [c.who, c.commitmentId, c.summary])).toEqual([
      ['lka-focal', 'done-campaign', 'completed; note: "campaign launched in Colombo"'],
      ['idn-focal', 'expert-meetings', 'recorded 1 unit (now 1 done); note: "first meeting held in Bali"'],
      ['idn-focal', 'expert-meetings', 'status open → in progress'],
      ['secretariat', 'due-soon-paper', 'deadline none → 1 February 2010'],
    ]);
    expect(d.changesByWho).toEqual([
      { who: 'idn-focal', count: 2 },
      { who: 'lka-focal', count: 1 },
      { who: 'secretariat', count: 1 },
    ]);
    expect(d.isEmpty).toBe(false);
  });

  it('gives each leading party a row of the open, overdue and done items it leads', () => {
    const row = (id: string) => d.parties.find((p) => p.id === id)!;
    expect(d.parties.map((p) => p.id)).toEqual(['AUS', 'IDN', 'LKA', 'THA']);
    expect(titles(row('AUS').overdue.items)).toEqual(['Workshop on information campaigns']);
    expect(titles(row('AUS').open.items)).toEqual(['Information paper on protection']);
    expect(titles(row('AUS').done.items)).toEqual(['Regional roundtable']);
    expect(titles(row('IDN').open.items)).toEqual(['Sub-group on the caseload', 'Technical expert meetings on prosecution']);
    expect(titles(row('THA').open.items)).toEqual(['Report on maritime ventures', 'Thai border workshop']);
    expect(row('THA').done.total).toBe(0);
  });
});

describe('a party digest', () => {
  it('when scoped to Sri Lanka, then it holds only commitments Sri Lanka leads or takes part in', () => {
    const d = buildDigest(fixture(), PERIOD, { asOf: AS_OF, timeZone: TZ, party: 'LKA' });
    const json = JSON.stringify(d);
    expect(d.headline.total).toBe(2);
    for (const other of ['Thai border workshop', 'Workshop on information campaigns', 'Technical expert meetings', 'Report on maritime ventures', 'idn@example.org']) {
      expect(json).not.toContain(other);
    }
    expect(titles(d.completed.items)).toEqual(['Campaign on irregular movement']);
    expect(titles(d.needsDeadline.items)).toEqual(['Sub-group on the caseload']);
    expect(d.parties.map((p) => p.id)).toEqual(['LKA']);
    expect(d.scope).toEqual({ party: 'LKA', name: 'Sri Lanka' });
  });
});

describe('the period boundary', () => {
  it('when an item is completed exactly at a scheduled run, then it appears in the later digest only', () => {
    const snap = fixture();
    const at = PERIOD.to; // Monday 18 January 2010, 09:00 Jakarta: a run.
    const original = snap.events.find((e) => e.type === 'commitment.completed' && e.commitmentId === 'done-campaign')!;
    const events = [...snap.events.filter((e) => e !== original), { ...original, at: at.toISOString() }];
    const earlier = digestPeriod('0 9 * * 1', TZ, at, null);
    const later = digestPeriod('0 9 * * 1', TZ, new Date(at.getTime() + 1), null);
    expect(later.from).toEqual(earlier.to);
    const inEarlier = buildDigest({ ...snap, events }, earlier, { asOf: earlier.to, timeZone: TZ }).completed.items.filter((c) => c.id === 'done-campaign');
    const inLater = buildDigest({ ...snap, events }, later, { asOf: later.to, timeZone: TZ }).completed.items.filter((c) => c.id === 'done-campaign');
    expect(inEarlier.length + inLater.length).toBe(1);
    expect(inLater).toHaveLength(1);
  });
});

describe('an empty period', () => {
  it('when nothing happened, then the digest is empty and renders the short "no changes" form', () => {
    const snap = fixture();
    const quiet = { from: new Date('2010-02-01T02:00:00Z'), to: new Date('2010-02-08T02:00:00Z'), first: false };
    const d = buildDigest(snap, quiet, { asOf: quiet.to, timeZone: TZ });
    expect(d.isEmpty).toBe(true);
    const r = renderDigest(d, { short: true });
    expect(r.subject).toMatch(/no changes$/);
    expect(r.text).toContain('No changes this period');
    expect(r.text).not.toContain('By party');
  });
});

describe('escaping', () => {
  it('when a title, note and evidence URL carry HTML or script, then the HTML shows them as text', () => {
    const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const snap = fixture([{ id: 'evil', title: `Evil ${evil}`, leads: ['IDN'] }]);
    snap.parties = snap.parties.map((p) => (p.id === 'IDN' ? { ...p, name: 'Indo<b>nesia</b>' } : p));
    const d = buildDigest(snap, PERIOD, { asOf: AS_OF, timeZone: TZ });
    const { html, text } = renderDigest(d);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>nesia');
    expect(html).toContain('Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(text).toContain(`Evil ${evil}`);
  });

  it('when an evidence URL is not http(s), then it is never a link', () => {
    const snap = fixture();
    const ev = snap.events.find((e) => e.type === 'commitment.completed' && e.commitmentId === 'done-campaign')!;
    ev.data = { ...ev.data, evidenceUrl: 'javascript:alert(1)' };
    const { html } = renderDigest(buildDigest(snap, PERIOD, { asOf: AS_OF, timeZone: TZ }));
    expect(html).not.toContain('href="javascript');
  });
});

describe('the seeded 2009 meeting', () => {
  it('when previewed on 18 January 2010, then the workshop is overdue since 31 December 2009, five items need a deadline and the expert meetings stand at 0 of 2', () => {
    const file = MeetingFileSchema.parse(JSON.parse(readFileSync(new URL('../../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')));
    const commitments = file.commitments.map(
      (c) => createCommitment({ ...c, meetingId: file.meeting.id } as z.output<typeof CommitmentInputSchema>, 'seed', new Date('2009-08-01T00:00:00Z')).commitment,
    );
    const asOf = new Date('2010-01-18T00:00:00Z');
    const period = digestPeriod('0 9 * * 1', 'Asia/Jakarta', asOf, meetingStartInstant([file.meeting], 'Asia/Jakarta'), { first: true });
    const d = buildDigest({ meetings: [file.meeting], parties: file.parties, commitments, events: [], failedReminders: [] }, period, { asOf, timeZone: 'Asia/Jakarta' });
    expect(d.overdue.items.map((o) => [o.id, o.dueLabel])).toEqual([['workshop-information-campaigns', '31 December 2009']]);
    expect(d.needsDeadline.total).toBe(5);
    expect(d.progress.items.map((p) => p.label)).toEqual(['0 of 2 meetings held']);
    const { text } = renderDigest(d);
    expect(text).toContain('Workshop on information campaigns: overdue since 31 December 2009 (18 days). Leads: Indonesia, Australia.');
    expect(text).toContain('Needs a deadline (5)');
    expect(text).toContain('Technical expert meetings on prosecuting people-smuggling syndicates: 0 of 2 meetings held.');
    expect(text).toContain('since the meeting (Monday 27 July 2009, 00:00)');
  });
});

describe('digestAudiences', () => {
  it('sends the full digest to the co-chairs and the steering group, and party digests to opted-in focal points not already served', () => {
    const { audiences, unknownParties } = digestAudiences(PARTIES, { steeringGroup: ['SG@example.org', 'idn@example.org'], partyOptIn: ['LKA', 'IDN', 'XXX'] });
    expect(audiences).toEqual([
      { scope: null, recipients: ['aus@example.org', 'idn@example.org', 'sg@example.org'] },
      { scope: 'LKA', recipients: ['lka@example.org'] },
    ]);
    expect(unknownParties).toEqual(['XXX']);
  });
});

describe('list limits', () => {
  it('when a list is longer than the limit, then it shows the limit and keeps the exact total', () => {
    const extra = Array.from({ length: 30 }, (_, i) => ({ id: `extra-${i}`, title: `Extra item ${String(i).padStart(2, '0')}`, leads: ['THA'] }));
    const d = buildDigest(fixture(extra), PERIOD, { asOf: AS_OF, timeZone: TZ, listLimit: 10 });
    expect(d.needsDeadline.items).toHaveLength(10);
    expect(d.needsDeadline.total).toBe(33);
    expect(renderDigest(d).text).toContain('… and 23 more.');
  });
});
