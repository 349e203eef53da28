import type { AgentTaskStateStore } from './agentTaskStateStore.js';
import type { AgentTaskRecord } from './agentTaskView.js';

/**
 * Tells the event streams of this process about every task change made through
 * {@link observeAgentTaskStates}. Changes made by other instances reach them through the queue's
 * events and a periodic re-read instead.
 *
 * @example
 * ```ts
 * const changes = createAgentTaskChanges();
 * const stop = changes.subscribe(taskId, (record) => console.log(record.status));
 * ```
 */
export interface AgentTaskChanges {
  notify(record: AgentTaskRecord): void;
  subscribe(taskId: string, listener: (record: AgentTaskRecord) => void): () => void;
}

/**
 * Creates an {@link AgentTaskChanges}.
 *
 * @example
 * ```ts
 * const states = observeAgentTaskStates(createMemoryAgentTaskStateStore(), createAgentTaskChanges());
 * ```
 */
export function createAgentTaskChanges(): AgentTaskChanges {
  const listeners = new Map<string, Set<(record: AgentTaskRecord) => void>>();
  return {
    notify(record) {
      for (const listener of [...(listeners.get(record.id) ?? [])]) listener(record);
    },
    subscribe(taskId, listener) {
      const set = listeners.get(taskId) ?? new Set();
      set.add(listener);
      listeners.set(taskId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(taskId);
      };
    },
  };
}

/**
 * Wraps a state store so that every create and successful update is announced on `changes`.
 *
 * @example
 * ```ts
 * const states = observeAgentTaskStates(store.agentTasks, changes);
 * ```
 */
export function observeAgentTaskStates(states: AgentTaskStateStore, changes: AgentTaskChanges): AgentTaskStateStore {
  const announce = (record: AgentTaskRecord | null) => {
    if (record) changes.notify(record);
    return record;
  };
  return {
    create: async (tenant, input) => announce(await states.create(tenant, input))!,
    get: (tenant, id) => states.get(tenant, id),
    update: async (tenant, id, change, expectedRevision) =>
      announce(await states.update(tenant, id, change, expectedRevision)),
  };
}
