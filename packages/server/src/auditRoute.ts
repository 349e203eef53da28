import { FragmentkitError } from '@fragmentkit/core';
import type { TeamRole } from './auth/authContext.js';
import { callerOf } from './auth/caller.js';
import type { RouteHandler, RouteMethods } from './router.js';
import type { FragmentStore } from './store/fragmentStore.js';
import { projectAuditSubject } from './tasks/agentTaskAudit.js';

const limitPattern = /^\d{1,3}$/;
const teamReaders: readonly TeamRole[] = ['owner', 'admin'];

/**
 * `GET /audit?projectId=&userId=&limit=`: the team's audit log, newest first, optionally for
 * one project (its tasks, patch decisions and snapshots) and one user. Members read their own
 * entries only (`userId` defaults to theirs; another user's is 403); owners and admins read
 * the whole team's. Row-level security keeps every other team's entries out either way.
 *
 * @example
 * ```ts
 * const routes = createAuditRoutes(store); // { '/audit': { GET } }
 * ```
 */
export function createAuditRoutes(store: FragmentStore | undefined): Record<string, RouteMethods> {
  const handler: RouteHandler = async (request, context) => {
    if (!store) {
      throw new FragmentkitError(
        'NOT_FOUND',
        'No audit log is kept on this server: pass `store` (createFragmentStore) to createFragmentkit.',
      );
    }
    const { auth } = callerOf(context);
    const query = new URL(request.url).searchParams;
    const projectId = query.get('projectId');
    const limit = query.get('limit');
    if (limit !== null && (!limitPattern.test(limit) || Number(limit) < 1 || Number(limit) > 500)) {
      throw new FragmentkitError('INVALID_REQUEST', `limit must be a whole number from 1 to 500; got "${limit}".`);
    }
    if (projectId !== null && (projectId === '' || projectId.length > 200)) {
      throw new FragmentkitError('INVALID_REQUEST', 'projectId must be 1 to 200 characters.');
    }
    const readsTeam = auth.roles.some((role) => teamReaders.includes(role));
    const asked = query.get('userId');
    if (!readsTeam && asked !== null && asked !== auth.userId) {
      throw new FragmentkitError('FORBIDDEN', "Reading another user's audit entries needs the owner or admin role.", {
        details: { allowed: [...teamReaders], roles: [...auth.roles] },
      });
    }
    const userId = readsTeam ? (asked ?? undefined) : auth.userId;
    const entries = await store.listAudit(
      { teamId: auth.teamId, userId: auth.userId },
      {
        ...(userId === undefined ? {} : { userId }),
        ...(projectId === null ? {} : { subjectPrefix: projectAuditSubject(projectId) }),
        ...(limit === null ? {} : { limit: Number(limit) }),
      },
    );
    return Response.json({
      entries: entries.map((entry) => ({ ...entry, createdAt: entry.createdAt.toISOString() })),
    });
  };
  return { '/audit': { GET: { handler } } };
}
