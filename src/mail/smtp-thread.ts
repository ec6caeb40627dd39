/**
 * The SMTP thread: a worker thread that owns the pooled nodemailer transport. Composing a MIME
 * message and streaming it out is most of what a reminder costs, and here it runs beside the
 * thread that takes jobs, guards and records them, rather than in its turns (src/mail/mailer.ts
 * starts it and holds the other end).
 *
 * Each request is one message to send, composed here (src/mail/compose.ts); each answer is what
 * nodemailer reported, or the error classified as in the calling thread (toMailError), as plain
 * fields.
 */
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import { rawMessage, senderAddress } from './compose.js';
import { address, toMailError, type OutgoingMail, type SendResult } from './mailer.js';

/** What the calling thread starts this one with: nodemailer's SMTP options and the From address. */
export interface SmtpThreadInit {
  transport: Record<string, unknown>;
  from: string;
}

export type SmtpThreadRequest = { id: number; mail: OutgoingMail } | { close: true };

export type SmtpThreadAnswer =
  | { id: number; ok: SendResult }
  | { id: number; error: { message: string; responseCode: number | undefined; permanent: boolean; rejected: string[] } };

const port = parentPort!;
const init = workerData as SmtpThreadInit;
const transport = nodemailer.createTransport(init.transport);
const sender = senderAddress(init.from);

/** One message: composed, then sent. Async, so a message that cannot be composed fails alone. */
async function send(mail: OutgoingMail): Promise<SendResult> {
  const info = await transport.sendMail(rawMessage(init.from, sender, mail));
  return { messageId: mail.messageId, accepted: info.accepted.map(address), rejected: info.rejected.map(address) };
}

port.on('message', (req: SmtpThreadRequest) => {
  if ('close' in req) {
    transport.close();
    port.close();
    return;
  }
  send(req.mail).then(
    (ok) => port.postMessage({ id: req.id, ok } satisfies SmtpThreadAnswer),
    (err: unknown) => {
      const e = toMailError(err);
      port.postMessage({ id: req.id, error: { message: e.message, responseCode: e.responseCode, permanent: e.permanent, rejected: e.rejected } } satisfies SmtpThreadAnswer);
    },
  );
});
