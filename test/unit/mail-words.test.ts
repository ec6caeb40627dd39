/** Deadlines in words, the notice mails of a request for more time, and what every automatic mail carries. Pure. */
import { describe, expect, it } from 'vitest';
import { daysOverdue, deadlineWords, overdueWords } from '../../src/mail/deadline-words.js';
import { automaticHeaders, mailText, threadRoot } from '../../src/mail/layout.js';
import { renderNotice, type NoticeKind } from '../../src/mail/notice-template.js';

const jakarta = { date: '2009-12-31', timeZone: 'Asia/Jakarta' };

describe('deadlines in words', () => {
  it('a date deadline reads as that date, with the reader\'s local time only when it is another day there', () => {
    expect(deadlineWords(jakarta, 'Asia/Jakarta')).toBe('31 December 2009 (end of day, Jakarta time)');
    expect(deadlineWords(jakarta, 'Asia/Kolkata')).toBe('31 December 2009 (end of day, Jakarta time)');
    expect(deadlineWords(jakarta, 'Australia/Sydney')).toBe('31 December 2009 (end of day, Jakarta time), which is Friday 1 January 2010, 03:59 Sydney time');
    expect(deadlineWords({ date: '2009-12-31', timeZone: 'America/New_York' }, 'Asia/Jakarta')).toBe('31 December 2009 (end of day, New York time), which is Friday 1 January 2010, 11:59 Jakarta time');
  });

  it('an instant reads in the reader\'s zone (seconds only when it has some); none reads "no deadline"', () => {
    expect(deadlineWords({ at: '2009-11-30T02:00:00.000Z' }, 'Asia/Jakarta')).toBe('Monday 30 November 2009, 09:00 Jakarta time');
    expect(deadlineWords({ at: '2009-11-30T02:00:05.000Z' }, 'UTC')).toBe('Monday 30 November 2009, 02:00:05 UTC time');
    expect(deadlineWords(null, 'UTC')).toBe('no deadline');
  });

  it('overdue says since when and for how long, in whole days', () => {
    expect(overdueWords(jakarta, new Date('2010-01-15T02:00:00Z'), 'Australia/Sydney')).toBe('overdue since 31 December 2009, 14 days');
    expect(overdueWords(jakarta, new Date('2010-01-01T17:00:00Z'), 'UTC')).toBe('overdue since 31 December 2009, 1 day');
    expect(overdueWords(jakarta, new Date('2009-12-31T18:00:00Z'), 'UTC')).toBe('overdue since 31 December 2009, less than a day');
    expect(daysOverdue(jakarta, new Date('2009-12-01T00:00:00Z'))).toBe(0);
  });
});

describe('automatic mail', () => {
  it('carries Auto-Submitted, the commitment\'s thread root and the meeting\'s List-Id', () => {
    expect(threadRoot('c-1', 'followup.example.org')).toBe('<commitment.c-1@followup.example.org>');
    expect(automaticHeaders({ domain: 'followup.example.org', commitmentId: 'c-1', meetingId: 'm-1' })).toEqual({
      'Auto-Submitted': 'auto-generated',
      'In-Reply-To': '<commitment.c-1@followup.example.org>',
      References: '<commitment.c-1@followup.example.org>',
      'List-Id': '<m-1.followup.example.org>',
    });
  });

  it('text parts lose control characters: no value forges a line', () => {
    expect(mailText(['Title: a\r\nBcc: x@example.org', 'b\u0000c\u001b[31m'])).toBe('Title: a Bcc: x@example.org\nb c [31m');
  });
});

describe('the notices of a request for more time', () => {
  const base = {
    commitment: { id: 'c-1', meetingId: 'ahg-som-2009', title: 'Workshop\r\nInjected: line' },
    request: { id: 'ext-0123456789ab', newDate: '2010-01-30', timeZone: 'Asia/Jakarta', reason: 'Venue\u0000 late\r\nForged: yes', requestedBy: 'lead@example.org', decideBy: '2010-01-14T00:00:00.000Z', decidedBy: 'chair@example.org' },
    currentDeadline: '31 December 2009 (end of day, Jakarta time)',
    recipient: 'chair@example.org',
    domain: 'followup.example.org',
  };
  const links = { asked: { approve: 'https://f/a', decline: 'https://f/d', view: 'https://f/v' }, other: { view: 'https://f/v' } };

  it.each<[NoticeKind, RegExp]>([
    ['asked', /^More time requested: /],
    ['approved', /^More time approved: /],
    ['declined', /^More time declined: /],
    ['expired', /^Request for more time expired: /],
  ])('%s: subject, links, headers, and no line a value could forge', (kind, subject) => {
    const m = renderNotice({ ...base, kind, links: kind === 'asked' ? links.asked : links.other });
    expect(m.subject).toMatch(subject);
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.text).not.toMatch(/^(Injected|Forged):/m);
    expect(m.text).not.toMatch(/[\r\u0000]/);
    expect(m.text).toContain('30 January 2010 (end of day, Jakarta time)');
    for (const url of Object.values(kind === 'asked' ? links.asked : links.other)) {
      expect(m.text).toContain(url);
      expect(m.html).toContain(`href="${url}"`);
    }
    expect(m.messageId).toMatch(new RegExp(`^<ext\\.ext-0123456789ab\\.${kind}\\.[0-9a-f]+@followup\\.example\\.org>$`));
    expect(m.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'In-Reply-To': '<commitment.c-1@followup.example.org>' });
  });

  it('escapes every value in the HTML part', () => {
    const m = renderNotice({ ...base, kind: 'asked', request: { ...base.request, reason: '<script>x</script>' }, links: links.asked });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
  });
});
