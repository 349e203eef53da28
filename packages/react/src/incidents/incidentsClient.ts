import type { Incident, IncidentDetail, IncidentPage, IncidentStatus } from '@fragmentkit/core';

/**
 * How the list stays current: `loading` (first page), `live` (Server-Sent Events),
 * `polling` (the stream was unavailable; `GET /incidents?since=` every `pollIntervalMs`),
 * `error` (the first page failed; see `error`).
 *
 * @example
 * ```tsx
 * const { connection } = useIncidents({ repo: 'acme/shop' });
 * return <span>{connection === 'live' ? 'Live' : 'Refreshing every few seconds'}</span>;
 * ```
 */
export type IncidentsConnection = 'loading' | 'live' | 'polling' | 'error';

/**
 * What `useIncidents` keeps; a new object on every change.
 *
 * @example
 * ```ts
 * const openCount = (snapshot: IncidentsSnapshot) => snapshot.incidents.filter((incident) => incident.status === 'open').length;
 * ```
 */
export interface IncidentsSnapshot {
  /** Most recently seen first. */
  incidents: Incident[];
  connection: IncidentsConnection;
  error: Error | null;
}

export interface IncidentsClientOptions {
  endpoint: string;
  repo: string;
  fetch: typeof fetch;
  headers: () => Record<string, string>;
  pollIntervalMs: number;
  /** Try the event stream first. */
  live: boolean;
}

export interface IncidentsClient {
  subscribe(listener: () => void): () => void;
  getSnapshot(): IncidentsSnapshot;
  start(): void;
  stop(): void;
  refresh(): Promise<void>;
  setStatus(incidentId: string, status: IncidentStatus): Promise<Incident>;
  getDetail(incidentId: string): Promise<IncidentDetail>;
}

async function errorOf(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return new Error(body?.error?.message ?? `The server answered ${response.status}.`);
}

/**
 * Keeps one repository's incidents: the first page, then live updates from
 * `GET /incidents/events`, falling back to polling `GET /incidents?since=` when the stream
 * cannot be opened or drops.
 */
export function createIncidentsClient(options: IncidentsClientOptions): IncidentsClient {
  const listeners = new Set<() => void>();
  const byId = new Map<string, Incident>();
  let snapshot: IncidentsSnapshot = { incidents: [], connection: 'loading', error: null };
  let cursor: string | null = null;
  let abort = new AbortController();
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  const repoQuery = `repo=${encodeURIComponent(options.repo)}`;

  const update = (patch: Partial<IncidentsSnapshot>) => {
    snapshot = { ...snapshot, ...patch };
    for (const listener of listeners) listener();
  };
  const merge = (incidents: readonly Incident[]) => {
    for (const incident of incidents) byId.set(incident.id, incident);
    const sorted = [...byId.values()].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || a.id.localeCompare(b.id));
    update({ incidents: sorted });
  };
  const request = (path: string, init: RequestInit = {}) =>
    options.fetch(`${options.endpoint}${path}`, {
      ...init,
      signal: init.signal ?? abort.signal,
      headers: { ...options.headers(), ...(init.headers as Record<string, string> | undefined) },
    });

  async function loadPage(): Promise<void> {
    const since = cursor ? `&since=${encodeURIComponent(cursor)}` : '';
    const response = await request(`/incidents?${repoQuery}${since}`);
    if (!response.ok) throw await errorOf(response);
    const page = (await response.json()) as IncidentPage;
    cursor = page.cursor ?? cursor;
    merge(page.incidents);
  }

  // Each start() gets its own controller; a loop whose controller was aborted stops for good,
  // so a quick stop() and start() (React's strict mode) never leaves two loops running.
  function poll(session: AbortController): void {
    if (session.signal.aborted) return;
    update({ connection: 'polling' });
    pollTimer = setTimeout(async () => {
      try {
        await loadPage();
      } catch {
        // Keep polling: the next round may work.
      }
      poll(session);
    }, options.pollIntervalMs);
  }

  async function stream(): Promise<void> {
    const response = await request(`/incidents/events?${repoQuery}`, { headers: { accept: 'text/event-stream' } });
    if (!response.ok || !response.body) throw await errorOf(response);
    update({ connection: 'live' });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let boundary = buffer.search(/\r?\n\r?\n/);
      while (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        handleEvent(block);
        boundary = buffer.search(/\r?\n\r?\n/);
      }
    }
  }

  function handleEvent(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event !== 'incident-updated' || data.length === 0) return;
    try {
      const incident = JSON.parse(data.join('\n')) as Incident;
      if (!cursor || incident.updatedAt > cursor) cursor = incident.updatedAt;
      merge([incident]);
    } catch {
      // A malformed event is skipped; polling or the next event brings the state back.
    }
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => snapshot,
    start() {
      if (running) return;
      running = true;
      const session = new AbortController();
      abort = session;
      void (async () => {
        try {
          await loadPage();
        } catch (error) {
          if (session.signal.aborted) return;
          update({ connection: 'error', error: error instanceof Error ? error : new Error(String(error)) });
          return;
        }
        if (!options.live) return poll(session);
        try {
          await stream();
        } catch {
          // No stream (an old server, a proxy that buffers): fall through to polling.
        }
        if (session.signal.aborted) return;
        // Catch up on what happened while the stream was down, then poll.
        await loadPage().catch(() => undefined);
        poll(session);
      })();
    },
    stop() {
      running = false;
      abort.abort();
      clearTimeout(pollTimer);
    },
    refresh: loadPage,
    async setStatus(incidentId, status) {
      const response = await request(`/incidents/${encodeURIComponent(incidentId)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
      if (!response.ok) throw await errorOf(response);
      const { incident } = (await response.json()) as { incident: Incident };
      merge([incident]);
      return incident;
    },
    async getDetail(incidentId) {
      const response = await request(`/incidents/${encodeURIComponent(incidentId)}`);
      if (!response.ok) throw await errorOf(response);
      return (await response.json()) as IncidentDetail;
    },
  };
}
