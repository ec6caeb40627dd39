/**
 * A real SMTP server in the test process (smtp-server), whose received
 * messages are parsed with mailparser. It can be told to answer 4xx or 5xx,
 * or to reject some recipients, to test delivery guarantees.
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  envelopeTo: string[];
  /** Date.now() when the server accepted the message (end of DATA). */
  receivedAt: number;
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Connection-level errors seen by the server, such as ECONNRESET from a killed client. */
  connectionErrors: Error[];
  /** Answer the next `count` DATA commands with this SMTP code (e.g. 451 or 550). */
  failNext(code: number, count?: number): void;
  /** Reject these recipient addresses at RCPT TO with 550. */
  rejectRecipients(addresses: string[]): void;
  /** Resolve when at least `n` messages have arrived, or reject after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  clear(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let failures: { code: number; left: number } | null = null;
  let rejected = new Set<string>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (rejected.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error('Recipient rejected'), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures && failures.left > 0) {
          failures.left--;
          const err = Object.assign(new Error(failures.code >= 500 ? 'Permanent failure' : 'Try again later'), { responseCode: failures.code });
          return callback(err);
        }
        const receivedAt = Date.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), receivedAt, parsed, raw });
            waiters.splice(0).forEach((w) => w());
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  // A client that dies mid-session (the SIGKILL test) resets its socket; smtp-server reports that as
  // an 'error' event, which without a listener would crash the test process as an uncaught exception.
  const connectionErrors: Error[] = [];
  server.on('error', (err: Error) => connectionErrors.push(err));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    connectionErrors,
    failNext(code, count = 1) {
      failures = { code, left: count };
    },
    rejectRecipients(addresses) {
      rejected = new Set(addresses.map((a) => a.toLowerCase()));
    },
    async waitFor(n, timeoutMs = 15_000) {
      const started = Date.now();
      while (messages.length < n) {
        const left = timeoutMs - (Date.now() - started);
        if (left <= 0) throw new Error(`expected ${n} messages, got ${messages.length} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return messages.slice();
    },
    clear() {
      messages.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
