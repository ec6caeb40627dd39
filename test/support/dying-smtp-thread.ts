/**
 * An SMTP thread that dies mid-burst: the real one (src/mail/smtp-thread.ts), which ends its
 * thread with exit code 1 as the Nth request arrives, once per flag file. The real thread has
 * started on the messages before it (some are on the wire), and the Nth is being composed.
 *
 * Set before the mailer's first send (a thread copies the environment when it starts):
 * SMTP_THREAD_DIE_AT (N, counted from 1) and SMTP_THREAD_DIE_FLAG (a file that does not exist
 * yet; the thread creates it as it dies, so the thread started after it lives).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import '../../src/mail/smtp-thread.js';

const at = Number(process.env.SMTP_THREAD_DIE_AT);
const flag = process.env.SMTP_THREAD_DIE_FLAG;
let requests = 0;

parentPort!.on('message', (req: object) => {
  if ('close' in req || !flag || !(at > 0)) return;
  if (++requests === at && !existsSync(flag)) {
    writeFileSync(flag, String(process.pid));
    process.exit(1);
  }
});
