import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import { callerOf } from '../auth/caller.js';
import type { FragmentkitLogger } from '../logger.js';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RequestContext, RouteHandler, RouteMethods } from '../router.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { projectAuditSubject } from '../tasks/agentTaskAudit.js';
import { type AgentTaskLimits, createFilesSchema } from '../tasks/agentTaskRequest.js';
import type { ProjectSnapshot, ProjectSnapshotStore } from './projectSnapshotStore.js';

/**
 * What the project snapshot routes need.
 *
 * @example
 * ```ts
 * const routes = createProjectSnapshotRoutes({ snapshots: store.projectSnapshots, limits: defaultAgentTaskLimits, store, logger });
 * ```
 */
export interface ProjectSnapshotRoutesOptions {
  snapshots: ProjectSnapshotStore;
  /** File caps of a save, the same as a task's. */
  limits: AgentTaskLimits;
  /** Receives `project.saved` and `project.restored` audit entries. */
  store?: FragmentStore;
  logger: FragmentkitLogger;
}

const versionPattern = /^[1-9]\d{0,8}$/;
const restoreSchema = z.object({ version: z.number().int().min(1).max(999_999_999) }).strict();

/**
 * `POST /projects/:id/save { files }` (201, the new version), `GET /projects/:id/versions`,
 * `GET /projects/:id/versions/:version` (with the files) and `POST /projects/:id/restore
 * { version }` (201, a new version holding the old files). A project id is any string the host
 * picks (at most 200 characters), scoped by team: the same id in two teams is two projects.
 *
 * @example
 * ```ts
 * const router = createRouter('/api', createProjectSnapshotRoutes(options));
 * ```
 */
export function createProjectSnapshotRoutes(options: ProjectSnapshotRoutesOptions): Record<string, RouteMethods> {
  const { snapshots, store, logger } = options;
  const saveSchema = z.object({ files: createFilesSchema(options.limits) }).strict();

  async function audit(tenant: Tenant, action: string, snapshot: ProjectSnapshot): Promise<void> {
    await store
      ?.audit(tenant, {
        action,
        subject: `${projectAuditSubject(snapshot.projectId)}version/${snapshot.version}`,
        data: {
          projectId: snapshot.projectId,
          version: snapshot.version,
          files: snapshot.files.length,
          ...(snapshot.restoredFrom === undefined ? {} : { restoredFrom: snapshot.restoredFrom }),
        },
      })
      .catch((error: unknown) =>
        logger.error(
          { operation: action, errorMessage: error instanceof Error ? error.message : String(error) },
          'fragmentkit could not write a project audit entry',
        ),
      );
  }

  const save: RouteHandler = async (request, context) => {
    const projectId = projectIdOf(context);
    const { files } = await parseJsonBody(request, saveSchema, {
      operation: 'POST /projects/:id/save',
      maxBytes: options.limits.maxBodyBytes,
    });
    const tenant = tenantOf(context);
    const snapshot = await snapshots.save(tenant, projectId, files);
    await audit(tenant, 'project.saved', snapshot);
    return Response.json(summary(snapshot), { status: 201 });
  };

  const list: RouteHandler = async (_request, context) => {
    const projectId = projectIdOf(context);
    return Response.json({ projectId, versions: await snapshots.listVersions(tenantOf(context), projectId) });
  };

  const read: RouteHandler = async (_request, context) => {
    const projectId = projectIdOf(context);
    const raw = context.params.version!;
    if (!versionPattern.test(raw)) {
      throw new FragmentkitError('INVALID_REQUEST', `A version is a whole number from 1; got "${raw}".`);
    }
    const snapshot = await snapshots.getVersion(tenantOf(context), projectId, Number(raw));
    if (!snapshot) {
      throw new FragmentkitError('NOT_FOUND', `Project ${projectId} has no version ${raw}.`, {
        details: { projectId, version: Number(raw) },
      });
    }
    return Response.json(snapshot);
  };

  const restore: RouteHandler = async (request, context) => {
    const projectId = projectIdOf(context);
    const { version } = await parseJsonBody(request, restoreSchema, {
      operation: 'POST /projects/:id/restore',
      maxBytes: 4_096,
    });
    const tenant = tenantOf(context);
    const snapshot = await snapshots.restore(tenant, projectId, version);
    await audit(tenant, 'project.restored', snapshot);
    return Response.json(summary(snapshot), { status: 201 });
  };

  return {
    '/projects/:id/save': { POST: { handler: save } },
    '/projects/:id/versions': { GET: { handler: list } },
    '/projects/:id/versions/:version': { GET: { handler: read } },
    '/projects/:id/restore': { POST: { handler: restore } },
  };
}

/** A saved version without its files, as save and restore answer. */
function summary(snapshot: ProjectSnapshot) {
  const { files, ...rest } = snapshot;
  return { ...rest, fileCount: files.length };
}

function projectIdOf(context: RequestContext): string {
  const projectId = context.params.id!;
  if (projectId.length > 200 || projectId.trim() === '') {
    throw new FragmentkitError('INVALID_REQUEST', 'A project id is 1 to 200 characters.');
  }
  return projectId;
}

function tenantOf(context: RequestContext): Tenant {
  const { auth } = callerOf(context);
  return { teamId: auth.teamId, userId: auth.userId };
}
