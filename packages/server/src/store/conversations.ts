import { z } from 'zod';
import { decodeConversationCursor, encodeConversationCursor } from './conversationCursor.js';
import { type ExecutionRecord, type FragmentRecord, loadExecutions, loadFragments } from './fragments.js';
import { loadMessages, type MessageRecord } from './messages.js';
import type { StoreContext } from './storeContext.js';
import { isUuid, notFound, parseStoreInput } from './storeInput.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * A stored conversation. It belongs to the user who created it, inside their team.
 *
 * @example
 * ```ts
 * const label = (conversation: ConversationRecord) => conversation.title ?? 'Untitled';
 * ```
 */
export interface ConversationRecord {
  id: string;
  teamId: string;
  userId: string;
  title: string | null;
  createdAt: Date;
  /** Last time a message, fragment, execution or rename touched it; retention counts from here. */
  updatedAt: Date;
}

/**
 * Everything a page needs to show a conversation again after a reload.
 *
 * @example
 * ```ts
 * const detail = await store.getConversation(tenant, conversationId);
 * if (detail) render(detail.messages, detail.fragments.at(-1));
 * ```
 */
export interface ConversationDetail {
  conversation: ConversationRecord;
  /** In the order they were written. */
  messages: MessageRecord[];
  /** Every version, oldest first. */
  fragments: FragmentRecord[];
  /** Every recorded run of those fragments, oldest first. */
  executions: ExecutionRecord[];
}

/**
 * Input of `store.listConversations`.
 *
 * @example
 * ```ts
 * const next = await store.listConversations(tenant, { limit: 20, cursor: page.nextCursor ?? undefined });
 * ```
 */
export interface ListConversationsInput {
  /** 1 to 100; default 20. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * One page of conversations, newest first.
 *
 * @example
 * ```ts
 * let page: ConversationPage = await store.listConversations(tenant, {});
 * while (page.nextCursor) page = await store.listConversations(tenant, { cursor: page.nextCursor });
 * ```
 */
export interface ConversationPage {
  conversations: ConversationRecord[];
  /** Pass it back for the next page; null on the last page. */
  nextCursor: string | null;
}

const titleSchema = z.string().max(500);
const listSchema = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

interface ConversationRow {
  id: string;
  team_id: string;
  user_id: string;
  title: string | null;
  created_at: Date;
  updated_at: Date;
}

const conversationColumns = 'id, team_id, user_id, title, created_at, updated_at';

function toConversationRecord(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    teamId: row.team_id,
    userId: row.user_id,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Starts a conversation for the tenant's user.
 *
 * @example
 * ```ts
 * const conversation = await createConversation(context, tenant, 'Counter app');
 * ```
 */
export async function createConversation(
  context: StoreContext,
  tenant: Tenant,
  title?: string,
): Promise<ConversationRecord> {
  const checkedTitle = title === undefined ? null : parseStoreInput(titleSchema, title, 'createConversation');
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const { rows } = await transaction.query<ConversationRow>(
      `INSERT INTO conversations (team_id, user_id, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
      RETURNING ${conversationColumns}`,
      [teamId, userId, checkedTitle, now],
    );
    return toConversationRecord(rows[0]!);
  });
}

/**
 * Lists the user's conversations, newest first, with keyset pagination: pages stay correct
 * while conversations are added or deleted between requests. Throws `INVALID_REQUEST` for a
 * cursor it did not make.
 *
 * @example
 * ```ts
 * const { conversations, nextCursor } = await listConversations(context, tenant, { limit: 20 });
 * ```
 */
export async function listConversations(
  context: StoreContext,
  tenant: Tenant,
  input: ListConversationsInput = {},
): Promise<ConversationPage> {
  const { limit, cursor } = parseStoreInput(listSchema, input, 'listConversations');
  const position = cursor === undefined ? null : decodeConversationCursor(cursor);
  return context.asTenant(tenant, async (transaction, { userId }) => {
    const { rows } = await transaction.query<ConversationRow & { created_at_micros: string }>(
      `SELECT ${conversationColumns},
        (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_at_micros
      FROM conversations
      WHERE user_id = $1
        AND ($2::bigint IS NULL
          OR (created_at, id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $4`,
      [userId, position?.createdAtMicros ?? null, position?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      conversations: page.map(toConversationRecord),
      nextCursor:
        rows.length > limit && last
          ? encodeConversationCursor({ createdAtMicros: last.created_at_micros, id: last.id })
          : null,
    };
  });
}

/**
 * Loads a conversation with its messages, fragment versions and executions, or null when it
 * does not exist for this user (ids that are not uuids included).
 *
 * @example
 * ```ts
 * const detail = await getConversation(context, tenant, conversationId);
 * if (!detail) return new Response(null, { status: 404 });
 * ```
 */
export async function getConversation(
  context: StoreContext,
  tenant: Tenant,
  conversationId: string,
): Promise<ConversationDetail | null> {
  if (!isUuid(conversationId)) return null;
  return context.asTenant(tenant, async (transaction, { userId }) => {
    const conversations = await transaction.query<ConversationRow>(
      `SELECT ${conversationColumns} FROM conversations WHERE id = $1 AND user_id = $2`,
      [conversationId, userId],
    );
    const conversation = conversations.rows[0];
    if (!conversation) return null;
    return {
      conversation: toConversationRecord(conversation),
      messages: await loadMessages(transaction, conversationId),
      fragments: await loadFragments(transaction, conversationId),
      executions: await loadExecutions(transaction, conversationId),
    };
  });
}

/**
 * Renames one of the user's conversations. Throws `NOT_FOUND` when it does not exist for them.
 *
 * @example
 * ```ts
 * const renamed = await renameConversation(context, tenant, conversationId, 'Todo list');
 * ```
 */
export async function renameConversation(
  context: StoreContext,
  tenant: Tenant,
  conversationId: string,
  title: string,
): Promise<ConversationRecord> {
  const checkedTitle = parseStoreInput(titleSchema, title, 'renameConversation');
  if (!isUuid(conversationId)) throw notFound('conversation', conversationId);
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { userId }) => {
    const { rows } = await transaction.query<ConversationRow>(
      `UPDATE conversations SET title = $3, updated_at = $4 WHERE id = $1 AND user_id = $2
      RETURNING ${conversationColumns}`,
      [conversationId, userId, checkedTitle, now],
    );
    const row = rows[0];
    if (!row) throw notFound('conversation', conversationId);
    return toConversationRecord(row);
  });
}

/**
 * Deletes one of the user's conversations for good, with its messages, fragments and
 * executions (a hard delete: nothing is left to leak or to purge later). Usage and audit
 * entries stay: they are accounting, not content. Throws `NOT_FOUND` when it does not exist for
 * this user.
 *
 * @example
 * ```ts
 * await deleteConversation(context, tenant, conversationId);
 * ```
 */
export async function deleteConversation(context: StoreContext, tenant: Tenant, conversationId: string): Promise<void> {
  if (!isUuid(conversationId)) throw notFound('conversation', conversationId);
  await context.asTenant(tenant, async (transaction, { userId }) => {
    const { rows } = await transaction.query<{ id: string }>(
      'DELETE FROM conversations WHERE id = $1 AND user_id = $2 RETURNING id',
      [conversationId, userId],
    );
    if (rows.length === 0) throw notFound('conversation', conversationId);
  });
}
