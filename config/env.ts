/**
 * The one place that reads the process environment.
 *
 * Every variable is described here; `loadConfig` parses them once with zod and
 * either returns a frozen, typed object or throws a `ConfigError` whose message
 * names each bad variable and says what it expects.
 *
 * A `.env` file in the working directory is read when the process environment
 * is parsed (`loadConfig()` or `loadConfig(process.env)`); variables already set
 * win over it. An explicit environment object (as tests pass) never reads it.
 * `.env.example` and the configuration table in docs/operating.md are generated
 * from this file (`npm run docs:config`) and tests keep them in step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { isIP } from 'node:net';
import { z } from 'zod';
import { isValidTimeZone } from '../src/domain/time-zone.js';
import { isoDurationSchema } from '../src/domain/duration.js';
import { TokenSpecSchema } from '../src/domain/auth.js';

const list = (description: string) =>
  z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .describe(description);

const bool = (fallback: boolean, description: string) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .describe(description);

const timeZone = (fallback: string, description: string) =>
  z
    .string()
    .default(fallback)
    .refine(isValidTimeZone, { message: 'expected an IANA time zone such as Asia/Jakarta' })
    .describe(description);

const hostPort = z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected host:port entries, e.g. 127.0.0.1:26379');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime mode'),
  PORT: z.coerce.number({ error: 'expected a port number from 0 to 65535' }).int('expected a whole port number').min(0, 'expected a port number from 0 to 65535').max(65535, 'expected a port number from 0 to 65535').default(3000).describe('HTTP port of the API (0 picks a free one)'),
  HOST: z.string().default('0.0.0.0').describe('Interface the API listens on'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379').describe('Redis server (rediss:// for TLS); with REDIS_SENTINELS or REDIS_CLUSTER_NODES, only its user, password, database and TLS count'),
  REDIS_SENTINELS: list('Sentinels (host:port,…) of a Sentinel set; the client follows the primary named REDIS_SENTINEL_NAME').pipe(z.array(hostPort)),
  REDIS_SENTINEL_NAME: z.string().regex(/^[\w.-]+$/, 'expected a Sentinel primary name such as mymaster').default('mymaster').describe('Name of the primary the sentinels watch'),
  REDIS_CLUSTER_NODES: list('Seed nodes (host:port,…) of a Redis Cluster').pipe(z.array(hostPort)),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, dot, dash or underscore')
    .default('followup')
    .describe('Prefix of every Redis key; it is hash-tagged as {prefix} for Redis Cluster'),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'expected an smtp:// or smtps:// URL' })
    .optional()
    .describe('SMTP server; when unset, mail is written as .eml files to OUTBOX_DIR'),
  OUTBOX_DIR: z.string().default('outbox').describe('Folder for .eml files when SMTP_URL is unset'),
  MAIL_FROM: z.string().default('Follow-up <followup@localhost>').describe('From address of every message'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' }).optional().describe('Base URL used in links inside mail; defaults to http://localhost:PORT'),
  API_TOKENS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON array of {name, token, role, parties?}' });
        return z.NEVER;
      }
      const result = z.array(TokenSpecSchema).min(1).safeParse(parsed);
      if (!result.success) {
        for (const issue of result.error.issues) {
          ctx.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
        }
        return z.NEVER;
      }
      return result.data;
    })
    .describe('JSON array of bearer tokens; when unset, an admin token is generated at first start and printed once'),
  ACTION_LINK_SECRET: z
    .string()
    .min(32, 'expected at least 32 characters')
    .optional()
    .describe('HMAC secret of the one-click links in mail; when unset, one is generated and kept in Redis'),
  SEED: z.enum(['2009', 'none']).default('2009').describe('Load the 2009 meeting when the store is empty, or none'),
  BODY_LIMIT: z.string().default('100kb').describe('Largest accepted request body'),
  RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().min(0).default(600).describe('Requests per token per minute on /v1 before 429; 0 turns it off'),
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().min(0).default(30).describe('Failed sign-ins (401) per client address per 15 minutes before that address gets 429 everywhere; 0 turns it off'),
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().min(0).default(60).describe('Requests per client address per minute on one-click links, party calendar feeds, the status page and the API docs before 429; 0 turns it off'),
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((raw, ctx) => {
      const v = raw.trim();
      if (v === 'false' || v === 'none') return false;
      if (/^\d{1,2}$/.test(v)) return Number(v);
      const parts = v.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = parts.filter((x) => !['loopback', 'linklocal', 'uniquelocal'].includes(x) && !isIP(x.replace(/\/\d{1,3}$/, '')));
      if (parts.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `expected loopback, linklocal, uniquelocal, IP addresses or CIDR ranges (comma-separated), a hop count, or false; not ${bad.join(', ') || 'empty'}` });
        return z.NEVER;
      }
      return parts;
    })
    .describe('Which reverse proxies are trusted to name the client in X-Forwarded-For (the address rate limits count per): loopback (the default), linklocal, uniquelocal, IP addresses or CIDR ranges, comma-separated; a number of hops; or false to trust none'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional().describe('json in production, pretty otherwise'),

  REMINDER_BEFORE: list('Default reminder steps before the deadline, ISO 8601 durations').pipe(
    z.array(isoDurationSchema),
  ),
  REMINDER_ON_DUE: bool(true, 'Send a notice on the day of the deadline'),
  REMINDER_OVERDUE_EVERY: isoDurationSchema.default('P7D').describe('Interval of overdue follow-ups'),
  REMINDER_OVERDUE_MAX: z.coerce.number().int().min(0).max(52).default(4).describe('Most overdue follow-ups'),
  REMINDER_ESCALATE_AFTER: isoDurationSchema.default('P14D').describe('Overdue time after which the co-chairs are copied'),
  REMINDER_SEND_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$|^exact$/, 'expected HH:MM or "exact"')
    .default('09:00')
    .describe('Local send hour of reminders, or "exact" to send at the planned instant'),
  REMINDER_QUIET_DAYS: z
    .string()
    .default('6,0')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().min(0).max(6)))
    .describe('Days on which no reminder is sent, 0 = Sunday … 6 = Saturday; empty turns it off'),
  CATCH_UP_WINDOW: isoDurationSchema.default('PT12H').describe('Missed sends older than this are recorded as skipped'),
  FULL_RECONCILE_EVERY: isoDurationSchema.default('PT15M').describe('Interval of the periodic full reconcile'),
  RECONCILE_SWEEP_EVERY: isoDurationSchema.default('PT30S').describe('Interval of the sweep that reconciles any commitment written but not reconciled since (a write whose reconcile was lost to a crash or a Redis outage)'),
  MAIL_OUTAGE_PAUSE: isoDurationSchema.default('PT30S').describe('While the mail server cannot be reached (refused, timeout, 421), delivery pauses this long, then the next message probes it; no message spends a try on an outage'),

  DIGEST_CRON: z.string().default('0 9 * * 1').describe('Cron pattern of the weekly digest'),
  DIGEST_TZ: timeZone('Asia/Jakarta', 'Time zone of DIGEST_CRON'),
  DIGEST_STEERING_GROUP: list('Steering-group addresses that receive the digest').pipe(z.array(z.email())),
  DIGEST_PARTY_OPT_IN: list('Party ids whose focal points get a digest of their own items'),
  DIGEST_EMPTY: z.enum(['short', 'skip']).default('short').describe('On a week without changes: send a short digest, or nothing'),
  EXTENSION_DECISION_DAYS: z.coerce.number().int().min(1).max(365).default(14).describe('Days the co-chairs have to decide a request for more time before it expires and the leads are told'),

  METRICS_TOKEN: z.string().min(16).optional().describe('Bearer token for /metrics; when unset an admin token is required'),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional().describe('Serve /metrics on this separate port instead'),
  STATUS_PAGE: z.enum(['public', 'token']).default('public').describe('Whether the status page at / is public or needs a viewer token'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000).describe('Bound on graceful shutdown'),
});

export type Env = z.infer<typeof EnvSchema>;
export type Config = Readonly<Env & { PUBLIC_BASE_URL: string }>;

// `.pipe()` returns a new schema without the description of its input, so look through pipes.
const describedAs = (s: z.ZodType): string =>
  s.description ?? (s instanceof z.ZodPipe ? describedAs(s.in as z.ZodType) : '');

/** Names and descriptions of every variable, for the configuration table in docs/operating.md and `--help`. */
export const envDescriptions: ReadonlyArray<{ name: string; description: string }> = Object.entries(
  EnvSchema.shape,
).map(([name, schema]) => ({ name, description: describedAs(schema as z.ZodType) }));

