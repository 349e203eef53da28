/**
 * Attachments whose lines an open editor changed since they were attached, each with the
 * action that re-reads them. Editor adapters fill it; `<AttachedContextPanel>` shows a stale
 * marker and a Refresh button for each. Observable like the attachment store.
 *
 * @example
 * ```ts
 * const registry = createStaleAttachments();
 * registry.subscribe(() => console.log([...registry.getSnapshot().keys()]));
 * ```
 */
export interface StaleAttachments {
  /** Marks an attachment stale; `refresh` re-attaches its lines as they read now. */
  mark(id: string, refresh: () => void): void;
  /** Clears the mark of an attachment that matches its lines again (or is gone). */
  unmark(id: string): void;
  /** Stale attachment ids with their refresh actions. The same map until something changes. */
  getSnapshot(): ReadonlyMap<string, () => void>;
  subscribe(listener: () => void): () => void;
}

/**
 * Creates a {@link StaleAttachments} registry. `FragmentkitProvider` creates one for its
 * editors and panel; create your own only to share it outside React.
 *
 * @example
 * ```ts
 * import { createStaleAttachments } from '@fragmentkit/react';
 * const stale = createStaleAttachments();
 * stale.mark('src/a.ts#L1-L3', () => console.log('refresh'));
 * stale.getSnapshot().get('src/a.ts#L1-L3')?.();
 * ```
 */
export function createStaleAttachments(): StaleAttachments {
  const listeners = new Set<() => void>();
  let entries: ReadonlyMap<string, () => void> = new Map();
  const commit = (next: Map<string, () => void>) => {
    entries = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    mark(id, refresh) {
      if (entries.get(id) === refresh) return;
      commit(new Map(entries).set(id, refresh));
    },
    unmark(id) {
      if (!entries.has(id)) return;
      const next = new Map(entries);
      next.delete(id);
      commit(next);
    },
    getSnapshot: () => entries,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
