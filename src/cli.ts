/**
 * `followup`: the operators' command line. It talks to Redis through the same
 * store, ledger and job code as the API (not over HTTP), so it works when the
 * API is down and needs no token; whoever can reach Redis is trusted.
 *
 *   followup import <file>                          validate and load a meeting file
 *   followup list [--status s,s] [--party P] [--meeting m] [--overdue] [--json]
 *   followup complete <id> --note "…" [--url URL] [--on YYYY-MM-DD] [--units n] [--as name]
 *   followup digest preview [--format text|json|html] [--party P]
 *   followup reminders failed [--json] [--limit n]
 *   followup reminders retry [--commitment id] [--since ISO]
 *   followup reconcile
 *
 * Global: --now <ISO instant> pins the clock (replays, tests). Configuration
 * comes from the same environment variables as the service (REDIS_URL, REDIS_PREFIX, …).
 * Exit codes: 0 done, 1 the operation failed (bad file, unknown id, illegal
 * transition), 2 usage error, 3 configuration or Redis unreachable.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { createServices, type Services } from './app/services.js';
import { meetingServiceOf } from './app/meetings.js';
import { fixedClock, systemClock, type Clock } from './domain/clock.js';
import { CompleteInputSchema, toView, type CommitmentView } from './domain/commitment.js';
import { AppError, coerceError, fieldErrors } from './domain/errors.js';
import { StatusSchema } from './domain/status.js';
import { connectRedis, createRedis, RedisUnreachableError } from './redis.js';

export const USAGE = `Usage: followup <command> [options]

Commands:
  import <file>                 Validate a meeting file and load it (nothing is loaded if any field is wrong)
  list                          List commitments   [--status open,in_progress] [--party LKA] [--meeting id] [--overdue] [--json]
  complete <id> --note <text>   Record completion   [--url <evidence URL>] [--on YYYY-MM-DD] [--units n] [--as <name>]
  digest preview                Show the next digest without sending it   [--format text|json|html] [--party P]
  reminders failed              List reminder deliveries that failed   [--json] [--limit n]
  reminders retry               Retry every failed reminder send now   [--commitment id] [--since ISO instant]
  reconcile                     Enqueue a reconcile of every commitment (the workers reschedule reminders)
  draft <file>                  Draft a meeting file from an outcome statement (.txt) and print it as JSON; nothing is stored
  help                          Show this help

Global options: --now <ISO instant> pins the clock. Configuration comes from the environment (REDIS_URL, REDIS_PREFIX, …).
`;

class UsageError extends Error {}

type Out = { out: (s: string) => void; err: (s: string) => void };
type Ctx = Services & Out;

/**
 * What to say when a listing is empty because nothing is stored under this
 * prefix at all (a wrong REDIS_PREFIX, or nothing imported yet), or null when
 * commitments exist and only the filter matched none. The change mark is one
 * XREVRANGE, so an empty answer costs no scan of the store.
 */
async function emptyStore(ctx: Ctx): Promise<string | null> {
  if ((await ctx.commitmentStore.changeMark()) !== '0-0') return null;
  return `No commitments under the Redis prefix '${ctx.config.REDIS_PREFIX}' (REDIS_PREFIX). Import a meeting with: followup import <file>`;
}

const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

function dueLabel(c: CommitmentView): string {
  if (!c.due) return c.needsDeadline && c.dueLink ? `needs a deadline (${c.dueLink.offset} from ${c.dueLink.meetingId})` : '—';
  return 'date' in c.due ? `${c.due.date} ${c.due.timeZone}` : c.due.at;
}

async function cmdImport(ctx: Ctx, args: string[]): Promise<void> {
  const file = args[0];
  if (!file) throw new UsageError('import needs a file: followup import <file>');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const e = coerceError(err) as NodeJS.ErrnoException;
    throw new AppError('validation', e.code === 'ENOENT' ? `No file at ${file}.` : `${file} is not valid JSON: ${e.message}`);
  }
  let last = 0;
  const result = await ctx.commitments.importMeeting(raw, { name: 'cli' }, (done, total) => {
    // Progress only for files large enough to take a while; one line per 10 %.
    if (total < 1000 || (done < total && done - last < total / 10)) return;
    last = done;
    ctx.err(`  imported ${done} of ${total} commitments (${Math.round((done / total) * 100)} %)`);
  });
  ctx.out(
    `Meeting ${result.meetingId}: ${result.meeting}. Parties: ${result.parties.created} created, ${result.parties.existing} existing. ` +
      `Commitments: ${result.commitments.created.length} created, ${result.commitments.existing.length} already present.`,
  );
}

