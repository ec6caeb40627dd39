/**
 * `npm run demo`: replay the 2009 meeting's follow-up to the end of 2010 in
 * compressed time, with a narrated log and a summary (see replay.ts).
 *
 *   npm run demo                              4 virtual days per second, about 2¼ minutes
 *   npm run demo -- --days-per-second 1       the literal one day per second (about 9 minutes)
 *   npm run demo -- --keep                    keep the Redis prefix to look around afterwards
 *   SMTP_URL=smtp://127.0.0.1:1025 npm run demo   mail to Mailpit (docker compose) instead of outbox/demo/
 *
 * Reads REDIS_URL, SMTP_URL, MAIL_FROM and PUBLIC_BASE_URL from the
 * environment; every other setting is the demo's own, so it plays the same
 * story whatever the local configuration says.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../config/env.js';
import { coerceError } from '../domain/errors.js';
import { RedisUnreachableError, redactUrl } from '../redis.js';
import { localDate } from './narration.js';
import { runDemo } from './replay.js';
import { STORY_TZ } from './story.js';
import { introLines, summaryLines } from './summary.js';

const USAGE = `Usage: npm run demo -- [--days-per-second N] [--outbox DIR] [--keep]

  --days-per-second N   virtual days per real second, 0.1 to 100 (default 4: about 2¼ minutes;
                        1 replays one day per second, about 9 minutes)
  --outbox DIR          where .eml files go when SMTP_URL is unset (default outbox/demo; its .eml files are replaced)
  --keep                keep the demo's Redis prefix at the end (it is deleted otherwise)

Environment: REDIS_URL (default redis://127.0.0.1:6379), SMTP_URL (e.g. smtp://127.0.0.1:1025 for Mailpit).`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { 'days-per-second': { type: 'string', default: '4' }, outbox: { type: 'string', default: 'outbox/demo' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${coerceError(err).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const daysPerSecond = Number(values['days-per-second']);
  if (!Number.isFinite(daysPerSecond) || daysPerSecond < 0.1 || daysPerSecond > 100) {
    process.stderr.write(`--days-per-second: expected a number from 0.1 to 100, got ${values['days-per-second']}\n\n${USAGE}\n`);
    return 2;
  }

  // A one-line clock at the bottom of a terminal; narrated lines print above it.
  const tty = process.stdout.isTTY === true;
  let ticking = false;
  const write = (line: string) => {
    process.stdout.write(`${ticking ? '\r\x1b[K' : ''}${line}\n`);
    ticking = false;
  };
  const onTick = tty
    ? (now: Date) => {
        process.stdout.write(`\r\x1b[K  … ${localDate(now, STORY_TZ)}`);
        ticking = true;
      }
    : undefined;

  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    write('Stopping: the workers finish what they are doing, then the demo cleans up (Ctrl-C again to quit at once).');
    abort.abort();
  };
  process.on('SIGINT', onSigint);

  const prefix = `followup-demo-${Math.random().toString(16).slice(2, 8)}`;
  const mail = env.SMTP_URL ? `SMTP ${redactUrl(env.SMTP_URL)} (with docker compose\'s Mailpit: http://localhost:8025)` : `.eml files in ${values.outbox}/ (SMTP_URL=smtp://127.0.0.1:1025 sends to Mailpit instead)`;
  for (const line of introLines({ daysPerSecond, prefix, keep: values.keep, mail })) write(line);
  try {
    const result = await runDemo({
      daysPerSecond,
      prefix,
      keep: values.keep,
      outboxDir: values.outbox,
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
      ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
      ...(env.MAIL_FROM ? { mailFrom: env.MAIL_FROM } : {}),
      ...(env.PUBLIC_BASE_URL ? { publicBaseUrl: env.PUBLIC_BASE_URL } : {}),
      write,
      signal: abort.signal,
      ...(onTick ? { onTick } : {}),
    });
    for (const line of summaryLines(result)) write(line);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RedisUnreachableError) write(err.message);
    else write(`The demo failed: ${coerceError(err).stack ?? String(err)}`);
    return 1;
  } finally {
    if (ticking) process.stdout.write('\r\x1b[K');
    process.off('SIGINT', onSigint);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
