import { FragmentkitError } from '@fragmentkit/core';
import { isUuid } from './storeInput.js';

/**
 * A position in the newest-first conversation list: the creation time in whole microseconds
 * since the epoch (PostgreSQL's own precision, so the comparison is exact) and the id that
 * breaks ties between conversations created in the same microsecond.
 *
 * @example
 * ```ts
 * const position: ConversationCursor = { createdAtMicros: '1700000000000000', id: conversation.id };
 * ```
 */
export interface ConversationCursor {
  createdAtMicros: string;
  id: string;
}

/**
 * Turns a list position into the opaque `cursor` string clients pass back.
 *
 * @example
 * ```ts
 * encodeConversationCursor({ createdAtMicros: '1700000000000000', id }); // '1700000000000000.<id>'
 * ```
 */
export function encodeConversationCursor(cursor: ConversationCursor): string {
  return `${cursor.createdAtMicros}.${cursor.id}`;
}

/**
 * Reads a `cursor` string back; throws `INVALID_REQUEST` when it was not made by
 * {@link encodeConversationCursor}.
 *
 * @example
 * ```ts
 * const { createdAtMicros, id } = decodeConversationCursor(request.cursor);
 * ```
 */
export function decodeConversationCursor(cursor: string): ConversationCursor {
  const [createdAtMicros, id, ...rest] = cursor.split('.');
  if (rest.length > 0 || createdAtMicros === undefined || !/^-?\d{1,17}$/.test(createdAtMicros) || !isUuid(id)) {
    throw new FragmentkitError('INVALID_REQUEST', 'Invalid conversation cursor: pass back a nextCursor unchanged.', {
      details: { cursor },
    });
  }
  return { createdAtMicros, id };
}