async function cmdList(ctx: Ctx, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { status: { type: 'string' }, party: { type: 'string' }, meeting: { type: 'string' }, overdue: { type: 'boolean' }, json: { type: 'boolean' } } });
  const statuses = values.status?.split(',').filter(Boolean).map((s) => {
    const r = StatusSchema.safeParse(s);
    if (!r.success) throw new UsageError(`--status: unknown status ${s}; expected ${StatusSchema.options.join(', ')}`);
    return r.data;
  });
  const now = ctx.clock.now();
  const ids = await ctx.commitmentStore.findIds(
    { ...(statuses ? { status: statuses } : {}), ...(values.party ? { parties: [values.party] } : {}), ...(values.meeting ? { meetingId: values.meeting } : {}), ...(values.overdue ? { overdue: true } : {}) },
    now,
  );
  const items = (await ctx.commitmentStore.getMany(ids)).map((c) => toView(c, now));
  if (values.json) return ctx.out(JSON.stringify(items, null, 2));
  if (items.length === 0) return ctx.out((await emptyStore(ctx)) ?? 'No commitment matches.');
  ctx.out(`${pad('ID', 50)} ${pad('STATUS', 20)} ${pad('DUE', 26)} ${pad('LEADS', 12)} PROGRESS`);
  for (const c of items) {
    const status = c.overdue ? `${c.status} OVERDUE` : c.status;
    const progress = c.target ? `${c.target.done}/${c.target.units}` : c.status === 'done' ? 'done' : '';
    ctx.out(`${pad(c.id, 50)} ${pad(status, 20)} ${pad(dueLabel(c), 26)} ${pad(c.leads.join(','), 12)} ${progress}`.trimEnd());
  }
  ctx.out(`${items.length} commitment${items.length === 1 ? '' : 's'}.`);
}

async function cmdComplete(ctx: Ctx, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { note: { type: 'string' }, url: { type: 'string' }, on: { type: 'string' }, units: { type: 'string' }, as: { type: 'string' } },
  });
  const id = positionals[0];
  if (!id) throw new UsageError('complete needs an id: followup complete <id> --note "…"');
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ctx.config.DIGEST_TZ }).format(ctx.clock.now());
  const parsed = CompleteInputSchema.safeParse({
    note: values.note,
    ...(values.url ? { evidenceUrl: values.url } : {}),
    completedOn: values.on ?? today,
    ...(values.units !== undefined ? { units: Number(values.units) } : {}),
  });
  if (!parsed.success) {
    const flag: Record<string, string> = { note: '--note', evidenceUrl: '--url', completedOn: '--on', units: '--units' };
    throw new AppError('validation', 'The completion is not valid.', fieldErrors(parsed.error.issues).map((e) => ({ path: flag[e.path] ?? e.path, message: e.message })));
  }
  const c = await ctx.commitments.complete(id, parsed.data, { name: values.as ?? 'cli' });
  ctx.out(`${c.id} is now ${c.status.replace('_', ' ')}${c.target ? ` (${c.target.done} of ${c.target.units})` : ''}, version ${c.version}.`);
}

async function cmdDigest(ctx: Ctx, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'preview') throw new UsageError('expected: followup digest preview [--format text|json|html]');
  const { values } = parseArgs({ args: rest, options: { format: { type: 'string', default: 'text' }, party: { type: 'string' } } });
  if (!['text', 'json', 'html'].includes(values.format!)) throw new UsageError('--format: expected text, json or html');
  const format = values.format as 'text' | 'json' | 'html';
  const { digest, rendered } = await ctx.digests.preview({ asOf: ctx.clock.now(), party: values.party ?? null, format });
  if (!rendered) return ctx.out(JSON.stringify(digest, null, 2));
  ctx.out(format === 'html' ? rendered.html : `Subject: ${rendered.subject}\n\n${rendered.text}`);
}

async function cmdReminders(ctx: Ctx, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'retry') return cmdRemindersRetry(ctx, rest);
  if (sub !== 'failed') throw new UsageError('expected: followup reminders failed [--json] [--limit n], or followup reminders retry [--commitment id] [--since ISO]');
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, limit: { type: 'string', default: '100' } } });
  const { items: rows } = await ctx.reminders.deliveries({ state: 'failed', limit: Number(values.limit) || 100 }, { name: 'cli', role: 'admin' });
  if (values.json) return ctx.out(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return ctx.out((await emptyStore(ctx)) ?? 'No failed reminder deliveries.');
  for (const r of rows) {
    const about = r.commitmentId ? ` ${r.commitmentId}` : '';
    ctx.out(`${r.at}  ${r.recipient}${about}  ${r.sendId}  ${r.responseCode ?? ''} ${r.error ?? ''}`.trimEnd());
  }
  ctx.out(`${rows.length} failed deliver${rows.length === 1 ? 'y' : 'ies'}. Retry them all with: followup reminders retry (or POST /v1/reminders/retry; one with POST /v1/reminders/:sendId/retry; see docs/reminders.md).`);
}

