import { FragmentkitError } from '../errors.js';
import { readRetryAfterMs } from './circuitBreakerClassify.js';

/**
 * How the router retries one target before it moves to the next.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { attempts: 3, minDelayMs: 250, maxDelayMs: 4000, maxRetryAfterMs: 10_000 };
 * ```
 */
export interface RetryOptions {
  /** Attempts per target, the first included. Defaults to 2. */
  attempts?: number;
  /** Backoff base: the n-th retry waits a random time up to `minDelayMs * 2^(n-1)`. Defaults to 500. */
  minDelayMs?: number;
  /** Backoff ceiling. Defaults to 8000. */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` the router waits for on the same target. A provider that asks
   * for a longer pause is left for the next target instead. Defaults to 20 000.
   */
  maxRetryAfterMs?: number;
}

/**
 * The defaults of {@link RetryOptions}.
 *
 * @example
 * ```ts
 * import { createRouter, defaultRetryOptions } from '@fragmentkit/core';
 * const router = createRouter({ targets, routes, retry: { ...defaultRetryOptions, attempts: 3 } });
 * ```
 */
export const defaultRetryOptions: Readonly<Required<RetryOptions>> = Object.freeze({
  attempts: 2,
  minDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 20_000,
});

/**
 * What a failed attempt means for the rest of the route:
 * - `retry`: the same target again after `delayMs`;
 * - `next-target`: give this target up and try the next one;
 * - `larger-context`: the prompt did not fit; try only targets with a larger `contextWindow`;
 * - `stop`: no target will do better (a content-policy refusal); fail the request now.
 *
 * @example
 * ```ts
 * const action: FailureAction = { type: 'retry', delayMs: 1000 };
 * ```
 */
export type FailureAction =
  | { type: 'retry'; delayMs: number }
  | { type: 'next-target' }
  | { type: 'larger-context' }
  | { type: 'stop' };

/**
 * What {@link decideAfterFailure} weighs besides the error itself.
 *
 * @example
 * ```ts
 * const context: FailureContext = { attemptNumber: 1, retry: { ...defaultRetryOptions }, random: Math.random };
 * ```
 */
export interface FailureContext {
  /** 1 for the first attempt on this target. */
  attemptNumber: number;
  retry: Required<RetryOptions>;
  /** Returns a number in [0, 1), like `Math.random`. */
  random: () => number;
  /** True when the attempt had streamed part of its answer before it failed. */
  outputEmitted?: boolean;
}

/**
 * The router's retry policy for one failed attempt. Permanent errors are never retried on the
 * same model; timeouts move on at once (a target that was slow just now is likely slow again);
 * an answer that broke off after some output moves on (the restart is cheaper elsewhere);
 * transient errors are retried with full-jitter backoff, or after exactly the provider's
 * `Retry-After` when it sent one and it is within `maxRetryAfterMs`.
 *
 * @example
 * ```ts
 * const action = decideAfterFailure(error, { attemptNumber: 1, retry: resolveRetryOptions(), random: Math.random });
 * if (action.type === 'retry') await sleep(clock, action.delayMs, signal);
 * ```
 */
export function decideAfterFailure(error: FragmentkitError, context: FailureContext): FailureAction {
  const reason = error.details?.reason;
  if (error.code === 'ABORTED') return { type: 'stop' };
  if (error.code === 'PROVIDER_BAD_REQUEST') {
    if (reason === 'context_length') return { type: 'larger-context' };
    // A refusal is the provider's verdict on the request; shopping it around is not the router's call.
    if (reason === 'content_policy') return { type: 'stop' };
    return { type: 'next-target' };
  }
  if (!isTransient(error) || context.outputEmitted || context.attemptNumber >= context.retry.attempts) {
    return { type: 'next-target' };
  }
  const retryAfterMs = readRetryAfterMs(error);
  if (retryAfterMs !== undefined) {
    return retryAfterMs > context.retry.maxRetryAfterMs
      ? { type: 'next-target' }
      : { type: 'retry', delayMs: retryAfterMs };
  }
  return { type: 'retry', delayMs: backoffDelayMs(context.attemptNumber, context.retry, context.random) };
}

/**
 * Full-jitter exponential backoff: a uniformly random wait up to
 * `min(maxDelayMs, minDelayMs * 2^(retryNumber-1))`, so clients that failed together do not
 * retry together.
 *
 * @example
 * ```ts
 * backoffDelayMs(3, resolveRetryOptions({ minDelayMs: 100 }), () => 0.5); // 200: half of 100 × 2²
 * ```
 */
export function backoffDelayMs(retryNumber: number, retry: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** (retryNumber - 1));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

/** Errors worth trying again on the same target: overloads, rate limits, connections and streams that broke before any output. */
function isTransient(error: FragmentkitError): boolean {
  switch (error.code) {
    case 'PROVIDER_UNAVAILABLE':
    case 'PROVIDER_RATE_LIMITED':
    case 'STREAM_INCOMPLETE':
      return true;
    default:
      return false;
  }
}

/**
 * The retry options with defaults filled in.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a value is out of range.
 *
 * @example
 * ```ts
 * const retry = resolveRetryOptions({ attempts: 3 }); // other fields from defaultRetryOptions
 * ```
 */
export function resolveRetryOptions(options: RetryOptions = {}): Required<RetryOptions> {
  const resolved = { ...defaultRetryOptions, ...definedOnly(options) };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1)
    invalid('attempts', resolved.attempts, 'an integer ≥ 1');
  for (const key of ['minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (typeof resolved[key] !== 'number' || !(resolved[key] >= 0)) invalid(key, resolved[key], 'a number ≥ 0');
  }
  return resolved;
}

function definedOnly(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function invalid(option: string, value: unknown, expected: string): never {
  throw new FragmentkitError(
    'INVALID_REQUEST',
    `createRouter: retry.${option} must be ${expected}, got ${String(value)}.`,
    {
      details: { option: `retry.${option}`, value },
    },
  );
}
