/**
 * The mailer: pooled SMTP when SMTP_URL is set, otherwise .eml files in an
 * outbox folder. Either way a message goes through nodemailer, so the bytes
 * are the same.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { coerceError } from '../domain/errors.js';

export interface OutgoingMail {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  /** Deterministic Message-ID, e.g. `<reminder-….@followup>`; retries reuse it. */
  messageId: string;
  headers?: Record<string, string>;
  /** The Date header: the service clock's time of sending (nodemailer's wall clock when absent), so a replay's mail carries its virtual date. */
  date?: Date;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** A send failure, with the SMTP reply code when there is one. Permanent when the server said 5xx. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly responseCode: number | undefined,
    readonly permanent: boolean,
    readonly rejected: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailError';
  }
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Where mail goes: the SMTP URL without credentials, or the outbox folder. */
  readonly target: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}

const address = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);

/** Classify a nodemailer error: 5xx replies and rejected recipients are permanent; 4xx and network errors are not. */
export function toMailError(err: unknown): MailError {
  const e = coerceError(err) as Error & { responseCode?: number; code?: string; rejected?: unknown[] };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const rejected = Array.isArray(e.rejected) ? e.rejected.map((r) => address(r as string)) : [];
  const permanent = code !== undefined ? code >= 500 : e.code === 'EENVELOPE' && rejected.length > 0;
  return new MailError(e.message, code, permanent, rejected, { cause: e });
}

export function createMailer(opts: { smtpUrl?: string; outboxDir: string; from: string; maxConnections?: number }): Mailer {
  if (opts.smtpUrl) {
    const url = new URL(opts.smtpUrl);
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: opts.maxConnections ?? 5,
      maxMessages: 1000,
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    url.password = '';
    url.username = '';
    return {
      kind: 'smtp',
      target: url.toString(),
      async send(mail) {
        try {
          const info = await transport.sendMail({ from: opts.from, ...mail });
          return { messageId: info.messageId, accepted: info.accepted.map(address), rejected: info.rejected.map(address) };
        } catch (err) {
          throw toMailError(err);
        }
      },
      async close() {
        transport.close();
      },
    };
  }

  const dir = resolve(opts.outboxDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    target: dir,
    async send(mail) {
      const info = await transport.sendMail({ from: opts.from, ...mail });
      await mkdir(dir, { recursive: true });
      const file = mail.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]+/g, '_');
      await writeFile(resolve(dir, `${file}.eml`), info.message as Buffer);
      return { messageId: info.messageId, accepted: [...mail.to, ...(mail.cc ?? [])], rejected: [] };
    },
    async close() {
      transport.close();
    },
  };
}
