/**
 * A message's MIME source, for nodemailer to send as is (its `raw` option).
 *
 * Every mail of ours has the same shape: a text part and an HTML part as alternatives, no
 * attachments. nodemailer builds the header block (addresses, encoded words, folding, the
 * boundary), and the two parts are its own quoted-printable encoding of the text and the HTML.
 * Letting nodemailer compose the whole message does the same through a stream pipeline per
 * part, at about six times the cost; composing is most of what a reminder costs
 * (docs/benchmarks.md, "Composing messages"). test/unit/compose.test.ts parses both with
 * mailparser and asserts they carry the same message.
 */
import addressparser from 'nodemailer/lib/addressparser';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import type { OutgoingMail } from './mailer.js';

/** Line breaks as MIME writes them. */
const crlf = (s: string) => s.replace(/\r\n|\r|\n/g, '\r\n');

function part(boundary: string, type: 'plain' | 'html', body: string): string {
  return `--${boundary}\r\nContent-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qpWrap(qpEncode(crlf(body)), 76)}\r\n`;
}

/** The message's MIME source, CRLF line breaks. `date` defaults to now. */
export function composeMime(from: string, mail: OutgoingMail): string {
  const root = new MimeNode('multipart/alternative');
  root.setHeader('From', from);
  root.setHeader('To', mail.to);
  if (mail.cc?.length) root.setHeader('Cc', mail.cc);
  root.setHeader('Subject', mail.subject);
  root.setHeader('Message-ID', mail.messageId);
  root.setHeader('Date', (mail.date ?? new Date()).toUTCString().replace(/GMT/, '+0000'));
  for (const [key, value] of Object.entries(mail.headers ?? {})) root.setHeader(key, value);
  const head = root.buildHeaders();
  const boundary = root.boundary;
  if (typeof boundary !== 'string') throw new Error('multipart message without a boundary');
  return `${head}\r\n\r\n${part(boundary, 'plain', mail.text)}${part(boundary, 'html', mail.html)}--${boundary}--\r\n`;
}

/** The address of a From header value (MAIL_FROM), for the SMTP envelope. */
export function senderAddress(from: string): string {
  const address = addressparser(from, { flatten: true })[0]?.address;
  if (!address) throw new Error(`no address in the From value ${JSON.stringify(from)}`);
  return address;
}

/** What nodemailer sends: the composed source, and the envelope (the sender; every To and Cc recipient). */
export function rawMessage(from: string, sender: string, mail: OutgoingMail) {
  return { envelope: { from: sender, to: [...mail.to, ...(mail.cc ?? [])] }, raw: composeMime(from, mail), messageId: mail.messageId };
}
