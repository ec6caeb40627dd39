/**
 * Commands made in one event-loop turn, sent together: each call queues its
 * item and settles with the one flush that carries it, on the next turn. Many
 * concurrent callers (a slot's groups, say) then cost one command or pipeline
 * instead of one round trip and one socket write each, with no delay beyond
 * the turn. A flush that reads returns one result per item, in order.
 */
export function batchPerTurn<T, R = void>(flush: (items: T[]) => Promise<readonly R[] | void>): (item: T) => Promise<R> {
  let pending: Array<{ item: T; resolve: (r: R) => void; reject: (err: unknown) => void }> = [];
  function run(): void {
    const batch = pending;
    pending = [];
    flush(batch.map((p) => p.item)).then(
      (results) => batch.forEach((p, i) => p.resolve(results ? results[i]! : (undefined as R))),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (pending.push({ item, resolve, reject }) === 1) setImmediate(run);
    });
}
