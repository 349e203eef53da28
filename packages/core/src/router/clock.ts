/**
 * Where fragmentkit reads the time. Breakers, backoff and TTLs take one so tests can move
 * time forward by hand instead of sleeping.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, type Clock } from '@fragmentkit/core';
 *
 * let time = 0;
 * const clock: Clock = { now: () => time };
 * const breaker = createCircuitBreaker({ clock });
 * time += 30_000; // the breaker now sees 30 seconds passed
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
}

/**
 * The real clock, `Date.now()`. The default wherever a {@link Clock} is optional.
 *
 * @example
 * ```ts
 * import { systemClock } from '@fragmentkit/core';
 * const startedAt = systemClock.now();
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() };
