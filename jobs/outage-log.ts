/**
 * Outage logging without a flood. While Redis (or the mail server) is out, every worker,
 * connection and job reports the same failure many times a second; an operator needs to
 * know that it started, that it lasts, and that it ended. So an outage is logged once when
 * it starts, then once every `everyMs` (30 s) while it lasts, with how long it has lasted
 * and how many reports were folded in; and once when it ends. Other errors pass through.
 *
 * One log per (logger, kind), shared by every worker of a process (outageLogFor).
 */
import type { Logger } from 'pino';
import { coerceError } from '../src/domain/errors.js';

export const OUTAGE_LOG_EVERY_MS = 30_000;

/** True for the errors of an unreachable Redis (ioredis and BullMQ word them in a few ways). */
export function isConnectionError(err: unknown): boolean {
  const e = coerceError(err) as Error & { code?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code ?? '') ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|MaxRetriesPerRequest|Reached the max retries|LOADING/i.test(e.message)
  );
}

export interface OutageLog {
  /** Report a failure; `isOutage` says whether it is the outage kind (default: a Redis connection error). */
  report(err: unknown, context?: Record<string, unknown>, isOutage?: boolean): void;
  /** The thing is reachable again: log the end of an outage, if one was on. */
  recovered(): void;
  /** True while an outage is on. */
  readonly active: boolean;
}

export function createOutageLog(logger: Logger, what: string, opts: { everyMs?: number; now?: () => number; fallbackMsg?: string } = {}): OutageLog {
  const everyMs = opts.everyMs ?? OUTAGE_LOG_EVERY_MS;
  const now = opts.now ?? Date.now;
  let since: number | null = null;
  let lastLogged = 0;
  let folded = 0;
  return {
    report(err, context = {}, isOutage = isConnectionError(err)) {
      if (!isOutage) {
        logger.error({ err: coerceError(err), ...context }, opts.fallbackMsg ?? 'worker error');
        return;
      }
      const t = now();
      if (since === null) {
        since = t;
        lastLogged = t;
        folded = 0;
        logger.error({ err: coerceError(err), ...context }, `${what} unreachable; waiting for it (logged again every ${Math.round(everyMs / 1000)} s while it lasts)`);
        return;
      }
      if (t - lastLogged >= everyMs) {
        logger.error({ err: coerceError(err), ...context, downForMs: t - since, folded }, `${what} still unreachable`);
        lastLogged = t;
        folded = 0;
        return;
      }
      folded++;
    },
    recovered() {
      if (since === null) return;
      logger.warn({ downForMs: now() - since, folded }, `${what} reachable again`);
      since = null;
    },
    get active() {
      return since !== null;
    },
  };
}

const shared = new WeakMap<Logger, Map<string, OutageLog>>();

/** The one outage log of this logger for `what` ('Redis', 'mail server'), made on first use. */
export function outageLogFor(logger: Logger, what = 'Redis'): OutageLog {
  let byKind = shared.get(logger);
  if (!byKind) shared.set(logger, (byKind = new Map()));
  let log = byKind.get(what);
  if (!log) byKind.set(what, (log = createOutageLog(logger, what)));
  return log;
}
