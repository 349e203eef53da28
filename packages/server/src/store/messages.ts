import { type Attachment, type AttachmentInput, attachmentSchema } from '@fragmentkit/core';
import { z } from 'zod';
import type { Queryable } from './database.js';
import type { StoreContext } from './storeContext.js';
import { isUuid, notFound, parseStoreInput } from './storeInput.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * Who wrote a message.
 *
 * @example
 * ```ts
 * const role: MessageRole = 'assistant';
 * ```
 */
export type MessageRole = 'user' | 'assistant';

/**
 * A stored chat message. `position` counts from 1 within its conversation and orders the
 * messages even when several share a timestamp.
 *
 * @example
 * ```ts
 * const transcript = detail.messages.map((message: MessageRecord) => `${message.role}: ${message.content}`);
 * ```
 */
export interface MessageRecord {
  id: string;
  conversationId: string;
  userId: string;
  position: number;
  role: MessageRole;
  content: string;
  attachments: Attachment[];
  requestId: string | null;
  createdAt: Date;
}

/**
 * Input of `store.appendMessage`.
 *
 * @example
 * ```ts
 * const input: AppendMessageInput = { conversationId, role: 'user', content: 'Make a counter', attachments };
 * ```
 */
export interface AppendMessageInput {
  conversationId: string;
  role: MessageRole;
  content: string;
  /** Snippets the user attached; validated against the core attachment schema. */
  attachments?: AttachmentInput[];
  /** The chat request that produced the message, to join it with usage and logs. */
  requestId?: string;
}

const appendMessageSchema = z.object({
  conversationId: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  attachments: z.array(attachmentSchema).default([]),
  requestId: z.string().min(1).max(256).optional(),
});

interface MessageRow {
  id: string;
  conversation_id: string;
  user_id: string;
  position: number;
  role: MessageRole;
  content: string;
  attachments: Attachment[];
  request_id: string | null;
  created_at: Date;
}

const messageColumns = 'id, conversation_id, user_id, position, role, content, attachments, request_id, created_at';

function toMessageRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    userId: row.user_id,
    position: Number(row.position),
    role: row.role,
    content: row.content,
    attachments: row.attachments,
    requestId: row.request_id,
    createdAt: row.created_at,
  };
}

/**
 * Appends a message to one of the user's conversations and marks the conversation as updated.
 * The position comes from a counter on the conversation row, whose update also serialises
 * concurrent appends. Throws `NOT_FOUND` when the conversation does not exist for this user.
 *
 * @example
 * ```ts
 * const message = await appendMessage(context, tenant, { conversationId, role: 'user', content: 'Hi' });
 * ```
 */
export async function appendMessage(
  context: StoreContext,
  tenant: Tenant,
  input: AppendMessageInput,
): Promise<MessageRecord> {
  const checked = parseStoreInput(appendMessageSchema, input, 'appendMessage');
  if (!isUuid(checked.conversationId)) throw notFound('conversation', checked.conversationId);
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const { rows } = await transaction.query<MessageRow>(
      `WITH counted AS (
        UPDATE conversations SET message_count = message_count + 1, updated_at = $3
        WHERE id = $1 AND user_id = $2
        RETURNING id, message_count
      )
      INSERT INTO messages (team_id, user_id, conversation_id, position, role, content, attachments, request_id, created_at)
      SELECT $4, $2, counted.id, counted.message_count, $5, $6, $7::jsonb, $8, $3 FROM counted
      RETURNING ${messageColumns}`,
      [
        checked.conversationId,
        userId,
        now,
        teamId,
        checked.role,
        checked.content,
        JSON.stringify(checked.attachments),
        checked.requestId ?? null,
      ],
    );
    const row = rows[0];
    if (!row) throw notFound('conversation', checked.conversationId);
    return toMessageRecord(row);
  });
}

/**
 * The messages of a conversation in the order they were written, read inside a tenant
 * transaction that has already checked the conversation belongs to the user.
 *
 * @example
 * ```ts
 * const messages = await loadMessages(transaction, conversationId);
 * ```
 */
export async function loadMessages(transaction: Queryable, conversationId: string): Promise<MessageRecord[]> {
  const { rows } = await transaction.query<MessageRow>(
    `SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 ORDER BY position`,
    [conversationId],
  );
  return rows.map(toMessageRecord);
}