/** REMINDER_BEFORE when unset; set but empty, it means no steps before the deadline. */
export const REMINDER_BEFORE_DEFAULT = 'P30D,P14D,P7D,P1D';

/** Defaults that are not the schema's own (computed, or applied in `loadConfig`). */
const DEFAULT_SHOWN_AS: Record<string, string> = { REMINDER_BEFORE: REMINDER_BEFORE_DEFAULT, PUBLIC_BASE_URL: 'http://localhost:PORT' };

/** A variable's default as a string, '' when it defaults to empty, or undefined when unset. */
function defaultOf(s: z.ZodType): string | undefined {
  if (s instanceof z.ZodDefault) return String(s.def.defaultValue);
  if (s instanceof z.ZodPipe) return defaultOf(s.in as z.ZodType);
  return undefined;
}

/** Every variable with its description and default, in the order of the schema. */
export const envReference: ReadonlyArray<{ name: string; description: string; default: string | undefined }> = envDescriptions.map(({ name, description }) => ({
  name,
  description,
  default: DEFAULT_SHOWN_AS[name] ?? defaultOf(EnvSchema.shape[name as keyof typeof EnvSchema.shape] as z.ZodType),
}));

/** The configuration table of docs/operating.md (Markdown), generated from the schema. */
export function renderConfigTable(): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const rows = envReference.map((v) => `| \`${v.name}\` | ${v.default === undefined ? '(unset)' : v.default === '' ? '(empty)' : `\`${cell(v.default)}\``} | ${cell(v.description)} |`);
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** `.env.example`: every variable, commented out, with its description and default. */
export function renderEnvExample(): string {
  const value = (v: string) => (/^[\w.,:/@+*-]*$/.test(v) ? v : `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
  const head = [
    '# Follow-up configuration. Copy to .env and uncomment what you change: the service',
    '# reads .env from its working directory at start; variables set in the environment win.',
    '# Every line shows the default. Generated from config/env.ts by `npm run docs:config`.',
  ];
  const blocks = envReference.map((v) => {
    const line = v.default === undefined ? `# ${v.name}=` : `# ${v.name}=${value(v.default)}`;
    return `# ${v.description}${v.default === undefined ? ' (unset by default)' : ''}\n${line}`;
  });
  return `${head.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

/**
 * Read a .env file into `target`, without overriding what is set there already.
 * Returns the names it set; a missing file sets nothing.
 */
export function loadDotEnv(file = resolve('.env'), target: Record<string, string | undefined> = process.env): string[] {
  if (!existsSync(file)) return [];
  const parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  const set: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (target[name] !== undefined) continue;
    target[name] = value;
    set.push(name);
  }
  return set;
}

export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n') +
        '\nSee the configuration table in docs/operating.md.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parse an environment once. Throws `ConfigError` naming every bad variable.
 * The process environment (the default) first takes what `.env` adds to it.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  if (env === process.env) loadDotEnv();
  const input = { ...env };
  if (input.REMINDER_BEFORE === undefined) input.REMINDER_BEFORE = REMINDER_BEFORE_DEFAULT;
  const result = EnvSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })),
    );
  }
  const data = result.data;
  if (data.REDIS_SENTINELS.length > 0 && data.REDIS_CLUSTER_NODES.length > 0) {
    throw new ConfigError([{ variable: 'REDIS_CLUSTER_NODES', message: 'set either REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both' }]);
  }
  return Object.freeze({
    ...data,
    PUBLIC_BASE_URL: (data.PUBLIC_BASE_URL ?? `http://localhost:${data.PORT}`).replace(/\/+$/, ''),
  });
}
