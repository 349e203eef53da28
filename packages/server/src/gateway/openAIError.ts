import { errorCodeStatus, type FragmentkitError } from '@fragmentkit/core';

/**
 * An error as the OpenAI API sends it, so OpenAI clients surface it as they would OpenAI's own.
 *
 * @example
 * ```ts
 * const body: OpenAIErrorBody = {
 *   error: { message: 'Unknown model "gpt-9".', type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
 * };
 * ```
 */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Provider refusals the client caused, which OpenAI answers with 400 and these codes. */
const clientCausedReasons: Readonly<Record<string, string>> = {
  content_policy: 'content_policy_violation',
  context_length: 'context_length_exceeded',
};

/** fragmentkit codes with a well-known OpenAI counterpart; the rest go out in lower case. */
const openAICodes: Partial<Record<string, string>> = {
  RATE_LIMITED: 'rate_limit_exceeded',
  QUOTA_EXCEEDED: 'insufficient_quota',
  UNAUTHORIZED: 'invalid_api_key',
  CONTEXT_TOO_LARGE: 'context_length_exceeded',
};

/**
 * The HTTP status of an error on the gateway: the server's usual one, except that a provider's
 * content-policy or context-length refusal is the client's 400, as on OpenAI.
 *
 * @example
 * ```ts
 * openAIErrorStatus(new FragmentkitError('PROVIDER_UNAVAILABLE', 'down')); // 503
 * ```
 */
export function openAIErrorStatus(error: FragmentkitError): number {
  if (error.code === 'PROVIDER_BAD_REQUEST' && reasonOf(error) in clientCausedReasons) return 400;
  return errorCodeStatus[error.code] ?? 500;
}

/**
 * The OpenAI-shaped body of an error. `code` is OpenAI's where one fits (`model_not_found`,
 * `content_policy_violation`, `insufficient_quota`, ...) and otherwise the fragmentkit code in
 * lower case (`provider_unavailable`); `param` names the offending request field when known.
 * Unexpected errors get a message with the request id instead of internal details.
 *
 * @example
 * ```ts
 * openAIErrorBody(new FragmentkitError('QUOTA_EXCEEDED', 'Used up.'), 'req-1').error.code; // 'insufficient_quota'
 * ```
 */
export function openAIErrorBody(error: FragmentkitError, requestId: string): OpenAIErrorBody {
  const status = openAIErrorStatus(error);
  const message =
    error.code === 'INTERNAL'
      ? `An unexpected error occurred on the server. Its log has the details under request id ${requestId}.`
      : error.message;
  const reason = reasonOf(error);
  const code =
    (typeof error.details?.openAICode === 'string' ? error.details.openAICode : undefined) ??
    (error.code === 'PROVIDER_BAD_REQUEST' ? clientCausedReasons[reason] : undefined) ??
    openAICodes[error.code] ??
    error.code.toLowerCase();
  return { error: { message, type: typeOf(error, status), param: paramOf(error), code } };
}

/**
 * A JSON error response in OpenAI's shape, with `Retry-After` when the error says when to
 * retry and `x-should-retry`, which OpenAI's SDKs obey, set from the error's retryability.
 *
 * @example
 * ```ts
 * return openAIErrorResponse(error, context.requestId);
 * ```
 */
export function openAIErrorResponse(error: FragmentkitError, requestId: string, headers?: HeadersInit): Response {
  const response = Response.json(openAIErrorBody(error, requestId), { status: openAIErrorStatus(error), headers });
  const retryAfterSeconds = retryAfterOf(error);
  if (retryAfterSeconds !== undefined && !response.headers.has('retry-after')) {
    response.headers.set('retry-after', String(retryAfterSeconds));
  }
  response.headers.set('x-should-retry', String(error.isRetryable));
  return response;
}

function typeOf(error: FragmentkitError, status: number): string {
  if (error.code === 'QUOTA_EXCEEDED') return 'insufficient_quota';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return status < 500 ? 'invalid_request_error' : 'server_error';
}

function reasonOf(error: FragmentkitError): string {
  return typeof error.details?.reason === 'string' ? error.details.reason : '';
}

/** The first zod issue's path in OpenAI's notation, e.g. `messages.[0].content`. */
function paramOf(error: FragmentkitError): string | null {
  if (typeof error.details?.param === 'string') return error.details.param;
  const issues = error.details?.issues;
  const path = Array.isArray(issues) ? (issues[0] as { path?: unknown } | undefined)?.path : undefined;
  if (!Array.isArray(path) || path.length === 0) return null;
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : String(key))).join('.');
}

function retryAfterOf(error: FragmentkitError): number | undefined {
  const { details } = error;
  if (typeof details?.retryAfterSeconds === 'number') return Math.max(1, Math.ceil(details.retryAfterSeconds));
  if (typeof details?.retryAfterMs === 'number') return Math.max(1, Math.ceil(details.retryAfterMs / 1000));
  return undefined;
}
