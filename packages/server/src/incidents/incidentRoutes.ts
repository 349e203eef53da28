import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RouteHandler, RouteMethods } from '../router.js';
import { eventStreamHeaders, formatServerSentEvent } from '../sse.js';
import { notFound } from '../store/storeInput.js';
import type { IncidentFeed } from './incidentFeed.js';
import { type IncidentsConfig, incidentTenant } from './incidentsConfig.js';
import { mapFrames, mappableFileNames } from './mapFrames.js';

const patchSchema = z.object({ status: z.enum(['open', 'resolved', 'ignored']) }).strict();
const statuses = new Set(['open', 'resolved', 'ignored']);

function requiredRepo(url: URL): string {
  const repo = url.searchParams.get('repo');
  if (!repo) throw new FragmentkitError('INVALID_REQUEST', 'Name the project: ?repo=owner/repo.');
  return repo;
}

/**
 * `GET /incidents?repo=owner/repo[&since=&status=&limit=]`, `GET /incidents/:id` (with the
 * latest event and its frames mapped through uploaded source maps), `PATCH /incidents/:id`
 * `{ status }`, and `GET /incidents/events?repo=` (Server-Sent Events: `ready` with the cursor,
 * then `incident-updated` with each changed incident). All act for the caller's team only.
 */
export function createIncidentRoutes(config: IncidentsConfig, feed: IncidentFeed): Record<string, RouteMethods> {
  const { store, allowGuests } = config;
  const heartbeatMs = config.heartbeatMs ?? 15_000;

  const list: RouteHandler = async (request, context) => {
    const tenant = incidentTenant(context, allowGuests);
    const url = new URL(request.url);
    const since = url.searchParams.get('since');
    const status = url.searchParams.get('status');
    const limit = url.searchParams.get('limit');
    if (status !== null && !statuses.has(status)) {
      throw new FragmentkitError('INVALID_REQUEST', `status must be open, resolved or ignored; got "${status}".`);
    }
    if (limit !== null && !/^\d{1,3}$/.test(limit)) {
      throw new FragmentkitError('INVALID_REQUEST', `limit must be a whole number from 1 to 200; got "${limit}".`);
    }
    const page = await store.listIncidents(tenant, {
      repo: requiredRepo(url),
      ...(since ? { since } : {}),
      ...(status ? { status: status as 'open' | 'resolved' | 'ignored' } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
    return Response.json(page);
  };

  const read: RouteHandler = async (_request, context) => {
    const tenant = incidentTenant(context, allowGuests);
    const id = context.params.id!;
    const found = await store.getIncident(tenant, id);
    if (!found) throw notFound('incident', id);
    const event = found.latestEvent;
    const frames = event?.frames ?? [];
    const maps = event?.release
      ? await store.findSourceMaps(tenant, {
          projectId: found.incident.projectId,
          release: event.release,
          fileNames: mappableFileNames(frames),
        })
      : [];
    return Response.json({ ...found, frames: mapFrames(frames, maps) });
  };

  const update: RouteHandler = async (request, context) => {
    const tenant = incidentTenant(context, allowGuests);
    const { status } = await parseJsonBody(request, patchSchema, {
      operation: 'PATCH /incidents/:id',
      maxBytes: 4096,
    });
    const incident = await store.setIncidentStatus(tenant, context.params.id!, status);
    feed.publish(tenant.teamId, incident);
    return Response.json({ incident });
  };

  const events: RouteHandler = async (request, context) => {
    const tenant = incidentTenant(context, allowGuests);
    const repo = requiredRepo(new URL(request.url));
    const project = await store.findProjectByRepo(tenant, repo);
    if (!project) throw notFound('project', repo);
    const { cursor } = await store.listIncidents(tenant, { repo, limit: 1 });
    const encoder = new TextEncoder();
    let stop = () => {};
    let sequence = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // After the client left, enqueue throws; that ends this stream's subscriptions.
        const write = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            stop();
          }
        };
        const send = (event: string, data: unknown) => {
          sequence += 1;
          write(formatServerSentEvent({ id: String(sequence), event, data: JSON.stringify(data) }));
        };
        send('ready', { repo, cursor });
        const unsubscribe = feed.subscribe(tenant.teamId, project.id, (incident) => send('incident-updated', incident));
        const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
        (heartbeat as { unref?: () => void }).unref?.();
        stop = () => {
          unsubscribe();
          clearInterval(heartbeat);
        };
        request.signal.addEventListener(
          'abort',
          () => {
            stop();
            try {
              controller.close();
            } catch {
              // Already closed by the client.
            }
          },
          { once: true },
        );
      },
      cancel() {
        stop();
      },
    });
    return new Response(body, { headers: eventStreamHeaders });
  };

  return {
    // Before `/incidents/:id`, which would otherwise take `events` for an id.
    '/incidents/events': { GET: { handler: events } },
    '/incidents': { GET: { handler: list } },
    '/incidents/:id': { GET: { handler: read }, PATCH: { handler: update } },
  };
}
