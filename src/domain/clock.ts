/** All time logic takes a clock, so tests can pin it. */
export interface Clock {
  now(): Date;
  /**
   * Present only on a compressed clock (the demo): how its instants map onto
   * real time. BullMQ's delays and `moveToDelayed` run on real time, so the
   * few places that turn a planned instant into a delay go through `msUntil`
   * and `realInstant` below, which are the identity without this.
   */
  readonly compression?: ClockCompression;
}

export interface ClockCompression {
  /** Clock milliseconds per real millisecond (86,400 = one day per second). */
  readonly scale: number;
  /** The real epoch ms at which this clock reads `t` (epoch ms). */
  toReal(t: number): number;
  /** Real epoch ms now (Date.now, injectable for tests). */
  realNow(): number;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that tests move by hand. */
export function fixedClock(start: Date | string): Clock & { set(t: Date | string): void; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (v) => {
      t = new Date(v).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/**
 * A compressed clock for replays: it reads `start` at the real instant
 * `realStart` and runs `scale` times faster than real time from there
 * (virtual now = start + (realNow − realStart) × scale).
 */
export function scaledClock(opts: { start: Date | string; scale: number; realStart?: number; realNow?: () => number }): Clock & { compression: ClockCompression } {
  if (!(opts.scale > 0) || !Number.isFinite(opts.scale)) throw new RangeError(`scale must be a positive number, got ${opts.scale}`);
  const start = new Date(opts.start).getTime();
  if (Number.isNaN(start)) throw new RangeError(`start is not an instant: ${String(opts.start)}`);
  const realNow = opts.realNow ?? Date.now;
  const realStart = opts.realStart ?? realNow();
  const scale = opts.scale;
  return {
    now: () => new Date(Math.floor(start + (realNow() - realStart) * scale)),
    compression: { scale, toReal: (t) => realStart + (t - start) / scale, realNow },
  };
}

/**
 * Real milliseconds from now until the clock reads `at` (never negative): the
 * delay of a BullMQ job planned for `at`. On an uncompressed clock it is
 * `at − now`, with `now` the caller's reading of the clock, exactly as before
 * compressed clocks existed. Rounded up, so a job never fires early.
 */
export function msUntil(clock: Clock, at: number, now: Date): number {
  const c = clock.compression;
  const ms = c ? c.toReal(at) - c.realNow() : at - now.getTime();
  return Math.max(0, Math.ceil(ms));
}

/** The real epoch ms at which the clock reads `at`, for `job.moveToDelayed`. The identity on an uncompressed clock. */
export function realInstant(clock: Clock, at: number): number {
  const c = clock.compression;
  return c ? Math.ceil(c.toReal(at)) : at;
}
