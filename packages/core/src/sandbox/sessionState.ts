import type { SandboxSessionSnapshot } from './sandboxProvider.js';

/**
 * The observable state behind a sandbox session: `getSnapshot` and `subscribe` for hooks,
 * `update` for the provider that owns the session.
 *
 * @example
 * ```ts
 * const state = createSessionState({ id, template, isolation: 'none', status: 'ready', servers: [] });
 * state.update({ status: 'busy' });
 * ```
 */
export interface SessionState {
  getSnapshot(): SandboxSessionSnapshot;
  subscribe(listener: () => void): () => void;
  update(change: Partial<Omit<SandboxSessionSnapshot, 'id' | 'template' | 'isolation'>>): void;
}

/**
 * Creates a {@link SessionState}. Listeners run after each change that alters the snapshot.
 *
 * @example
 * ```ts
 * const state = createSessionState({ id: 'local-1', template: 'react-preview', isolation: 'none', status: 'ready', servers: [] });
 * const unsubscribe = state.subscribe(() => console.log(state.getSnapshot().status));
 * ```
 */
export function createSessionState(initial: SandboxSessionSnapshot): SessionState {
  let snapshot: SandboxSessionSnapshot = Object.freeze({ ...initial, servers: Object.freeze([...initial.servers]) });
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    update(change) {
      const next = { ...snapshot, ...change };
      if (change.expiresAt === undefined && 'expiresAt' in change) delete next.expiresAt;
      const same =
        next.status === snapshot.status &&
        next.expiresAt === snapshot.expiresAt &&
        next.servers.length === snapshot.servers.length &&
        next.servers.every(
          (server, index) =>
            server.port === snapshot.servers[index]?.port && server.url === snapshot.servers[index]?.url,
        );
      if (same) return;
      snapshot = Object.freeze({ ...next, servers: Object.freeze([...next.servers]) });
      for (const listener of [...listeners]) listener();
    },
  };
}
