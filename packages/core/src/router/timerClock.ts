import { FragmentkitError } from '../errors.js';
import type { Clock } from './clock.js';

/**
 * A {@link Clock} that can also schedule callbacks. The router takes one for its timeouts and
 * backoff waits, so tests drive them with {@link createManualClock} instead of sleeping.
 * `setTimeout` returns a handle that only `clearTimeout` of the same clock needs to understand.
 *
 * @example
 * ```ts
 * import { createRouter, systemTimerClock } from '@fragmentkit/core';
 *
 * const router = createRouter({ targets, routes, clock: systemTimerClock });
 * ```
 */
export interface TimerClock extends Clock {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock and timers: `Date.now()` and the global `setTimeout`/`clearTimeout`. The
 * default wherever a {@link TimerClock} is optional.
 *
 * @example
 * ```ts
 * import { systemTimerClock } from '@fragmentkit/core';
 * const handle = systemTimerClock.setTimeout(() => console.log('later'), 1000);
 * systemTimerClock.clearTimeout(handle);
 * ```
 */
export const systemTimerClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Waits `delayMs` on `clock`. Rejects with `ABORTED` as soon as `signal` aborts, so a caller
 * who gives up never waits out a backoff.
 *
 * @example
 * ```ts
 * await sleep(clock, 1000, request.signal); // rejects with ABORTED if the caller gives up first
 * ```
 */
export function sleep(clock: TimerClock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal.reason));
  if (delayMs <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(abortedError(signal?.reason));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The error of a request its caller aborted.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortedError(signal.reason);
 * ```
 */
export function abortedError(reason?: unknown): FragmentkitError {
  if (FragmentkitError.isInstance(reason) && reason.code === 'ABORTED') return reason;
  return new FragmentkitError('ABORTED', 'The request was aborted by its caller.', {
    ...(reason === undefined ? {} : { cause: reason }),
  });
}
