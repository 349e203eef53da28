import type { Incident } from '@fragmentkit/core';

/**
 * Tells live listeners (the `GET /incidents/events` streams) about changed incidents. This one
 * lives in the process: with several instances, a stream hears the changes made through its
 * own instance, and clients catch up on the rest by polling `GET /incidents?since=`.
 *
 * @example
 * ```ts
 * const feed = createIncidentFeed();
 * const stop = feed.subscribe('team-1', projectId, (incident) => console.log(incident.status));
 * feed.publish('team-1', incident);
 * stop();
 * ```
 */
export interface IncidentFeed {
  publish(teamId: string, incident: Incident): void;
  subscribe(teamId: string, projectId: string, listener: (incident: Incident) => void): () => void;
}

/**
 * Creates an in-process {@link IncidentFeed}. A listener that throws is dropped from that one
 * delivery and never breaks the publisher.
 *
 * @example
 * ```ts
 * const feed = createIncidentFeed();
 * ```
 */
export function createIncidentFeed(): IncidentFeed {
  const listeners = new Map<string, Set<(incident: Incident) => void>>();
  const keyOf = (teamId: string, projectId: string) => `${teamId}\u0000${projectId}`;
  return {
    publish(teamId, incident) {
      for (const listener of [...(listeners.get(keyOf(teamId, incident.projectId)) ?? [])]) {
        try {
          listener(incident);
        } catch {
          // A broken stream must not fail the ingest request that published.
        }
      }
    },
    subscribe(teamId, projectId, listener) {
      const key = keyOf(teamId, projectId);
      const set = listeners.get(key) ?? new Set();
      set.add(listener);
      listeners.set(key, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(key);
      };
    },
  };
}
