/**
 * Writes made in one event-loop turn, sent together: each call queues its item
 * and resolves (or rejects) with the one flush that carries it, on the next
 * turn. Many concurrent callers (a slot's groups, say) then cost one command
 * or pipeline instead of one round trip each, with no delay beyond the turn.
 */
export function batchPerTurn<T>(flush: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let pending: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  function run(): void {
    const batch = pending;
    pending = [];
    flush(batch.map((p) => p.item)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (pending.push({ item, resolve, reject }) === 1) setImmediate(run);
    });
}
