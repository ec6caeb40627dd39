/** The process logger: JSON in production, pretty in development; secrets redacted. */
import { pino, type Logger } from 'pino';

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

export function createLogger(opts: { level: string; format?: 'json' | 'pretty'; nodeEnv: string }): Logger {
  const format = opts.format ?? (opts.nodeEnv === 'production' ? 'json' : 'pretty');
  return pino({
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(format === 'pretty' ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
}
