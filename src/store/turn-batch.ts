/**
 * Commands made in one event-loop turn, sent together: each call queues its
 * item and settles with the one flush that carries it, on the next turn. Many
 * concurrent callers (a slot's groups, say) then cost one command or pipeline
 * instead of one round trip and one socket write each, with no delay beyond
 * the turn. A flush that reads returns one result per item, in order; an
 * Error in its place rejects that caller alone (a pipeline's per-command
 * error), while a flush that throws rejects every caller of the turn.
 */
export function batchPerTurn<T, R = void>(flush: (items: T[]) => Promise<ReadonlyArray<R | Error | undefined> | void>): (item: T) => Promise<R> {
  let pending: Array<{ item: T; resolve: (r: R) => void; reject: (err: unknown) => void }> = [];
  function run(): void {
    const batch = pending;
    pending = [];
    flush(batch.map((p) => p.item)).then(
      (results) =>
        batch.forEach((p, i) => {
          const r = results ? results[i] : undefined;
          if (r instanceof Error) p.reject(r);
          else p.resolve(r as R);
        }),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (pending.push({ item, resolve, reject }) === 1) setImmediate(run);
    });
}
