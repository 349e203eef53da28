import { z } from 'zod';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RouteHandler, RouteMethods } from '../router.js';
import { repoSchema } from './incidentProjects.js';
import type { IncidentsConfig } from './incidentsConfig.js';
import { incidentTenant } from './incidentsConfig.js';

const createSchema = z.object({ repo: repoSchema, name: z.string().trim().min(1).max(200).optional() }).strict();

/**
 * `POST /projects` `{ repo, name? }` → 201 `{ project, ingestKey }` (the key is shown this
 * once), `GET /projects`, `GET /projects/:id/ingest-keys`, `POST /projects/:id/ingest-keys/rotate`
 * → 201 `{ ingestKey, revoked }` and `DELETE /projects/:id/ingest-keys/:keyId` → `{ ingestKey }`.
 * Project ids are uuids; another team's project is 404.
 */
export function createProjectRoutes(config: IncidentsConfig): Record<string, RouteMethods> {
  const { store, allowGuests } = config;

  const create: RouteHandler = async (request, context) => {
    const tenant = incidentTenant(context, allowGuests);
    const input = await parseJsonBody(request, createSchema, { operation: 'POST /projects', maxBytes: 16_384 });
    return Response.json(await store.createProject(tenant, input), { status: 201 });
  };
  const list: RouteHandler = async (_request, context) =>
    Response.json({ projects: await store.listProjects(incidentTenant(context, allowGuests)) });
  const keys: RouteHandler = async (_request, context) =>
    Response.json({
      ingestKeys: await store.listIngestKeys(incidentTenant(context, allowGuests), context.params.id!),
    });
  const rotate: RouteHandler = async (_request, context) =>
    Response.json(await store.rotateIngestKey(incidentTenant(context, allowGuests), context.params.id!), {
      status: 201,
    });
  const revoke: RouteHandler = async (_request, context) =>
    Response.json({
      ingestKey: await store.revokeIngestKey(
        incidentTenant(context, allowGuests),
        context.params.id!,
        context.params.keyId!,
      ),
    });

  return {
    '/projects': { GET: { handler: list }, POST: { handler: create } },
    '/projects/:id/ingest-keys': { GET: { handler: keys } },
    '/projects/:id/ingest-keys/rotate': { POST: { handler: rotate } },
    '/projects/:id/ingest-keys/:keyId': { DELETE: { handler: revoke } },
  };
}
