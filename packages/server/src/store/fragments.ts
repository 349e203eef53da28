import { type Fragment, fragmentSchema } from '@fragmentkit/core';
import { z } from 'zod';
import type { Queryable } from './database.js';
import type { StoreContext } from './storeContext.js';
import { isUuid, notFound, parseStoreInput } from './storeInput.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * A stored fragment version. Versions count from 1 within a conversation; each save makes a new
 * one, so earlier versions stay available for diffs and undo.
 *
 * @example
 * ```ts
 * const latest: FragmentRecord | undefined = detail.fragments.at(-1);
 * console.log(latest?.version, latest?.fragment.title);
 * ```
 */
export interface FragmentRecord {
  id: string;
  conversationId: string;
  messageId: string;
  userId: string;
  version: number;
  fragment: Fragment;
  createdAt: Date;
}

/**
 * Input of `store.saveFragment`.
 *
 * @example
 * ```ts
 * const input: SaveFragmentInput = { conversationId, messageId: assistantMessage.id, fragment: done.fragment };
 * ```
 */
export interface SaveFragmentInput {
  conversationId: string;
  /** The message (usually the assistant's answer) the fragment belongs to, in the same conversation. */
  messageId: string;
  /** A complete fragment; validated against the core fragment schema. */
  fragment: Fragment;
}

/**
 * One run of a fragment in a sandbox or preview.
 *
 * @example
 * ```ts
 * const failed = detail.executions.filter((execution: ExecutionRecord) => execution.exitCode !== 0);
 * ```
 */
export interface ExecutionRecord {
  id: string;
  fragmentId: string;
  userId: string;
  stdout: string;
  stderr: string;
  /** Null when the run never exited, e.g. a server that keeps listening. */
  exitCode: number | null;
  /** Where the running app can be seen, for fragments that serve. */
  url: string | null;
  /** An error the preview reported at runtime, e.g. a stack trace from the browser. */
  runtimeError: string | null;
  createdAt: Date;
}

/**
 * Input of `store.recordExecution`.
 *
 * @example
 * ```ts
 * const input: RecordExecutionInput = { fragmentId, stdout: '', stderr: 'boom', exitCode: 1 };
 * ```
 */
export interface RecordExecutionInput {
  fragmentId: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  url?: string;
  runtimeError?: string;
}

const saveFragmentSchema = z.object({
  conversationId: z.string(),
  messageId: z.string(),
  fragment: fragmentSchema,
});

const recordExecutionSchema = z.object({
  fragmentId: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int().min(-2147483648).max(2147483647).nullable(),
  url: z.string().max(2048).optional(),
  runtimeError: z.string().optional(),
});

interface FragmentRow {
  id: string;
  conversation_id: string;
  message_id: string;
  user_id: string;
  version: number;
  fragment: Fragment;
  created_at: Date;
}

interface ExecutionRow {
  id: string;
  fragment_id: string;
  user_id: string;
  stdout: string;
  stderr: string;
  exit_code: number | null;
  url: string | null;
  runtime_error: string | null;
  created_at: Date;
}

const fragmentColumns = 'id, conversation_id, message_id, user_id, version, fragment, created_at';

const executionColumns = 'id, fragment_id, user_id, stdout, stderr, exit_code, url, runtime_error, created_at';

function toFragmentRecord(row: FragmentRow): FragmentRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    userId: row.user_id,
    version: Number(row.version),
    fragment: row.fragment,
    createdAt: row.created_at,
  };
}

function toExecutionRecord(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id,
    fragmentId: row.fragment_id,
    userId: row.user_id,
    stdout: row.stdout,
    stderr: row.stderr,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    url: row.url,
    runtimeError: row.runtime_error,
    createdAt: row.created_at,
  };
}

/**
 * Saves a new version of the conversation's fragment. The version comes from a counter on the
 * conversation row: the update takes the row lock, so concurrent saves get 1, 2, 3... in commit
 * order, and the unique `(conversation_id, version)` constraint backs that up. Throws
 * `NOT_FOUND` when the conversation does not exist for this user or the message is not in it,
 * and `INVALID_REQUEST` when the fragment does not match the schema.
 *
 * @example
 * ```ts
 * const saved = await saveFragment(context, tenant, { conversationId, messageId, fragment });
 * saved.version; // 1 for the first fragment of the conversation
 * ```
 */
