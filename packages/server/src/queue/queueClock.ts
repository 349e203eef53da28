/**
 * Where a task queue reads the time and schedules its backoff waits and timeouts. Tests pass
 * a clock they move by hand, so retries and timeouts happen exactly when the test says. Core's
 * `TimerClock` has the same shape.
 *
 * @example
 * ```ts
 * import { createInProcessQueue, type QueueClock } from '@fragmentkit/server';
 *
 * const clock: QueueClock = {
 *   now: () => Date.now(),
 *   setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
 *   clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
 * };
 * const queue = createInProcessQueue({ clock });
 * ```
 */
export interface QueueClock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock and timers; the default wherever a {@link QueueClock} is optional.
 *
 * @example
 * ```ts
 * const startedAt = systemQueueClock.now();
 * ```
 */
export const systemQueueClock: QueueClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
