import type { ErrorBody } from '@fragmentkit/core';

/** The `{ error: { code, message, details } }` of a non-2xx answer, or an `HTTP_ERROR` when it has none. */
export async function readErrorBody(response: Response, what: string): Promise<ErrorBody> {
  const retryAfter = response.headers.get('Retry-After');
  const extra = { status: response.status, ...(retryAfter === null ? {} : { retryAfter }) };
  const json: unknown = await response.json().catch(() => undefined);
  const error = isRecord(json) ? json.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return {
      code: error.code,
      message: error.message,
      details: { ...(isRecord(error.details) ? error.details : {}), ...extra },
    };
  }
  return {
    code: 'HTTP_ERROR',
    message: `${what} answered ${response.status} ${response.statusText} without a fragmentkit error. Check the endpoint.`,
    details: extra,
  };
}

/** The error of a fetch that threw (not an HTTP error): the server could not be reached. */
export function networkError(what: string, error: unknown): ErrorBody {
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 'NETWORK_ERROR', message: `Could not reach ${what} (${reason}). Check the connection and try again.` };
}

/** Whether `value` is an `ErrorBody` thrown as a value (not an `Error`). */
export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    isRecord(value) && !(value instanceof Error) && typeof value.code === 'string' && typeof value.message === 'string'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
