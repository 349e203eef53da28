import {
  createIncidentAttachment,
  type ErrorAttachment,
  type Incident,
  type IncidentDetail,
  type IncidentStatus,
  type SourceFile,
} from '@fragmentkit/core';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { defaultEndpoint, useOptionalFragmentkit } from '../FragmentkitProvider.js';
import { createIncidentsClient, type IncidentsConnection } from './incidentsClient.js';

/**
 * Options of {@link useIncidents}.
 *
 * @example
 * ```ts
 * const options: UseIncidentsOptions = { repo: 'acme/shop', pollIntervalMs: 10_000 };
 * ```
 */
export interface UseIncidentsOptions {
  /** `owner/repo` of a project of the signed-in user's team. */
  repo: string;
  /** Base URL of the fragmentkit handler. Defaults to the provider's, else `/api/fragmentkit`. */
  endpoint?: string;
  /** A `fetch` to use instead of the provider's or the global one. */
  fetch?: typeof fetch;
  /** Extra request headers (auth); a function is called per request. Defaults to the provider's. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Polling interval when the event stream is unavailable. Default 5000. */
  pollIntervalMs?: number;
  /** Open the event stream first. Default true; `false` polls from the start. */
  live?: boolean;
}

/**
 * What {@link useIncidents} returns.
 *
 * @example
 * ```tsx
 * const { incidents, connection, attach } = useIncidents({ repo: 'acme/shop' });
 * ```
 */
export interface UseIncidentsResult {
  /** Most recently seen first. */
  incidents: Incident[];
  connection: IncidentsConnection;
  /** Why the first page failed, when `connection` is `error`. */
  error: Error | null;
  /** Loads what changed since the last update. */
  refresh(): Promise<void>;
  /** `PATCH /incidents/:id`; the list updates with the answer. */
  setStatus(incidentId: string, status: IncidentStatus): Promise<Incident>;
  /** `GET /incidents/:id`: the latest event and its mapped frames. */
  getDetail(incidentId: string): Promise<IncidentDetail>;
  /**
   * Loads the incident and adds it to the provider's attached context as an `error`
   * attachment with the code around its failing line from `files` (see core's
   * `createIncidentAttachment`), ready for a "fix this" turn. Rejects when no frame points into
   * `files`.
   */
  attach(incidentId: string, files: readonly SourceFile[]): Promise<ErrorAttachment>;
}

/**
 * The incidents of one repository, kept current: the first page from `GET /incidents`, then
 * live updates over Server-Sent Events (`GET /incidents/events`), falling back to polling with
 * `since` when the stream is unavailable. Takes endpoint, `fetch`, headers and the attachment
 * store from the nearest `FragmentkitProvider`, when there is one.
 *
 * @example
 * ```tsx
 * import { IncidentList, useFragmentChat, useIncidents } from '@fragmentkit/react';
 *
 * function Incidents({ files }: { files: { path: string; code: string }[] }) {
 *   const chat = useFragmentChat();
 *   const { incidents, attach } = useIncidents({ repo: 'acme/shop' });
 *   return (
 *     <IncidentList
 *       incidents={incidents}
 *       onAttach={(incident) => attach(incident.id, files)}
 *       onFix={async (incident) => {
 *         await attach(incident.id, files);
 *         await chat.send(`Fix ${incident.type}: ${incident.message}`);
 *       }}
 *     />
 *   );
 * }
 * ```
 */
export function useIncidents(options: UseIncidentsOptions): UseIncidentsResult {
  const context = useOptionalFragmentkit();
  const endpoint = options.endpoint ?? context?.endpoint ?? defaultEndpoint;
  const latest = useRef({ options, context });
  useEffect(() => {
    latest.current = { options, context };
  });
  const { repo, live = true } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 5000;

  const client = useMemo(
    () =>
      createIncidentsClient({
        endpoint,
        repo,
        live,
        pollIntervalMs,
        fetch: (input, init) => {
          const { options, context } = latest.current;
          return (options.fetch ?? context?.fetch ?? globalThis.fetch)(input, init);
        },
        headers: () => {
          const headers = latest.current.options.headers ?? latest.current.context?.headers;
          return (typeof headers === 'function' ? headers() : headers) ?? {};
        },
      }),
    [endpoint, repo, live, pollIntervalMs],
  );
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  const snapshot = useSyncExternalStore(client.subscribe, client.getSnapshot, client.getSnapshot);
  return useMemo(
    () => ({
      ...snapshot,
      refresh: client.refresh,
      setStatus: client.setStatus,
      getDetail: client.getDetail,
      async attach(incidentId: string, files: readonly SourceFile[]) {
        const detail = await client.getDetail(incidentId);
        const attachment = createIncidentAttachment({ error: detail, files });
        latest.current.context?.attachmentStore.add(attachment);
        return attachment;
      },
    }),
    [snapshot, client],
  );
}
