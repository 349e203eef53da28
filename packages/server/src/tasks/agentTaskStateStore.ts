import { type Clock, systemClock } from '@fragmentkit/core';
import type { Tenant } from '../store/tenantTransaction.js';
import type {
  AgentTaskMetrics,
  AgentTaskMode,
  AgentTaskRecord,
  AgentTaskResult,
  AgentTaskSource,
} from './agentTaskView.js';

/**
 * Input of {@link AgentTaskStateStore.create}.
 *
 * @example
 * ```ts
 * const input: CreateAgentTaskInput = { id: crypto.randomUUID(), projectId: 'web-app', mode: 'patch', input: { files, prompt } };
 * ```
 */
export interface CreateAgentTaskInput {
  id: string;
  projectId: string;
  mode: AgentTaskMode;
  input: AgentTaskSource;
}

/**
 * A change of a stored task. `error: null` and `metrics: null` clear them.
 *
 * @example
 * ```ts
 * const change: AgentTaskChange = { status: 'failed', error: { code: 'PATCH_NOT_APPLICABLE', message } };
 * ```
 */
export interface AgentTaskChange {
  status?: AgentTaskRecord['status'];
  jobId?: string;
  result?: AgentTaskResult;
  error?: { code: string; message: string } | null;
  metrics?: AgentTaskMetrics | null;
}

/**
 * Where agent tasks live, so that any instance answers `GET /tasks/:id` and the accept/reject
 * decisions outlast the queue's job. Every method acts for one {@link Tenant}: a task is
 * visible to the user who created it, in their team, only. The fragment store's
 * `agentTasks` keeps them in the database (for several instances); {@link createMemoryAgentTaskStateStore}
 * in this process.
 *
 * @example
 * ```ts
 * const record = await states.create(tenant, { id, projectId, mode: 'explain', input });
 * await states.update(tenant, id, { status: 'processing' }, record.revision);
 * ```
 */
export interface AgentTaskStateStore {
  /** Stores a new `queued` task with revision 1. */
  create(tenant: Tenant, input: CreateAgentTaskInput): Promise<AgentTaskRecord>;
  /** The caller's task, or null. */
  get(tenant: Tenant, id: string): Promise<AgentTaskRecord | null>;
  /**
   * Applies `change`, stamps `updatedAt` and adds 1 to the revision. With `expectedRevision`,
   * only when the task is still at that revision (compare-and-set). Null when the task is not
   * the caller's or the revision moved on.
   */
  update(
    tenant: Tenant,
    id: string,
    change: AgentTaskChange,
    expectedRevision?: number,
  ): Promise<AgentTaskRecord | null>;
}

/**
 * Options of {@link createMemoryAgentTaskStateStore}.
 *
 * @example
 * ```ts
 * const options: MemoryAgentTaskStateStoreOptions = { maxTasks: 1000 };
 * ```
 */
export interface MemoryAgentTaskStateStoreOptions {
  /** Oldest tasks are forgotten beyond this many. Default 10 000. */
  maxTasks?: number;
  /** Stamps `createdAt` and `updatedAt`. Default `Date.now()`. */
  clock?: Clock;
}

/**
 * Keeps agent tasks in this process: right for one instance with the in-process queue; with
 * several instances use the fragment store's `agentTasks` instead.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createMemoryAgentTaskStateStore } from '@fragmentkit/server';
 *
 * const fragmentkit = createFragmentkit({ model, tasks: { states: createMemoryAgentTaskStateStore() } });
 * ```
 */
export function createMemoryAgentTaskStateStore(options: MemoryAgentTaskStateStoreOptions = {}): AgentTaskStateStore {
  const maxTasks = options.maxTasks ?? 10_000;
  const clock = options.clock ?? systemClock;
  const tasks = new Map<string, AgentTaskRecord>();
  const keyOf = (tenant: Tenant, id: string) => JSON.stringify([tenant.teamId, id]);
  // Stored records are copies, as a database would hand out, so callers cannot change them in place.
  const copy = (record: AgentTaskRecord): AgentTaskRecord => ({
    ...structuredClone(record),
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  });

  return {
    async create(tenant, input) {
      const key = keyOf(tenant, input.id);
      if (tasks.has(key)) throw new Error(`Agent task ${input.id} exists already.`);
      const now = new Date(clock.now());
      const record: AgentTaskRecord = {
        id: input.id,
        teamId: tenant.teamId,
        userId: tenant.userId,
        projectId: input.projectId,
        mode: input.mode,
        status: 'queued',
        revision: 1,
        input: structuredClone(input.input),
        createdAt: now,
        updatedAt: now,
      };
      tasks.set(key, record);
      while (tasks.size > maxTasks) tasks.delete(tasks.keys().next().value!);
      return copy(record);
    },
    async get(tenant, id) {
      const record = tasks.get(keyOf(tenant, id));
      return record && record.userId === tenant.userId ? copy(record) : null;
    },
    async update(tenant, id, change, expectedRevision) {
      const key = keyOf(tenant, id);
      const record = tasks.get(key);
      if (!record || record.userId !== tenant.userId) return null;
      if (expectedRevision !== undefined && record.revision !== expectedRevision) return null;
      const next: AgentTaskRecord = { ...record, revision: record.revision + 1, updatedAt: new Date(clock.now()) };
      if (change.status) next.status = change.status;
      if (change.jobId) next.jobId = change.jobId;
      if (change.result) next.result = structuredClone(change.result);
      if (change.error === null) delete next.error;
      else if (change.error) next.error = { ...change.error };
      if (change.metrics === null) delete next.metrics;
      else if (change.metrics) next.metrics = { ...change.metrics };
      tasks.set(key, next);
      return copy(next);
    },
  };
}
