import { type Clock, systemClock } from '@fragmentkit/core';
import { z } from 'zod';
import type { ProjectSnapshotStore } from '../projects/projectSnapshotStore.js';
import type { AgentTaskStateStore } from '../tasks/agentTaskStateStore.js';
import { createStoreAgentTaskStates } from './agentTasks.js';
import { defaultAppRole, quoteRoleName } from './appRole.js';
import { type AuditInput, type AuditRecord, audit, type ListAuditInput, listAudit } from './auditLog.js';
import {
  type ConversationDetail,
  type ConversationPage,
  type ConversationRecord,
  createConversation,
  deleteConversation,
  getConversation,
  type ListConversationsInput,
  listConversations,
  renameConversation,
} from './conversations.js';
import type { Database } from './database.js';
import {
  type ExecutionRecord,
  type FragmentRecord,
  type RecordExecutionInput,
  recordExecution,
  type SaveFragmentInput,
  saveFragment,
} from './fragments.js';
import {
  type BeginIdempotencyInput,
  type BeginIdempotencyResult,
  beginIdempotencyKey,
  type CompleteIdempotencyInput,
  completeIdempotencyKey,
  getIdempotencyKey,
  type IdempotencyKeyLookup,
  type IdempotencyKeyRecord,
  purgeExpiredIdempotencyKeys,
} from './idempotencyKeys.js';
import { type AppendMessageInput, appendMessage, type MessageRecord } from './messages.js';
import { migrate } from './migrations.js';
import { createStoreProjectSnapshots } from './projectSnapshots.js';
import { type PurgeResult, purgeExpired } from './retention.js';
import type { StoreContext } from './storeContext.js';
import { parseStoreInput } from './storeInput.js';
import { runAsMaintenance, runAsTenant, type Tenant } from './tenantTransaction.js';
import {
  type RecordUsageInput,
  recordUsage,
  type UsageRecord,
  type UsageTotals,
  type UsageTotalsInput,
  usageTotals,
} from './usageLedger.js';

/**
 * Options of {@link createFragmentStore}.
 *
 * @example
 * ```ts
 * const options: FragmentStoreOptions = { retentionDays: 30, clock: { now: () => fakeNow } };
 * ```
 */
export interface FragmentStoreOptions {
  /** Conversations untouched for longer than this are deleted by `purgeExpired`. Default 90. */
  retentionDays?: number;
  /** Stamps every row and decides expiry. Default `Date.now()`. */
  clock?: Clock;
  /** NOLOGIN role that tenant work runs as. Default `fragmentkit_app`. */
  appRole?: string;
  /**
   * Apply pending migrations before the first operation (once per store; safe when several
   * instances start together). Set `false` when a deploy step runs `migrate` instead. Default true.
   */
  migrate?: boolean;
}

/**
 * The idempotency-key half of the store: the table the `Idempotency-Key` logic keeps its state
 * in, scoped by team.
 *
 * @example
 * ```ts
 * const begun = await store.idempotencyKeys.begin(tenant, { scope: 'POST /chat', key, requestHash });
 * if (begun.outcome === 'acquired') {
 *   const response = await handle();
 *   await store.idempotencyKeys.complete(tenant, { scope: 'POST /chat', key, response });
 * }
 * ```
 */
export interface IdempotencyKeyStore {
  /** Claims the key; see {@link BeginIdempotencyResult}. */
  begin(tenant: Tenant, input: BeginIdempotencyInput): Promise<BeginIdempotencyResult>;
  /** Stores the response of the in-flight key; `NOT_FOUND` when there is none. */
  complete(tenant: Tenant, input: CompleteIdempotencyInput): Promise<IdempotencyKeyRecord>;
  /** The unexpired key, or null. */
  get(tenant: Tenant, lookup: IdempotencyKeyLookup): Promise<IdempotencyKeyRecord | null>;
  /** Deletes the team's expired keys; returns how many. */
  purgeExpired(tenant: Tenant, now?: Date): Promise<number>;
}

/**
 * Persistence for conversations, messages, fragment versions, executions, usage, audit and
 * idempotency keys. Every method but `migrate` and `purgeExpired` takes the {@link Tenant}
 * first and runs in a transaction where row-level security limits it to that team; within the
 * team, conversations (and everything in them) are visible only to the user who created them.
 *
 * Not-found rule: `getConversation` and `idempotencyKeys.get` return `null`; methods that change
 * or add to something that does not exist (for this user and team) throw
 * `FragmentkitError('NOT_FOUND')`. Ids that are not uuids count as not found. Invalid input
 * throws `FragmentkitError('INVALID_REQUEST')`.
 *
 * @example
 * ```ts
 * const conversation = await store.createConversation(tenant, 'Counter');
 * const message = await store.appendMessage(tenant, { conversationId: conversation.id, role: 'user', content: 'Make a counter' });
 * ```
 */
