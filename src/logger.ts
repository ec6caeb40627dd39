/** The process logger: JSON in production, pretty in development; secrets redacted. */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query.token',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

/**
 * `destination` (JSON only) lets a test capture exactly what production would write.
 * Pretty lines are coloured only when stdout is a terminal (`colorize`, by default
 * `process.stdout.isTTY`): piped to a file or a log collector, ANSI escapes are noise.
 *
 * JSON lines go to stdout asynchronously: a line is handed to the system at once when no
 * write is under way, and the lines logged meanwhile go together in the next write, so a
 * busy API makes one write call per batch, not one per request. pino writes what is still
 * pending when the process exits (also after an uncaught exception); only a hard kill
 * (SIGKILL, out of memory) can lose the lines of the one write then in flight.
 */
export function createLogger(opts: { level: string; format?: 'json' | 'pretty'; nodeEnv: string; destination?: DestinationStream; colorize?: boolean }): Logger {
  const format = opts.format ?? (opts.nodeEnv === 'production' ? 'json' : 'pretty');
  const options = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (format === 'json') return pino(options, pino.destination({ dest: 1, sync: false }));
  return pino({
    ...options,
    ...(format === 'pretty' ? { transport: { target: 'pino-pretty', options: { colorize: opts.colorize ?? process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
}

/** What a worker log line carries, so one job's story can be followed across processes. */
export interface LogContext {
  queue?: string;
  jobId?: string;
  commitmentId?: string;
  requestId?: string;
  [key: string]: string | number | undefined;
}

/**
 * A child logger bound to a context: `childFor(logger, { queue, jobId, commitmentId })`
 * inside a processor, so every line it logs names the job. Undefined values are
 * dropped, so callers can pass what they have.
 */
export function childFor(logger: Logger, ctx: LogContext): Logger {
  const bindings = Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined));
  return logger.child(bindings);
}

/**
 * A URL as it may be logged: the values of secret-looking query parameters
 * (`?token=`, feed and action-link signatures) are replaced, because pino's
 * path redaction cannot see inside a string.
 */
export function redactUrlQuery(url: string): string {
  return url.replace(/([?&](?:token|access_token|sig|signature|key)=)[^&#]*/gi, '$1[redacted]');
}
