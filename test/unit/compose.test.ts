/**
 * Our composer (src/mail/compose.ts) against nodemailer composing the whole message: mailparser
 * reads both as the same message, for any subject, body, sender name and header set.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import './fc-seed.js';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { composeMime, rawMessage, senderAddress } from '../../src/mail/compose.js';
import { createMailer, type OutgoingMail } from '../../src/mail/mailer.js';

const nodemailerSource = async (from: string, m: OutgoingMail) => (await new MailComposer({ from, ...m }).compile().build()).toString('utf8');

const addresses = (a: AddressObject | AddressObject[] | undefined) => (a === undefined ? [] : [a].flat().flatMap((x) => x.value.map((v) => ({ name: v.name, address: v.address }))));

/** What a reader sees of a parsed message. */
const seen = (p: ParsedMail) => ({
  subject: p.subject,
  from: addresses(p.from),
  to: addresses(p.to),
  cc: addresses(p.cc),
  messageId: p.messageId,
  date: p.date?.toISOString(),
  text: p.text,
  html: p.html,
  headers: ['auto-submitted', 'in-reply-to', 'references', 'list-id', 'x-followup-send-id', 'x-followup-planned-at'].map((h) => [h, p.headers.get(h)]),
});

// Text that stresses the encodings: non-ASCII, '=', dots and "From " at line starts, tabs,
// trailing spaces, and lines far longer than 76 characters.
const piece = fc.constantFrom('a', 'Z', ' ', '  ', '\t', '=', '.', '..', '\n', '\n.', '\nFrom ', 'é', 'ß', '—', '😀', 'ກ', 'https://followup.example.org/actions/l/AbCdEfGhIjKlMnOpQrStUvWc.0123456789abcdefghijABCDEFGHIJ-_klmnopqrstu', '<b>', '&amp;');
const body = fc.array(piece, { maxLength: 120 }).map((p) => p.join(''));
const printable = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}[\x21-\x7e]$/);
const mailArb = fc.record({
  name: fc.oneof(fc.constant('Follow-up'), fc.constant('Bali Process — secrétariat'), fc.string({ maxLength: 30 }).map((s) => s.replace(/[<>"\\,;:@\r\n]/g, '').trim() || 'x')),
  subject: fc.oneof(body, fc.string({ maxLength: 200 })).map((s) => s.replace(/[\r\n\t]+/g, ' ').trim() || 'subject'),
  // Every mail of ours has a text part (nodemailer leaves an empty one out).
  text: body.filter((t) => t.length > 0),
  html: body.map((b) => `<p>${b}</p>`),
  cc: fc.boolean(),
  sendId: printable,
});

describe('composeMime', () => {
  it('reads, to mailparser, as the same message as nodemailer composes', async () => {
    await fc.assert(
      fc.asyncProperty(mailArb, async (a) => {
        const from = `"${a.name}" <followup@example.org>`;
        const mail: OutgoingMail = {
          to: ['focal-point.idn@example.org'],
          ...(a.cc ? { cc: ['co-chair@example.org', 'sg@example.org'] } : {}),
          subject: a.subject,
          text: a.text,
          html: a.html,
          messageId: '<reminder-1.abc@followup.example.org>',
          date: new Date('2009-12-31T02:00:00Z'),
          headers: { 'Auto-Submitted': 'auto-generated', 'In-Reply-To': '<commitment.c1@followup.example.org>', References: '<commitment.c1@followup.example.org>', 'List-Id': '<ahg-som-2009.followup.example.org>', 'X-Followup-Send-Id': a.sendId, 'X-Followup-Planned-At': '2009-12-31T02:00:00.000Z' },
        };
        const ours = composeMime(from, mail);
        expect(ours).not.toMatch(/[^\r]\n|\r[^\n]/); // CRLF only
        for (const line of ours.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
        const [mine, theirs] = await Promise.all([simpleParser(ours), simpleParser(await nodemailerSource(from, mail))]);
        expect(seen(mine)).toEqual(seen(theirs));
        // And it is the message that was asked for, not two equally damaged copies.
        // (Folding a long header collapses a run of spaces around a long word, as nodemailer's does.)
        expect(mine.subject?.replace(/\s+/g, ' ')).toBe(a.subject.replace(/\s+/g, ' '));
        expect(mine.html).toBe(a.html);
        expect(addresses(mine.from)).toEqual([{ name: a.name, address: 'followup@example.org' }]);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a body line that is only a dot, and CRLF and LF line breaks alike', async () => {
    const mail: OutgoingMail = { to: ['a@example.org'], subject: 'Dots', text: 'one\r\n.\r\ntwo\n.\nthree', html: '<p>x</p>', messageId: '<m@x>' };
    const p = await simpleParser(composeMime('Follow-up <followup@example.org>', mail));
    expect(p.text?.split(/\r?\n/)).toEqual(['one', '.', 'two', '.', 'three']);
  });

  it('puts every To and Cc recipient on the envelope, from the address in the From value', () => {
    const from = '"Bali Process, Follow-up" <followup@example.org>';
    expect(senderAddress(from)).toBe('followup@example.org');
    const r = rawMessage(from, senderAddress(from), { to: ['a@example.org'], cc: ['b@example.org', 'c@example.org'], subject: 's', text: 't', html: 'h', messageId: '<m@x>' });
    expect(r.envelope).toEqual({ from: 'followup@example.org', to: ['a@example.org', 'b@example.org', 'c@example.org'] });
    expect(r.messageId).toBe('<m@x>');
    expect(() => senderAddress('no address here')).toThrow(/no address/);
  });

  it('a From value without an address stops the mailer at creation, over SMTP as in the outbox', () => {
    for (const smtp of [{ smtpUrl: 'smtp://127.0.0.1:2525' }, {}]) {
      expect(() => createMailer({ ...smtp, outboxDir: 'outbox', from: 'Follow-up' })).toThrow(/no address in the From value "Follow-up"/);
    }
  });
});
