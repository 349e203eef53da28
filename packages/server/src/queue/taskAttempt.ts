import { errorCodeStatus, FragmentkitError, toFragmentkitError } from '@fragmentkit/core';
import type { QueueClock } from './queueClock.js';
import type { TaskContext, TaskHandler } from './taskQueue.js';
import { jsonCopy } from './taskQueueOptions.js';

/**
 * How one attempt ended.
 *
 * @example
 * ```ts
 * const outcome: AttemptOutcome<string> = await runTaskAttempt({ handler, task, timeoutMs, clock, controller });
 * ```
 */
export type AttemptOutcome<Result> = { ok: true; result: Result } | { ok: false; error: FragmentkitError };

/**
 * Input of {@link runTaskAttempt}.
 *
 * @example
 * ```ts
 * const attempt: TaskAttempt<Data, Result> = { handler, task, timeoutMs: 60_000, clock, controller };
 * ```
 */
export interface TaskAttempt<Data, Result> {
  handler: TaskHandler<Data, Result>;
  /** The context the handler gets; its `signal` must be `controller.signal`. */
  task: TaskContext<Data>;
  timeoutMs: number;
  clock: QueueClock;
  controller: AbortController;
}

/**
 * Runs one attempt with a timeout, and turns its result into the JSON value that will be stored
 * (a result that is not JSON-serialisable fails the attempt). When `timeoutMs` passes first, the attempt's signal aborts
 * and the attempt counts as failed right away, whether or not the handler stops. What the
 * handler does afterwards is ignored, so a handler that ignores its signal cannot hold a task
 * (or the queue's concurrency slot) forever.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const outcome = await runTaskAttempt({
 *   handler,
 *   task: { id, name, data, attempt: 1, signal: controller.signal },
 *   timeoutMs: 30_000,
 *   clock: systemQueueClock,
 *   controller,
 * });
 * if (!outcome.ok) console.log(outcome.error.code);
 * ```
 */
export function runTaskAttempt<Data, Result>(attempt: TaskAttempt<Data, Result>): Promise<AttemptOutcome<Result>> {
  const { handler, task, timeoutMs, clock, controller } = attempt;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome<Result>) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      resolve(outcome);
    };
    const timer = clock.setTimeout(() => {
      const error = taskTimeoutError(timeoutMs);
      settle({ ok: false, error });
      controller.abort(error);
    }, timeoutMs);
    Promise.resolve()
      .then(() => handler(task))
      .then(
        (result) => settle({ ok: true, result: resultAsJson(result) }),
        (error: unknown) => settle({ ok: false, error: toFragmentkitError(error) }),
      )
      .catch((error: unknown) =>
        settle({
          ok: false,
          error: new FragmentkitError('INTERNAL', 'The task handler returned a result that is not JSON-serialisable.', {
            cause: error,
          }),
        }),
      );
  });
}

/** Results are stored as JSON (in Redis, or as if in Redis); nothing becomes null, as there. */
function resultAsJson<Result>(result: Result): Result {
  return (result === undefined ? null : jsonCopy(result)) as Result;
}

/**
 * The error of an attempt that ran past its timeout. Retryable: the next attempt may be faster.
 *
 * @example
 * ```ts
 * taskTimeoutError(30_000).details; // { reason: 'timeout', timeoutMs: 30000 }
 * ```
 */
export function taskTimeoutError(timeoutMs: number): FragmentkitError {
  return new FragmentkitError('ABORTED', `The task attempt ran longer than its timeout of ${timeoutMs} ms.`, {
    isRetryable: true,
    details: { reason: 'timeout', timeoutMs },
  });
}

/**
 * True for errors that another attempt cannot fix: a `FragmentkitError` that is not retryable
 * and whose code is a 4xx other than 429 (the input is wrong, not the moment).
 *
 * @example
 * ```ts
 * isPermanentTaskFailure(new FragmentkitError('INVALID_REQUEST', 'no such file')); // true
 * isPermanentTaskFailure(new Error('socket hang up')); // false
 * ```
 */
export function isPermanentTaskFailure(error: FragmentkitError): boolean {
  const status = (errorCodeStatus as Record<string, number>)[error.code] ?? 500;
  return !error.isRetryable && status >= 400 && status < 500 && status !== 429;
}

/**
 * The wait before retry number `retryNumber` (1 for the first retry): exponential backoff with
 * full jitter, a uniformly random time up to `min(maxDelayMs, minDelayMs × 2^(retryNumber-1))`.
 *
 * @example
 * ```ts
 * taskBackoffDelayMs(3, { minDelayMs: 1000, maxDelayMs: 30_000 }, () => 0.5); // 2000
 * ```
 */
export function taskBackoffDelayMs(
  retryNumber: number,
  backoff: { minDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.minDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}
