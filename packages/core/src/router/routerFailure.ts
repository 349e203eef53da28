import { type ErrorCode, FragmentkitError } from '../errors.js';
import type { RouterAttempt } from './routerAttempt.js';

/**
 * Everything {@link routeFailedError} weighs.
 *
 * @example
 * ```ts
 * const failure: RouteFailure = { task: 'generate', attempts: run.attempts, errors: run.errors, now: clock.now() };
 * ```
 */
export interface RouteFailure {
  task: string;
  attempts: readonly RouterAttempt[];
  /** The error of every failed attempt, in the order of `attempts` (circuit denials included). */
  errors: readonly FragmentkitError[];
  /** Set when one error ended the route on its own: an abort or a content-policy refusal. */
  stoppedBy?: FragmentkitError;
  /** From the circuit breaker: when the earliest target admits a call again. */
  earliestRetryAt?: number;
  now: number;
}

/**
 * The one error a caller gets when a route fails, with every attempt in `details.attempts`.
 * Its code is the one that helps the caller most: the error that stopped the route; else,
 * when no request went out, why (open circuits with the time the first may recover, or
 * disabled ones); else the code every attempt failed with; else `PROVIDER_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * throw routeFailedError({ task: run.task, attempts: run.attempts, errors: run.errors, now: clock.now() });
 * ```
 */
export function routeFailedError(failure: RouteFailure): FragmentkitError {
  const { task, attempts, errors } = failure;
  const last = errors.at(-1);
  const common = { task, attempts: attempts.map((attempt) => ({ ...attempt })) };

  if (failure.stoppedBy) return rewrap(failure.stoppedBy, failure.stoppedBy.message, common);
  if (!last) {
    return new FragmentkitError('PROVIDER_UNAVAILABLE', `No target of task '${task}' could be tried.`, {
      isRetryable: true,
      details: common,
    });
  }

  const sent = attempts.filter((attempt) => !isCircuitDenial(attempt));
  if (sent.length === 0 && attempts.some((attempt) => attempt.reason === 'circuit-open')) {
    const retryAt = failure.earliestRetryAt;
    const retryAfterMs = retryAt === undefined ? undefined : Math.max(0, retryAt - failure.now);
    const when =
      retryAt === undefined
        ? 'none is expected to recover by itself'
        : `the earliest may recover at ${new Date(retryAt).toISOString()} (in ${Math.ceil((retryAfterMs ?? 0) / 1000)} s)`;
    return new FragmentkitError(
      'PROVIDER_UNAVAILABLE',
      `Every target of task '${task}' is unavailable (circuit open after recent failures); ${when}. Retry then.`,
      {
        isRetryable: true,
        details: { ...common, ...(retryAt === undefined ? {} : { retryAt, retryAfterMs }) },
      },
    );
  }
  if (sent.length === 0 && attempts.every((attempt) => attempt.reason === 'circuit-disabled')) {
    return rewrap(
      last,
      `Every target of task '${task}' is disabled after an authentication error; fix the API keys, then reset the circuit breaker. Last: ${last.message}`,
      common,
    );
  }

  const sentErrors = errors.filter((_, index) => !isCircuitDenial(attempts[index]));
  const failedCodes = new Set(sentErrors.map((error) => error.code));
  const lastSent = sentErrors.at(-1) ?? last;
  if (failedCodes.size <= 1) {
    const retryAfterMs = earliestRetryAfter(attempts);
    return rewrap(lastSent, `Every target of task '${task}' failed. Last: ${lastSent.message}`, {
      ...common,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const tried = attempts.map((attempt) => `${attempt.targetId} ${attempt.outcome}`).join(', ');
  return new FragmentkitError(
    'PROVIDER_UNAVAILABLE',
    `All targets failed for task '${task}' (${tried}). Last: ${lastSent.message}`,
    {
      isRetryable: true,
      details: { ...common, lastError: { code: lastSent.code, message: lastSent.message } },
      cause: lastSent,
    },
  );
}

function isCircuitDenial(attempt: RouterAttempt | undefined): boolean {
  return attempt?.reason?.startsWith('circuit-') ?? false;
}

function earliestRetryAfter(attempts: readonly RouterAttempt[]): number | undefined {
  const values = attempts.map((attempt) => attempt.retryAfterMs).filter((value) => value !== undefined);
  return values.length === 0 ? undefined : Math.min(...values);
}

/** The same code, retryability and provider details, with the route's attempts added. */
function rewrap(error: FragmentkitError, message: string, details: Record<string, unknown>): FragmentkitError {
  const code: ErrorCode = error.code;
  return new FragmentkitError(code, message, {
    isRetryable: error.isRetryable,
    details: { ...error.details, ...details },
    ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
    cause: error,
  });
}
