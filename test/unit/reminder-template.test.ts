import { describe, expect, it } from 'vitest';
import type { Commitment } from '../../src/domain/commitment.js';
import { deadlineLine, progressLine, reminderMessageId, renderReminder, subjectLead } from '../../src/mail/reminder-template.js';

const commitment: Commitment = {
  id: 'technical-meeting-irregular-maritime-ventures',
  meetingId: 'ahg-som-2009',
  title: 'Technical meeting on irregular maritime ventures',
  sourceText: 'Participants agreed to convene a technical meeting on irregular maritime ventures.',
  theme: null,
  leads: ['LKA', 'IDN'],
  members: ['AUS'],
  due: { date: '2009-12-31', timeZone: 'Asia/Jakarta' },
  status: 'open',
  evidence: [],
  cancellation: null,
  reminderPolicy: null,
  dueVersion: 2,
  version: 5,
  createdAt: '2009-08-01T00:00:00.000Z',
  updatedAt: '2009-08-01T00:00:00.000Z',
};
const send = { id: 'technical-meeting-irregular-maritime-ventures--d2--before-P7D--AUS', step: 'before' as const, stepKey: 'before-P7D', at: '2009-12-23T22:00:00.000Z', timeZone: 'Australia/Sydney', partyId: 'AUS' };
const input = {
  commitment,
  send,
  recipient: 'focal-point.aus@example.org',
  copied: false,
  leadNames: ['Sri Lanka', 'Indonesia'],
  baseUrl: 'https://followup.example.org',
  links: {
    view: 'https://followup.example.org/actions/l/view-token',
    complete: 'https://followup.example.org/actions/l/complete-token',
    extend: 'https://followup.example.org/actions/l/extend-token',
  },
};

describe('the reminder template', () => {
  it('when a step is 7 days before, then the subject says what and when', () => {
    expect(renderReminder(input).subject).toBe('Due in 7 days: Technical meeting on irregular maritime ventures');
    expect(subjectLead('before-PT4S')).toBe('Due in 4 seconds');
    expect(subjectLead('due')).toBe('Due today');
    expect(subjectLead('overdue-1')).toBe('Overdue');
    // Not "follow-up 4": the body says how long it has been overdue.
    expect(subjectLead('overdue-4')).toBe('Overdue');
    expect(subjectLead('escalation')).toBe('Escalation: overdue');
  });

  it('when rendered, then the body gives the source sentence, the date deadline as that date plus the local day it falls on, the leads and every link', () => {
    const { text, html } = renderReminder(input);
    for (const part of [text, html]) {
      expect(part).toContain('Participants agreed to convene a technical meeting on irregular maritime ventures.');
      expect(part).toContain('31 December 2009 (end of day, Jakarta time)');
      // 31 December 23:59:59.999 in Jakarta is 1 January 03:59 in Sydney (summer time, UTC+11): another day there.
      expect(part).toContain('Friday 1 January 2010, 03:59 Sydney time');
      expect(part).toContain('Sri Lanka, Indonesia');
      for (const url of Object.values(input.links)) expect(part).toContain(url);
      expect(part).not.toContain('/v1/commitments/');
    }
    expect(text).toContain('Request more time: https://followup.example.org/actions/l/extend-token');
  });

  it('when the deadline day is the same where the reader is, then only the date is given', () => {
    expect(deadlineLine(commitment, 'Asia/Kabul')).toBe('31 December 2009 (end of day, Jakarta time)');
    expect(deadlineLine(commitment, 'Asia/Bangkok')).toBe('31 December 2009 (end of day, Jakarta time)');
    expect(deadlineLine(commitment, 'Pacific/Auckland')).toBe('31 December 2009 (end of day, Jakarta time), which is Friday 1 January 2010, 05:59 Auckland time');
  });

  it('when a notice is overdue, then it says since when and for how long', () => {
    const overdue = { ...input, send: { ...send, step: 'overdue' as const, stepKey: 'overdue-4', at: '2010-01-15T02:00:00.000Z' } };
    const { text, subject } = renderReminder(overdue);
    expect(subject).toBe('Overdue: Technical meeting on irregular maritime ventures');
    expect(text).toContain('overdue since 31 December 2009, 14 days');
  });

  it('when rendered, then the mail is automatic, in the commitment\'s thread and the meeting\'s list', () => {
    const { headers, html } = renderReminder(input);
    expect(headers).toMatchObject({
      'Auto-Submitted': 'auto-generated',
      'In-Reply-To': '<commitment.technical-meeting-irregular-maritime-ventures@followup.example.org>',
      References: '<commitment.technical-meeting-irregular-maritime-ventures@followup.example.org>',
      'List-Id': '<ahg-som-2009.followup.example.org>',
    });
    expect(html).toContain('<table role="presentation"');
    expect(html).not.toMatch(/display:\s*flex|\brem\b|<style/);
  });

  it('when a commitment has a target, then progress reads "1 of 2 meetings held"', () => {
    const multi = { ...commitment, title: 'Two technical expert meetings', target: { units: 2, done: 1 } };
    expect(progressLine(multi)).toBe('1 of 2 meetings held');
    expect(renderReminder({ ...input, commitment: multi }).text).toContain('Progress: 1 of 2 meetings held');
    expect(progressLine(commitment)).toBeNull();
    expect(progressLine({ title: 'Information paper', target: { units: 3, done: 0 } })).toBe('0 of 3 units done');
  });

  it('when user fields hold markup, then the HTML part escapes every one of them', () => {
    const evil = {
      ...commitment,
      title: 'Meeting <script>alert(1)</script>',
      sourceText: '"><img src=x onerror=alert(2)>',
    };
    const { html, subject } = renderReminder({ ...input, commitment: evil, leadNames: ['<b>Lead</b>'], recipient: 'a<b>@example.org' });
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('Meeting &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;b&gt;Lead&lt;/b&gt;');
    expect(subject).toBe('Due in 7 days: Meeting <script>alert(1)</script>');
  });

  it('when a title holds line breaks, then the subject stays on one line', () => {
    const { subject } = renderReminder({ ...input, commitment: { ...commitment, title: 'Line one\r\nBcc: victim@example.org' } });
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('when the Message-ID is derived, then it is the same for a retry and different per recipient', () => {
    const a = reminderMessageId(send.id, 'focal-point.aus@example.org', 'followup.example.org');
    expect(a).toBe(reminderMessageId(send.id, 'Focal-Point.AUS@example.org', 'followup.example.org'));
    expect(a).not.toBe(reminderMessageId(send.id, 'focal-point.idn@example.org', 'followup.example.org'));
    expect(a).toMatch(new RegExp(`^<${send.id}\\.[0-9a-f]{16}@followup\\.example\\.org>$`));
    expect(renderReminder(input).messageId).toBe(a);
  });
});
