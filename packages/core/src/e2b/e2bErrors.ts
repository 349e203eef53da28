import { FragmentkitError, isAbortError } from '../errors.js';
import type { BreakerErrorClass } from '../router/circuitBreakerClassify.js';

const retryableNames = new Set(['RateLimitError', 'ServiceBusyError', 'TimeoutError', 'TypeError']);
const configurationNames = new Set(['InvalidArgumentError', 'TemplateError', 'NotFoundError', 'SandboxNotFoundError']);

/**
 * Turns an error of the E2B SDK into a {@link FragmentkitError}: authentication failures and
 * configuration mistakes (unknown template, bad argument) are `SANDBOX_UNAVAILABLE` and not
 * retryable; rate limits, busy service, 5xx and network failures are `SANDBOX_UNAVAILABLE`
 * and retryable; SDK timeouts are `SANDBOX_TIMEOUT`; aborts are `ABORTED`.
 *
 * @example
 * ```ts
 * import { toE2BError } from '@fragmentkit/core/e2b';
 *
 * try {
 *   await Sandbox.create('nextjs-developer');
 * } catch (error) {
 *   throw toE2BError(error, 'create');
 * }
 * ```
 */
export function toE2BError(error: unknown, operation: string): FragmentkitError {
  if (FragmentkitError.isInstance(error)) return error;
  if (isAbortError(error)) {
    return new FragmentkitError('ABORTED', `E2B ${operation} was aborted.`, { cause: error });
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const statusCode = readStatusCode(error);
  const withStatus = statusCode === undefined ? {} : { statusCode };
  if (name === 'AuthenticationError' || statusCode === 401 || statusCode === 403) {
    return new FragmentkitError(
      'SANDBOX_UNAVAILABLE',
      `E2B rejected the credentials during ${operation}: ${message}. Check E2B_API_KEY.`,
      { cause: error, details: { operation, reason: 'auth' }, ...withStatus },
    );
  }
  if (name === 'TimeoutError') {
    return new FragmentkitError('SANDBOX_TIMEOUT', `E2B ${operation} timed out: ${message}`, {
      cause: error,
      isRetryable: true,
      details: { operation },
      ...withStatus,
    });
  }
  const retryable =
    retryableNames.has(name) ||
    (statusCode !== undefined && (statusCode === 429 || statusCode >= 500)) ||
    (!configurationNames.has(name) && (statusCode === undefined || statusCode >= 500));
  return new FragmentkitError('SANDBOX_UNAVAILABLE', `E2B ${operation} failed: ${message}`, {
    cause: error,
    isRetryable: retryable,
    details: { operation, reason: retryable ? 'unavailable' : 'configuration' },
    ...withStatus,
  });
}

/**
 * The `classify` for a circuit breaker around E2B: retryable sandbox errors (outages, rate
 * limits, timeouts) count as failures, rejected credentials disable the circuit, and
 * configuration mistakes and aborts say nothing about E2B's health. Pass it when you share
 * your own breaker with the provider.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker } from '@fragmentkit/core';
 * import { classifySandboxError, createE2BSandboxProvider } from '@fragmentkit/core/e2b';
 *
 * const breaker = createCircuitBreaker({ classify: classifySandboxError, store: redisBreakerStore });
 * const provider = createE2BSandboxProvider({ breaker });
 * ```
 */
export function classifySandboxError(error: unknown): BreakerErrorClass {
  const mapped = toE2BError(error, 'call');
  if (mapped.code === 'ABORTED') return 'ignore';
  if (mapped.details?.reason === 'auth') return 'disable';
  return mapped.isRetryable ? 'failure' : 'ignore';
}

function readStatusCode(error: unknown): number | undefined {
  const value =
    typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof value === 'number' ? value : undefined;
}