export async function saveFragment(
  context: StoreContext,
  tenant: Tenant,
  input: SaveFragmentInput,
): Promise<FragmentRecord> {
  const checked = parseStoreInput(saveFragmentSchema, input, 'saveFragment');
  if (!isUuid(checked.conversationId)) throw notFound('conversation', checked.conversationId);
  if (!isUuid(checked.messageId)) throw notFound('message', checked.messageId);
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const { rows } = await transaction.query<FragmentRow>(
      `WITH counted AS (
        UPDATE conversations SET fragment_count = fragment_count + 1, updated_at = $4
        WHERE id = $1 AND user_id = $3
          AND EXISTS (SELECT 1 FROM messages WHERE messages.id = $2 AND messages.conversation_id = $1)
        RETURNING id, fragment_count
      )
      INSERT INTO fragments (team_id, user_id, conversation_id, message_id, version, fragment, created_at)
      SELECT $5, $3, counted.id, $2, counted.fragment_count, $6::jsonb, $4 FROM counted
      RETURNING ${fragmentColumns}`,
      [checked.conversationId, checked.messageId, userId, now, teamId, JSON.stringify(checked.fragment)],
    );
    const row = rows[0];
    if (!row) throw notFound('conversation or message', `${checked.conversationId}/${checked.messageId}`);
    return toFragmentRecord(row);
  });
}

/**
 * Records one run of a fragment and marks its conversation as updated. Throws `NOT_FOUND` when
 * the fragment does not exist in one of this user's conversations.
 *
 * @example
 * ```ts
 * await recordExecution(context, tenant, { fragmentId, stdout: 'ready', stderr: '', exitCode: null, url });
 * ```
 */
export async function recordExecution(
  context: StoreContext,
  tenant: Tenant,
  input: RecordExecutionInput,
): Promise<ExecutionRecord> {
  const checked = parseStoreInput(recordExecutionSchema, input, 'recordExecution');
  if (!isUuid(checked.fragmentId)) throw notFound('fragment', checked.fragmentId);
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const { rows } = await transaction.query<ExecutionRow>(
      `WITH target AS (
        UPDATE conversations SET updated_at = $3
        FROM fragments
        WHERE fragments.id = $1 AND conversations.id = fragments.conversation_id AND conversations.user_id = $2
        RETURNING fragments.id AS fragment_id
      )
      INSERT INTO executions (team_id, user_id, fragment_id, stdout, stderr, exit_code, url, runtime_error, created_at)
      SELECT $4, $2, target.fragment_id, $5, $6, $7::integer, $8, $9, $3 FROM target
      RETURNING ${executionColumns}`,
      [
        checked.fragmentId,
        userId,
        now,
        teamId,
        checked.stdout,
        checked.stderr,
        checked.exitCode,
        checked.url ?? null,
        checked.runtimeError ?? null,
      ],
    );
    const row = rows[0];
    if (!row) throw notFound('fragment', checked.fragmentId);
    return toExecutionRecord(row);
  });
}

/**
 * Every fragment version of a conversation, oldest first, read inside a tenant transaction
 * that has already checked the conversation belongs to the user.
 *
 * @example
 * ```ts
 * const fragments = await loadFragments(transaction, conversationId);
 * ```
 */
export async function loadFragments(transaction: Queryable, conversationId: string): Promise<FragmentRecord[]> {
  const { rows } = await transaction.query<FragmentRow>(
    `SELECT ${fragmentColumns} FROM fragments WHERE conversation_id = $1 ORDER BY version`,
    [conversationId],
  );
  return rows.map(toFragmentRecord);
}

/**
 * Every recorded run of a conversation's fragments, oldest first, read inside a tenant
 * transaction that has already checked the conversation belongs to the user.
 *
 * @example
 * ```ts
 * const executions = await loadExecutions(transaction, conversationId);
 * ```
 */
export async function loadExecutions(transaction: Queryable, conversationId: string): Promise<ExecutionRecord[]> {
  const { rows } = await transaction.query<ExecutionRow>(
    `SELECT ${executionColumns} FROM executions
    WHERE fragment_id IN (SELECT id FROM fragments WHERE conversation_id = $1)
    ORDER BY created_at, id`,
    [conversationId],
  );
  return rows.map(toExecutionRecord);
}