/** Re-enqueue every failed reminder send (of one commitment, failed since an instant), as POST /v1/reminders/retry does. */
async function cmdRemindersRetry(ctx: Ctx, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { commitment: { type: 'string' }, since: { type: 'string' } } });
  if (values.commitment !== undefined && !/^[a-z0-9-]{1,80}$/.test(values.commitment)) throw new UsageError('--commitment: expected a commitment id (a slug)');
  if (values.since !== undefined && (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(values.since) || Number.isNaN(Date.parse(values.since)))) throw new UsageError('--since: expected a UTC instant such as 2009-11-01T00:00:00Z');
  const { count } = await ctx.reminders.retryMany({ state: 'failed', ...(values.commitment ? { commitmentId: values.commitment } : {}), ...(values.since ? { since: new Date(values.since) } : {}) });
  ctx.out(`${count} failed send${count === 1 ? '' : 's'} queued again.`);
}

/** Print the draft meeting file of an outcome statement (the same draft as POST /v1/meetings/draft); writes nothing. */
async function cmdDraft(ctx: Ctx, args: string[]): Promise<void> {
  const file = args[0];
  if (!file) throw new UsageError('draft needs a file: followup draft <statement.txt>');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const e = coerceError(err) as NodeJS.ErrnoException;
    throw new AppError('validation', e.code === 'ENOENT' ? `No file at ${file}.` : `${file} cannot be read: ${e.message}`);
  }
  ctx.out(JSON.stringify(await meetingServiceOf(ctx).draft(bytes), null, 2));
}

async function cmdReconcile(ctx: Ctx): Promise<void> {
  const n = await ctx.commitments.rescheduleAll();
  ctx.out(`Enqueued a reconcile of ${n} commitment${n === 1 ? '' : 's'}; running workers pick them up.`);
}

/**
 * Run one command. Returns the exit code; never throws. `env` and the output
 * functions are injectable so the command can be driven in-process too.
 */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env, io: Out = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }): Promise<number> {
  const args = [...argv];
  const nowAt = args.indexOf('--now');
  let clock: Clock = systemClock;
  if (nowAt >= 0) {
    const at = args.splice(nowAt, 2)[1];
    if (!at || Number.isNaN(Date.parse(at))) {
      io.err('--now: expected an ISO 8601 instant such as 2010-01-15T00:00:00Z');
      return 2;
    }
    clock = fixedClock(at);
  }
  const [command, ...rest] = args;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    (command ? io.out : io.err)(USAGE);
    return command ? 0 : 2;
  }
  const commands: Record<string, (ctx: Ctx, a: string[]) => Promise<void>> = {
    import: cmdImport,
    list: cmdList,
    complete: cmdComplete,
    digest: cmdDigest,
    reminders: cmdReminders,
    reconcile: (ctx) => cmdReconcile(ctx),
    draft: cmdDraft,
  };
  const run = commands[command];
  if (!run) {
    io.err(`Unknown command ${command}.\n\n${USAGE}`);
    return 2;
  }
  let services: Services | undefined;
  let redis: ReturnType<typeof createRedis> | undefined;
  try {
    const config: Config = loadConfig(env);
    redis = createRedis(config.REDIS_URL, 'api');
    await connectRedis(redis, config.REDIS_URL);
    services = createServices(config, { redis }, { clock, logger: pino({ level: 'silent' }) });
    // The services as the prototype, so a getter (the queues) runs only when a command uses it.
    await run(Object.assign(Object.create(services) as object, io) as Ctx, rest);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RedisUnreachableError) {
      io.err(err.message);
      return 3;
    }
    if (err instanceof UsageError || (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof AppError && err.httpStatus < 500) {
      io.err(`Error: ${err.message}`);
      for (const e of err.errors) io.err(`  ${e.path}: ${e.message}`);
      return 1;
    }
    io.err(`Failed: ${coerceError(err).message}`);
    return 1;
  } finally {
    await services?.close();
    await redis?.quit().catch(() => undefined);
  }
}
