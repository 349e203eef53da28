import { FragmentkitError } from '@fragmentkit/core';
import type { z } from 'zod';
import { readBodyText } from './readBody.js';

export interface ParseJsonBodyOptions {
  /** Names the route in messages, e.g. `PATCH /conversations/:id`. */
  operation: string;
  maxBytes: number;
}

/**
 * Reads and validates a JSON request body, or throws the 4xx that says what is wrong with it:
 * 415 for another media type, 413 past `maxBytes`, 400 with `details.issues` for invalid JSON
 * or a body the schema rejects.
 */
export async function parseJsonBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  { operation, maxBytes }: ParseJsonBodyOptions,
): Promise<z.output<Schema>> {
  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new FragmentkitError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${operation} takes a JSON body; send it with content-type: application/json (got ${mediaType || 'none'}).`,
    );
  }
  const text = await readBodyText(request, maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FragmentkitError('INVALID_REQUEST', `The request body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
  throw new FragmentkitError('INVALID_REQUEST', `Invalid body for ${operation}: ${summary}`, { details: { issues } });
}
