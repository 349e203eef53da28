import { FragmentkitError } from '@fragmentkit/core';
import type { z } from 'zod';

/**
 * Validates a store method's input with a zod schema, or throws `INVALID_REQUEST` with the
 * issues in `details.issues`, in the same shape the chat route uses.
 *
 * @example
 * ```ts
 * const { limit } = parseStoreInput(z.object({ limit: z.number().int() }), input, 'listConversations');
 * ```
 */
export function parseStoreInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  operation: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
  throw new FragmentkitError('INVALID_REQUEST', `Invalid input to ${operation}: ${summary}`, { details: { issues } });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for text PostgreSQL accepts as a `uuid`. Ids come from clients, and text that is not a
 * uuid would make the `::uuid` cast raise an error instead of simply finding nothing.
 *
 * @example
 * ```ts
 * isUuid('0b6c5f3e-2f7a-4c1e-9a55-2d1f0e7b9c10'); // true
 * isUuid('../etc/passwd'); // false
 * ```
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}

/**
 * The error every store method throws when the thing it acts on does not exist for this tenant
 * (including ids that are not uuids and rows of another team: those look the same).
 *
 * @example
 * ```ts
 * if (rows.length === 0) throw notFound('conversation', conversationId);
 * ```
 */
export function notFound(kind: string, id: unknown): FragmentkitError {
  return new FragmentkitError('NOT_FOUND', `No ${kind} with id ${JSON.stringify(id)} exists for this team.`, {
    details: { kind, id: typeof id === 'string' ? id : String(id) },
  });
}
