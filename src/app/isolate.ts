/**
 * A poisoned commitment fails alone. A document that cannot be viewed or planned (a corrupt
 * deadline, a field a later version no longer reads) must not take every other commitment down
 * with it: a list, the status page or a full reconcile leaves that one out, says so in the log
 * with its id, and counts it in `followup_commitment_errors_total{where}`; the others go on.
 */
import type { Logger } from 'pino';
import { coerceError } from '../domain/errors.js';
import type { Metrics } from '../metrics.js';

export type CommitmentErrorWhere = 'reconcile' | 'view' | 'digest' | 'status-page';

/** Log and count one commitment's failure. */
export function reportCommitmentError(deps: { logger: Logger; metrics?: Metrics | undefined }, where: CommitmentErrorWhere, commitmentId: string, err: unknown): void {
  deps.metrics?.commitmentErrors.inc({ where });
  deps.logger.error({ err: coerceError(err), commitmentId, where }, 'one commitment failed and was left out; the others went on');
}

/** `view` of each item, leaving out (and reporting) the items whose view throws. */
export function viewEach<T extends { id: string }, R>(items: readonly T[], view: (item: T) => R, report: (id: string, err: unknown) => void): R[] {
  const out: R[] = [];
  for (const item of items) {
    try {
      out.push(view(item));
    } catch (err) {
      report(item.id, err);
    }
  }
  return out;
}
