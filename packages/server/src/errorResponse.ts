import { type ErrorBody, errorCodeStatus, type FragmentkitError } from '@fragmentkit/core';

/** The HTTP status of a fragmentkit error; codes from a newer core fall back to 500. */
export function errorStatus(error: FragmentkitError): number {
  return errorCodeStatus[error.code] ?? 500;
}

/**
 * What the client may see of an error. Unexpected errors carry internal messages, so the client
 * gets the request id to quote instead and the details stay in the server log.
 */
export function publicErrorBody(error: FragmentkitError, requestId: string): ErrorBody {
  if (error.code !== 'INTERNAL') return error.toJSON();
  return {
    code: 'INTERNAL',
    message: `An unexpected error occurred on the server. Its log has the details under request id ${requestId}.`,
  };
}

/** A JSON error response in the wire shape `{ "error": { code, message, details? } }`. */
export function errorResponse(error: FragmentkitError, requestId: string, headers?: HeadersInit): Response {
  return Response.json({ error: publicErrorBody(error, requestId) }, { status: errorStatus(error), headers });
}
