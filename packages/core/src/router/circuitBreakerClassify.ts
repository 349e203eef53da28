import { FragmentkitError, isAbortError } from '../errors.js';

/**
 * How an error counts against a target's circuit:
 * - `failure`: a sign the target is unhealthy; counts towards opening;
 * - `rate-limited`: the target asked for a pause; the circuit opens for exactly the
 *   `details.retryAfterMs` of the error (counted as a `failure` when that is missing);
 * - `ignore`: says nothing about the target's health (a bad request, an abort);
 * - `disable`: the target cannot work until someone fixes it; the circuit stays shut until `reset`.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, classifyBreakerError, type BreakerErrorClass } from '@fragmentkit/core';
 *
 * const breaker = createCircuitBreaker({
 *   classify: (error): BreakerErrorClass =>
 *     error instanceof TypeError ? 'failure' : classifyBreakerError(error),
 * });
 * ```
 */
export type BreakerErrorClass = 'failure' | 'rate-limited' | 'ignore' | 'disable';

const failureCodes: ReadonlySet<string> = new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'STREAM_INCOMPLETE']);

/**
 * The default `classify` of `createCircuitBreaker`. It reads {@link FragmentkitError} codes:
 *
 * | error | class |
 * |---|---|
 * | `PROVIDER_UNAVAILABLE` (5xx, 529 overloaded), `PROVIDER_TIMEOUT`, `STREAM_INCOMPLETE` (cuts, stalls) | `failure` |
 * | `PROVIDER_RATE_LIMITED` (429) with `details.retryAfterMs` | `rate-limited` |
 * | `PROVIDER_RATE_LIMITED` without it | `failure` |
 * | `PROVIDER_AUTH` (401/403) | `disable` |
 * | any other code (`PROVIDER_BAD_REQUEST`, `ABORTED`, `INVALID_REQUEST`, `CONTEXT_TOO_LARGE`, quota and budget errors, ...) | `ignore` |
 * | an `AbortError` | `ignore` |
 * | anything else thrown (e.g. the `TypeError` of a failed `fetch`) | `failure` |
 *
 * Other codes are about the request, the caller or fragmentkit itself, not the target's health.
 *
 * @example
 * ```ts
 * import { FragmentkitError, classifyBreakerError } from '@fragmentkit/core';
 *
 * classifyBreakerError(new FragmentkitError('PROVIDER_TIMEOUT', 'No answer in 60 s.')); // 'failure'
 * classifyBreakerError(
 *   new FragmentkitError('PROVIDER_RATE_LIMITED', 'Slow down.', { details: { retryAfterMs: 20_000 } }),
 * ); // 'rate-limited'
 * classifyBreakerError(new FragmentkitError('PROVIDER_BAD_REQUEST', 'Prompt too long.')); // 'ignore'
 * ```
 */
export function classifyBreakerError(error: unknown): BreakerErrorClass {
  if (FragmentkitError.isInstance(error)) {
    if (failureCodes.has(error.code)) return 'failure';
    if (error.code === 'PROVIDER_RATE_LIMITED')
      return readRetryAfterMs(error) === undefined ? 'failure' : 'rate-limited';
    if (error.code === 'PROVIDER_AUTH') return 'disable';
    return 'ignore';
  }
  return isAbortError(error) ? 'ignore' : 'failure';
}

/** The `details.retryAfterMs` of an error, rounded up to whole milliseconds, when it is a usable duration. */
export function readRetryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const details = (error as { details?: unknown }).details;
  if (typeof details !== 'object' || details === null) return undefined;
  const value = (details as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : undefined;
}