export interface FragmentStore {
  /** Applies pending migrations now (otherwise the first operation does, unless `migrate: false`). */
  migrate(): Promise<void>;
  createConversation(tenant: Tenant, title?: string): Promise<ConversationRecord>;
  /** Newest first, keyset-paginated. */
  listConversations(tenant: Tenant, input?: ListConversationsInput): Promise<ConversationPage>;
  /** The conversation with its messages, fragments and executions, or null. */
  getConversation(tenant: Tenant, conversationId: string): Promise<ConversationDetail | null>;
  renameConversation(tenant: Tenant, conversationId: string, title: string): Promise<ConversationRecord>;
  /** Hard delete: the conversation and its messages, fragments and executions are gone. */
  deleteConversation(tenant: Tenant, conversationId: string): Promise<void>;
  appendMessage(tenant: Tenant, input: AppendMessageInput): Promise<MessageRecord>;
  /** Saves the next version (1, 2, ...) of the conversation's fragment. */
  saveFragment(tenant: Tenant, input: SaveFragmentInput): Promise<FragmentRecord>;
  recordExecution(tenant: Tenant, input: RecordExecutionInput): Promise<ExecutionRecord>;
  recordUsage(tenant: Tenant, input: RecordUsageInput): Promise<UsageRecord>;
  usageTotals(tenant: Tenant, input: UsageTotalsInput): Promise<UsageTotals>;
  audit(tenant: Tenant, input: AuditInput): Promise<AuditRecord>;
  /** Newest first. */
  listAudit(tenant: Tenant, input?: ListAuditInput): Promise<AuditRecord[]>;
  idempotencyKeys: IdempotencyKeyStore;
  /** Agent tasks (`agent_tasks`), each visible to the user who created it; `createFragmentkit` keeps `/tasks` state here when it has a store. */
  agentTasks: AgentTaskStateStore;
  /** Versioned project files (`project_snapshots`), shared by the team; serves `/projects` when passed as `projects`. */
  projectSnapshots: ProjectSnapshotStore;
  /**
   * Retention across all teams: deletes conversations not updated for `retentionDays` before
   * `now` (default: the clock's now) and expired idempotency keys. Run it from a scheduled job.
   */
  purgeExpired(now?: Date): Promise<PurgeResult>;
}

const optionsSchema = z.object({
  retentionDays: z.number().positive().max(100_000).default(90),
  migrate: z.boolean().default(true),
});

/**
 * Creates the fragment store on a {@link Database}: PGlite for zero setup, PostgreSQL when one
 * machine is not enough; the same SQL runs on both.
 *
 * @example
 * ```ts
 * import { createFragmentStore } from '@fragmentkit/server';
 * import { createPgliteDatabase } from '@fragmentkit/server/pglite';
 *
 * const store = createFragmentStore(createPgliteDatabase({ dataDir: '.fragmentkit/db' }));
 * const tenant = { teamId: 'team-1', userId: 'user-1' };
 * const conversation = await store.createConversation(tenant, 'Counter app');
 * const { conversations } = await store.listConversations(tenant, { limit: 20 });
 * ```
 */
export function createFragmentStore(db: Database, options: FragmentStoreOptions = {}): FragmentStore {
  const { retentionDays, migrate: migrateFirst } = parseStoreInput(optionsSchema, options, 'createFragmentStore');
  const appRole = options.appRole ?? defaultAppRole;
  quoteRoleName(appRole);
  const clock = options.clock ?? systemClock;

  let migration: Promise<void> | undefined;
  const runMigrations = (): Promise<void> => {
    migration ??= migrate(db, { appRole }).then(
      () => undefined,
      (error: unknown) => {
        // Forget the failure so the next call tries again, e.g. once the database is reachable.
        migration = undefined;
        throw error;
      },
    );
    return migration;
  };
  const ready = (): Promise<void> => (migrateFirst ? runMigrations() : Promise.resolve());

  const context: StoreContext = {
    clock,
    asTenant: async (tenant, work) => {
      await ready();
      return runAsTenant(db, tenant, appRole, work);
    },
    asMaintenance: async (work) => {
      await ready();
      return runAsMaintenance(db, work);
    },
  };

  return {
    migrate: runMigrations,
    createConversation: (tenant, title) => createConversation(context, tenant, title),
    listConversations: (tenant, input) => listConversations(context, tenant, input),
    getConversation: (tenant, conversationId) => getConversation(context, tenant, conversationId),
    renameConversation: (tenant, conversationId, title) => renameConversation(context, tenant, conversationId, title),
    deleteConversation: (tenant, conversationId) => deleteConversation(context, tenant, conversationId),
    appendMessage: (tenant, input) => appendMessage(context, tenant, input),
    saveFragment: (tenant, input) => saveFragment(context, tenant, input),
    recordExecution: (tenant, input) => recordExecution(context, tenant, input),
    recordUsage: (tenant, input) => recordUsage(context, tenant, input),
    usageTotals: (tenant, input) => usageTotals(context, tenant, input),
    audit: (tenant, input) => audit(context, tenant, input),
    listAudit: (tenant, input) => listAudit(context, tenant, input),
    idempotencyKeys: {
      begin: (tenant, input) => beginIdempotencyKey(context, tenant, input),
      complete: (tenant, input) => completeIdempotencyKey(context, tenant, input),
      get: (tenant, lookup) => getIdempotencyKey(context, tenant, lookup),
      purgeExpired: (tenant, now) => purgeExpiredIdempotencyKeys(context, tenant, now),
    },
    agentTasks: createStoreAgentTaskStates(context),
    projectSnapshots: createStoreProjectSnapshots(context),
    purgeExpired: (now = new Date(clock.now())) => purgeExpired(context, retentionDays, now),
  };
}
