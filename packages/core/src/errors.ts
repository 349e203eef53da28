const marker = Symbol.for('fragmentkit.error');

/**
 * Stable, machine-readable error codes. Each maps to exactly one HTTP status in
 * `@fragmentkit/server` (see {@link errorCodeStatus}).
 */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'IDEMPOTENCY_IN_FLIGHT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'CONTEXT_TOO_LARGE'
  | 'PROVIDER_NOT_CONFIGURED'
  | 'PROVIDER_AUTH'
  | 'PROVIDER_BAD_REQUEST'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  | 'STREAM_INCOMPLETE'
  | 'OUTPUT_TRUNCATED'
  | 'INVALID_FRAGMENT'
  | 'PROMPT_INJECTION_SUSPECTED'
  | 'SANDBOX_UNAVAILABLE'
  | 'SANDBOX_TIMEOUT'
  | 'ABORTED'
  | 'INTERNAL';

/**
 * The HTTP status each {@link ErrorCode} maps to. Bad input is always a 4xx.
 *
 * @example
 * ```ts
 * import { errorCodeStatus } from '@fragmentkit/core';
 * errorCodeStatus.INVALID_REQUEST; // 400
 * ```
 */
export const errorCodeStatus: Readonly<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_IN_FLIGHT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  CONTEXT_TOO_LARGE: 413,
  PROVIDER_NOT_CONFIGURED: 503,
  PROVIDER_AUTH: 502,
  PROVIDER_BAD_REQUEST: 502,
  PROVIDER_RATE_LIMITED: 503,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
  STREAM_INCOMPLETE: 502,
  OUTPUT_TRUNCATED: 502,
  INVALID_FRAGMENT: 502,
  PROMPT_INJECTION_SUSPECTED: 502,
  SANDBOX_UNAVAILABLE: 503,
  SANDBOX_TIMEOUT: 504,
  ABORTED: 499,
  INTERNAL: 500,
};

/** Options for {@link FragmentkitError}. */
export interface FragmentkitErrorOptions {
  /** Whether repeating the same call later may succeed. */
  isRetryable?: boolean;
  /** Structured, JSON-serialisable details a program can act on. */
  details?: Record<string, unknown>;
  /** HTTP status the upstream service answered with, when there was one. */
  statusCode?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of fragmentkit. It carries a stable {@link ErrorCode}, a
 * retryability flag and JSON-serialisable details. Use {@link FragmentkitError.isInstance}
 * rather than `instanceof`: it also recognises errors from a duplicate copy of the package.
 *
 * @example
 * ```ts
 * import { FragmentkitError } from '@fragmentkit/core';
 *
 * try {
 *   await run();
 * } catch (error) {
 *   if (FragmentkitError.isInstance(error) && error.code === 'CONTEXT_TOO_LARGE') {
 *     console.log(error.details);
 *   }
 * }
 * ```
 */
export class FragmentkitError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly isRetryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly statusCode: number | undefined;

  constructor(code: ErrorCode, message: string, options: FragmentkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FragmentkitError';
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    this.details = options.details;
    this.statusCode = options.statusCode;
  }

  /** True for any fragmentkit error, even one created by another copy of this package. */
  static isInstance(error: unknown): error is FragmentkitError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** The wire shape: `{ code, message, details }`. */
  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** The JSON body of an error on the wire, inside `{ "error": ... }` or an `error` event. */
export interface ErrorBody {
  code: ErrorCode | (string & {});
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Turns anything thrown into a {@link FragmentkitError}, keeping the original as `cause`.
 *
 * @example
 * ```ts
 * import { toFragmentkitError } from '@fragmentkit/core';
 * const error = toFragmentkitError(new Error('boom'));
 * error.code; // 'INTERNAL'
 * ```
 */
export function toFragmentkitError(error: unknown): FragmentkitError {
  if (FragmentkitError.isInstance(error)) return error;
  if (isAbortError(error)) {
    return new FragmentkitError('ABORTED', 'The request was aborted.', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FragmentkitError('INTERNAL', `Unexpected error: ${message}`, { cause: error });
}

/**
 * True for the `AbortError`/`TimeoutError` that `fetch` and `AbortSignal` produce.
 *
 * @example
 * ```ts
 * import { isAbortError } from '@fragmentkit/core';
 * isAbortError(new DOMException('stop', 'AbortError')); // true
 * ```
 */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    ((error as { name: unknown }).name === 'AbortError' || (error as { name: unknown }).name === 'APIUserAbortError')
  );
}
