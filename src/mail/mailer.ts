/**
 * The mailer: pooled SMTP when SMTP_URL is set, otherwise .eml files in an
 * outbox folder. Either way the message is composed the same way
 * (src/mail/compose.ts) and sent by nodemailer, so the bytes are the same.
 * SMTP runs in a worker thread of its own (src/mail/smtp-thread.ts), so
 * composing and streaming messages does not hold up the thread that takes
 * jobs and records outcomes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import { coerceError } from '../domain/errors.js';
import { rawMessage, senderAddress } from './compose.js';
import type { SmtpThreadAnswer, SmtpThreadInit, SmtpThreadRequest } from './smtp-thread.js';

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
  /**
   * When messages wait for the SMTP connections, the order they go in: lowest first (a
   * reminder's planned instant, ms). Without it, the moment the message was handed over.
   */
  order?: number;
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

/** An address as nodemailer reports it (a string, or an object with the address). */
export const address = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);

/** Classify a nodemailer error: 5xx replies and rejected recipients are permanent; 4xx and network errors are not. */
export function toMailError(err: unknown): MailError {
  const e = coerceError(err) as Error & { responseCode?: number; code?: string; rejected?: unknown[] };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const rejected = Array.isArray(e.rejected) ? e.rejected.map((r) => address(r as string)) : [];
  const permanent = code !== undefined ? code >= 500 : e.code === 'EENVELOPE' && rejected.length > 0;
  return new MailError(e.message, code, permanent, rejected, { cause: e });
}

export interface MailerOptions {
  smtpUrl?: string;
  outboxDir: string;
  from: string;
  maxConnections?: number;
  /**
   * The module the SMTP thread runs, in place of src/mail/smtp-thread. It must answer as that
   * one does; the tests give one that loads it and then dies on cue.
   */
  threadModule?: URL;
}

export function createMailer(opts: MailerOptions): Mailer {
  // A From value without an address (MAIL_FROM) stops the start, not every send.
  const sender = senderAddress(opts.from);
  if (opts.smtpUrl) {
    const url = new URL(opts.smtpUrl);
    const transport = {
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
    };
    url.password = '';
    url.username = '';
    return createSmtpThreadMailer(transport, opts.from, url.toString(), opts.threadModule);
  }

  const dir = resolve(opts.outboxDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    target: dir,
    async send(mail) {
      const info = await transport.sendMail(rawMessage(opts.from, sender, mail));
      await mkdir(dir, { recursive: true });
      const file = mail.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]+/g, '_');
      await writeFile(resolve(dir, `${file}.eml`), info.message as Buffer);
      return { messageId: mail.messageId, accepted: [...mail.to, ...(mail.cc ?? [])], rejected: [] };
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * SMTP through the SMTP thread (src/mail/smtp-thread.ts): each send is one request to it,
 * answered with nodemailer's result or a MailError. A second thread, each with part of the pool,
 * measured no faster on two cores and cost more CPU per message (docs/benchmarks.md).
 */
function createSmtpThreadMailer(transport: Record<string, unknown> & { maxConnections: number }, from: string, target: string, module?: URL): Mailer {
  // Two messages per connection in the thread: each connection has its next one ready.
  const thread = new SmtpThread({ transport, from }, 2 * transport.maxConnections, module);
  return { kind: 'smtp', target, send: (mail) => thread.send(mail), close: () => thread.close() };
}

/**
 * The SMTP thread, started at the first send. It holds the process open only while a send is in
 * flight. If it dies, the sends in flight fail as an outage (a temporary failure with no reply
 * code: the ledger records nothing, the queue pauses and tries again) and the next send starts a
 * new thread.
 */
class SmtpThread {
  private worker: Worker | null = null;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: SendResult) => void; reject: (e: MailError) => void }>();
  /** Sends not yet handed to the thread, by (order, arrival): the thread holds at most `window` at once. */
  private readonly waiting: Array<{ id: number; order: number; mail: OutgoingMail }> = [];
  private inThread = 0;

  constructor(
    private readonly init: SmtpThreadInit,
    private readonly window: number,
    private readonly module?: URL,
  ) {}

  send(mail: OutgoingMail): Promise<SendResult> {
    const w = (this.worker ??= this.start());
    const id = this.next++;
    if (this.pending.size === 0) w.ref();
    return new Promise<SendResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const item = { id, order: mail.order ?? Date.now(), mail };
      // Binary search for the first item ordered after this one (ties keep arrival order).
      let lo = 0;
      let hi = this.waiting.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.waiting[mid]!.order <= item.order) lo = mid + 1;
        else hi = mid;
      }
      this.waiting.splice(lo, 0, item);
      this.handOver(w);
    });
  }

  /** Keep the thread's own queue short, so a message planned earlier overtakes the ones still waiting here. */
  private handOver(w: Worker) {
    while (this.inThread < this.window && this.waiting.length > 0) {
      const { id, mail } = this.waiting.shift()!;
      this.inThread++;
      w.postMessage({ id, mail } satisfies SmtpThreadRequest);
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ close: true } satisfies SmtpThreadRequest);
    // The pool closes its connections and the thread ends; a connection that will not close
    // does not hold shutdown for long.
    const timer = setTimeout(() => void w.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private start(): Worker {
    const w = spawnSmtpThread(this.init, this.module);
    w.unref();
    w.on('message', (a: SmtpThreadAnswer) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      this.inThread--;
      this.handOver(w);
      if (this.pending.size === 0) w.unref();
      if ('ok' in a) p.resolve(a.ok);
      else p.reject(new MailError(a.error.message, a.error.responseCode, a.error.permanent, a.error.rejected));
    });
    w.on('error', (err) => this.failAll(err.message));
    w.on('exit', (code) => {
      // A closed thread ending after a new one started has nothing of the new one's to fail.
      if (this.worker !== null && this.worker !== w) return;
      this.worker = null;
      this.failAll(`exit code ${code}`);
    });
    return w;
  }

  private failAll(reason: string) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.waiting.length = 0;
    this.inThread = 0;
    for (const p of waiting) p.reject(new MailError(`the SMTP thread stopped (${reason}); the message may not have been sent`, undefined, false));
  }
}

/**
 * Start the SMTP thread: the compiled module beside this one, or from a source checkout (tsx, the
 * tests) the TypeScript module through tsx's loader, which a worker thread does not inherit.
 */
function spawnSmtpThread(init: SmtpThreadInit, module?: URL): Worker {
  const entry = module ?? new URL(import.meta.url.endsWith('.ts') ? './smtp-thread.ts' : './smtp-thread.js', import.meta.url);
  const fromSource = entry.pathname.endsWith('.ts');
  if (!fromSource) return new Worker(entry, { workerData: init });
  const boot = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData: init });
}
